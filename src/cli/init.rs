//! `strategi init`: a new workspace.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use strategi::model::{Case, Lang, PartyCode};
use strategi::store::{self, Actor, CONFIG_FILE, ConfigEditor, Identity, Workspace};

use super::parse;
use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// Create a workspace: a git repository with strategi.toml, strategy/ and
/// consultations/, and a first commit.
///
/// Example: strategi init ki-strategi --title "Strategi for kunstig intelligens"
/// --owner DIO --approver DFD --case 24/3095
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the workspace in (created if missing; default: here).
    pub dir: Option<PathBuf>,
    /// The document's title.
    #[arg(long)]
    pub title: String,
    /// Code of the party that drafts the document (e.g. DIO).
    #[arg(long, value_parser = parse::party)]
    pub owner: PartyCode,
    /// Code of the party that approves it (e.g. DFD).
    #[arg(long, value_parser = parse::party)]
    pub approver: PartyCode,
    /// The archive's case number (saksnummer), e.g. 24/3095.
    #[arg(long = "case", value_name = "NUMBER")]
    pub case_number: Option<String>,
    /// Language of the document: nb, nn, en or da.
    #[arg(long, default_value = "nb", value_parser = parse::lang)]
    pub lang: Lang,
}

#[derive(Serialize)]
struct Created {
    root: PathBuf,
    case: Case,
    commit: store::CommitInfo,
}

/// Runs `init`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &InitArgs) -> Result<(), CommandError> {
    let dir = match &args.dir {
        Some(d) => ctx.start_dir().join(d),
        None => ctx.start_dir().to_path_buf(),
    };
    let case = case_from_args(args)?;
    // An init killed before its first commit left strategi.toml and its journal: this
    // one undoes that (the transaction's recovery) and creates the workspace again.
    if dir.join(CONFIG_FILE).exists() && !Workspace::is_interrupted_init(&dir) {
        return Err(store::StoreError::AlreadyAWorkspace { path: dir }.into());
    }
    // Who the person is depends on the repository (its config, and includes that depend
    // on where it is), so git is asked in the new repository; if git does not know, what
    // was just created is taken away again.
    let created_from = first_missing(&dir);
    let had_repo = dir.join(".git").exists();
    let ws = Workspace::create(&dir, None)?;
    let people = super::ctx::identity_in(ws.root())
        .and_then(|i| super::ctx::committer_in(ws.root()).map(|_| i));
    let identity = match people {
        Ok(i) => i,
        Err(e) => {
            match &created_from {
                Some(top) => {
                    let _ = std::fs::remove_dir_all(top);
                }
                None if !had_repo => {
                    let _ = std::fs::remove_dir_all(dir.join(".git"));
                }
                None => {}
            }
            return Err(e);
        }
    };
    let commit = write_new_case(ctx, &ws, &case, identity)?;
    let created = Created {
        root: ws.root().to_path_buf(),
        case,
        commit,
    };
    ui.emit(&created, |w| {
        writeln!(
            w,
            "Created the workspace for {} in \"{}\".",
            paint(styles::BOLD, &created.case.title),
            created.root.display()
        )?;
        writeln!(w, "Next: add the parties with `strategi party add CODE --name NAME --email ADDRESS`,")?;
        writeln!(w, "write the draft in strategy/*.md, and cut a version with `strategi version cut --label LABEL`.")
    })
}

/// The outermost folder of `dir` (itself or a parent) that does not exist yet: what
/// creating `dir` creates.
fn first_missing(dir: &std::path::Path) -> Option<PathBuf> {
    let mut missing = None;
    let mut at = Some(dir);
    while let Some(d) = at {
        if d.exists() {
            break;
        }
        missing = Some(d.to_path_buf());
        at = d.parent();
    }
    missing
}

/// Validates the case given on the command line.
pub(super) fn case_from_args(args: &InitArgs) -> Result<Case, CommandError> {
    let title = args.title.trim();
    if title.is_empty() || title.chars().any(char::is_control) {
        return Err(CommandError::user("The title must be one line of text.")
            .hint("Give it as --title \"Strategi for kunstig intelligens\"."));
    }
    let owner = args.owner.clone();
    let approver = args.approver.clone();
    let lang = args.lang;
    Ok(Case {
        title: title.to_string(),
        number: args.case_number.clone().filter(|n| !n.trim().is_empty()),
        owner,
        approver,
        lang,
    })
}

/// Writes the first commit of a new case into a freshly created workspace.
pub(super) fn write_new_case(
    ctx: &Ctx,
    ws: &Workspace,
    case: &Case,
    identity: Identity,
) -> Result<store::CommitInfo, CommandError> {
    let (text, _config) = ConfigEditor::for_new_case(case).finish()?;
    let actor = Actor::new(case.owner.clone(), identity);
    let mut tx = ctx.begin(ws, "strategi init")?;
    // Under the lock: another init may have finished meanwhile.
    if ws.has_commits()? {
        return Err(store::StoreError::AlreadyAWorkspace {
            path: ws.root().to_path_buf(),
        }
        .into());
    }
    tx.write(CONFIG_FILE, text);
    if !ws.root().join(store::STRATEGY_DIR).exists() {
        tx.write("strategy/01-utkast.md", format!("# {}\n\n", case.title));
    }
    tx.write(
        "consultations/README.md",
        "This folder holds one folder per consultation round, written by strategi.\n\
         Records are written once and never edited; a later fact is a new file.\n",
    );
    Ok(tx.commit(
        &format!("Create the workspace for \"{}\"", case.title),
        &format!(
            "Owner {}, approver {}{}.",
            case.owner,
            case.approver,
            case.number
                .as_ref()
                .map(|n| format!(", case {n}"))
                .unwrap_or_default()
        ),
        strategi::model::Action::Init,
        &actor,
        &ctx.clock.now(),
    )?)
}
