//! `strategi party add|list`: the parties of the case.

use clap::{Args, Subcommand};
use serde::Serialize;

use strategi::model::{Config, Lang, Party, PartyCode};
use strategi::store::setting_path;

use super::parse;
use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// The parties (ministries and organisations) of the case.
#[derive(Debug, Subcommand)]
pub enum PartyCommand {
    /// Add a party: its code, full name, e-mail address and language.
    Add(AddArgs),
    /// List the parties.
    List,
    /// Add a signing key (an OpenSSH ed25519 public key) to a party, for signed
    /// approvals; recorded as a key-add record in settings/.
    ///
    /// Only the party itself adds its keys (act as it with --as); `strategi verify`
    /// reports a key that history shows another party added, and `approve` refuses to
    /// sign with it.
    ///
    /// Example: strategi --as DFD party key DFD --add-file ~/.ssh/dfd_approval_ed25519.pub
    Key(KeyArgs),
    /// Change a party's name, e-mail address or language (recorded in settings/).
    ///
    /// Example: strategi party change FIN --email postmottak@fin.example
    Change(ChangeArgs),
}

/// Arguments of `party change`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("what").required(true).multiple(true).args(["name", "email", "lang"]))]
pub struct ChangeArgs {
    /// The party's code, e.g. FIN.
    #[arg(value_parser = parse::party)]
    pub code: PartyCode,
    /// The new full name.
    #[arg(long)]
    pub name: Option<String>,
    /// The new address letters go to.
    #[arg(long, value_parser = parse::email)]
    pub email: Option<strategi::model::EmailAddress>,
    /// The new language: nb, nn, en or da.
    #[arg(long, value_parser = parse::lang)]
    pub lang: Option<Lang>,
}

/// Arguments of `party key`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("key").required(true).args(["add", "add_file", "remove"]))]
pub struct KeyArgs {
    /// The party's code, e.g. DFD.
    #[arg(value_parser = parse::party)]
    pub code: PartyCode,
    /// The public key line: "ssh-ed25519 AAAA… comment".
    #[arg(long, value_name = "KEY")]
    pub add: Option<String>,
    /// A public key file (KEY.pub, as ssh-keygen writes it).
    #[arg(long, value_name = "FILE")]
    pub add_file: Option<std::path::PathBuf>,
    /// Remove one of the party's keys, named by its fingerprint (SHA256:…) or its
    /// public key line.
    #[arg(long, value_name = "KEY")]
    pub remove: Option<String>,
}

/// Arguments of `party add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// Short code, e.g. FIN.
    #[arg(value_parser = parse::party)]
    pub code: PartyCode,
    /// Full name, e.g. "Finansdepartementet".
    #[arg(long)]
    pub name: String,
    /// Address that letters go to, e.g. postmottak@fin.example.
    #[arg(long, value_parser = parse::email)]
    pub email: strategi::model::EmailAddress,
    /// Written language the party prefers: nb, nn, en or da.
    #[arg(long, default_value = "nb", value_parser = parse::lang)]
    pub lang: Lang,
}

/// Runs a `party` command.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, cmd: &PartyCommand) -> Result<(), CommandError> {
    match cmd {
        PartyCommand::Add(a) => add(ctx, ui, a),
        PartyCommand::List => list(ctx, ui),
        PartyCommand::Key(a) if a.remove.is_some() => remove_key(ctx, ui, a),
        PartyCommand::Key(a) => key(ctx, ui, a),
        PartyCommand::Change(a) => change(ctx, ui, a),
    }
}

fn remove_key(ctx: &mut Ctx, ui: &mut Ui, args: &KeyArgs) -> Result<(), CommandError> {
    let code = args.code.clone();
    let wanted = args
        .remove
        .as_deref()
        .unwrap_or_default()
        .trim()
        .to_string();
    let ws = ctx.workspace()?;
    let (tx, config) = ctx.begin_key_change(&ws, &format!("strategi party key {code} --remove"))?;
    let Some(party) = config.party(&code) else {
        return Err(CommandError::user(format!(
            "\"{code}\" is not a listed party."
        )));
    };
    let keys = super::keys::party_keys(&config, &code)?;
    let by_line = strategi::sign::PublicKey::from_openssh(&wanted).ok();
    let Some(public) = keys
        .into_iter()
        .find(|k| k.fingerprint() == wanted || by_line.as_ref() == Some(k))
    else {
        return Err(CommandError::user(format!(
            "{code} has no signing key \"{wanted}\"."
        ))
        .hint("See the party's keys with `strategi --json party list`; name one by its fingerprint (SHA256:…)."));
    };
    let actor = ctx.actor(&ws, &config)?;
    let line = public.to_string();
    let (record, commit) = strategi::approval::change_key(
        tx,
        &actor,
        &ctx.clock.now(),
        party,
        &public,
        strategi::approval::KeyChange::Remove,
    )?;
    ui.emit(
        &serde_json::json!({ "party": code, "removed": line, "fingerprint": public.fingerprint(), "record": setting_path(&record), "commit": commit }),
        |w| {
            writeln!(
                w,
                "Removed signing key {} from {}.",
                public.fingerprint(),
                paint(styles::BOLD, &code)
            )
        },
    )
}

fn change(ctx: &mut Ctx, ui: &mut Ui, args: &ChangeArgs) -> Result<(), CommandError> {
    let code = args.code.clone();
    let ws = ctx.workspace()?;
    let (tx, config) = ctx.begin_with_config(&ws, &format!("strategi party change {code}"))?;
    let actor = ctx.actor(&ws, &config)?;
    let changed = strategi::case::change_party(
        tx,
        &actor,
        &ctx.clock.now(),
        &config,
        &code,
        strategi::case::PartyChangeRequest {
            name: args.name.clone(),
            email: args.email.clone(),
            lang: args.lang,
        },
    )?;
    let said = &changed.said;
    ui.emit(
        &serde_json::json!({ "party": code, "change": changed.change, "record": setting_path(&changed.record), "commit": changed.commit }),
        |w| writeln!(w, "Changed {}: {said}.", paint(styles::BOLD, &code)),
    )
}

fn key(ctx: &mut Ctx, ui: &mut Ui, args: &KeyArgs) -> Result<(), CommandError> {
    let code = args.code.clone();
    let line = match (&args.add, &args.add_file) {
        (Some(k), _) => k.clone(),
        (None, Some(f)) => {
            let path = ctx.start_dir().join(f);
            strategi::store::read_bounded_text(
                &path,
                strategi::store::limits::KEY,
                "public key file",
            )?
        }
        (None, None) => return Err(CommandError::usage("Give --add KEY or --add-file FILE.")),
    };
    let line = line.trim();
    if line.contains("PRIVATE KEY") {
        return Err(CommandError::user(
            "That is a private key; give the public half (the .pub file). The private key never goes into the workspace.",
        ));
    }
    let public = strategi::sign::PublicKey::from_openssh(line)?;
    let line = public.to_string();
    let ws = ctx.workspace()?;
    let (tx, config) = ctx.begin_key_change(&ws, &format!("strategi party key {code}"))?;
    let Some(party) = config.party(&code) else {
        return Err(
            CommandError::user(format!("\"{code}\" is not a listed party.")).hint(format!(
                "Add it first with `strategi party add {code} --name NAME --email ADDRESS`."
            )),
        );
    };
    let existing = super::keys::party_keys(&config, &code)?;
    if existing.contains(&public) {
        return Err(CommandError::user(format!(
            "{code} already has the key {}.",
            public.fingerprint()
        )));
    }
    let actor = ctx.actor(&ws, &config)?;
    let (record, commit) = strategi::approval::change_key(
        tx,
        &actor,
        &ctx.clock.now(),
        party,
        &public,
        strategi::approval::KeyChange::Add,
    )?;
    ui.emit(
        &serde_json::json!({ "party": code, "key": line, "fingerprint": public.fingerprint(), "record": setting_path(&record), "commit": commit }),
        |w| {
            writeln!(
                w,
                "Added signing key {} to {}.",
                public.fingerprint(),
                paint(styles::BOLD, &code)
            )
        },
    )
}

fn add(ctx: &mut Ctx, ui: &mut Ui, args: &AddArgs) -> Result<(), CommandError> {
    let party = Party {
        code: args.code.clone(),
        name: args.name.clone(),
        email: args.email.clone(),
        lang: args.lang,
        keys: Vec::new(),
    };
    let ws = ctx.workspace()?;
    let (tx, config) = ctx.begin_with_config(&ws, &format!("strategi party add {}", party.code))?;
    let actor = ctx.actor(&ws, &config)?;
    let added = strategi::case::add_party(tx, &actor, &ctx.clock.now(), &config, party)?;
    let party = &added.party;
    ui.emit(
        &serde_json::json!({ "party": party, "record": setting_path(&added.record), "commit": added.commit }),
        |w| {
            writeln!(
                w,
                "Added {} {} <{}> ({}).",
                paint(styles::BOLD, &party.code),
                party.name,
                party.email,
                party.lang
            )
        },
    )
}

#[derive(Serialize)]
struct Row<'a> {
    #[serde(flatten)]
    party: &'a Party,
    roles: Vec<&'static str>,
}

fn roles(config: &Config, code: &PartyCode) -> Vec<&'static str> {
    let mut r = Vec::new();
    if &config.case.owner == code {
        r.push("owner");
    }
    if &config.case.approver == code {
        r.push("approver");
    }
    r
}

fn list(ctx: &mut Ctx, ui: &mut Ui) -> Result<(), CommandError> {
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    let rows: Vec<Row<'_>> = config
        .parties
        .iter()
        .map(|p| Row {
            party: p,
            roles: roles(&config, &p.code),
        })
        .collect();
    ui.emit(&rows, |w| {
        if rows.is_empty() {
            writeln!(w, "No parties yet. Add one with `strategi party add CODE --name NAME --email ADDRESS`.")?;
        }
        let width = rows.iter().map(|r| r.party.code.as_str().len()).max().unwrap_or(0);
        for r in &rows {
            let roles = if r.roles.is_empty() {
                String::new()
            } else {
                paint(styles::DIM, format!("  [{}]", r.roles.join(", ")))
            };
            writeln!(
                w,
                "{}  {}  {}  <{}>{}",
                paint(styles::BOLD, format!("{:width$}", r.party.code.as_str())),
                r.party.lang,
                r.party.name,
                r.party.email,
                roles
            )?;
        }
        Ok(())
    })
}
