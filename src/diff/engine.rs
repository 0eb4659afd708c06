//! The diff algorithm: section matching, moves, paragraph alignment, word diff.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp, capture_diff_deadline};

use super::{
    DiffOptions, DiffSummary, DiffWarning, DocumentDiff, FORMAT_VERSION, OpKind, ParagraphDiff,
    ParagraphStatus, SectionDiff, SectionStatus, Side, WordOp,
};
use crate::document::tokens::{Sep, TokenKind, count_words, normalize_into, scan_normalized};
use crate::document::{Document, Paragraph, Section};

/// A fast non-cryptographic hash (FxHash-style, 8 bytes at a time). Only used to find
/// candidates: equal hashes are always confirmed by comparing the texts.
fn fast_hash(s: &str) -> u64 {
    fast_hash_bytes(s.as_bytes())
}

fn fast_hash_bytes(b: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = b.len() as u64;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    for &x in chunks.remainder() {
        h = (h.rotate_left(5) ^ u64::from(x)).wrapping_mul(K);
    }
    h
}

/// Two unmatched sections are the same section renamed when at least this share of
/// the larger one's paragraphs is in both.
const SECTION_PAIR_MIN: f64 = 0.5;
/// Similarity needed to show two paragraphs as one changed paragraph with a word diff:
/// the share of common words (Dice coefficient) when pairing up a run of replaced
/// paragraphs, and the share of common bytes after the word diff. Below it, paragraphs
/// are deleted and inserted, or (one paragraph rewritten in place) replaced whole.
const PARAGRAPH_PAIR_MIN: f64 = 0.4;
/// How far ahead in a run of replaced paragraphs to look for a partner.
const PAIR_WINDOW: usize = 8;
/// Word diffs with at most this many tokens (both sides) run without a deadline: even
/// the worst case is a few milliseconds.
const SMALL_DIFF_TOKENS: usize = 2000;
/// Cap on section-pair comparisons when looking for renamed sections.
const SECTION_COMPARISONS: usize = 50_000;

/// A paragraph's normalised text and its hash.
#[derive(Debug, Clone)]
struct NormPara {
    text: String,
    hash: u64,
}

/// Hash-first comparison key for aligning paragraphs.
#[derive(Debug, Clone, Copy)]
struct Key<'a> {
    hash: u64,
    text: &'a str,
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.text == other.text
    }
}
impl Eq for Key<'_> {}
impl Hash for Key<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// A token as compared by the word diff: its separator and text. The first token of a
/// paragraph compares as if preceded by a space, so inserting a word at the start does
/// not make the old first word look changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct TokKey<'a> {
    sep: Sep,
    text: &'a str,
}

type NormCache = Vec<Option<Vec<NormPara>>>;

fn norms<'c>(cache: &'c mut NormCache, section: &Section, i: usize) -> &'c [NormPara] {
    match cache.get_mut(i) {
        Some(entry) => entry.get_or_insert_with(|| compute_norms(section)),
        None => &[],
    }
}

struct Budget {
    deadline: Option<Instant>,
    per_paragraph: Option<Duration>,
    reached: bool,
    calls: u32,
    last_now: Option<Instant>,
}

impl Budget {
    /// `None` when the budget is used up; otherwise the deadline for one paragraph.
    fn paragraph_deadline(&mut self) -> Option<Option<Instant>> {
        let Some(total) = self.deadline else {
            return Some(None);
        };
        // Reading the clock for every paragraph costs more than a small word diff; a
        // reading up to eight paragraphs old is good enough.
        self.calls = self.calls.wrapping_add(1);
        let now = match self.last_now {
            Some(t) if !self.calls.is_multiple_of(8) => t,
            _ => {
                let t = Instant::now();
                self.last_now = Some(t);
                t
            }
        };
        if now >= total {
            self.reached = true;
            return None;
        }
        let cap = self
            .per_paragraph
            .and_then(|d| now.checked_add(d))
            .unwrap_or(total);
        Some(Some(cap.min(total)))
    }
}

/// Diffs two documents. Never fails; see the [module documentation](super) for what
/// the result holds.
pub fn diff_documents(old: &Document, new: &Document, opts: &DiffOptions) -> DocumentDiff {
    let start = Instant::now();
    let mut budget = Budget {
        deadline: opts.deadline.and_then(|d| start.checked_add(d)),
        per_paragraph: opts.deadline.map(|d| d / 4),
        reached: false,
        calls: 0,
        last_now: None,
    };
    let (os, ns) = (&old.sections, &new.sections);
    let mut old_norm: NormCache = vec![None; os.len()];
    let mut new_norm: NormCache = vec![None; ns.len()];

    // 1. Match by id.
    let mut new_by_id: HashMap<&str, usize> = HashMap::with_capacity(ns.len());
    for (i, s) in ns.iter().enumerate() {
        new_by_id.entry(s.id.as_str()).or_insert(i);
    }
    let mut o2n: Vec<Option<usize>> = vec![None; os.len()];
    let mut n2o: Vec<Option<usize>> = vec![None; ns.len()];
    for (i, s) in os.iter().enumerate() {
        if let Some(&j) = new_by_id.get(s.id.as_str())
            && n2o[j].is_none()
        {
            o2n[i] = Some(j);
            n2o[j] = Some(i);
        }
    }

    // 2. Pair leftover sections with mostly the same paragraphs (renamed headings).
    pair_by_content(old, new, &mut old_norm, &mut new_norm, &mut o2n, &mut n2o);

    // 3. Moves.
    let moved = find_moves(old, new, &o2n, &n2o);

    // 4. Reading order: new order, removed sections after their old predecessor.
    let mut removed_after: Vec<Vec<usize>> = vec![Vec::new(); ns.len() + 1];
    let mut anchor = 0; // 0 = before everything, k + 1 = after new section k
    for (i, m) in o2n.iter().enumerate() {
        match m {
            Some(j) => anchor = j + 1,
            None => removed_after[anchor].push(i),
        }
    }
    let mut order: Vec<(Option<usize>, Option<usize>)> = Vec::with_capacity(os.len().max(ns.len()));
    order.extend(removed_after[0].iter().map(|&i| (Some(i), None)));
    for j in 0..ns.len() {
        order.push((n2o[j], Some(j)));
        order.extend(removed_after[j + 1].iter().map(|&i| (Some(i), None)));
    }
    if let Some(filter) = &opts.section {
        order.retain(|&(o, n)| {
            o.is_some_and(|i| os[i].id == *filter) || n.is_some_and(|j| ns[j].id == *filter)
        });
    }

    let ctx = Ctx {
        old,
        new,
        moved: &moved,
        old_numbers: old.section_numbers(),
        new_numbers: new.section_numbers(),
        full_text: opts.full_text,
    };
    let sections: Vec<SectionDiff> = order
        .into_iter()
        .map(|(o, n)| {
            let item = Item {
                o,
                n,
                old_norm: o.and_then(|i| old_norm.get_mut(i).and_then(Option::take)),
                new_norm: n.and_then(|j| new_norm.get_mut(j).and_then(Option::take)),
            };
            section_diff(&ctx, &mut budget, item)
        })
        .collect();

    let mut summary = DiffSummary {
        sections_old: os.len(),
        sections_new: ns.len(),
        deadline_reached: budget.reached,
        ..DiffSummary::default()
    };
    for s in &sections {
        match s.status {
            SectionStatus::Unchanged => summary.unchanged += 1,
            SectionStatus::Changed => summary.changed += 1,
            SectionStatus::Added => summary.added += 1,
            SectionStatus::Removed => summary.removed += 1,
            SectionStatus::Moved => summary.moved += 1,
            SectionStatus::Renamed => summary.renamed += 1,
        }
        summary.words_added += s.words_added;
        summary.words_removed += s.words_removed;
        for p in &s.paragraphs {
            match p.status {
                ParagraphStatus::Equal => {}
                ParagraphStatus::Changed => summary.paragraphs_changed += 1,
                ParagraphStatus::Inserted => summary.paragraphs_inserted += 1,
                ParagraphStatus::Deleted => summary.paragraphs_deleted += 1,
            }
        }
    }
    let warnings = old
        .warnings
        .iter()
        .map(|w| (Side::Old, w))
        .chain(new.warnings.iter().map(|w| (Side::New, w)))
        .map(|(side, w)| DiffWarning {
            side,
            file: w.file.clone(),
            line: w.line,
            message: w.message.clone(),
        })
        .collect();
    DocumentDiff {
        format_version: FORMAT_VERSION,
        section_filter: opts.section.clone(),
        full_text: opts.full_text,
        summary,
        sections,
        warnings,
    }
}

/// What every section diff needs to know.
struct Ctx<'d> {
    old: &'d Document,
    new: &'d Document,
    moved: &'d [bool],
    old_numbers: Vec<String>,
    new_numbers: Vec<String>,
    full_text: bool,
}

/// One entry of the output: old and new section, and their normalised paragraphs if
/// already computed.
struct Item {
    o: Option<usize>,
    n: Option<usize>,
    old_norm: Option<Vec<NormPara>>,
    new_norm: Option<Vec<NormPara>>,
}

fn section_diff(ctx: &Ctx, budget: &mut Budget, item: Item) -> SectionDiff {
    let (os, ns) = (&ctx.old.sections, &ctx.new.sections);
    let Item {
        o,
        n,
        old_norm,
        new_norm,
    } = item;
    let mut sd = SectionDiff {
        id: String::new(),
        old_id: None,
        status: SectionStatus::Unchanged,
        moved: n.is_some_and(|j| ctx.moved.get(j).copied().unwrap_or(false)),
        renamed: false,
        content_changed: false,
        level_changed: false,
        number: String::new(),
        old_title: o.map(|i| os[i].title.clone()),
        new_title: n.map(|j| ns[j].title.clone()),
        old_level: o.map(|i| os[i].level),
        new_level: n.map(|j| ns[j].level),
        old_index: o,
        new_index: n,
        old_file: o.map(|i| os[i].file.clone()),
        new_file: n.map(|j| ns[j].file.clone()),
        old_line: o.map(|i| os[i].line),
        new_line: n.map(|j| ns[j].line),
        words_added: 0,
        words_removed: 0,
        paragraphs: Vec::new(),
    };
    match (o, n) {
        (Some(i), Some(j)) => {
            let (a, b) = (&os[i], &ns[j]);
            sd.id = b.id.clone();
            if a.id != b.id {
                sd.old_id = Some(a.id.clone());
            }
            sd.number = ctx.new_numbers.get(j).cloned().unwrap_or_default();
            sd.renamed = !same_normalized(&a.title, &b.title);
            sd.level_changed = a.level != b.level;
            diff_body(budget, &mut sd, a, b, ctx.full_text);
            sd.status = if sd.content_changed || sd.level_changed {
                SectionStatus::Changed
            } else if sd.renamed {
                SectionStatus::Renamed
            } else if sd.moved {
                SectionStatus::Moved
            } else {
                SectionStatus::Unchanged
            };
        }
        (None, Some(j)) => {
            let b = &ns[j];
            sd.id = b.id.clone();
            sd.number = ctx.new_numbers.get(j).cloned().unwrap_or_default();
            sd.status = SectionStatus::Added;
            sd.content_changed = !b.paragraphs.is_empty();
            for (k, p) in new_norm
                .unwrap_or_else(|| compute_norms(b))
                .iter()
                .enumerate()
            {
                sd.words_added += count_words(&p.text);
                sd.paragraphs.push(inserted_para(b, k, &p.text));
            }
        }
        (Some(i), None) => {
            let a = &os[i];
            sd.id = a.id.clone();
            sd.number = ctx.old_numbers.get(i).cloned().unwrap_or_default();
            sd.status = SectionStatus::Removed;
            sd.content_changed = !a.paragraphs.is_empty();
            for (k, p) in old_norm
                .unwrap_or_else(|| compute_norms(a))
                .iter()
                .enumerate()
            {
                sd.words_removed += count_words(&p.text);
                sd.paragraphs.push(deleted_para(a, k, &p.text));
            }
        }
        (None, None) => {}
    }
    sd
}

fn compute_norms(section: &Section) -> Vec<NormPara> {
    section
        .paragraphs
        .iter()
        .map(|p| {
            let mut text = String::with_capacity(p.text.len());
            normalize_into(&p.text, &mut text);
            NormPara {
                hash: fast_hash(&text),
                text,
            }
        })
        .collect()
}

fn same_normalized(a: &str, b: &str) -> bool {
    let mut x = String::new();
    let mut y = String::new();
    normalize_into(a, &mut x);
    normalize_into(b, &mut y);
    x == y
}

fn pair_by_content(
    old: &Document,
    new: &Document,
    old_norm: &mut NormCache,
    new_norm: &mut NormCache,
    o2n: &mut [Option<usize>],
    n2o: &mut [Option<usize>],
) {
    let uo: Vec<usize> = (0..old.sections.len())
        .filter(|&i| o2n[i].is_none() && !old.sections[i].paragraphs.is_empty())
        .collect();
    let un: Vec<usize> = (0..new.sections.len())
        .filter(|&j| n2o[j].is_none() && !new.sections[j].paragraphs.is_empty())
        .collect();
    if uo.is_empty() || un.is_empty() {
        return;
    }
    let sig = |v: &[NormPara]| {
        let mut h: Vec<u64> = v.iter().map(|p| p.hash).collect();
        h.sort_unstable();
        h
    };
    let so: Vec<Vec<u64>> = uo
        .iter()
        .map(|&i| sig(norms(old_norm, &old.sections[i], i)))
        .collect();
    let sn: Vec<Vec<u64>> = un
        .iter()
        .map(|&j| sig(norms(new_norm, &new.sections[j], j)))
        .collect();
    // Candidates share at least one paragraph: find them through an index instead of
    // comparing every pair. Paragraphs found in very many sections are no evidence.
    let mut index: HashMap<u64, Vec<usize>> = HashMap::new();
    for (b, sig) in sn.iter().enumerate() {
        let mut prev = None;
        for &h in sig {
            if prev != Some(h) {
                index.entry(h).or_default().push(b);
            }
            prev = Some(h);
        }
    }
    let mut taken = vec![false; un.len()];
    let mut comparisons = 0usize;
    for (a, &i) in uo.iter().enumerate() {
        let mut candidates: Vec<usize> = so[a]
            .iter()
            .filter_map(|h| index.get(h))
            .filter(|list| list.len() <= 64)
            .flatten()
            .copied()
            .filter(|&b| !taken[b])
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut best: Option<(f64, usize)> = None;
        for b in candidates {
            comparisons += 1;
            if comparisons > SECTION_COMPARISONS {
                return;
            }
            let common = common_sorted(&so[a], &sn[b]);
            let score = common as f64 / so[a].len().max(sn[b].len()) as f64;
            if score >= SECTION_PAIR_MIN && best.is_none_or(|(s, _)| score > s) {
                best = Some((score, b));
            }
        }
        if let Some((_, b)) = best {
            taken[b] = true;
            o2n[i] = Some(un[b]);
            n2o[un[b]] = Some(i);
        }
    }
}

/// Size of the multiset intersection of two sorted slices.
fn common_sorted(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Parent heading of every section (preambles have none).
fn parents(doc: &Document) -> Vec<Option<usize>> {
    let mut stack: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(doc.sections.len());
    for (i, s) in doc.sections.iter().enumerate() {
        if s.level == 0 {
            out.push(None);
            continue;
        }
        while stack
            .last()
            .is_some_and(|&t| doc.sections[t].level >= s.level)
        {
            stack.pop();
        }
        out.push(stack.last().copied());
        stack.push(i);
    }
    out
}

/// Weight of every section for move detection: sections and paragraphs in its subtree.
fn subtree_weights(doc: &Document) -> Vec<u64> {
    let n = doc.sections.len();
    let mut end: Vec<usize> = (1..=n).collect();
    let mut stack: Vec<usize> = Vec::new();
    for (j, s) in doc.sections.iter().enumerate() {
        if s.level == 0 {
            continue;
        }
        while stack
            .last()
            .is_some_and(|&t| doc.sections[t].level >= s.level)
        {
            if let Some(t) = stack.pop() {
                end[t] = j;
            }
        }
        stack.push(j);
    }
    for t in stack {
        end[t] = n;
    }
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0u64);
    for s in &doc.sections {
        let last = prefix.last().copied().unwrap_or(0);
        prefix.push(last + 1 + s.paragraphs.len() as u64);
    }
    (0..n)
        .map(|i| prefix[end[i].max(i + 1)] - prefix[i])
        .collect()
}

/// `moved[j]` for every new section j that is matched and changed place.
fn find_moves(
    old: &Document,
    new: &Document,
    o2n: &[Option<usize>],
    n2o: &[Option<usize>],
) -> Vec<bool> {
    let old_par = parents(old);
    let new_par = parents(new);
    let weights = subtree_weights(new);
    let mut moved = vec![false; new.sections.len()];
    let mut groups: HashMap<Option<usize>, Vec<usize>> = HashMap::new();
    for (j, m) in n2o.iter().enumerate() {
        let Some(i) = *m else { continue };
        let po = old_par[i];
        let pn = new_par[j];
        // A parent that was added or removed says nothing about a move.
        let comparable = po.is_none_or(|p| o2n[p].is_some()) && pn.is_none_or(|p| n2o[p].is_some());
        if comparable && po.and_then(|p| o2n[p]) != pn {
            moved[j] = true;
        } else {
            groups.entry(pn).or_default().push(j);
        }
    }
    for children in groups.values() {
        let keep = heaviest_increasing(children, n2o, &weights);
        for (k, &j) in children.iter().enumerate() {
            if !keep[k] {
                moved[j] = true;
            }
        }
    }
    moved
}

/// Among `children` (new indices, in new order), the heaviest subsequence whose old
/// indices increase: those kept their order; the others moved. O(k log k).
fn heaviest_increasing(children: &[usize], n2o: &[Option<usize>], weights: &[u64]) -> Vec<bool> {
    let k = children.len();
    let olds: Vec<usize> = children.iter().map(|&j| n2o[j].unwrap_or(0)).collect();
    let mut sorted = olds.clone();
    sorted.sort_unstable();
    // Fenwick tree over ranks of old indices, holding (best weight, index).
    let mut tree: Vec<(u64, usize)> = vec![(0, usize::MAX); k + 1];
    let mut best = vec![0u64; k];
    let mut prev = vec![usize::MAX; k];
    for x in 0..k {
        let rank = sorted.partition_point(|&v| v < olds[x]); // 0-based
        // Query max over ranks < rank.
        let mut q = (0u64, usize::MAX);
        let mut r = rank;
        while r > 0 {
            if tree[r].0 > q.0 {
                q = tree[r];
            }
            r &= r - 1;
        }
        best[x] = q.0 + weights.get(children[x]).copied().unwrap_or(1);
        prev[x] = q.1;
        let mut r = rank + 1;
        while r <= k {
            if best[x] > tree[r].0 {
                tree[r] = (best[x], x);
            }
            r += r & r.wrapping_neg();
        }
    }
    let mut keep = vec![false; k];
    let mut cur = (0..k).max_by_key(|&x| best[x]);
    while let Some(x) = cur {
        keep[x] = true;
        cur = (prev[x] != usize::MAX).then_some(prev[x]);
    }
    keep
}

fn equal_para(a: &Section, b: &Section, i: usize, j: usize, text: Option<&str>) -> ParagraphDiff {
    ParagraphDiff {
        status: ParagraphStatus::Equal,
        old_index: Some(i),
        new_index: Some(j),
        old_line: a.paragraphs.get(i).map(|p| p.line),
        new_line: b.paragraphs.get(j).map(|p| p.line),
        ops: text
            .map(|t| {
                vec![WordOp {
                    kind: OpKind::Equal,
                    old_text: t.to_string(),
                    new_text: t.to_string(),
                    old_offset: 0,
                    new_offset: 0,
                }]
            })
            .unwrap_or_default(),
    }
}

fn inserted_para(b: &Section, j: usize, text: &str) -> ParagraphDiff {
    ParagraphDiff {
        status: ParagraphStatus::Inserted,
        old_index: None,
        new_index: Some(j),
        old_line: None,
        new_line: b.paragraphs.get(j).map(|p| p.line),
        ops: vec![WordOp {
            kind: OpKind::Insert,
            old_text: String::new(),
            new_text: text.to_string(),
            old_offset: 0,
            new_offset: 0,
        }],
    }
}

fn deleted_para(a: &Section, i: usize, text: &str) -> ParagraphDiff {
    ParagraphDiff {
        status: ParagraphStatus::Deleted,
        old_index: Some(i),
        new_index: None,
        old_line: a.paragraphs.get(i).map(|p| p.line),
        new_line: None,
        ops: vec![WordOp {
            kind: OpKind::Delete,
            old_text: text.to_string(),
            new_text: String::new(),
            old_offset: 0,
            new_offset: 0,
        }],
    }
}

/// Normalised paragraph texts of a matched section pair, filled in lazily (an empty
/// string means "not normalised yet").
struct Body<'s> {
    a: &'s Section,
    b: &'s Section,
    on: Vec<String>,
    nn: Vec<String>,
}

impl Body<'_> {
    fn normalize(&mut self, olds: Range<usize>, news: Range<usize>) {
        for i in olds {
            if let (Some(t), Some(p)) = (self.on.get_mut(i), self.a.paragraphs.get(i))
                && t.is_empty()
            {
                normalize_into(&p.text, t);
            }
        }
        for j in news {
            if let (Some(t), Some(p)) = (self.nn.get_mut(j), self.b.paragraphs.get(j))
                && t.is_empty()
            {
                normalize_into(&p.text, t);
            }
        }
    }

    fn push_equal(&self, sd: &mut SectionDiff, i: usize, j: usize, full_text: bool) {
        let text = if full_text {
            self.on.get(i).map(String::as_str)
        } else {
            None
        };
        sd.paragraphs.push(equal_para(self.a, self.b, i, j, text));
    }
}

fn raw_keys(paragraphs: &[Paragraph]) -> Vec<Key<'_>> {
    paragraphs
        .iter()
        .map(|p| Key {
            hash: sample_hash(&p.text),
            text: &p.text,
        })
        .collect()
}

fn norm_keys(texts: &[String]) -> Vec<Key<'_>> {
    texts
        .iter()
        .map(|t| Key {
            hash: sample_hash(t),
            text: t,
        })
        .collect()
}

/// A constant-time hash of a text: its length and its first and last 32 bytes. Keys
/// compare their whole texts, so a collision (an edit in the middle) costs nothing but
/// a comparison.
fn sample_hash(s: &str) -> u64 {
    let b = s.as_bytes();
    let head = b.get(..32).unwrap_or(b);
    let tail = b.get(b.len().saturating_sub(32)..).unwrap_or(b);
    let mut h = fast_hash_bytes(head);
    h = (h.rotate_left(5) ^ fast_hash_bytes(tail)).wrapping_mul(0x517c_c1b7_2722_0a95);
    h ^ b.len() as u64
}

/// Paragraph-level diff of a matched section pair. Paragraphs are first aligned on
/// their raw text, which is cheap and leaves untouched paragraphs alone; only runs
/// that differ are normalised and aligned again, so that re-wrapped paragraphs still
/// compare equal. Sets `content_changed`.
fn diff_body(budget: &mut Budget, sd: &mut SectionDiff, a: &Section, b: &Section, full_text: bool) {
    if !full_text
        && a.paragraphs.len() == b.paragraphs.len()
        && a.paragraphs
            .iter()
            .zip(&b.paragraphs)
            .all(|(p, q)| p.text == q.text)
    {
        return;
    }
    let ra = raw_keys(&a.paragraphs);
    let rb = raw_keys(&b.paragraphs);
    let mut body = Body {
        a,
        b,
        on: vec![String::new(); ra.len()],
        nn: vec![String::new(); rb.len()],
    };
    let raw_ops = if ra == rb {
        vec![DiffOp::Equal {
            old_index: 0,
            new_index: 0,
            len: ra.len(),
        }]
    } else {
        capture_diff_deadline(
            Algorithm::Patience,
            &ra,
            0..ra.len(),
            &rb,
            0..rb.len(),
            budget.deadline,
        )
    };
    let mut k = 0;
    while k < raw_ops.len() {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = raw_ops[k]
        {
            if full_text {
                body.normalize(old_index..old_index + len, 0..0);
            }
            for t in 0..len {
                body.push_equal(sd, old_index + t, new_index + t, full_text);
            }
            k += 1;
            continue;
        }
        let (o0, n0) = (raw_ops[k].old_range().start, raw_ops[k].new_range().start);
        let (mut o1, mut n1) = (raw_ops[k].old_range().end, raw_ops[k].new_range().end);
        k += 1;
        while let Some(op) = raw_ops
            .get(k)
            .filter(|op| !matches!(op, DiffOp::Equal { .. }))
        {
            o1 = o1.max(op.old_range().end);
            n1 = n1.max(op.new_range().end);
            k += 1;
        }
        body.normalize(o0..o1, n0..n1);
        let ok = norm_keys(body.on.get(o0..o1).unwrap_or_default());
        let nk = norm_keys(body.nn.get(n0..n1).unwrap_or_default());
        let sub = if ok.len() == 1 && nk.len() == 1 {
            // The common case of one edited paragraph: no alignment needed.
            let (old_index, new_index, len) = (0, 0, 1);
            if ok == nk {
                vec![DiffOp::Equal {
                    old_index,
                    new_index,
                    len,
                }]
            } else {
                vec![DiffOp::Replace {
                    old_index,
                    old_len: len,
                    new_index,
                    new_len: len,
                }]
            }
        } else {
            capture_diff_deadline(
                Algorithm::Patience,
                &ok,
                0..ok.len(),
                &nk,
                0..nk.len(),
                budget.deadline,
            )
        };
        for op in sub {
            let olds = o0 + op.old_range().start..o0 + op.old_range().end;
            let news = n0 + op.new_range().start..n0 + op.new_range().end;
            match op {
                DiffOp::Equal { .. } => {
                    for (i, j) in olds.zip(news) {
                        body.push_equal(sd, i, j, full_text);
                    }
                }
                DiffOp::Delete { .. } => {
                    for i in olds {
                        push_deleted(sd, a, i, body.on.get(i).map_or("", String::as_str));
                    }
                }
                DiffOp::Insert { .. } => {
                    for j in news {
                        push_inserted(sd, b, j, body.nn.get(j).map_or("", String::as_str));
                    }
                }
                DiffOp::Replace { .. } => pair_run(budget, sd, &body, olds, news),
            }
        }
    }
    sd.content_changed = sd
        .paragraphs
        .iter()
        .any(|p| p.status != ParagraphStatus::Equal);
    if !sd.content_changed && !full_text {
        sd.paragraphs.clear();
    }
}

/// Pairs a run of replaced paragraphs: similar ones are diffed word by word, the rest
/// are deleted and inserted.
fn pair_run(
    budget: &mut Budget,
    sd: &mut SectionDiff,
    body: &Body,
    olds: Range<usize>,
    news: Range<usize>,
) {
    let (on, nn) = (&body.on, &body.nn);
    let empty = String::new();
    let old_t = |i: usize| on.get(i).unwrap_or(&empty);
    let new_t = |j: usize| nn.get(j).unwrap_or(&empty);
    if olds.len() == 1 && news.len() == 1 {
        // One paragraph rewritten in place: always one changed paragraph, diffed word
        // by word unless the two have little in common.
        let (i, j) = (olds.start, news.start);
        let ops = if !similar_paragraphs(old_t(i), new_t(j)) {
            whole_replace(old_t(i), new_t(j))
        } else {
            match refine(budget, old_t(i), new_t(j)) {
                (ops, true) => ops,
                (_, false) => whole_replace(old_t(i), new_t(j)),
            }
        };
        push_changed(sd, body, i, j, ops);
        return;
    }
    if olds.len() == news.len()
        && olds
            .clone()
            .zip(news.clone())
            .all(|(i, j)| similar_paragraphs(old_t(i), new_t(j)))
    {
        // Usually a run of paragraphs edited in place: pair them by position.
        for (i, j) in olds.zip(news) {
            let (ops, _) = refine(budget, old_t(i), new_t(j));
            push_changed(sd, body, i, j, ops);
        }
        return;
    }
    let old_sk: Vec<Sketch> = olds.clone().map(|i| Sketch::of(old_t(i))).collect();
    let new_sk: Vec<Sketch> = news.clone().map(|j| Sketch::of(new_t(j))).collect();
    let mut next_new = 0;
    for (x, i) in olds.clone().enumerate() {
        let mut best: Option<(f64, usize)> = None;
        for (y, sk) in new_sk.iter().enumerate().skip(next_new).take(PAIR_WINDOW) {
            let score = old_sk[x].dice(sk);
            if score >= PARAGRAPH_PAIR_MIN && best.is_none_or(|(s, _)| score > s) {
                best = Some((score, y));
            }
        }
        match best {
            Some((_, y)) => {
                for j in news.start + next_new..news.start + y {
                    push_inserted(sd, body.b, j, new_t(j));
                }
                let j = news.start + y;
                let (ops, _) = refine(budget, old_t(i), new_t(j));
                push_changed(sd, body, i, j, ops);
                next_new = y + 1;
            }
            None => push_deleted(sd, body.a, i, old_t(i)),
        }
    }
    for j in news.start + next_new..news.end {
        push_inserted(sd, body.b, j, new_t(j));
    }
}

/// Cheap test whether two paragraphs have [`PARAGRAPH_PAIR_MIN`] in common: first by
/// their common start and end (typical of an edit), then by their word sketches.
fn similar_paragraphs(a: &str, b: &str) -> bool {
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    let pre = common_prefix(ab, bb);
    let suf = common_suffix(ab, bb, ab.len().min(bb.len()) - pre);
    2.0 * (pre + suf) as f64 >= PARAGRAPH_PAIR_MIN * (ab.len() + bb.len()) as f64
        || Sketch::of(a).dice(&Sketch::of(b)) >= PARAGRAPH_PAIR_MIN
}

/// The set of words of a paragraph (of its other tokens if it has no words) as a
/// 1024-bit hash sketch, for estimating how much two paragraphs share.
struct Sketch([u64; 16]);

impl Sketch {
    fn of(text: &str) -> Sketch {
        let mut words = [0u64; 16];
        let mut others = [0u64; 16];
        let mut any_word = false;
        scan_normalized(text, |kind, _, tok| {
            let bit = (fnv1a(tok.as_bytes()) % 1024) as usize;
            let set = if kind == TokenKind::Word {
                any_word = true;
                &mut words
            } else {
                &mut others
            };
            set[bit / 64] |= 1 << (bit % 64);
        });
        Sketch(if any_word { words } else { others })
    }

    /// Dice coefficient of the two sets (estimated).
    fn dice(&self, other: &Sketch) -> f64 {
        let (mut both, mut total) = (0u32, 0u32);
        for (a, b) in self.0.iter().zip(&other.0) {
            both += (a & b).count_ones();
            total += a.count_ones() + b.count_ones();
        }
        if total == 0 {
            1.0
        } else {
            2.0 * f64::from(both) / f64::from(total)
        }
    }
}

fn push_inserted(sd: &mut SectionDiff, b: &Section, j: usize, text: &str) {
    sd.words_added += count_words(text);
    sd.paragraphs.push(inserted_para(b, j, text));
}

fn push_deleted(sd: &mut SectionDiff, a: &Section, i: usize, text: &str) {
    sd.words_removed += count_words(text);
    sd.paragraphs.push(deleted_para(a, i, text));
}

fn push_changed(sd: &mut SectionDiff, body: &Body, i: usize, j: usize, ops: Vec<WordOp>) {
    for op in &ops {
        if matches!(op.kind, OpKind::Insert | OpKind::Replace) {
            sd.words_added += count_words(&op.new_text);
        }
        if matches!(op.kind, OpKind::Delete | OpKind::Replace) {
            sd.words_removed += count_words(&op.old_text);
        }
    }
    sd.paragraphs.push(ParagraphDiff {
        status: ParagraphStatus::Changed,
        old_index: Some(i),
        new_index: Some(j),
        old_line: body.a.paragraphs.get(i).map(|p| p.line),
        new_line: body.b.paragraphs.get(j).map(|p| p.line),
        ops,
    });
}

/// Word ops for a changed paragraph, and whether the two paragraphs are similar: at
/// least [`PARAGRAPH_PAIR_MIN`] of their bytes are in common (otherwise a word diff
/// does not help a reader). When the time budget is used up the paragraph is replaced
/// whole (and counted as similar: there is no time to find out).
fn refine(budget: &mut Budget, old_text: &str, new_text: &str) -> (Vec<WordOp>, bool) {
    let Some(deadline) = budget.paragraph_deadline() else {
        return (whole_replace(old_text, new_text), true);
    };
    match word_ops(old_text, new_text, deadline) {
        None => {
            budget.reached = true;
            (whole_replace(old_text, new_text), true)
        }
        Some((ops, equal)) => {
            let similar =
                2.0 * equal as f64 > PARAGRAPH_PAIR_MIN * (old_text.len() + new_text.len()) as f64;
            (ops, similar)
        }
    }
}

fn whole_replace(old_text: &str, new_text: &str) -> Vec<WordOp> {
    vec![WordOp {
        kind: OpKind::Replace,
        old_text: old_text.to_string(),
        new_text: new_text.to_string(),
        old_offset: 0,
        new_offset: 0,
    }]
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Byte offset of `part` (a slice of `base`) in `base`.
fn offset_in(base: &str, part: &str) -> usize {
    (part.as_ptr() as usize)
        .saturating_sub(base.as_ptr() as usize)
        .min(base.len())
}

/// Byte where an op starting at token `t` begins: right after token `t - 1`.
fn sep_start(base: &str, toks: &[TokKey], t: usize) -> usize {
    match t.checked_sub(1).and_then(|p| toks.get(p)) {
        Some(p) => offset_in(base, p.text) + p.text.len(),
        None => 0,
    }
}

fn tok_start(base: &str, toks: &[TokKey], t: usize) -> usize {
    toks.get(t).map_or(base.len(), |x| offset_in(base, x.text))
}

fn is_sep_at(t: &[u8], i: usize) -> bool {
    matches!(t.get(i), None | Some(b' ' | b'\n'))
}

/// An op as byte ranges of the old and new text.
#[derive(Clone, Copy)]
struct Span {
    kind: OpKind,
    old: (usize, usize),
    new: (usize, usize),
}

/// Word operations between two texts (whitespace-normalised: single spaces, no line
/// breaks), without a deadline: the edits of a passage someone changed in a copy
/// (`word::import` compares a Word document edited without track changes with the
/// version sent). Offsets are byte offsets into `old` and `new`.
pub fn diff_words(old: &str, new: &str) -> Vec<WordOp> {
    word_ops(old, new, None)
        .map(|(ops, _)| ops)
        .unwrap_or_else(|| whole_replace(old, new))
}

/// Word ops between two normalised paragraph texts and the number of bytes they have
/// in common; `None` if the deadline passed.
///
/// The common prefix and suffix (cut at whitespace, so at token boundaries) are equal
/// ops without tokenizing them; only the middle is tokenized and diffed.
fn word_ops(a: &str, b: &str, deadline: Option<Instant>) -> Option<(Vec<WordOp>, usize)> {
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    let shorter = ab.len().min(bb.len());
    let mut pre = common_prefix(ab, bb);
    while pre > 0 && !(is_sep_at(ab, pre) && is_sep_at(bb, pre)) {
        pre -= 1;
    }
    let mut suf = common_suffix(ab, bb, shorter - pre);
    while suf > 0 && !matches!(ab.get(ab.len() - suf), Some(b' ' | b'\n')) {
        suf -= 1;
    }
    let (a_end, b_end) = (ab.len() - suf, bb.len() - suf);
    let (wa, wb) = (a.get(pre..a_end)?, b.get(pre..b_end)?);
    let mut spans: Vec<Span> = Vec::new();
    if pre > 0 {
        spans.push(Span {
            kind: OpKind::Equal,
            old: (0, pre),
            new: (0, pre),
        });
    }
    let ok = tok_keys(wa, pre == 0);
    let nk = tok_keys(wb, pre == 0);
    // Small inputs finish quickly whatever happens; reading the clock would cost more.
    let deadline = deadline.filter(|_| ok.len() + nk.len() > SMALL_DIFF_TOKENS);
    let ops = capture_diff_deadline(
        Algorithm::Myers,
        &ok,
        0..ok.len(),
        &nk,
        0..nk.len(),
        deadline,
    );
    if deadline.is_some_and(|d| Instant::now() > d) {
        return None;
    }
    // Boundaries between ops: each token owns the separator before it, except that an
    // equal op that starts one paragraph but not the other leaves that separator to
    // the op before it, so equal ops have the same text on both sides.
    let (mut ob, mut nb) = (0, 0);
    for (k, op) in ops.iter().enumerate() {
        let (oe, ne) = match ops.get(k + 1) {
            None => (wa.len(), wb.len()),
            Some(next) => {
                let (ot0, nt0) = (next.old_range().start, next.new_range().start);
                if pre == 0 && matches!(next, DiffOp::Equal { .. }) && (ot0 == 0) != (nt0 == 0) {
                    (tok_start(wa, &ok, ot0), tok_start(wb, &nk, nt0))
                } else {
                    (sep_start(wa, &ok, ot0), sep_start(wb, &nk, nt0))
                }
            }
        };
        let (oe, ne) = (oe.max(ob), ne.max(nb));
        let kind = match op {
            DiffOp::Equal { .. } => OpKind::Equal,
            DiffOp::Delete { .. } => OpKind::Delete,
            DiffOp::Insert { .. } => OpKind::Insert,
            DiffOp::Replace { .. } => OpKind::Replace,
        };
        spans.push(Span {
            kind,
            old: (pre + ob, pre + oe),
            new: (pre + nb, pre + ne),
        });
        (ob, nb) = (oe, ne);
    }
    if ops.is_empty() && (!wa.is_empty() || !wb.is_empty()) {
        // No tokens on either side but whitespace differs.
        spans.push(Span {
            kind: OpKind::Replace,
            old: (pre, a_end),
            new: (pre, b_end),
        });
    }
    if suf > 0 {
        spans.push(Span {
            kind: OpKind::Equal,
            old: (a_end, ab.len()),
            new: (b_end, bb.len()),
        });
    }
    // Merge neighbouring equal spans (the prefix or suffix with an equal op).
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for sp in spans {
        if sp.old.0 == sp.old.1 && sp.new.0 == sp.new.1 {
            continue;
        }
        match merged.last_mut() {
            Some(last) if last.kind == OpKind::Equal && sp.kind == OpKind::Equal => {
                last.old.1 = sp.old.1;
                last.new.1 = sp.new.1;
            }
            _ => merged.push(sp),
        }
    }
    let mut equal = 0;
    let out = merged
        .into_iter()
        .map(|sp| {
            if sp.kind == OpKind::Equal {
                equal += sp.old.1 - sp.old.0;
            }
            WordOp {
                kind: sp.kind,
                old_text: a.get(sp.old.0..sp.old.1).unwrap_or_default().to_string(),
                new_text: b.get(sp.new.0..sp.new.1).unwrap_or_default().to_string(),
                old_offset: sp.old.0,
                new_offset: sp.new.0,
            }
        })
        .collect();
    Some((out, equal))
}

/// Length of the common prefix of two byte strings, eight bytes at a time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n && a.get(i..i + 8) == b.get(i..i + 8) {
        i += 8;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// Length of the common suffix of two byte strings, at most `limit`.
fn common_suffix(a: &[u8], b: &[u8], limit: usize) -> usize {
    let (la, lb) = (a.len(), b.len());
    let mut k = 0;
    while k + 8 <= limit && a.get(la - k - 8..la - k) == b.get(lb - k - 8..lb - k) {
        k += 8;
    }
    while k < limit && a[la - k - 1] == b[lb - k - 1] {
        k += 1;
    }
    k
}

/// Comparison keys of the tokens of (a part of) a normalised paragraph. With
/// `paragraph_start`, the first token compares as if preceded by a space.
fn tok_keys(text: &str, paragraph_start: bool) -> Vec<TokKey<'_>> {
    let mut v: Vec<TokKey> = Vec::with_capacity(text.len() / 4 + 1);
    scan_normalized(text, |_, sep, tok| {
        let sep = if paragraph_start && v.is_empty() {
            Sep::Space
        } else {
            sep
        };
        v.push(TokKey { sep, text: tok });
    });
    v
}
