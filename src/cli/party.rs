//! `strategi party add|list`: the parties of the case.

use clap::{Args, Subcommand};
use serde::Serialize;

use crate::model::{Config, Lang, Party, PartyCode};
use crate::store::{CONFIG_FILE, ConfigEditor};

use super::ui::{paint, styles};
use super::{CommandError, Ctx, Ui};

/// The parties (ministries and organisations) of the case.
#[derive(Debug, Subcommand)]
pub enum PartyCommand {
    /// Add a party: its code, full name, e-mail address and language.
    Add(AddArgs),
    /// List the parties.
    List,
}

/// Arguments of `party add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// Short code, e.g. FIN.
    pub code: String,
    /// Full name, e.g. "Finansdepartementet".
    #[arg(long)]
    pub name: String,
    /// Address that letters go to, e.g. postmottak@fin.example.
    #[arg(long)]
    pub email: String,
    /// Written language the party prefers: nb, nn, en or da.
    #[arg(long, default_value = "nb")]
    pub lang: String,
}

/// Runs a `party` command.
pub fn run(ctx: &mut Ctx, ui: &mut Ui, cmd: &PartyCommand) -> Result<(), CommandError> {
    match cmd {
        PartyCommand::Add(a) => add(ctx, ui, a),
        PartyCommand::List => list(ctx, ui),
    }
}

fn add(ctx: &mut Ctx, ui: &mut Ui, args: &AddArgs) -> Result<(), CommandError> {
    let code: PartyCode = args.code.parse()?;
    let name = args.name.trim();
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(CommandError::user(
            "The party's name must be one line of text.",
        ));
    }
    let party = Party {
        code,
        name: name.to_string(),
        email: args.email.parse()?,
        lang: args.lang.parse::<Lang>()?,
    };
    let ws = ctx.workspace()?;
    let tx = ctx.begin(&ws, &format!("strategi party add {}", party.code))?;
    let text = ws.config_text()?;
    let config = ws.config()?;
    if let Some(existing) = config.party(&party.code) {
        return Err(CommandError::user(format!(
            "There is already a party \"{}\" ({}).",
            existing.code, existing.name
        ))
        .hint("Party codes are unique; see them with `strategi party list`."));
    }
    let actor = ctx.actor(&ws, &config)?;
    let mut editor = ConfigEditor::new(&ws.config_path(), &text)?;
    editor.add_party(&party);
    let (new_text, _) = editor.finish()?;
    let mut tx = tx;
    tx.write(CONFIG_FILE, new_text);
    let commit = tx.commit(
        &format!("Add party {} ({})", party.code, party.name),
        &format!("E-mail {}, language {}.", party.email, party.lang),
        "party-add",
        &actor,
        &ctx.clock.now(),
    )?;
    ui.emit(
        &serde_json::json!({ "party": party, "commit": commit }),
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
