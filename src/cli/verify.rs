//! `strategi verify`: checks the whole workspace and reports every problem with what to
//! do about it.
//!
//! Unlike the other commands, which stop at the first bad file, `verify` reads every
//! file on its own and collects *findings*: parse errors (with file, line and column),
//! references that do not resolve, version tags whose commit no longer holds the tree in
//! their `Strategi-Tree` trailer, approvals whose version no longer has the approved
//! commit and tree (a moved or rewritten `vN` tag), signed approval tags that are
//! missing, do not verify, or are signed by a key not listed for the approver, and
//! records by a party that could not make them (the folds' findings, and approvals by a
//! non-approver). Exit 0 when there is nothing to report, 1 otherwise; with `--json` the
//! one value is `{"ok": bool, "findings": [{"path", "message", "hint"}]}`.

use std::collections::{BTreeMap, HashMap};

use clap::Args;
use serde::Serialize;

use strategi::approval::{
    APPROVALS_DIR, ApprovalRecord, SUBMISSIONS_DIR, SubmissionRecord, load_each,
};
use strategi::calendar::work_calendar;
use strategi::consultation::{
    CommentFile, DecisionRecord, Fact, ImportRecord, RoundDef, RoundState, load_comments,
    load_round,
};
use strategi::model::{Config, RecordId, Version, VersionName};
use strategi::store::{CONFIG_FILE, CONSULTATIONS_DIR, StoreError, Workspace, parse_record};

use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// Check the whole workspace: every file parses, references resolve, versions and
/// approvals still match their text, signatures hold, and no record was made by a
/// party that may not make it. Exit 0 when clean, 1 when anything is wrong.
///
/// Example: strategi verify
#[derive(Debug, Args)]
pub struct VerifyArgs {}

/// One problem found.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The file (or ref) concerned, relative to the workspace.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

#[derive(Default)]
struct Report {
    findings: Vec<Finding>,
    checked: BTreeMap<&'static str, usize>,
}

impl Report {
    fn add(
        &mut self,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.findings.push(Finding {
            path: path.into(),
            message: message.into(),
            hint: hint.into(),
        });
    }

    fn count(&mut self, what: &'static str) {
        *self.checked.entry(what).or_default() += 1;
    }

    /// Records a parse error of `path` (the message carries line and column).
    fn bad_file(&mut self, path: &str, e: &StoreError) {
        let hint = match e {
            StoreError::BadFile { .. } => format!(
                "Correct the file at the line shown, or restore what strategi wrote with `git checkout -- {path}`."
            ),
            _ => "Check that the file can be read.".to_string(),
        };
        self.add(path, e.to_string(), hint);
    }
}

const RESTORE: &str =
    "Restore the file from history (`git log -- PATH`), or remove it with a commit that says why.";

/// Runs `verify`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, _args: &VerifyArgs) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let mut r = Report::default();
    let config = match ws.config() {
        Ok(c) => {
            r.count("configuration");
            Some(c)
        }
        Err(e) => {
            r.bad_file(CONFIG_FILE, &e);
            None
        }
    };
    let versions = check_versions(&ws, &mut r)?;
    check_rounds(ctx, &ws, config.as_ref(), &versions, &mut r)?;
    check_submissions(&ws, config.as_ref(), &versions, &mut r)?;
    check_approvals(&ws, config.as_ref(), &versions, &mut r)?;

    let ok = r.findings.is_empty();
    let checked: Vec<String> = r
        .checked
        .iter()
        .map(|(what, n)| format!("{n} {what}"))
        .collect();
    ui.emit(
        &serde_json::json!({ "ok": ok, "findings": r.findings, "checked": r.checked }),
        |w| {
            for f in &r.findings {
                writeln!(
                    w,
                    "{} {}",
                    paint(styles::BAD, format!("{}:", f.path)),
                    f.message
                )?;
                writeln!(w, "  {} {}", paint(styles::DIM, "→"), f.hint)?;
            }
            if ok {
                writeln!(
                    w,
                    "{} Checked {}.",
                    paint(styles::GOOD, "All good."),
                    checked.join(", ")
                )
            } else {
                writeln!(w, "Checked {}.", checked.join(", "))
            }
        },
    )?;
    if ok {
        Ok(())
    } else {
        Err(CommandError::user(format!(
            "verify found {} problem(s) in the workspace.",
            r.findings.len()
        ))
        .reported())
    }
}

/// Each version tag read on its own; its commit must still hold the tree its trailer names.
fn check_versions(
    ws: &Workspace,
    r: &mut Report,
) -> Result<HashMap<VersionName, Version>, CommandError> {
    let mut out = HashMap::new();
    for name in ws.version_names()? {
        let path = format!("refs/tags/{}", name.tag());
        let v = match ws.version(name) {
            Ok(v) => v,
            Err(e) => {
                r.add(&path, e.to_string(), "Tags named v1, v2, … are strategi's versions; restore the tag strategi made (see `git reflog` or a clone), or rename the foreign tag.");
                continue;
            }
        };
        r.count("versions");
        match ws.strategy_tree_of_hex(&v.commit) {
            Ok(Some(t)) if t == v.tree => {}
            Ok(found) => r.add(
                &path,
                format!(
                    "{} says its text is tree {}, but its commit {} holds {}.",
                    name,
                    v.tree,
                    short(&v.commit),
                    found.as_deref().map_or("no strategy/ folder".to_string(), |t| format!("tree {t}"))
                ),
                format!("The tag was moved or rewritten; put it back on the commit that has that tree (`git tag -f -a {name} COMMIT`), or cut a new version for the changed text."),
            ),
            Err(e) => r.add(&path, e.to_string(), "The tag points at a commit that cannot be read; restore it from a clone."),
        }
        out.insert(name, v);
    }
    Ok(out)
}

fn check_rounds(
    ctx: &Ctx,
    ws: &Workspace,
    config: Option<&Config>,
    versions: &HashMap<VersionName, Version>,
    r: &mut Report,
) -> Result<(), CommandError> {
    for folder in ws.list_folders(CONSULTATIONS_DIR)? {
        let base = format!("{CONSULTATIONS_DIR}/{folder}");
        let Ok(id) = folder.parse::<RecordId>() else {
            continue;
        };
        let mut parsed = true;
        let round_toml = format!("{base}/round.toml");
        let def: Option<RoundDef> = match ws.read_record(&round_toml)? {
            None => {
                r.add(&round_toml, "The round's definition is missing.", RESTORE);
                parsed = false;
                None
            }
            Some(f) => match parse_record::<RoundDef>(&f.path, &f.text) {
                Ok(d) => Some(d),
                Err(e) => {
                    r.bad_file(&f.path, &e);
                    parsed = false;
                    None
                }
            },
        };
        r.count("rounds");
        let mut each = |rel: &str,
                        check: &mut dyn FnMut(&str, &str) -> Result<(), StoreError>|
         -> Result<bool, CommandError> {
            let mut ok = true;
            for f in ws.read_records(&format!("{base}/{rel}"))? {
                if let Err(e) = check(&f.path, &f.text) {
                    r.bad_file(&f.path, &e);
                    ok = false;
                }
            }
            Ok(ok)
        };
        let mut comment_versions: Vec<(String, VersionName)> = Vec::new();
        parsed &= each("facts", &mut |p, t| parse_record::<Fact>(p, t).map(|_| ()))?;
        let comments_ok = each("comments", &mut |p, t| {
            let file = parse_record::<CommentFile>(p, t)?;
            comment_versions.extend(file.comment.iter().map(|c| (p.to_string(), c.version)));
            Ok(())
        })?;
        let decisions_ok = each("decisions", &mut |p, t| {
            parse_record::<DecisionRecord>(p, t).map(|_| ())
        })?;
        for digest in ws.list_folders(&format!("{base}/inbox"))? {
            let path = format!("{base}/inbox/{digest}/import.toml");
            match ws.read_record(&path)? {
                Some(f) => {
                    if let Err(e) = parse_record::<ImportRecord>(&f.path, &f.text) {
                        r.bad_file(&f.path, &e);
                    }
                }
                None => r.add(&path, "An imported message has no import.toml.", "Import the message again with `strategi comment import`, or remove its folder."),
            }
        }
        for (path, v) in comment_versions {
            if !versions.contains_key(&v) {
                r.add(
                    path,
                    format!("A comment is on {v}, which does not exist."),
                    "Restore the version's tag, or correct the comment's version.",
                );
            }
        }
        let (Some(def), Some(config)) = (def, config) else {
            continue;
        };
        if !versions.contains_key(&def.version) {
            r.add(
                &round_toml,
                format!(
                    "Round {} is on {}, which does not exist.",
                    def.id, def.version
                ),
                "Restore the version's tag (from a clone or `git reflog`).",
            );
        }
        if parsed {
            match load_round(ws, &id) {
                Ok((def, facts)) => {
                    let state = RoundState::fold(
                        def,
                        facts,
                        config,
                        ctx.clock.today(),
                        &work_calendar(config),
                    );
                    for f in state.findings {
                        r.add(f.path, f.message, "The record was ignored. Remove it with a commit that says why, or have the party that may make it record it again.");
                    }
                }
                Err(e) => r.bad_file(&round_toml, &e),
            }
        }
        let folded = load_round(ws, &id).map(|(def, facts)| {
            RoundState::fold(
                def,
                facts,
                config,
                ctx.clock.today(),
                &work_calendar(config),
            )
        });
        if comments_ok
            && decisions_ok
            && let Ok(folded) = &folded
        {
            match load_comments(&ws.records(), folded, config) {
                Ok(c) => {
                    for f in c.findings {
                        r.add(f.path, f.message, "The record was ignored. Remove it with a commit that says why, or record it again as a party that may.");
                    }
                }
                Err(e) => r.bad_file(&base, &e),
            }
        }
    }
    Ok(())
}

/// The version of a record must exist and still have the commit and tree recorded.
fn check_bound(
    r: &mut Report,
    path: &str,
    what: &str,
    versions: &HashMap<VersionName, Version>,
    version: VersionName,
    commit: &str,
    tree: &str,
) {
    match versions.get(&version) {
        None => r.add(
            path,
            format!("The {what} is of {version}, which does not exist."),
            "Restore the version's tag (from a clone or `git reflog`).",
        ),
        Some(v) if v.commit != commit || v.tree != tree => r.add(
            path,
            format!(
                "The {what} is of {version} at commit {} (tree {}), but {version} is now commit {} (tree {}): the text is no longer the one {}.",
                short(commit),
                short(tree),
                short(&v.commit),
                short(&v.tree),
                if what == "approval" { "approved" } else { "handed in" }
            ),
            format!("Put the tag back with `git tag -f -a {version} {commit}` if it was moved by mistake; a changed text needs a new version and a new {what}."),
        ),
        Some(_) => {}
    }
}

fn check_submissions(
    ws: &Workspace,
    config: Option<&Config>,
    versions: &HashMap<VersionName, Version>,
    r: &mut Report,
) -> Result<(), CommandError> {
    for (path, rec) in load_each::<SubmissionRecord>(ws, SUBMISSIONS_DIR)? {
        let s = match rec {
            Ok(s) => s,
            Err(e) => {
                r.bad_file(&path, &e);
                continue;
            }
        };
        r.count("submissions");
        check_bound(
            r,
            &path,
            "submission",
            versions,
            s.version,
            &s.commit,
            &s.tree,
        );
        if let Some(c) = config {
            for p in [&s.to, &s.by] {
                if !c.knows_party(p) {
                    r.add(&path, format!("The submission names {p}, which is not a party of the case."), "Add the party with `strategi party add`, or remove the record with a commit that says why.");
                }
            }
        }
    }
    Ok(())
}

fn check_approvals(
    ws: &Workspace,
    config: Option<&Config>,
    versions: &HashMap<VersionName, Version>,
    r: &mut Report,
) -> Result<(), CommandError> {
    let mut seen: HashMap<VersionName, String> = HashMap::new();
    for (path, rec) in load_each::<ApprovalRecord>(ws, APPROVALS_DIR)? {
        let a = match rec {
            Ok(a) => a,
            Err(e) => {
                r.bad_file(&path, &e);
                continue;
            }
        };
        r.count("approvals");
        if let Some(first) = seen.insert(a.version, path.clone()) {
            r.add(
                &path,
                format!(
                    "{} is approved a second time (first in {first}).",
                    a.version
                ),
                "A version is approved once; remove the later record with a commit that says why.",
            );
        }
        check_bound(
            r, &path, "approval", versions, a.version, &a.commit, &a.tree,
        );
        match ws.strategy_tree_of_hex(&a.commit) {
            Ok(Some(t)) if t == a.tree => {}
            Ok(_) => r.add(&path, format!("The approval names commit {} and tree {}, but that commit does not hold that tree.", short(&a.commit), short(&a.tree)), "The record was edited; restore it from history."),
            Err(e) => r.add(&path, format!("The approved commit cannot be read: {e}"), "Fetch the history from a clone that has it."),
        }
        let Some(config) = config else { continue };
        let approver = &config.case.approver;
        if &a.by != approver {
            r.add(
                &path,
                format!("The approval is by {}, but only the case's approver, {approver}, may approve.", a.by),
                format!("Remove the record with a commit that says why; {approver} approves with `strategi --as {approver} approve {}`.", a.version),
            );
        }
        match &a.signed_tag {
            None => {
                if config.approval.require_signature {
                    r.add(&path, format!("The approval of {} is not signed, but the case requires signed approvals.", a.version), format!("{approver} approves again with --sign KEY after this record is removed."));
                }
            }
            Some(tag) => {
                let keys = match super::keys::party_keys(config, approver) {
                    Ok(k) => k,
                    Err(e) => {
                        r.add(CONFIG_FILE, e.message, "Correct the key in strategi.toml.");
                        continue;
                    }
                };
                match ws.verify_signed_tag(tag, &keys) {
                    Ok(v) => {
                        r.count("signatures");
                        if v.tag.target != a.commit {
                            r.add(format!("refs/tags/{tag}"), format!("The signed tag {tag} is on commit {}, but the approval is of commit {}.", short(&v.tag.target), short(&a.commit)), "The tag does not vouch for the approved text; remove the stray tag.");
                        }
                        if let Some(fp) = &a.key_fingerprint
                            && fp != &v.signer.fingerprint()
                        {
                            r.add(&path, format!("The approval says it was signed by {fp}, but the tag is signed by {}.", v.signer.fingerprint()), "The record or the tag was changed; restore them from history.");
                        }
                    }
                    Err(e) => r.add(
                        format!("refs/tags/{tag}"),
                        e.to_string(),
                        format!("The signature must be made by one of {approver}'s keys (`strategi party key {approver} --add-file KEY.pub` lists a key; check with `git verify-tag {tag}` and `strategi keys allowed-signers`)."),
                    ),
                }
            }
        }
    }
    Ok(())
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}
