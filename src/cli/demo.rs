//! `strategi demo`: the reference case, played from start to finish.
//!
//! The demo drives the real commands (parsed from argument lists, as a person would type
//! them) with the clock set to the day each step happens in the reference case, and
//! prints each command before its output. It plays the case as two organisations do:
//! DIR/remote.git is the shared bare repository, DIR/dio is DIO's clone (drafts,
//! submits, imports the answers, revises) and DIR/dfd DFD's (sends the framlegging,
//! reminds, approves), with `strategi sync` between the turns. It ends by showing that
//! both clones are on the same commit with the same `status --json`, and verify clean,
//! and by writing the pages a person opens (the approved version as HTML and Word, the
//! diff, the comment matrix as HTML and Excel, the status page) into DIR/sider/.
//!
//! The clock only moves forward: each step is dated, a line names the day whenever it
//! changes, and [`Player::step`] refuses a step dated before the one before it. The
//! letters the demo leaves in the outbox (transport "outbox") are recorded as sent by
//! hand, as the sender does after sending them from its own mail program.

use std::path::{Path, PathBuf};

use clap::{Args, Parser};
use serde::Serialize;

use strategi::model::{Case, Lang};
use strategi::store::Workspace;

use super::ui::{paint, styles};
use super::{Cli, CommandError, Ctx, Ui, dispatch};

/// Build the reference case (the AI strategy for the ministries' community: DIO drafts,
/// DFD approves, the 17 ministries are consulted) in DIR and play its lifecycle,
/// printing each step.
///
/// The two organisations work in two clones, DIR/dio and DIR/dfd, that meet in the bare
/// repository DIR/remote.git through `strategi sync`; the demo ends with both on the
/// same commit, with the same status, and verified. Each step is dated (the clock only
/// moves forward), the letters left in the outbox are recorded as sent by hand, and the
/// pages a person opens are written to DIR/sider/ and listed at the end: the approved
/// version as HTML and Word, the diff v1→v2, the comment matrix as HTML and Excel, and
/// the status page.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder to build the demo in; must not exist or be empty (default: ./strategi-demo,
    /// or the next free strategi-demo-N).
    #[arg(value_name = "DIR")]
    pub target: Option<PathBuf>,
}

/// The draft as shipped in `strategy/`.
pub const DRAFT: &[(&str, &str)] = &[
    (
        "01-innledning.md",
        include_str!("../../strategy/01-innledning.md"),
    ),
    (
        "02-mal-og-ambisjoner.md",
        include_str!("../../strategy/02-mal-og-ambisjoner.md"),
    ),
    (
        "03-innsatsomrader.md",
        include_str!("../../strategy/03-innsatsomrader.md"),
    ),
    (
        "04-styring-og-ansvar.md",
        include_str!("../../strategy/04-styring-og-ansvar.md"),
    ),
    (
        "05-gjennomforing-og-oppfolging.md",
        include_str!("../../strategy/05-gjennomforing-og-oppfolging.md"),
    ),
    (
        "06-vedlegg.md",
        include_str!("../../strategy/06-vedlegg.md"),
    ),
];

/// The draft after the framlegging, as shipped in `demo/revisjon-1/` (what changed and
/// why is in `demo/REVISION-NOTES.md`).
pub const REVISION_1: &[(&str, &str)] = &[
    (
        "01-innledning.md",
        include_str!("../../demo/revisjon-1/01-innledning.md"),
    ),
    (
        "02-mal-og-ambisjoner.md",
        include_str!("../../demo/revisjon-1/02-mal-og-ambisjoner.md"),
    ),
    (
        "03-innsatsomrader.md",
        include_str!("../../demo/revisjon-1/03-innsatsomrader.md"),
    ),
    (
        "04-styring-og-ansvar.md",
        include_str!("../../demo/revisjon-1/04-styring-og-ansvar.md"),
    ),
    (
        "05-gjennomforing-og-oppfolging.md",
        include_str!("../../demo/revisjon-1/05-gjennomforing-og-oppfolging.md"),
    ),
    (
        "06-vedlegg.md",
        include_str!("../../demo/revisjon-1/06-vedlegg.md"),
    ),
];

/// The ministries of 2025 with their codes, the drafter and the fictitious addresses
/// and preferred written forms used in the demo.
pub const PARTIES: &[(&str, &str, Lang)] = &[
    (
        "DIO",
        "Departementenes digitaliseringsorganisasjon",
        Lang::Nb,
    ),
    (
        "DFD",
        "Digitaliserings- og forvaltningsdepartementet",
        Lang::Nb,
    ),
    ("AID", "Arbeids- og inkluderingsdepartementet", Lang::Nb),
    ("BFD", "Barne- og familiedepartementet", Lang::Nb),
    ("ED", "Energidepartementet", Lang::Nb),
    ("FIN", "Finansdepartementet", Lang::Nb),
    ("FD", "Forsvarsdepartementet", Lang::Nb),
    ("HOD", "Helse- og omsorgsdepartementet", Lang::Nb),
    ("JD", "Justis- og beredskapsdepartementet", Lang::Nb),
    ("KLD", "Klima- og miljødepartementet", Lang::Nb),
    ("KDD", "Kommunal- og distriktsdepartementet", Lang::Nn),
    ("KUD", "Kultur- og likestillingsdepartementet", Lang::Nn),
    ("KD", "Kunnskapsdepartementet", Lang::Nb),
    ("LMD", "Landbruks- og matdepartementet", Lang::Nn),
    ("NFD", "Nærings- og fiskeridepartementet", Lang::Nb),
    ("SD", "Samferdselsdepartementet", Lang::Nb),
    ("UD", "Utenriksdepartementet", Lang::En),
    ("SMK", "Statsministerens kontor", Lang::Nb),
];

/// The title of the reference case.
pub const TITLE: &str = "Strategi for kunstig intelligens i departementsfellesskapet";

#[derive(Serialize)]
struct DemoResult {
    dir: PathBuf,
    remote: PathBuf,
    clones: Vec<PathBuf>,
    head: String,
    steps: Vec<String>,
    /// The pages the demo wrote into DIR/sider/, in the order it lists them.
    pages: Vec<Page>,
}

/// One page the demo writes for a person to open.
#[derive(Serialize)]
struct Page {
    path: PathBuf,
    /// What it is, in a few words.
    what: &'static str,
}

/// The folder of DIR the pages go to, outside both clones.
const PAGES: &str = "sider";

/// The clones' folder names under DIR.
const DIO: &str = "dio";
const DFD: &str = "dfd";

/// Runs `demo`.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, args: &DemoArgs) -> Result<(), CommandError> {
    let base = target_dir(ctx.start_dir(), args.target.as_deref())?;
    let mut quiet = ui.silenced(ctx.global.color);
    let mut player = Player {
        base: base.clone(),
        dir: base.join(DIO),
        at: None,
        color: ctx.global.color,
        steps: Vec::new(),
        day: None,
    };
    let out: &mut Ui = if ui.is_json() { &mut quiet } else { ui };
    let dir = base.join(DIO);
    let remote = base.join("remote.git");
    let url = format!("file://{}", remote.display());

    out.note(paint(
        styles::BOLD,
        format!(
            "Building the reference case in \"{}\": DIO's clone dio/, DFD's clone dfd/, and the repository they share, remote.git.",
            base.display()
        ),
    ));
    // The secretariat creates the workspace (as DIO, with a demo identity so that the demo
    // runs on a machine where git does not know the user).
    let case = Case {
        title: TITLE.to_string(),
        number: Some("24/3095".to_string()),
        owner: "DIO".parse()?,
        approver: "DFD".parse()?,
        lang: Lang::Nb,
    };
    std::fs::create_dir_all(&base).map_err(|e| {
        CommandError::user(format!("Could not create \"{}\".", base.display())).caused_by(&e)
    })?;
    player.advance(out, "2025-10-01")?;
    player.announce(out, "git init --bare --initial-branch=main remote.git");
    git(
        &base,
        &[
            "init",
            "-q",
            "--bare",
            "--initial-branch=main",
            "remote.git",
        ],
    )?;
    let ws = Workspace::create(
        &dir,
        Some(("Sekretariatet i DIO", "ki-sekretariat@dio.example")),
    )?;
    player.announce(
        out,
        &format!(
            "strategi init {DIO} --title \"{TITLE}\" --owner DIO --approver DFD --case 24/3095"
        ),
    );
    player.at = Some(DIO);
    let init_ctx = player.ctx("2025-10-01")?;
    let identity = super::ctx::identity_in(ws.root())?;
    super::init::write_new_case(&init_ctx, &ws, &case, identity)?;
    out.emit(&(), |w| writeln!(w, "Created the workspace for {TITLE}."))?;

    for (code, name, lang) in PARTIES {
        let domain = code.to_lowercase();
        player.step(
            out,
            "2025-10-01",
            &[
                "party",
                "add",
                code,
                "--name",
                name,
                "--email",
                &format!("postmottak@{domain}.example"),
                "--lang",
                lang.code(),
            ],
        )?;
    }
    player.step(
        out,
        "2025-10-01",
        &[
            "milestone",
            "add",
            "forslag-dfd",
            "--title",
            "Forslag til strategi oversendt DFD",
            "--due",
            "2025-12-01",
            "--owner",
            "DIO",
        ],
    )?;
    player.step(
        out,
        "2025-10-01",
        &[
            "milestone",
            "add",
            "utkast-arbeidsgruppe",
            "--title",
            "Utkast sendt arbeidsgruppen",
            "--due",
            "2025-11-07",
            "--owner",
            "DIO",
        ],
    )?;
    player.step(
        out,
        "2025-10-01",
        &[
            "milestone",
            "add",
            "sirkulering-ag",
            "--title",
            "Utkast sirkulert i arbeidsgruppen",
            "--due",
            "10 working days before forslag-dfd",
            "--owner",
            "DIO",
        ],
    )?;

    // The drafters write the text (here: the shipped draft) and cut the first version.
    for (name, text) in DRAFT {
        strategi::store::atomic_write(&dir.join("strategy").join(name), text.as_bytes())?;
    }
    let _ = std::fs::remove_file(dir.join("strategy/01-utkast.md"));
    out.note(paint(
        styles::DIM,
        "\n(The secretariat writes the draft in strategy/*.md.)",
    ));
    player.step(
        out,
        "2025-11-05",
        &["version", "cut", "--label", "Utkast til arbeidsgruppen"],
    )?;
    player.step(out, "2025-11-05", &["version", "show", "v1"])?;
    player.step(
        out,
        "2025-11-06",
        &["milestone", "done", "utkast-arbeidsgruppe"],
    )?;
    player.step(out, "2025-11-06", &["deadlines"])?;
    player.step(out, "2025-11-17", &["milestone", "done", "sirkulering-ag"])?;
    player.step(out, "2025-11-28", &["status"])?;
    player.step(
        out,
        "2025-11-28",
        &["submit", "v1", "--to", "DFD", "--milestone", "forslag-dfd"],
    )?;

    // DIO shares the case through the bare repository; DFD joins it in its own clone.
    out.note(paint(
        styles::DIM,
        "\n(DIO shares the case through remote.git; any git remote both can reach will do.)",
    ));
    player.announce(out, &format!("git remote add origin {url}"));
    git(&dir, &["remote", "add", "origin", &url])?;
    player.step(out, "2025-11-28", &["sync"])?;
    player.clone_in(out, "2025-12-03", &url, DFD)?;
    let dfd = base.join(DFD);
    player.announce(
        out,
        "git config user.name \"Godkjenning i DFD\" && git config user.email ki-godkjenning@dfd.example",
    );
    git(&dfd, &["config", "user.name", "Godkjenning i DFD"])?;
    git(
        &dfd,
        &["config", "user.email", "ki-godkjenning@dfd.example"],
    )?;

    // DFD sends the proposal on framlegging to the ministries; the deadline spans
    // Christmas, so it gives more than the three-week minimum and the tool says why.
    out.note(paint(
        styles::DIM,
        "\n(DFD reviews the proposal and sends it on framlegging to the ministries.)",
    ));
    player.step(
        out,
        "2025-12-03",
        &[
            "--as",
            "DFD",
            "round",
            "open",
            "--version",
            "v1",
            "--to",
            "all",
            "--due",
            "2026-01-09",
            "--title",
            "Framlegging: Strategi for kunstig intelligens i departementsfellesskapet",
        ],
    )?;
    player.step(
        out,
        "2025-12-03",
        &["--as", "DFD", "round", "send", "latest"],
    )?;
    mark_sent_by_hand(
        &mut player,
        out,
        &dfd,
        "2025-12-03",
        "Sendt fra DFDs e-postprogram",
    )?;
    player.step(out, "2025-12-03", &["--as", "DFD", "sync"])?;
    player.switch(out, DIO);
    player.step(out, "2025-12-15", &["sync"])?;
    comment_steps(&mut player, out, &dir)?;
    player.step(out, "2025-12-16", &["sync"])?;
    player.switch(out, DFD);
    player.step(out, "2026-01-05", &["--as", "DFD", "sync"])?;
    player.step(
        out,
        "2026-01-05",
        &[
            "--as",
            "DFD",
            "round",
            "extend",
            "latest",
            "--party",
            "NFD",
            "--due",
            "2026-01-16",
            "--reason",
            "NFD ba om en uke ekstra",
        ],
    )?;
    player.step(
        out,
        "2026-01-05",
        &["--as", "DFD", "remind", "latest", "--dry-run"],
    )?;
    player.step(
        out,
        "2026-01-05",
        &["--as", "DFD", "remind", "latest", "--party", "AID,BFD"],
    )?;
    mark_sent_by_hand(
        &mut player,
        out,
        &dfd,
        "2026-01-05",
        "Purring sendt fra DFDs e-postprogram",
    )?;
    player.step(out, "2026-01-12", &["round", "show", "latest"])?;
    player.step(out, "2026-01-12", &["deadlines"])?;
    player.step(out, "2026-01-12", &["--as", "DFD", "sync"])?;
    player.switch(out, DIO);
    player.step(out, "2026-01-14", &["sync"])?;
    decision_steps(&mut player, out, &dir)?;

    // The secretariat revises the text after the framlegging and cuts v2.
    for (name, text) in REVISION_1 {
        strategi::store::atomic_write(&dir.join("strategy").join(name), text.as_bytes())?;
    }
    out.note(paint(
        styles::DIM,
        "\n(The secretariat revises the draft after the framlegging.)",
    ));
    player.step(out, "2026-01-26", &["diff", "--stat"])?;
    player.step(
        out,
        "2026-01-26",
        &["version", "cut", "--label", "Revidert etter framlegging"],
    )?;
    player.step(
        out,
        "2026-01-26",
        &["diff", "v1", "v2", "--section", "tiltak-risikovurdering"],
    )?;
    player.step(out, "2026-01-26", &["comment", "list", "--on", "v2"])?;
    player.step(out, "2026-01-27", &["report", "latest"])?;
    player.step(out, "2026-01-27", &["sync"])?;
    player.switch(out, DFD);
    player.step(out, "2026-01-27", &["--as", "DFD", "sync"])?;
    approval_steps(&mut player, out, &dfd)?;
    player.step(out, "2026-02-02", &["--as", "DFD", "sync"])?;

    // Both clones end identical and verified.
    player.switch(out, DIO);
    player.step(out, "2026-02-02", &["sync"])?;
    player.step(out, "2026-02-02", &["verify"])?;
    player.step(out, "2026-02-02", &["status"])?;
    player.switch(out, DFD);
    player.step(out, "2026-02-02", &["verify"])?;
    let head = same_in_both(out, &dir, &dfd, "2026-02-02")?;
    out.note(format!(
        "\nEach clone is an ordinary git repository: try `git -C {} log --graph --oneline` or `strategi -C {} status`.",
        dir.display(),
        dfd.display()
    ));

    // What a person opens: written from DIO's clone into DIR/sider/, outside both clones.
    player.switch(out, DIO);
    let pages = page_steps(&mut player, out, &base)?;
    out.note(paint(
        styles::BOLD,
        format!(
            "\nThe pages to open, in \"{}\":",
            base.join(PAGES).display()
        ),
    ));
    let width =
        strategi::columns::column_width(pages.iter().map(|p| p.path.display().to_string()), 200);
    for p in &pages {
        out.note(format!(
            "  {}  {}",
            strategi::columns::pad(&p.path.display().to_string(), width),
            p.what
        ));
    }
    let result = DemoResult {
        dir: base.clone(),
        remote,
        clones: vec![dir, dfd],
        head,
        steps: player.steps,
        pages,
    };
    ui.emit(&result, |_| Ok(()))
}

/// Runs the system git in `dir` (the demo's setup steps: a bare repository, a remote,
/// the DFD clone's identity).
fn git(dir: &Path, args: &[&str]) -> Result<String, CommandError> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| {
            CommandError::internal("The demo runs git, but could not start it.")
                .caused_by(&e)
                .hint("Install git and make sure `git` is on the PATH.")
        })?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).trim().to_string());
    }
    Err(CommandError::internal(format!(
        "The demo's `git {}` in \"{}\" failed: {}",
        args.join(" "),
        dir.display(),
        String::from_utf8_lossy(&out.stderr).trim()
    )))
}

/// Checks that both clones are on the same commit and print the same `status --json`
/// (this very program, run in each), says so, and returns the commit.
fn same_in_both(out: &mut Ui, dio: &Path, dfd: &Path, now: &str) -> Result<String, CommandError> {
    let head = |dir: &Path| git(dir, &["rev-parse", "HEAD"]);
    let (a, b) = (head(dio)?, head(dfd)?);
    let exe = std::env::current_exe().map_err(|e| {
        CommandError::internal("The demo cannot find its own program to run `status`.")
            .caused_by(&e)
    })?;
    let status = |dir: &Path| -> Result<Vec<u8>, CommandError> {
        let o = std::process::Command::new(&exe)
            .arg("-C")
            .arg(dir)
            .args(["--json", "--now", now, "status"])
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| {
                CommandError::internal("The demo could not run `strategi status`.").caused_by(&e)
            })?;
        if !o.status.success() {
            return Err(CommandError::internal(format!(
                "`strategi status` failed in \"{}\": {}",
                dir.display(),
                String::from_utf8_lossy(&o.stderr).trim()
            )));
        }
        Ok(o.stdout)
    };
    let (sa, sb) = (status(dio)?, status(dfd)?);
    if a != b || sa != sb {
        return Err(CommandError::internal(format!(
            "The demo's clones did not end identical: dio/ is on {a}, dfd/ on {b}{}.",
            if sa == sb {
                ""
            } else {
                ", and their `status --json` differ"
            }
        )));
    }
    out.note(paint(
        styles::BOLD,
        format!(
            "\nBoth clones are on commit {}, print the same `strategi status --json`, and verify clean.",
            &a[..12.min(a.len())]
        ),
    ));
    Ok(a)
}

/// A folder of the demo that git must not see (`.git/info/exclude`): the demo's key and
/// the replies it imports.
fn private_folder(dir: &Path, name: &str) -> Result<PathBuf, CommandError> {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).map_err(|e| {
        CommandError::user(format!("Could not create \"{}\".", folder.display())).caused_by(&e)
    })?;
    let exclude = dir.join(".git").join("info").join("exclude");
    let mut text = std::fs::read_to_string(&exclude).unwrap_or_default();
    let line = format!("{name}/");
    if !text.lines().any(|l| l.trim() == line) {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&line);
        text.push('\n');
        strategi::store::atomic_write(&exclude, text.as_bytes())?;
    }
    Ok(folder)
}

/// Ministries answer the framlegging by e-mail (a filled form, free text in nynorsk, a
/// short "ingen merknader"), JD's comment comes by phone and is registered by hand, and
/// the secretariat decides every comment.
fn comment_steps(player: &mut Player, out: &mut Ui, dir: &Path) -> Result<(), CommandError> {
    let mail = private_folder(dir, ".demo-mail")?;
    write_replies(dir, &mail)?;
    out.note(paint(
        styles::DIM,
        "\n(Replies arrive by e-mail; the secretariat saves them and imports them.)",
    ));
    player.step(
        out,
        "2025-12-15",
        &[
            "comment",
            "import",
            "latest",
            ".demo-mail/svar-fin.eml",
            ".demo-mail/svar-kdd.eml",
            ".demo-mail/svar-smk.eml",
        ],
    )?;
    player.step(
        out,
        "2025-12-16",
        &[
            "comment",
            "add",
            "latest",
            "--from",
            "JD",
            "--section",
            "tiltak-risikovurdering",
            "--quote",
            "Departementene bør bruke malen",
            "--text",
            "Bruken av malen bør være obligatorisk, og sikkerhetsleder bør godkjenne vurderingen.",
            "--proposal",
            "Departementene skal bruke malen",
        ],
    )?;
    player.step(
        out,
        "2025-12-16",
        &[
            "respond",
            "latest",
            "--from",
            "JD",
            "--position",
            "comments",
        ],
    )?;
    player.step(out, "2025-12-16", &["comment", "list"])?;
    Ok(())
}

/// The secretariat decides every comment (with reasons where it does not follow one).
fn decision_steps(player: &mut Player, out: &mut Ui, dir: &Path) -> Result<(), CommandError> {
    let ws = strategi::store::Workspace::open(dir)?;
    let config = ws.config()?;
    let ctx = player.ctx("2026-01-14")?;
    let mut decisions = Vec::new();
    for (_, rc) in super::comment::all_comments(&ctx, &ws, &config, None)? {
        for c in rc.comments {
            let (decision, note) = match c.record.section.as_deref() {
                Some("visjon") => ("accepted", "Avsnittet er strøket."),
                Some("styring-og-okonomi") => (
                    "partly",
                    "Kostnadsanslag er lagt inn; finansieringen avklares i budsjettprosessen.",
                ),
                Some("tiltak-risikovurdering") => ("accepted", "Malen er gjort obligatorisk."),
                Some(_) => ("accepted", "Tatt inn i revidert utkast."),
                None => (
                    "accepted",
                    "Nytt tiltak 9 om erfaringsdeling med kommunesektoren.",
                ),
            };
            decisions.push((c.record.id.to_string(), decision, note));
        }
    }
    for (id, decision, note) in &decisions {
        player.step(
            out,
            "2026-01-14",
            &[
                "--as",
                "DIO",
                "comment",
                "resolve",
                id,
                "--decision",
                decision,
                "--note",
                note,
            ],
        )?;
    }
    Ok(())
}

/// Writes the three replies the demo imports: FIN's filled-in form (taken from the
/// letter FIN got), KDD's free text in nynorsk, SMK's "ingen merknader".
fn write_replies(dir: &Path, mail: &Path) -> Result<(), CommandError> {
    use strategi::mail::{Attachment, Mailbox, OutgoingMail};
    use strategi::reply::email::parse_message;
    let ws = strategi::store::Workspace::open(dir)?;
    let letters = strategi::mail::Outbox::in_workspace(&ws).list()?;
    let letter = |party: &str| {
        letters
            .iter()
            .find(|e| e.state.party == party && e.state.kind == "round-letter")
            .ok_or_else(|| {
                CommandError::internal(format!("The demo's letter to {party} is missing."))
            })
    };
    let dfd = Mailbox::new(
        "Digitaliserings- og forvaltningsdepartementet",
        "postmottak@dfd.example",
    );
    let reply = |party: &str,
                 name: &str,
                 body: &str,
                 attachments: Vec<Attachment>,
                 day: &str|
     -> Result<Vec<u8>, CommandError> {
        let l = letter(party)?;
        let mail = OutgoingMail {
            from: Mailbox::new(name, format!("postmottak@{}.example", party.to_lowercase())),
            reply_to: None,
            to: dfd.clone(),
            subject: format!("SV: {}", l.state.subject),
            body_text: body.to_string(),
            attachments,
            message_id: format!(
                "<svar-{}@{}.example>",
                party.to_lowercase(),
                party.to_lowercase()
            ),
            in_reply_to: Some(l.state.message_id.clone()),
            date: day
                .parse()
                .map_err(|e| CommandError::internal(format!("demo date: {e}")))?,
            extra_headers: Vec::new(),
        };
        Ok(mail.to_eml()?)
    };
    // FIN fills in the form it got.
    let fin = letter("FIN")?;
    let eml = std::fs::read(&fin.eml_path)?;
    let parsed = parse_message(&eml).map_err(|e| CommandError::internal(e.to_string()))?;
    let form = parsed
        .attachments
        .iter()
        .find(|a| a.file_name.starts_with("svarskjema"))
        .map(|a| String::from_utf8_lossy(&a.bytes).into_owned())
        .ok_or_else(|| CommandError::internal("FIN's letter has no form."))?;
    let form = form.replace("[ ] merknader (comments)", "[x] merknader (comments)");
    let form = fill_block(
        &form,
        "tiltak-plattform",
        "Første trinn er en chatteløsning for alle ansatte",
        "Kostnadene ved plattformen må anslås før tiltaket vedtas.",
        "Legg inn et kostnadsanslag i kapittel 4.",
    );
    let form = fill_block(
        &form,
        "styring-og-okonomi",
        "vil kreve økte ressurser over flere år",
        "Finansieringen må avklares før strategien godkjennes.",
        "",
    );
    let form = fill_block(
        &form,
        "visjon",
        "Visjonen forutsetter at departementene står sammen.",
        "Avsnittet gjentar innledningen.",
        "Stryk avsnittet.",
    );
    let fin_mail = reply(
        "FIN",
        "Finansdepartementet",
        "Vi viser til framlegging av utkast til strategi. Finansdepartementets merknader står i vedlagte svarskjema.\n\nMed vennlig hilsen\nFinansdepartementet\n",
        vec![Attachment {
            filename: "svarskjema-FIN-v1.txt".into(),
            content_type: "text/plain; charset=utf-8".into(),
            bytes: form.into_bytes(),
        }],
        "2025-12-12T10:15:00Z",
    )?;
    let kdd_mail = reply(
        "KDD",
        "Kommunal- og distriktsdepartementet",
        "Kommunal- og distriktsdepartementet meiner strategien bør seie meir om korleis departementa skal dele erfaringar med kommunesektoren, til dømes gjennom KS.\n\nMed helsing\nKommunal- og distriktsdepartementet\n",
        Vec::new(),
        "2025-12-13T08:30:00Z",
    )?;
    let smk_mail = reply(
        "SMK",
        "Statsministerens kontor",
        "Statsministerens kontor har ingen merknader.\n\nMed vennlig hilsen\nStatsministerens kontor\n",
        Vec::new(),
        "2025-12-14T12:00:00Z",
    )?;
    for (name, bytes) in [
        ("svar-fin.eml", fin_mail),
        ("svar-kdd.eml", kdd_mail),
        ("svar-smk.eml", smk_mail),
    ] {
        strategi::store::atomic_write(&mail.join(name), &bytes)?;
    }
    Ok(())
}

/// Fills the form block of `section`: the lines after its `Seksjon:` line.
fn fill_block(form: &str, section: &str, quote: &str, comment: &str, proposal: &str) -> String {
    let mut out = Vec::new();
    let mut fill = 0;
    for line in form.lines() {
        if line.starts_with(&format!("Seksjon: {section} "))
            || line == format!("Seksjon: {section}")
        {
            fill = 3;
            out.push(line.to_string());
            continue;
        }
        if fill > 0 {
            let value = match fill {
                3 => quote,
                2 => comment,
                _ => proposal,
            };
            fill -= 1;
            if !value.is_empty() {
                out.push(format!("{} {value}", line.trim_end()));
                continue;
            }
        }
        out.push(line.to_string());
    }
    out.join("\n") + "\n"
}

/// The end of the case: DFD closes the round, approves v2 with a signature, and anyone
/// checks it. The demo's key is made in `.demo-keys/` inside the demo folder, which
/// `.git/info/exclude` keeps out of git (strategi commits only the files a command
/// writes, so it would never be committed anyway); a real approver keeps the key in
/// `~/.ssh`.
fn approval_steps(player: &mut Player, out: &mut Ui, dir: &Path) -> Result<(), CommandError> {
    let keys = private_folder(dir, ".demo-keys")?;
    out.note(paint(
        styles::DIM,
        "\n(DFD's approver makes a signing key; the secret stays outside git, in .demo-keys/.)",
    ));
    player.announce(
        out,
        "ssh-keygen -t ed25519 -N \"\" -C \"DFD approval (demo)\" -f .demo-keys/dfd_ed25519",
    );
    strategi::sign::PrivateKey::generate("DFD approval (demo)")?
        .write_files(&keys.join("dfd_ed25519"))?;
    player.step(
        out,
        "2026-01-27",
        &[
            "--as",
            "DFD",
            "party",
            "key",
            "DFD",
            "--add-file",
            ".demo-keys/dfd_ed25519.pub",
        ],
    )?;
    player.step(
        out,
        "2026-01-27",
        &[
            "--as",
            "DFD",
            "round",
            "close",
            "latest",
            "--note",
            "Svar behandlet i revidert utkast (v2)",
        ],
    )?;
    player.step(
        out,
        "2026-02-02",
        &[
            "--as",
            "DFD",
            "approve",
            "v2",
            "--sign",
            ".demo-keys/dfd_ed25519",
            "--note",
            "Godkjent av departementsråden",
        ],
    )?;
    player.step(
        out,
        "2026-02-02",
        &[
            "keys",
            "allowed-signers",
            "--out",
            ".demo-keys/allowed_signers",
        ],
    )?;
    out.note(format!(
        "\nAnyone can check the approval without strategi: `git -C {} -c gpg.ssh.allowedSignersFile=.demo-keys/allowed_signers verify-tag approved/v2`.",
        dir.display()
    ));
    Ok(())
}

/// Records every letter still queued in the outbox of `dir` as sent by hand (`outbox
/// mark-sent`), as the round's sender does after sending them from its own mail program:
/// the demo's transport is "outbox", which leaves the sending to a person.
fn mark_sent_by_hand(
    player: &mut Player,
    out: &mut Ui,
    dir: &Path,
    now: &str,
    note: &str,
) -> Result<(), CommandError> {
    let ws = Workspace::open(dir)?;
    let entries: Vec<strategi::mail::OutboxEntry> = strategi::mail::Outbox::in_workspace(&ws)
        .list()?
        .into_iter()
        .filter(|e| e.state.state == strategi::mail::DeliveryState::Queued)
        .collect();
    let reminders = entries.iter().all(|e| e.state.kind == "reminder");
    let queued: Vec<String> = entries.into_iter().map(|e| e.name).collect();
    if queued.is_empty() {
        return Err(CommandError::internal(format!(
            "The demo expected letters queued in \"{}\", but there are none.",
            dir.join("outbox").display()
        )));
    }
    out.note(paint(
        styles::DIM,
        format!(
            "\n(DFD sends the {} {} from its own mail program, then records them as sent.)",
            queued.len(),
            match (reminders, queued.len()) {
                (true, 1) => "reminder",
                (true, _) => "reminders",
                (false, 1) => "letter",
                (false, _) => "letters",
            }
        ),
    ));
    let mut args = vec!["--as", "DFD", "outbox", "mark-sent"];
    args.extend(queued.iter().map(String::as_str));
    args.extend(["--note", note]);
    player.step(out, now, &args)
}

/// Writes the pages a person opens into DIR/sider/ (outside both clones): the approved
/// version as HTML and Word, the diff v1→v2, the comment matrix as HTML and Excel, and
/// the status page.
fn page_steps(player: &mut Player, out: &mut Ui, base: &Path) -> Result<Vec<Page>, CommandError> {
    let folder = base.join(PAGES);
    std::fs::create_dir_all(&folder).map_err(|e| {
        CommandError::user(format!("Could not create \"{}\".", folder.display())).caused_by(&e)
    })?;
    out.note(paint(
        styles::DIM,
        format!("\n(The pages people open, written to {PAGES}/ next to the clones.)"),
    ));
    let pages: [(&str, &str, Vec<&str>); 6] = [
        (
            "strategi-v2.html",
            "the approved version, to read or print",
            vec!["version", "export", "v2", "--format", "html"],
        ),
        (
            "strategi-v2.docx",
            "the approved version in Word",
            vec!["version", "export", "v2", "--format", "docx"],
        ),
        (
            "endringer-v1-v2.html",
            "what changed from v1 to v2",
            vec!["diff", "v1", "v2", "--format", "html"],
        ),
        (
            "innspill.html",
            "the comment matrix of the framlegging",
            vec!["report", "latest", "--format", "html"],
        ),
        (
            "innspill.xlsx",
            "the comment matrix in Excel",
            vec!["report", "latest", "--format", "xlsx"],
        ),
        (
            "status.html",
            "where the case stands, with a timeline",
            vec!["status", "--format", "html"],
        ),
    ];
    let mut written = Vec::new();
    for (name, what, mut args) in pages {
        let rel = format!("../{PAGES}/{name}");
        args.extend(["--out", &rel]);
        player.step(out, "2026-02-02", &args)?;
        let path = folder.join(name);
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if size == 0 {
            return Err(CommandError::internal(format!(
                "The demo's `strategi {}` did not write \"{}\".",
                args.join(" "),
                path.display()
            )));
        }
        written.push(Page { path, what });
    }
    Ok(written)
}

struct Player {
    /// DIR.
    base: PathBuf,
    /// The clone the steps run in.
    dir: PathBuf,
    /// Its name, shown before each command (`None` in DIR itself).
    at: Option<&'static str>,
    color: super::ColorWhen,
    steps: Vec<String>,
    /// The day of the last step; the clock never goes back.
    day: Option<jiff::civil::Date>,
}

impl Player {
    fn announce(&mut self, ui: &mut Ui, line: &str) {
        let line = match self.at {
            Some(clone) => format!("{clone}$ {line}"),
            None => format!("$ {line}"),
        };
        ui.note(format!("\n{}", paint(styles::BOLD, &line)));
        self.steps.push(line);
    }

    /// The next steps run in the clone `name`.
    fn switch(&mut self, ui: &mut Ui, name: &'static str) {
        let who = if name == DIO { "DIO" } else { "DFD" };
        ui.note(paint(
            styles::DIM,
            format!("\n(Now in {who}'s clone, {name}/.)"),
        ));
        self.dir = self.base.join(name);
        self.at = Some(name);
    }

    /// `strategi clone URL NAME` in DIR; the next steps run in the new clone.
    fn clone_in(
        &mut self,
        ui: &mut Ui,
        now: &str,
        url: &str,
        name: &'static str,
    ) -> Result<(), CommandError> {
        let who = if name == DIO { "DIO" } else { "DFD" };
        ui.note(paint(
            styles::DIM,
            format!("\n({who} joins the case in its own clone, {name}/, on another machine.)"),
        ));
        self.at = None;
        self.dir = self.base.clone();
        self.step(ui, now, &["clone", url, name])?;
        self.dir = self.base.join(name);
        self.at = Some(name);
        Ok(())
    }

    fn ctx(&self, now: &str) -> Result<Ctx, CommandError> {
        let mut global = Cli::try_parse_from(["strategi", "status"])
            .map_err(|e| CommandError::internal(e.to_string()))?
            .global;
        global.chdir = Some(self.dir.clone());
        global.now = Some(now.to_string());
        global.color = self.color;
        Ctx::new(global)
    }

    /// Moves the demo's clock to `now` (a date): refuses a day before the last step's, and
    /// prints a line naming the day when it changes.
    fn advance(&mut self, ui: &mut Ui, now: &str) -> Result<(), CommandError> {
        let day: jiff::civil::Date = now.parse().map_err(|e| {
            CommandError::internal(format!("The demo's step date \"{now}\" is not a date: {e}"))
        })?;
        if let Some(last) = self.day {
            if day < last {
                return Err(CommandError::internal(format!(
                    "The demo's step dated {day} comes after one dated {last}; its clock only moves forward."
                ))
                .hint("Reorder or re-date the demo's steps in src/cli/demo.rs."));
            }
            if day == last {
                return Ok(());
            }
        }
        self.day = Some(day);
        ui.note(paint(
            styles::BOLD,
            format!(
                "\n── {day} ({}) ──",
                strategi::calendar::weekday_name(day, Lang::En)
            ),
        ));
        Ok(())
    }

    fn step(&mut self, ui: &mut Ui, now: &str, args: &[&str]) -> Result<(), CommandError> {
        self.advance(ui, now)?;
        let shown: Vec<String> = args
            .iter()
            .map(|a| {
                if a.contains(' ') || a.is_empty() {
                    format!("\"{a}\"")
                } else {
                    (*a).to_string()
                }
            })
            .collect();
        self.announce(ui, &format!("strategi {}", shown.join(" ")));
        let cli = Cli::try_parse_from(std::iter::once("strategi").chain(args.iter().copied()))
            .map_err(|e| {
                CommandError::internal(format!("The demo's own command line is wrong: {e}"))
            })?;
        let mut global = cli.global.clone();
        global.chdir = Some(self.dir.clone());
        global.now = Some(now.to_string());
        global.color = self.color;
        let mut ctx = Ctx::new(global)?;
        dispatch(&mut ctx, ui, &cli.command)
    }
}

/// The demo folder: the one asked for (which must be new or empty), else the first free
/// `strategi-demo`, `strategi-demo-2`, … in the current folder.
fn target_dir(start: &Path, asked: Option<&Path>) -> Result<PathBuf, CommandError> {
    let usable = |p: &Path| match std::fs::read_dir(p) {
        Ok(mut entries) => entries.next().is_none(),
        Err(_) => !p.exists(),
    };
    match asked {
        Some(d) => {
            let p = start.join(d);
            if usable(&p) {
                Ok(p)
            } else {
                Err(CommandError::user(format!(
                    "\"{}\" already exists and is not empty; the demo builds its case in a new folder.",
                    p.display()
                ))
                .hint("Name a new folder, e.g. `strategi demo /tmp/strategi-demo`."))
            }
        }
        None => (1..1000)
            .map(|n| {
                start.join(if n == 1 {
                    "strategi-demo".to_string()
                } else {
                    format!("strategi-demo-{n}")
                })
            })
            .find(|p| usable(p))
            .ok_or_else(|| CommandError::user("Could not find a free folder name for the demo.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn player() -> Player {
        Player {
            base: PathBuf::from("/nonexistent"),
            dir: PathBuf::from("/nonexistent/dio"),
            at: Some(DIO),
            color: crate::cli::ColorWhen::Never,
            steps: Vec::new(),
            day: None,
        }
    }

    #[test]
    fn the_clock_only_moves_forward() {
        let mut ui = Ui::new(crate::cli::ColorWhen::Never, false);
        let mut p = player();
        p.advance(&mut ui, "2025-11-05").expect("first day");
        p.advance(&mut ui, "2025-11-05").expect("the same day");
        p.advance(&mut ui, "2025-11-06").expect("a later day");
        let e = p
            .advance(&mut ui, "2025-11-05")
            .expect_err("a day before the last is refused");
        let text = format!("{e:?}");
        assert!(
            text.contains("2025-11-05") && text.contains("2025-11-06"),
            "{text}"
        );
        assert_eq!(p.day, Some(jiff::civil::date(2025, 11, 6)), "unchanged");
        // A step dated before the last is refused before it runs (nothing is announced).
        assert!(p.step(&mut ui, "2025-11-01", &["status"]).is_err());
        assert!(p.steps.is_empty(), "{:?}", p.steps);
        assert!(p.advance(&mut ui, "5 November").is_err(), "not a date");
    }
}
