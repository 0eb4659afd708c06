//! The diff algorithm: section matching, moves, paragraph alignment, word diff.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp, capture_diff_deadline};

use super::{
    DiffOptions, DiffSummary, DiffWarning, DocumentDiff, FORMAT_VERSION, OpKind, ParagraphDiff,
    ParagraphStatus, SectionDiff, SectionStatus, Side, WordOp,
};
use crate::document::tokens::{Sep, Token, TokenKind, count_words, normalize_into, tokenize};
use crate::document::{Document, Section};

/// A fast non-cryptographic hash (FxHash-style, 8 bytes at a time). Only used to find
/// candidates: equal hashes are always confirmed by comparing the texts.
fn fast_hash(s: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let b = s.as_bytes();
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
/// Two replaced paragraphs are diffed word by word when their word overlap (Dice
/// coefficient) is at least this; otherwise one is deleted and the other inserted.
const PARAGRAPH_PAIR_MIN: f64 = 0.4;
/// How far ahead in a run of replaced paragraphs to look for a partner.
const PAIR_WINDOW: usize = 8;
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
    cache[i].get_or_insert_with(|| {
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
    })
}

struct Budget {
    deadline: Option<Instant>,
    per_paragraph: Option<Duration>,
    reached: bool,
}

impl Budget {
    /// `None` when the budget is used up; otherwise the deadline for one paragraph.
    fn paragraph_deadline(&mut self) -> Option<Option<Instant>> {
        let Some(total) = self.deadline else {
            return Some(None);
        };
        let now = Instant::now();
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

    let old_numbers = old.section_numbers();
    let new_numbers = new.section_numbers();
    let mut sections = Vec::with_capacity(order.len());
    for (o, n) in order {
        let mut sd = SectionDiff {
            id: String::new(),
            old_id: None,
            status: SectionStatus::Unchanged,
            moved: n.is_some_and(|j| moved[j]),
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
                sd.number = new_numbers.get(j).cloned().unwrap_or_default();
                sd.renamed = !same_normalized(&a.title, &b.title);
                sd.level_changed = a.level != b.level;
                let raw_equal = a.paragraphs.len() == b.paragraphs.len()
                    && a.paragraphs
                        .iter()
                        .zip(&b.paragraphs)
                        .all(|(p, q)| p.text == q.text);
                if !raw_equal || opts.full_text {
                    let on = norms(&mut old_norm, a, i);
                    let nn = norms(&mut new_norm, b, j);
                    let ok: Vec<Key> = on
                        .iter()
                        .map(|p| Key {
                            hash: p.hash,
                            text: &p.text,
                        })
                        .collect();
                    let nk: Vec<Key> = nn
                        .iter()
                        .map(|p| Key {
                            hash: p.hash,
                            text: &p.text,
                        })
                        .collect();
                    sd.content_changed = ok != nk;
                    if sd.content_changed {
                        diff_paragraphs(
                            &mut budget,
                            &mut sd,
                            a,
                            b,
                            on,
                            nn,
                            &ok,
                            &nk,
                            opts.full_text,
                        );
                    } else if opts.full_text {
                        for (k, p) in on.iter().enumerate() {
                            sd.paragraphs.push(equal_para(a, b, k, k, Some(&p.text)));
                        }
                    }
                }
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
                sd.number = new_numbers.get(j).cloned().unwrap_or_default();
                sd.status = SectionStatus::Added;
                sd.content_changed = !b.paragraphs.is_empty();
                for (k, p) in norms(&mut new_norm, b, j).iter().enumerate() {
                    sd.words_added += count_words(&p.text);
                    sd.paragraphs.push(inserted_para(b, k, &p.text));
                }
            }
            (Some(i), None) => {
                let a = &os[i];
                sd.id = a.id.clone();
                sd.number = old_numbers.get(i).cloned().unwrap_or_default();
                sd.status = SectionStatus::Removed;
                sd.content_changed = !a.paragraphs.is_empty();
                for (k, p) in norms(&mut old_norm, a, i).iter().enumerate() {
                    sd.words_removed += count_words(&p.text);
                    sd.paragraphs.push(deleted_para(a, k, &p.text));
                }
            }
            (None, None) => continue,
        }
        sections.push(sd);
    }

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
    let mut taken = vec![false; un.len()];
    let mut comparisons = 0usize;
    'outer: for (a, &i) in uo.iter().enumerate() {
        let mut best: Option<(f64, usize)> = None;
        for b in 0..un.len() {
            if taken[b] {
                continue;
            }
            comparisons += 1;
            if comparisons > SECTION_COMPARISONS {
                break 'outer;
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

#[allow(clippy::too_many_arguments)]
fn diff_paragraphs(
    budget: &mut Budget,
    sd: &mut SectionDiff,
    a: &Section,
    b: &Section,
    on: &[NormPara],
    nn: &[NormPara],
    ok: &[Key],
    nk: &[Key],
    full_text: bool,
) {
    let ops = capture_diff_deadline(
        Algorithm::Patience,
        ok,
        0..ok.len(),
        nk,
        0..nk.len(),
        budget.deadline,
    );
    for op in ops {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                for k in 0..len {
                    let text = full_text.then(|| on[old_index + k].text.as_str());
                    sd.paragraphs
                        .push(equal_para(a, b, old_index + k, new_index + k, text));
                }
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => {
                for (i, p) in on.iter().enumerate().skip(old_index).take(old_len) {
                    push_deleted(sd, a, i, &p.text);
                }
            }
            DiffOp::Insert {
                new_index, new_len, ..
            } => {
                for (j, p) in nn.iter().enumerate().skip(new_index).take(new_len) {
                    push_inserted(sd, b, j, &p.text);
                }
            }
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                pair_run(
                    budget,
                    sd,
                    a,
                    b,
                    on,
                    nn,
                    old_index..old_index + old_len,
                    new_index..new_index + new_len,
                );
            }
        }
    }
}

/// Pairs a run of replaced paragraphs: similar ones are diffed word by word, the rest
/// are deleted and inserted.
#[allow(clippy::too_many_arguments)]
fn pair_run(
    budget: &mut Budget,
    sd: &mut SectionDiff,
    a: &Section,
    b: &Section,
    on: &[NormPara],
    nn: &[NormPara],
    olds: std::ops::Range<usize>,
    news: std::ops::Range<usize>,
) {
    if olds.len() == 1 && news.len() == 1 {
        // One paragraph rewritten in place: always one changed paragraph.
        let (i, j) = (olds.start, news.start);
        let (ot, nt) = (tokenize(&on[i].text), tokenize(&nn[j].text));
        let similar = dice(&word_sig(&ot), &word_sig(&nt)) >= PARAGRAPH_PAIR_MIN;
        let toks = similar.then_some((ot.as_slice(), nt.as_slice()));
        changed_para(budget, sd, a, b, i, j, &on[i].text, &nn[j].text, toks);
        return;
    }
    let old_toks: Vec<Vec<Token>> = olds.clone().map(|i| tokenize(&on[i].text)).collect();
    let new_toks: Vec<Vec<Token>> = news.clone().map(|j| tokenize(&nn[j].text)).collect();
    let old_sigs: Vec<Vec<u64>> = old_toks.iter().map(|t| word_sig(t)).collect();
    let new_sigs: Vec<Vec<u64>> = new_toks.iter().map(|t| word_sig(t)).collect();
    let mut next_new = 0;
    for (x, i) in olds.clone().enumerate() {
        let mut best: Option<(f64, usize)> = None;
        for (y, sig) in new_sigs.iter().enumerate().skip(next_new).take(PAIR_WINDOW) {
            let score = dice(&old_sigs[x], sig);
            if score >= PARAGRAPH_PAIR_MIN && best.is_none_or(|(s, _)| score > s) {
                best = Some((score, y));
            }
        }
        match best {
            Some((_, y)) => {
                let skipped = news.start + next_new;
                for (j, p) in nn.iter().enumerate().take(news.start + y).skip(skipped) {
                    push_inserted(sd, b, j, &p.text);
                }
                let j = news.start + y;
                let toks = (old_toks[x].as_slice(), new_toks[y].as_slice());
                changed_para(budget, sd, a, b, i, j, &on[i].text, &nn[j].text, Some(toks));
                next_new = y + 1;
            }
            None => push_deleted(sd, a, i, &on[i].text),
        }
    }
    for (j, p) in nn
        .iter()
        .enumerate()
        .take(news.end)
        .skip(news.start + next_new)
    {
        push_inserted(sd, b, j, &p.text);
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

#[allow(clippy::too_many_arguments)]
fn changed_para(
    budget: &mut Budget,
    sd: &mut SectionDiff,
    a: &Section,
    b: &Section,
    i: usize,
    j: usize,
    old_text: &str,
    new_text: &str,
    tokens: Option<(&[Token], &[Token])>,
) {
    let ops = if let Some((ot, nt)) = tokens {
        match budget.paragraph_deadline() {
            Some(deadline) => match word_ops(old_text, ot, new_text, nt, deadline) {
                Some(ops) => ops,
                None => {
                    budget.reached = true;
                    whole_replace(old_text, new_text)
                }
            },
            None => whole_replace(old_text, new_text),
        }
    } else {
        whole_replace(old_text, new_text)
    };
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
        old_line: a.paragraphs.get(i).map(|p| p.line),
        new_line: b.paragraphs.get(j).map(|p| p.line),
        ops,
    });
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

/// Sorted hashes of the words of a paragraph (of all tokens if it has no words).
fn word_sig(toks: &[Token]) -> Vec<u64> {
    let words = toks.iter().any(|t| t.kind == TokenKind::Word);
    let mut v: Vec<u64> = toks
        .iter()
        .filter(|t| !words || t.kind == TokenKind::Word)
        .map(|t| fnv1a(t.text.as_bytes()))
        .collect();
    v.sort_unstable();
    v
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn dice(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    2.0 * common_sorted(a, b) as f64 / (a.len() + b.len()) as f64
}

/// Byte where the op starting at token `t` begins: the separator before the token.
fn sep_start(toks: &[Token], t: usize) -> usize {
    match t.checked_sub(1).and_then(|p| toks.get(p)) {
        Some(p) => p.offset + p.text.len(),
        None => 0,
    }
}

fn tok_start(toks: &[Token], t: usize, len: usize) -> usize {
    toks.get(t).map_or(len, |x| x.offset)
}

/// Word ops between two normalised paragraph texts; `None` if the deadline passed.
fn word_ops(
    old_text: &str,
    ot: &[Token],
    new_text: &str,
    nt: &[Token],
    deadline: Option<Instant>,
) -> Option<Vec<WordOp>> {
    let ok = tok_keys(ot);
    let nk = tok_keys(nt);
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
    let mut out = Vec::with_capacity(ops.len());
    let mut ob = 0;
    let mut nb = 0;
    for (k, op) in ops.iter().enumerate() {
        let (oe, ne) = match ops.get(k + 1) {
            None => (old_text.len(), new_text.len()),
            Some(next) => {
                let (ot0, nt0) = (next.old_range().start, next.new_range().start);
                if matches!(next, DiffOp::Equal { .. }) && (ot0 == 0) != (nt0 == 0) {
                    (
                        tok_start(ot, ot0, old_text.len()),
                        tok_start(nt, nt0, new_text.len()),
                    )
                } else {
                    (sep_start(ot, ot0), sep_start(nt, nt0))
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
        out.push(WordOp {
            kind,
            old_text: old_text.get(ob..oe).unwrap_or_default().to_string(),
            new_text: new_text.get(nb..ne).unwrap_or_default().to_string(),
            old_offset: ob,
            new_offset: nb,
        });
        ob = oe;
        nb = ne;
    }
    Some(out)
}

fn tok_keys<'a>(toks: &[Token<'a>]) -> Vec<TokKey<'a>> {
    toks.iter()
        .enumerate()
        .map(|(i, t)| TokKey {
            sep: if i == 0 { Sep::Space } else { t.sep },
            text: t.text,
        })
        .collect()
}
