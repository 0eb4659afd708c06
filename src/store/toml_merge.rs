//! The three-way, per-key merge of `strategi.toml` that `sync` makes when both sides
//! changed the file since their merge base.
//!
//! Every leaf value has a path (`case.title`, `mail.transport`, `party[code=FIN].email`:
//! an element of an array of tables is named by its `code`, `id` or `name`, else by its
//! position). For each path: a value changed on one side only takes that side's value;
//! changed on both sides to the same value is no conflict; changed differently on both
//! sides keeps **the remote's value** (what is already published stays as others have
//! seen it) and is returned as a [`KeyConflict`] with both values, which the merge commit
//! records and `status` and `verify` report until it is settled. The result is the local
//! file (comments and layout kept) with the remote's changes applied; never conflict
//! markers.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

/// One step of a leaf's path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Seg {
    /// A key of a table.
    Key(String),
    /// An element of an array of tables, named by one of its fields.
    Named(String, String),
    /// An element of an array of tables without a naming field, by position.
    Index(usize),
}

type Path = Vec<Seg>;

fn show(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Named(f, v) => s.push_str(&format!("[{f}={v}]")),
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// A key both sides changed differently; the remote's value was kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyConflict {
    /// The key's path, such as `case.title` or `party[code=FIN].email`.
    pub key: String,
    /// The value kept (the remote's), as TOML; `None` when the remote removed the key.
    pub kept: Option<String>,
    /// The local value that was not kept, as TOML; `None` when it was removed locally.
    pub other: Option<String>,
}

impl fmt::Display for KeyConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = |x: &Option<String>| x.clone().unwrap_or_else(|| "(removed)".to_string());
        write!(
            f,
            "{}: kept {} (remote), not {} (local)",
            self.key,
            v(&self.kept),
            v(&self.other)
        )
    }
}

/// What the merge made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlMerge {
    /// The merged file's text.
    pub text: String,
    /// The keys changed differently on both sides.
    pub conflicts: Vec<KeyConflict>,
}

/// Why a side could not be merged: it is not TOML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {side} strategi.toml is not valid TOML: {message}")]
pub struct TomlMergeError {
    /// Which side: "common", "local" or "remote".
    pub side: &'static str,
    /// The parser's message.
    pub message: String,
}

const NAMING_FIELDS: [&str; 3] = ["code", "id", "name"];

fn naming_field(items: &[toml::Value]) -> Option<&'static str> {
    NAMING_FIELDS.into_iter().find(|f| {
        let mut seen = BTreeSet::new();
        items.iter().all(|v| {
            v.as_table()
                .and_then(|t| t.get(*f))
                .and_then(toml::Value::as_str)
                .is_some_and(|s| seen.insert(s.to_string()))
        })
    })
}

fn flatten(table: &toml::Table, prefix: &mut Path, out: &mut BTreeMap<Path, toml::Value>) {
    for (k, v) in table {
        prefix.push(Seg::Key(k.clone()));
        match v {
            toml::Value::Table(t) => flatten(t, prefix, out),
            toml::Value::Array(items)
                if !items.is_empty() && items.iter().all(toml::Value::is_table) =>
            {
                let field = naming_field(items);
                for (i, item) in items.iter().enumerate() {
                    let Some(t) = item.as_table() else { continue };
                    let seg = match field
                        .and_then(|f| t.get(f).and_then(|v| v.as_str()).map(|v| (f, v)))
                    {
                        Some((f, v)) => Seg::Named(f.to_string(), v.to_string()),
                        None => Seg::Index(i),
                    };
                    prefix.push(seg);
                    flatten(t, prefix, out);
                    prefix.pop();
                }
            }
            other => {
                out.insert(prefix.clone(), other.clone());
            }
        }
        prefix.pop();
    }
}

fn leaves(text: &str, side: &'static str) -> Result<BTreeMap<Path, toml::Value>, TomlMergeError> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| TomlMergeError {
        side,
        message: e.message().to_string(),
    })?;
    let mut out = BTreeMap::new();
    flatten(&table, &mut Vec::new(), &mut out);
    Ok(out)
}

fn literal(v: &toml::Value) -> String {
    // A one-key document renders the value as TOML writes it.
    let mut t = toml::Table::new();
    t.insert("v".to_string(), v.clone());
    let s = toml::to_string(&t).unwrap_or_default();
    s.trim()
        .strip_prefix("v = ")
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string())
}

fn edit_value(v: &toml::Value) -> Option<toml_edit::Item> {
    let doc: toml_edit::DocumentMut = format!("v = {}\n", literal(v)).parse().ok()?;
    doc.get("v").cloned()
}

/// Finds (or with `create`, makes) the table a path's parent names.
fn table_at<'d>(
    root: &'d mut toml_edit::Table,
    parent: &[Seg],
    create: bool,
    theirs: Option<&toml_edit::Table>,
) -> Option<&'d mut toml_edit::Table> {
    let mut here = root;
    // The same place in the remote's document, to copy a new element whole (its keys in
    // their order, its comments).
    let mut there = theirs;
    let mut i = 0;
    while i < parent.len() {
        let Seg::Key(k) = &parent[i] else { return None };
        let next = parent.get(i + 1);
        match next {
            Some(Seg::Named(f, v)) => {
                if create && !here.contains_key(k) {
                    here.insert(
                        k,
                        toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()),
                    );
                }
                let arr = here.get_mut(k)?.as_array_of_tables_mut()?;
                let pos = arr
                    .iter()
                    .position(|t| t.get(f).and_then(|x| x.as_str()) == Some(v.as_str()));
                let theirs_elem = there
                    .and_then(|t| t.get(k))
                    .and_then(|i| i.as_array_of_tables())
                    .and_then(|a| {
                        a.iter()
                            .find(|t| t.get(f).and_then(|x| x.as_str()) == Some(v.as_str()))
                    });
                let pos = match pos {
                    Some(p) => p,
                    None if create => {
                        let t = theirs_elem.cloned().unwrap_or_else(|| {
                            let mut t = toml_edit::Table::new();
                            t.insert(f, toml_edit::value(v.as_str()));
                            t
                        });
                        arr.push(t);
                        arr.len() - 1
                    }
                    None => return None,
                };
                there = theirs_elem;
                here = arr.get_mut(pos)?;
                i += 2;
            }
            Some(Seg::Index(n)) => {
                there = there
                    .and_then(|t| t.get(k))
                    .and_then(|i| i.as_array_of_tables())
                    .and_then(|a| a.get(*n));
                let arr = here.get_mut(k)?.as_array_of_tables_mut()?;
                here = arr.get_mut(*n)?;
                i += 2;
            }
            _ => {
                if create && !here.contains_key(k) {
                    let mut t = toml_edit::Table::new();
                    t.set_implicit(true);
                    here.insert(k, toml_edit::Item::Table(t));
                }
                there = there.and_then(|t| t.get(k)).and_then(|i| i.as_table());
                here = here.get_mut(k)?.as_table_mut()?;
                i += 1;
            }
        }
    }
    Some(here)
}

fn set(
    doc: &mut toml_edit::DocumentMut,
    theirs: &toml_edit::DocumentMut,
    path: &[Seg],
    value: Option<&toml::Value>,
) {
    let Some((Seg::Key(last), parent)) = path.split_last() else {
        return;
    };
    match value {
        Some(v) => {
            if let (Some(t), Some(item)) = (
                table_at(doc.as_table_mut(), parent, true, Some(theirs.as_table())),
                edit_value(v),
            ) {
                t.insert(last, item);
            }
        }
        None => {
            // Removing the field that names an element removes the element.
            if let Some((Seg::Named(f, name), grand)) = parent.split_last()
                && f == last
            {
                if let Some((Seg::Key(k), up)) = grand.split_last()
                    && let Some(t) = table_at(doc.as_table_mut(), up, false, None)
                    && let Some(arr) = t.get_mut(k).and_then(|i| i.as_array_of_tables_mut())
                {
                    arr.retain(|e| e.get(f).and_then(|x| x.as_str()) != Some(name.as_str()));
                }
                return;
            }
            if let Some(t) = table_at(doc.as_table_mut(), parent, false, None) {
                t.remove(last);
            }
        }
    }
}

/// Reads a key's path as [`KeyConflict::key`] writes it (`case.title`,
/// `party[code=FIN].email`, `closed_days[0]`); `None` when it is not one.
fn parse_key(key: &str) -> Option<Path> {
    let mut out = Vec::new();
    let mut rest = key.trim();
    let mut first = true;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = &r[..end];
            match inner.split_once('=') {
                Some((f, v)) if !f.is_empty() && !v.is_empty() => {
                    out.push(Seg::Named(f.to_string(), v.to_string()));
                }
                _ => out.push(Seg::Index(inner.parse().ok()?)),
            }
            rest = &r[end + 1..];
            continue;
        }
        if !first {
            rest = rest.strip_prefix('.')?;
        }
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let k = &rest[..end];
        if k.is_empty()
            || !k
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return None;
        }
        out.push(Seg::Key(k.to_string()));
        rest = &rest[end..];
        first = false;
    }
    // The last step names a value, not an element.
    matches!(out.last(), Some(Seg::Key(_))).then_some(out)
}

/// The keys (leaf paths) of a `strategi.toml` text, as [`KeyConflict::key`] names
/// them; empty when the text is not TOML.
pub fn toml_keys(text: &str) -> Vec<String> {
    leaves(text, "local")
        .map(|l| l.keys().map(|p| show(p)).collect())
        .unwrap_or_default()
}

/// The value of `key` (a path as [`KeyConflict::key`] names it) in a `strategi.toml`
/// text, as TOML; `None` when the text has no such key (or is not TOML).
pub fn toml_value_at(text: &str, key: &str) -> Option<String> {
    let leaves = leaves(text, "local").ok()?;
    leaves
        .iter()
        .find(|(p, _)| show(p) == key)
        .map(|(_, v)| literal(v))
}

/// Where a text is not TOML: the parser's message and, when the parser names a place,
/// its line and column (both from 1); `None` when the text is TOML.
pub fn toml_error_at(text: &str) -> Option<(String, Option<(usize, usize)>)> {
    let e = text.parse::<toml::Table>().err()?;
    let place = e.span().map(|span| {
        let start = span.start.min(text.len());
        let before = text.get(..start).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    });
    Some((e.message().to_string(), place))
}

/// A value as TOML writes it (`"text"`, `true`, `["DIO", "DFD"]`).
pub fn toml_literal(value: &toml::Value) -> String {
    literal(value)
}

/// `text` with `key` (a path as [`KeyConflict::key`] names it) set to `value`, with
/// toml_edit: the rest of the file (comments, layout, order) stays as it was. A missing
/// table or element is made. `None` when `key` is not such a path or `text` is not TOML.
pub fn set_toml_key(text: &str, key: &str, value: &toml::Value) -> Option<String> {
    let path = parse_key(key)?;
    if show(&path) != key.trim() {
        return None;
    }
    let mut doc: toml_edit::DocumentMut = text.parse().ok()?;
    let empty = toml_edit::DocumentMut::new();
    set(&mut doc, &empty, &path, Some(value));
    let edited = doc.to_string();
    // A place the edit cannot reach (an inline table, a value where a table is named)
    // leaves the text as it was: that is no success.
    (toml_value_at(&edited, key).as_deref() == Some(literal(value).as_str())).then_some(edited)
}

/// Merges `ours` (local) and `theirs` (remote) against their common `base` (`None`
/// when the file did not exist there), key by key; see the module's description.
pub fn merge_toml(
    base: Option<&str>,
    ours: &str,
    theirs: &str,
) -> Result<TomlMerge, TomlMergeError> {
    let b = match base {
        Some(t) => leaves(t, "common")?,
        None => BTreeMap::new(),
    };
    let o = leaves(ours, "local")?;
    let t = leaves(theirs, "remote")?;
    let mut doc: toml_edit::DocumentMut =
        ours.parse()
            .map_err(|e: toml_edit::TomlError| TomlMergeError {
                side: "local",
                message: e.message().to_string(),
            })?;
    let theirs_doc: toml_edit::DocumentMut =
        theirs
            .parse()
            .map_err(|e: toml_edit::TomlError| TomlMergeError {
                side: "remote",
                message: e.message().to_string(),
            })?;
    let paths: BTreeSet<&Path> = b.keys().chain(o.keys()).chain(t.keys()).collect();
    let mut conflicts = Vec::new();
    // Element-naming fields are removed last, so that an element's other keys are
    // handled while it can still be found.
    let mut removals_last: Vec<Path> = Vec::new();
    for p in paths {
        let (bv, ov, tv) = (b.get(p), o.get(p), t.get(p));
        if ov == tv || tv == bv {
            continue;
        }
        if ov != bv {
            conflicts.push(KeyConflict {
                key: show(p),
                kept: tv.map(literal),
                other: ov.map(literal),
            });
        }
        if tv.is_none() {
            removals_last.push(p.clone());
        } else {
            set(&mut doc, &theirs_doc, p, tv);
        }
    }
    removals_last.sort_by_key(|p| {
        let names = matches!(p.as_slice(), [.., Seg::Named(f, _), Seg::Key(k)] if f == k);
        names
    });
    for p in &removals_last {
        set(&mut doc, &theirs_doc, p, None);
    }
    Ok(TomlMerge {
        text: doc.to_string(),
        conflicts,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::merge_toml;

    const BASE: &str = "# the case\n[case]\ntitle = \"T\"\nowner = \"DIO\"\n\n[mail]\ntransport = \"outbox\"\n\n[[party]]\ncode = \"FIN\"\nname = \"Fin\"\nemail = \"a@fin.example\"\n";

    #[test]
    fn a_key_changed_on_one_side_takes_that_side() {
        let ours = BASE.replace("title = \"T\"", "title = \"Local\"");
        let theirs = BASE.replace("transport = \"outbox\"", "transport = \"smtp\"");
        let m = merge_toml(Some(BASE), &ours, &theirs).unwrap();
        assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
        assert!(m.text.contains("title = \"Local\""), "{}", m.text);
        assert!(m.text.contains("transport = \"smtp\""), "{}", m.text);
        assert!(
            m.text.starts_with("# the case\n"),
            "comments kept: {}",
            m.text
        );
    }

    #[test]
    fn a_key_changed_differently_on_both_keeps_the_remote_and_reports_it() {
        let ours = BASE.replace("title = \"T\"", "title = \"Local\"");
        let theirs = BASE.replace("title = \"T\"", "title = \"Remote\"");
        let m = merge_toml(Some(BASE), &ours, &theirs).unwrap();
        assert!(m.text.contains("title = \"Remote\""), "{}", m.text);
        assert!(!m.text.contains("<<<<"));
        assert_eq!(m.conflicts.len(), 1);
        assert_eq!(m.conflicts[0].key, "case.title");
        assert_eq!(m.conflicts[0].kept.as_deref(), Some("\"Remote\""));
        assert_eq!(m.conflicts[0].other.as_deref(), Some("\"Local\""));
        // The same change on both sides is no conflict.
        let m = merge_toml(Some(BASE), &theirs, &theirs).unwrap();
        assert!(m.conflicts.is_empty());
    }

    #[test]
    fn elements_of_arrays_of_tables_merge_by_their_code() {
        let ours = format!(
            "{BASE}\n[[party]]\ncode = \"KDD\"\nname = \"Kdd\"\nemail = \"k@kdd.example\"\n"
        );
        let theirs = format!(
            "{}\n[[party]]\ncode = \"HOD\"\nname = \"Hod\"\nemail = \"h@hod.example\"\n",
            BASE.replace("a@fin.example", "b@fin.example")
        );
        let m = merge_toml(Some(BASE), &ours, &theirs).unwrap();
        assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
        for want in [
            "code = \"KDD\"",
            "code = \"HOD\"",
            "b@fin.example",
            "h@hod.example",
        ] {
            assert!(m.text.contains(want), "{want} in {}", m.text);
        }
        assert!(
            m.text
                .contains("code = \"HOD\"\nname = \"Hod\"\nemail = \"h@hod.example\""),
            "a new element is copied whole, keys in order: {}",
            m.text
        );
        let parsed: toml::Table = m.text.parse().unwrap();
        assert_eq!(parsed["party"].as_array().unwrap().len(), 3);
        // A party the remote removed goes; one removed on both sides stays removed.
        let theirs = BASE.replace(
            "\n[[party]]\ncode = \"FIN\"\nname = \"Fin\"\nemail = \"a@fin.example\"\n",
            "\n",
        );
        let m = merge_toml(Some(BASE), &ours, &theirs).unwrap();
        assert!(!m.text.contains("FIN"), "{}", m.text);
        assert!(m.text.contains("KDD"), "{}", m.text);
    }

    #[test]
    fn a_key_is_read_and_set_by_its_path_keeping_the_rest() {
        use super::{set_toml_key, toml_keys, toml_value_at};
        assert_eq!(toml_value_at(BASE, "case.title").as_deref(), Some("\"T\""));
        assert_eq!(
            toml_value_at(BASE, "party[code=FIN].email").as_deref(),
            Some("\"a@fin.example\"")
        );
        assert_eq!(toml_value_at(BASE, "case.titel"), None);
        assert!(toml_keys(BASE).contains(&"party[code=FIN].name".to_string()));
        let t = set_toml_key(
            BASE,
            "party[code=FIN].email",
            &toml::Value::String("b@fin.example".into()),
        )
        .unwrap();
        assert!(t.starts_with("# the case\n"), "{t}");
        assert!(t.contains("email = \"b@fin.example\""), "{t}");
        let t = set_toml_key(
            BASE,
            "approval.require_signature",
            &toml::Value::Boolean(true),
        )
        .unwrap();
        assert_eq!(
            toml_value_at(&t, "approval.require_signature").as_deref(),
            Some("true")
        );
        assert_eq!(toml_value_at(&t, "case.owner").as_deref(), Some("\"DIO\""));
        let inline = "case = { title = \"T\" }\n";
        assert!(set_toml_key(inline, "case.title", &toml::Value::Boolean(true)).is_none());
        for bad in [
            "",
            "case.",
            ".case",
            "case[code=X]",
            "case title",
            "party[code=FIN",
        ] {
            assert!(
                set_toml_key(BASE, bad, &toml::Value::Boolean(true)).is_none(),
                "{bad}"
            );
        }
    }

    #[test]
    fn bad_toml_is_placed_by_line_and_column() {
        let text = "[case]\ntitle = \"x\"\ncode = = 1\n";
        let (message, place) = super::toml_error_at(text).unwrap();
        assert_eq!(place, Some((3, 8)), "{message}");
        assert!(super::toml_error_at(BASE).is_none());
    }

    #[test]
    fn bad_toml_names_its_side() {
        let e = merge_toml(Some(BASE), BASE, "[case\n").unwrap_err();
        assert_eq!(e.side, "remote");
    }
}
