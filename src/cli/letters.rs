//! What `round send`, `remind` and `outbox flush` share in the command layer: the
//! transport's settings from the environment, and the delivery lines and verdict.
//!
//! Planning, queueing, recording and delivering letters is the library's
//! (`strategi::consultation::letters`); this module reads the SMTP password (from the
//! variable `[mail] password_env` names) and `STRATEGI_SENDMAIL`, and renders the
//! delivery outcomes for a terminal.

use std::path::{Path, PathBuf};

use strategi::consultation::RoundState;
use strategi::consultation::letters::{
    self, Claiming, Delivery, Issued, MailerEnv, Outcome, Selection,
};
use strategi::mail::{Mailer, Outbox};
use strategi::model::{Config, Transport};
use strategi::store::{Actor, Transaction, Workspace};

use super::{CommandError, Ctx};

/// What `round send` and `remind` share: the lock taken, the round loaded and the
/// actor's right to change it checked, the transport (refused before anything is
/// written if it cannot work), who acts and when; then the delivery of the round's
/// letters.
pub struct RoundLetters<'w> {
    /// The open transaction.
    pub tx: Transaction<'w>,
    /// The configuration, read under the lock.
    pub config: Config,
    /// The round, folded under the lock.
    pub state: RoundState,
    /// The transport; `None` for `outbox`.
    pub mailer: Option<Box<dyn Mailer>>,
    /// Who acts.
    pub actor: Actor,
    /// When.
    pub now: jiff::ZonedDateTime,
}

impl<'w> RoundLetters<'w> {
    /// Takes the lock, loads round `spec` and checks that the acting party may change
    /// it, sets up the transport and who acts.
    pub fn begin(
        ctx: &Ctx,
        ws: &'w Workspace,
        spec: &str,
        command: &str,
    ) -> Result<RoundLetters<'w>, CommandError> {
        let (tx, config, state) = super::round::begin_change(ctx, ws, spec, command)?;
        let mailer = mailer(&config)?;
        let actor = ctx.actor(ws, &config)?;
        Ok(RoundLetters {
            tx,
            config,
            state,
            mailer,
            actor,
            now: ctx.clock.now(),
        })
    }

    /// Delivers the round's queued letters with those just `issued` (the lock is let go
    /// while the server is talked to), then ends the transaction. Returns what the
    /// output needs.
    pub fn deliver(mut self, issued: Option<&Issued>) -> Result<RoundDelivery, CommandError> {
        let selection = Selection::round(&self.state.def.id, issued);
        let delivery = deliver(
            &mut self.tx,
            &self.config,
            self.mailer.as_deref(),
            &self.actor,
            &self.now,
            &selection,
            &claiming(false),
        )
        .map_err(|e| {
            let claim = matches!(e, letters::LettersError::Claim { .. });
            let err = CommandError::from(e);
            if claim {
                err.hint(format!(
                    "The letters are written, recorded and queued in outbox/: `strategi --as {} outbox flush` delivers them once the remote answers.",
                    self.actor.party
                ))
            } else {
                err
            }
        })?;
        let outbox_dir = Outbox::in_workspace(self.tx.workspace())
            .dir()
            .to_path_buf();
        drop(self.tx);
        Ok(RoundDelivery {
            config: self.config,
            state: self.state,
            delivery,
            outbox_dir,
        })
    }
}

/// What [`RoundLetters::deliver`] leaves for the output.
pub struct RoundDelivery {
    /// The configuration.
    pub config: Config,
    /// The round.
    pub state: RoundState,
    /// The delivery; `None` for the `outbox` transport.
    pub delivery: Option<Delivery>,
    /// The outbox folder.
    pub outbox_dir: PathBuf,
}

/// The transport of `strategi.toml` (`None` for `outbox`), with the password and the
/// sendmail program read from the environment.
pub fn mailer(config: &Config) -> Result<Option<Box<dyn Mailer>>, CommandError> {
    let mut env = MailerEnv {
        smtp_password: None,
        sendmail: std::env::var_os("STRATEGI_SENDMAIL").map(PathBuf::from),
    };
    // The password is read only when the URL is there to use it, so a missing URL is
    // reported first.
    if let Some(var) = config
        .mail
        .password_env
        .as_deref()
        .filter(|_| config.mail.transport == Transport::Smtp && config.mail.smtp_url.is_some())
    {
        match std::env::var(var) {
            Ok(p) => env.smtp_password = Some(p),
            Err(_) => {
                return Err(CommandError::user(format!(
                    "[mail] password_env names the environment variable {var}, but it is not set."
                ))
                .hint(format!("Set it for this command, e.g. `{var}=… strategi outbox flush`; the password is never stored in the workspace.")));
            }
        }
    }
    Ok(letters::mailer(config, env)?)
}

/// How deliveries claim their letters when the workspace has a remote: with the
/// system git and sync's retries; `no_claim` for `outbox flush --no-claim`.
pub fn claiming(no_claim: bool) -> Claiming {
    Claiming {
        git: super::sync::system_git(),
        retries: super::sync::PUSH_RETRIES,
        no_claim,
    }
}

/// Delivers what `what` selects from the outbox through `mailer` and commits the new
/// states (claiming the letters first when the workspace has a remote); `None` without
/// a mailer (the `outbox` transport: nothing is delivered).
pub fn deliver(
    tx: &mut Transaction<'_>,
    config: &Config,
    mailer: Option<&dyn Mailer>,
    actor: &Actor,
    now: &jiff::ZonedDateTime,
    what: &Selection,
    claiming: &Claiming,
) -> Result<Option<Delivery>, letters::LettersError> {
    match mailer {
        None => Ok(None),
        Some(m) => {
            // A counter on stderr while the letters go, on a terminal only.
            let progress = super::progress::Progress::on_stderr();
            let counting = super::progress::CountingMailer::new(m, &progress);
            let delivery =
                letters::deliver(tx, config, &counting, actor, now, what, Some(claiming));
            progress.clear();
            Ok(Some(delivery?))
        }
    }
}

/// Writes one line per delivery to `w` (naming its round), then the letters held back
/// and those of other rounds left queued.
pub fn write_deliveries(
    w: &mut dyn std::io::Write,
    delivery: &Option<Delivery>,
    config: &Config,
    outbox_dir: &Path,
) -> std::io::Result<()> {
    use super::ui::{paint, styles};
    let Some(delivery) = delivery else {
        writeln!(
            w,
            "Transport is \"outbox\": the messages are in {}/ for sending by hand; set [mail] transport in strategi.toml to deliver them, or record what you sent with `strategi outbox mark-sent ID…`.",
            outbox_dir.display()
        )?;
        return Ok(());
    };
    for d in &delivery.interrupted {
        writeln!(
            w,
            "  round {} {:5} {}: {}",
            d.round.as_deref().unwrap_or("?"),
            d.party.as_deref().unwrap_or("?"),
            paint(styles::WARN, "uncertain"),
            d.response.as_deref().unwrap_or("")
        )?;
    }
    if delivery.delivered.is_empty()
        && delivery.held_back.is_empty()
        && delivery.not_ours.is_empty()
        && delivery.taken_elsewhere.is_empty()
    {
        writeln!(w, "Nothing was waiting in the outbox.")?;
    }
    if let Some(c) = delivery.claim.as_ref().filter(|c| c.claimed > 0) {
        writeln!(
            w,
            "Claimed {} letter(s) on \"{}\" before delivering (so that no other clone sends them){}.",
            c.claimed,
            c.remote,
            if c.pushed {
                "; their delivery states are pushed"
            } else {
                "; their delivery states are not pushed yet"
            }
        )?;
    }
    let via = match config.mail.transport {
        Transport::Smtp => "SMTP",
        Transport::Sendmail => "sendmail",
        Transport::Outbox => "outbox",
    };
    for d in &delivery.delivered {
        let who = d.party.as_deref().unwrap_or("?");
        let round = d.round.as_deref().unwrap_or("?");
        let state = match d.state {
            Outcome::Sent => paint(styles::GOOD, "delivered"),
            Outcome::Queued => paint(styles::WARN, "still queued"),
            Outcome::Failed => paint(styles::BAD, "FAILED"),
            Outcome::Uncertain => paint(styles::WARN, "UNCERTAIN"),
            Outcome::Error => paint(styles::BAD, "ERROR"),
        };
        let again = if d.resent_uncertain {
            " (resent: it was uncertain)"
        } else {
            ""
        };
        writeln!(
            w,
            "  round {round} {who:5} {state}{again} via {via}: {}",
            d.response.as_deref().unwrap_or("")
        )?;
    }
    let resent: Vec<&str> = delivery
        .delivered
        .iter()
        .filter(|d| d.resent_uncertain)
        .map(|d| d.entry.as_str())
        .collect();
    if !resent.is_empty() {
        writeln!(
            w,
            "Sent again {} letter(s) that were uncertain (--resend-uncertain; the recipient may get two copies with the same Message-ID): {}",
            resent.len(),
            resent.join(", ")
        )?;
    }
    if !delivery.uncertain.is_empty() {
        writeln!(
            w,
            "{} letter(s) are uncertain (the server may have them) and were not sent again: {}",
            delivery.uncertain.len(),
            delivery.uncertain.join(", ")
        )?;
        writeln!(w, "{UNCERTAIN_HINT}")?;
    }
    if !delivery.held_back.is_empty() {
        writeln!(
            w,
            "Held back {} queued letter(s) that are out of date (never delivered without being asked):",
            delivery.held_back.len()
        )?;
        for h in &delivery.held_back {
            writeln!(
                w,
                "  round {} {:5} {:12} {}: {}",
                h.round,
                h.party,
                h.kind,
                paint(styles::WARN, "held back"),
                h.why
            )?;
        }
        writeln!(
            w,
            "Deliver them anyway with `strategi outbox flush --stale`, or record letters sent by hand with `strategi outbox mark-sent ID…`."
        )?;
    }
    for (round, sender, n) in by_round(&delivery.not_ours) {
        writeln!(
            w,
            "{n} letter(s) of round {round} are {sender}'s to send; left queued (only the round's sender delivers its letters)."
        )?;
    }
    for t in &delivery.taken_elsewhere {
        let how = match (&t.state, &t.claimed_by) {
            (strategi::mail::DeliveryState::Sending, Some(by)) => {
                format!("claimed by {by} in another clone")
            }
            (state, _) => format!("{} in another clone", state.as_str()),
        };
        writeln!(
            w,
            "  round {} {:5} {}: {how}; not sent here",
            t.round,
            t.party,
            paint(styles::DIM, "skipped")
        )?;
    }
    if !delivery.other_rounds.is_empty() {
        writeln!(
            w,
            "{} queued letter(s) of other rounds stay in the outbox; `strategi outbox flush` delivers them.",
            delivery.other_rounds.len()
        )?;
    }
    Ok(())
}

/// The letters left for their round's sender, counted by round (in the order met).
fn by_round(not_ours: &[letters::NotOurs]) -> Vec<(String, String, usize)> {
    let mut out: Vec<(String, String, usize)> = Vec::new();
    for n in not_ours {
        match out.iter_mut().find(|(r, _, _)| r == &n.round) {
            Some(e) => e.2 += 1,
            None => out.push((n.round.clone(), n.sender.clone(), 1)),
        }
    }
    out
}

/// What to do about an uncertain letter.
const UNCERTAIN_HINT: &str = "Ask the recipient (or the server's log) whether it arrived: record one that did with `strategi outbox mark-sent ID`, or send the uncertain letters again with `strategi outbox flush --resend-uncertain`.";

/// An error when not every message tried was delivered (exit 1), or `Ok` when all were.
pub fn check_delivered(delivery: &Option<Delivery>) -> Result<(), CommandError> {
    let Some(delivery) = delivery else {
        return Ok(());
    };
    if let Some(answer) = &delivery.login_refused {
        return Err(CommandError::user(format!(
            "The mail server refused to log in ({answer}); no letter was refused for its address, and every letter stays queued."
        ))
        .hint("Check the user name in [mail] smtp_url and the password in the environment variable [mail] password_env names, then run `strategi outbox flush`."));
    }
    let delivered = &delivery.delivered;
    let queued = delivered
        .iter()
        .filter(|d| d.state == Outcome::Queued)
        .count();
    let failed = delivered
        .iter()
        .filter(|d| matches!(d.state, Outcome::Failed | Outcome::Error))
        .count();
    let uncertain = delivered
        .iter()
        .chain(&delivery.interrupted)
        .filter(|d| d.state == Outcome::Uncertain)
        .count();
    if queued + failed + uncertain == 0 {
        return Ok(());
    }
    let mut err = CommandError::user(if uncertain == 0 {
        format!(
            "{} of {} message(s) were not delivered: {queued} still queued, {failed} failed.",
            queued + failed,
            delivered.len()
        )
    } else {
        format!(
            "{} of {} message(s) were not known to be delivered: {queued} still queued, {failed} failed, {uncertain} uncertain.",
            queued + failed + uncertain,
            delivered.len() + delivery.interrupted.len()
        )
    });
    if uncertain > 0 {
        err = err.hint(format!("Uncertain messages may have reached the server (the connection broke or timed out after the whole message was sent, or strategi was stopped while sending); they are not sent again by themselves. {UNCERTAIN_HINT}"));
    }
    if queued > 0 {
        err = err.hint("Queued messages had a temporary error; run `strategi outbox flush` later to try again.");
    }
    if failed > 0 {
        err = err.hint("Failed messages were refused for good: correct the party's address with the server's answer in mind, then run `strategi round send ROUND` again to send a new letter.");
    }
    Err(err)
}

/// The JSON fields of a delivery, for a command's output object: `delivery` (one entry
/// per letter tried, naming its round; `null` for the `outbox` transport), `held_back`
/// and `other_rounds_queued`, and `login_refused` when the server refused the login.
pub fn json_fields(delivery: &Option<Delivery>) -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    let d = delivery.as_ref();
    m.insert(
        "delivery".into(),
        serde_json::json!(d.map(|d| &d.delivered)),
    );
    m.insert(
        "held_back".into(),
        serde_json::json!(d.map(|d| &d.held_back[..]).unwrap_or_default()),
    );
    m.insert(
        "interrupted".into(),
        serde_json::json!(d.map(|d| &d.interrupted[..]).unwrap_or_default()),
    );
    m.insert(
        "uncertain_not_resent".into(),
        serde_json::json!(d.map(|d| &d.uncertain[..]).unwrap_or_default()),
    );
    m.insert(
        "other_rounds_queued".into(),
        serde_json::json!(d.map(|d| &d.other_rounds[..]).unwrap_or_default()),
    );
    m.insert(
        "not_ours".into(),
        serde_json::json!(d.map(|d| &d.not_ours[..]).unwrap_or_default()),
    );
    m.insert(
        "taken_elsewhere".into(),
        serde_json::json!(d.map(|d| &d.taken_elsewhere[..]).unwrap_or_default()),
    );
    m.insert(
        "claim".into(),
        serde_json::json!(d.and_then(|d| d.claim.as_ref())),
    );
    if let Some(d) = d.filter(|d| !d.unrecorded.is_empty()) {
        m.insert("unrecorded".into(), serde_json::json!(&d.unrecorded[..]));
    }
    if let Some(l) = d.and_then(|d| d.login_refused.as_ref()) {
        m.insert("login_refused".into(), serde_json::json!(l));
    }
    m
}

/// `fields` added to the JSON object `base`.
pub fn with_fields(
    mut base: serde_json::Value,
    fields: serde_json::Map<String, serde_json::Value>,
) -> serde_json::Value {
    if let Some(obj) = base.as_object_mut() {
        obj.extend(fields);
    }
    base
}
