//! Typed records straight from the read cache's binary form, without building the
//! `toml::Table` in between.
//!
//! [`from_cached`] is a serde deserializer over what [`super::encode_table`] wrote that
//! gives a type what `T::deserialize(toml::Value::Table(table))` gives it after
//! [`crate::store::proven::set_clocks`] (the same visits: a string, an integer, a
//! table as a map, any present value as `Some`, a datetime as toml's own), with the
//! proven clock put in as it is read instead of into a table first. Anything it does
//! not take the way toml's value does (an enum given as a table, a datetime asked for
//! as one) is decoded into a `toml::Value` and handed to toml's deserializer. It only
//! ever says "this did not fit" (`None`): the caller then takes the slow path, which
//! gives the same value or names the error.

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};

use super::{
    MAX_DEPTH, Reader, T_ARRAY, T_BOOL, T_DATETIME, T_FLOAT, T_INT, T_STR, T_TABLE,
    decode_datetime, decode_value,
};
use crate::store::proven::CLOCKED_ARRAYS;

/// The record of type `T` encoded in `bytes` (one table as [`super::encode_table`]
/// wrote it), with every clock set to `clock` as [`crate::store::proven::set_clocks`]
/// sets it (none set with `None`); `None` when the bytes are no such table or the
/// table does not fit `T`.
pub fn from_cached<T: DeserializeOwned>(bytes: &[u8], clock: Option<u64>) -> Option<T> {
    let mut r = Reader { bytes, at: 0 };
    let clock = clock.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
    let t = T::deserialize(Value {
        r: &mut r,
        depth: 0,
        clock: clock.map_or(Clock::None, Clock::Root),
        root: true,
    })
    .ok()?;
    (r.at == bytes.len()).then_some(t)
}

/// The one error: it is never shown (the caller takes the slow path, which names it).
#[derive(Debug)]
pub struct Unfit;

impl std::fmt::Display for Unfit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the cached table does not fit the type")
    }
}

impl std::error::Error for Unfit {}

impl de::Error for Unfit {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Unfit
    }
}

fn unfit<T>(_: T) -> Unfit {
    Unfit
}

/// What clock a value that is a table gets.
#[derive(Debug, Clone, Copy)]
enum Clock {
    None,
    /// The record's root: its own `clock` (unless it holds facts without one) and that
    /// of each table in its [`CLOCKED_ARRAYS`].
    Root(i64),
    /// A table of a clocked array: its `clock`, added when missing.
    Item(i64),
}

/// One encoded value at the reader's position.
struct Value<'de, 'b> {
    r: &'b mut Reader<'de>,
    depth: usize,
    clock: Clock,
    /// The record's own table, which is written without a tag.
    root: bool,
}

impl<'de> Value<'de, '_> {
    fn peek(&self) -> Result<u8, Unfit> {
        if self.root {
            return Ok(T_TABLE);
        }
        self.r.bytes.get(self.r.at).copied().ok_or(Unfit)
    }

    /// The value as a `toml::Value`, for what is handed to toml's own deserializer.
    /// Refused for a table that would get a clock (only the fast path sets clocks).
    fn into_toml(self) -> Result<toml::Value, Unfit> {
        if self.root || (!matches!(self.clock, Clock::None) && self.peek()? == T_TABLE) {
            return Err(Unfit);
        }
        decode_value(self.r, self.depth).ok_or(Unfit)
    }

    fn map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
        let n = self.r.u32().ok_or(Unfit)?;
        let (own, items) = match self.clock {
            Clock::None => (None, None),
            Clock::Item(c) => (Some(c), None),
            Clock::Root(c) => {
                // As `set_clocks`: a file of facts gets no clock of its own unless it
                // has one.
                let (holds_facts, has_clock) = root_keys(self.r, n, self.depth)?;
                ((!holds_facts || has_clock).then_some(c), Some(c))
            }
        };
        let mut access = Map {
            r: self.r,
            depth: self.depth,
            left: n,
            own,
            items,
            clock_seen: false,
            next: Next::Nothing,
        };
        let out = visitor.visit_map(&mut access)?;
        if access.left > 0 || (access.own.is_some() && !access.clock_seen) {
            return Err(Unfit);
        }
        Ok(out)
    }
}

/// Whether a table of `n` entries at the reader's position holds one of the
/// [`CLOCKED_ARRAYS`] and whether it has a `clock`; the reader is left where it was.
fn root_keys(r: &mut Reader<'_>, n: u32, depth: usize) -> Result<(bool, bool), Unfit> {
    let start = r.at;
    let (mut holds_facts, mut has_clock) = (false, false);
    for _ in 0..n {
        let key = r.str().ok_or(Unfit)?;
        holds_facts |= CLOCKED_ARRAYS.contains(&key);
        has_clock |= key == "clock";
        skip_value(r, depth + 1)?;
    }
    r.at = start;
    Ok((holds_facts, has_clock))
}

/// Moves the reader past one encoded value.
fn skip_value(r: &mut Reader<'_>, depth: usize) -> Result<(), Unfit> {
    if depth > MAX_DEPTH {
        return Err(Unfit);
    }
    match r.u8().ok_or(Unfit)? {
        T_STR => {
            r.str().ok_or(Unfit)?;
        }
        T_INT | T_FLOAT => {
            r.take(8).ok_or(Unfit)?;
        }
        T_BOOL => {
            r.u8().ok_or(Unfit)?;
        }
        T_DATETIME => {
            decode_datetime(r).ok_or(Unfit)?;
        }
        T_ARRAY => {
            for _ in 0..r.u32().ok_or(Unfit)? {
                skip_value(r, depth + 1)?;
            }
        }
        T_TABLE => {
            for _ in 0..r.u32().ok_or(Unfit)? {
                r.str().ok_or(Unfit)?;
                skip_value(r, depth + 1)?;
            }
        }
        _ => return Err(Unfit),
    }
    Ok(())
}

/// What the map's next value is.
enum Next {
    Nothing,
    /// The encoded value, its tables getting this clock.
    Encoded(Clock),
    /// The clock set in place of (or in addition to) what the file says.
    Clock(i64),
}

struct Map<'de, 'b> {
    r: &'b mut Reader<'de>,
    depth: usize,
    left: u32,
    /// The clock this table gets, if any.
    own: Option<i64>,
    /// The clock the tables of its clocked arrays get, if any.
    items: Option<i64>,
    clock_seen: bool,
    next: Next,
}

impl<'de> de::MapAccess<'de> for Map<'de, '_> {
    type Error = Unfit;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Unfit> {
        if self.left == 0 {
            // A clock the table lacks is added after its own entries.
            return match self.own {
                Some(c) if !self.clock_seen => {
                    self.clock_seen = true;
                    self.next = Next::Clock(c);
                    seed.deserialize(de::value::StrDeserializer::<Unfit>::new("clock"))
                        .map(Some)
                }
                _ => Ok(None),
            };
        }
        self.left -= 1;
        let key = self.r.str().ok_or(Unfit)?;
        self.next = match self.own {
            Some(c) if key == "clock" => {
                self.clock_seen = true;
                skip_value(self.r, self.depth + 1)?;
                Next::Clock(c)
            }
            _ => match self.items {
                Some(c) if CLOCKED_ARRAYS.contains(&key) => Next::Encoded(Clock::Item(c)),
                _ => Next::Encoded(Clock::None),
            },
        };
        seed.deserialize(de::value::StrDeserializer::<Unfit>::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Unfit> {
        match std::mem::replace(&mut self.next, Next::Nothing) {
            Next::Nothing => Err(Unfit),
            Next::Clock(c) => seed.deserialize(toml::Value::Integer(c)).map_err(unfit),
            Next::Encoded(clock) => seed.deserialize(Value {
                r: self.r,
                depth: self.depth + 1,
                clock,
                root: false,
            }),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        usize::try_from(self.left).ok()
    }
}

/// An array's items; the tables among them get `clock` (an [`Clock::Item`] or none).
struct Seq<'de, 'b> {
    r: &'b mut Reader<'de>,
    depth: usize,
    left: u32,
    clock: Clock,
}

impl<'de> de::SeqAccess<'de> for Seq<'de, '_> {
    type Error = Unfit;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Unfit> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let item = Value {
            r: self.r,
            depth: self.depth + 1,
            clock: self.clock,
            root: false,
        };
        // Only tables carry a clock: anything else in the array is taken as it is.
        let item = match item.peek()? {
            T_TABLE => item,
            _ => Value {
                clock: Clock::None,
                ..item
            },
        };
        seed.deserialize(item).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        usize::try_from(self.left).ok()
    }
}

impl<'de> de::Deserializer<'de> for Value<'de, '_> {
    type Error = Unfit;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
        if self.depth > MAX_DEPTH {
            return Err(Unfit);
        }
        if self.root {
            return self.map(visitor);
        }
        match self.r.u8().ok_or(Unfit)? {
            T_STR => visitor.visit_str(self.r.str().ok_or(Unfit)?),
            T_INT => visitor.visit_i64(self.r.i64().ok_or(Unfit)?),
            T_FLOAT => visitor.visit_f64(f64::from_bits(self.r.u64().ok_or(Unfit)?)),
            T_BOOL => match self.r.u8().ok_or(Unfit)? {
                0 => visitor.visit_bool(false),
                1 => visitor.visit_bool(true),
                _ => Err(Unfit),
            },
            T_DATETIME => visitor.visit_string(decode_datetime(self.r).ok_or(Unfit)?.to_string()),
            T_ARRAY => {
                let left = self.r.u32().ok_or(Unfit)?;
                let clock = match self.clock {
                    Clock::Item(c) => Clock::Item(c),
                    _ => Clock::None,
                };
                let mut seq = Seq {
                    r: self.r,
                    depth: self.depth,
                    left,
                    clock,
                };
                let out = visitor.visit_seq(&mut seq)?;
                if seq.left > 0 {
                    return Err(Unfit);
                }
                Ok(out)
            }
            T_TABLE => self.map(visitor),
            _ => Err(Unfit),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
        // As toml's value: a present value is `Some` (absence is a missing key).
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Unfit> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unfit> {
        if self.peek()? == T_DATETIME {
            // A datetime asked for as toml's own type: toml's protocol.
            return de::Deserializer::deserialize_struct(self.into_toml()?, name, fields, visitor)
                .map_err(unfit);
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unfit> {
        if self.peek()? == T_STR {
            self.r.u8().ok_or(Unfit)?;
            let s = self.r.str().ok_or(Unfit)?;
            return visitor.visit_enum(IntoDeserializer::<Unfit>::into_deserializer(s));
        }
        de::Deserializer::deserialize_enum(self.into_toml()?, name, variants, visitor)
            .map_err(unfit)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
        if !matches!(self.clock, Clock::None) && self.peek()? == T_TABLE {
            // A table that gets a clock is gone through, so the clock is checked.
            return self.deserialize_any(visitor);
        }
        if self.root {
            return self.deserialize_any(visitor);
        }
        skip_value(self.r, self.depth)?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool u8 u16 u32 u64 i8 i16 i32 i64 f32 f64 char str string unit seq
        bytes byte_buf map unit_struct tuple_struct tuple identifier
    }
}

#[cfg(test)]
mod tests {
    use super::super::{decode_table, encode_table};
    use super::*;
    use serde::Deserialize;

    /// What the slow path gives: the table decoded, its clocks set, deserialized.
    fn slow<T: DeserializeOwned>(bytes: &[u8], clock: Option<u64>) -> Option<T> {
        let mut table = decode_table(bytes)?;
        if let Some(n) = clock {
            crate::store::proven::set_clocks(&mut table, n);
        }
        T::deserialize(toml::Value::Table(table)).ok()
    }

    fn encoded(text: &str) -> Vec<u8> {
        let table: toml::Table = text.parse().expect("toml");
        let mut out = Vec::new();
        assert!(encode_table(&table, &mut out));
        out
    }

    /// Whether the fast path took it (it then gives what the slow path gives).
    fn same<T: DeserializeOwned + PartialEq + std::fmt::Debug>(
        text: &str,
        clock: Option<u64>,
    ) -> bool {
        let bytes = encoded(text);
        let fast = from_cached::<T>(&bytes, clock);
        assert_eq!(fast, slow::<T>(&bytes, clock), "{text}");
        fast.is_some()
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Fact {
        id: String,
        clock: Option<u64>,
        n: Option<i64>,
        tags: Vec<String>,
        kind: Option<Kind>,
        due: Option<toml::value::Datetime>,
        nested: Option<Inner>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    enum Kind {
        Plain,
        WithValue(String),
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Inner {
        flag: bool,
        ratio: f64,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Comments {
        comment: Vec<Fact>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Loose {
        id: String,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(untagged)]
    enum Either {
        Loose(Loose),
        Other { other: String },
    }

    #[test]
    fn gives_what_the_table_gives_with_and_without_clocks() {
        let fact = r#"id = "a"
clock = 7
tags = ["x", "y"]
kind = "plain"
due = 2025-12-01
[nested]
flag = true
ratio = 0.5
"#;
        let no_clock = "id = \"b\"\ntags = []\nkind = { with-value = \"v\" }\n";
        let comments = "[[comment]]\nid = \"c1\"\ntags = []\n[[comment]]\nid = \"c2\"\nclock = 3\ntags = [\"t\"]\n";
        let comments_with_own = "clock = 9\n[[comment]]\nid = \"c1\"\ntags = []\n";
        for clock in [None, Some(0), Some(42), Some(u64::MAX)] {
            assert!(same::<Fact>(fact, clock));
            assert!(same::<Fact>(no_clock, clock));
            assert!(same::<Comments>(comments, clock));
            assert!(
                !same::<Comments>(comments_with_own, clock),
                "its root clock is unknown to it"
            );
            assert!(same::<Loose>(fact, clock));
            assert!(same::<Either>(fact, clock));
            assert!(same::<Either>("other = \"o\"\n", clock));
            assert!(same::<toml::Table>(fact, clock));
            assert!(same::<toml::Table>(comments, clock));
        }
        let got: Fact = from_cached(&encoded(no_clock), Some(5)).expect("fits");
        assert_eq!(got.clock, Some(5), "a missing clock is added");
        let got: Comments = from_cached(&encoded(comments), Some(5)).expect("fits");
        assert!(got.comment.iter().all(|c| c.clock == Some(5)));
        assert_eq!(
            from_cached::<Comments>(&encoded(comments_with_own), Some(5)),
            None,
            "a root clock the type does not take does not fit"
        );
    }

    #[test]
    fn what_does_not_fit_or_is_damaged_is_none() {
        assert!(!same::<Fact>("id = 3\ntags = []\n", Some(1)));
        assert!(!same::<Fact>("id = \"a\"\ntags = []\nextra = 1\n", Some(1)));
        assert!(!same::<Fact>(
            "id = \"a\"\ntags = []\nkind = \"unknown\"\n",
            None
        ));
        let bytes = encoded("id = \"a\"\ntags = [\"x\"]\n");
        for cut in 0..bytes.len() {
            assert_eq!(
                from_cached::<Fact>(&bytes[..cut], Some(1)),
                None,
                "cut at {cut}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(from_cached::<Fact>(&longer, Some(1)), None);
        // Every single-byte change gives what the slow path gives, or nothing.
        for i in 0..bytes.len() {
            for b in [0u8, 1, 7, 0x7f, 0xff] {
                let mut damaged = bytes.clone();
                damaged[i] = b;
                let fast = from_cached::<Fact>(&damaged, Some(1));
                if fast.is_some() {
                    assert_eq!(fast, slow::<Fact>(&damaged, Some(1)), "byte {i} = {b}");
                }
            }
        }
    }
}
