//! What `round send`, `remind` and `outbox flush` share in the command layer: the
//! transport's settings from the environment, and the delivery lines and verdict.
//!
//! Planning, queueing, recording and delivering letters is the library's
//! (`strategi::consultation::letters`); this module reads the SMTP password (from the
//! variable `[mail] password_env` names) and `STRATEGI_SENDMAIL`, and renders the
//! delivery outcomes for a terminal.

use std::path::{Path, PathBuf};

use strategi::consultation::letters::{self, Delivered, MailerEnv, Outcome};
use strategi::mail::Mailer;
use strategi::model::{Config, Transport};
use strategi::store::{Actor, Transaction};

use super::CommandError;

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

/// Delivers the outbox through `mailer` and commits the new states; `None` without a
/// mailer (the `outbox` transport: nothing is delivered).
pub fn deliver(
    tx: &mut Transaction<'_>,
    mailer: Option<&dyn Mailer>,
    actor: &Actor,
    now: &jiff::ZonedDateTime,
) -> Result<Option<Vec<Delivered>>, CommandError> {
    match mailer {
        None => Ok(None),
        Some(m) => Ok(Some(letters::deliver(tx, m, actor, now)?)),
    }
}

/// Writes one line per delivery to `w`.
pub fn write_deliveries(
    w: &mut dyn std::io::Write,
    delivered: &Option<Vec<Delivered>>,
    config: &Config,
    outbox_dir: &Path,
) -> std::io::Result<()> {
    use super::ui::{paint, styles};
    let Some(delivered) = delivered else {
        writeln!(
            w,
            "Transport is \"outbox\": the messages are in {}/ for sending by hand; set [mail] transport in strategi.toml to deliver them.",
            outbox_dir.display()
        )?;
        return Ok(());
    };
    if delivered.is_empty() {
        writeln!(w, "Nothing was waiting in the outbox.")?;
    }
    let via = match config.mail.transport {
        Transport::Smtp => "SMTP",
        Transport::Sendmail => "sendmail",
        Transport::Outbox => "outbox",
    };
    for d in delivered {
        let who = d.party.as_deref().unwrap_or("?");
        let state = match d.state {
            Outcome::Sent => paint(styles::GOOD, "delivered"),
            Outcome::Queued => paint(styles::WARN, "still queued"),
            Outcome::Failed => paint(styles::BAD, "FAILED"),
            Outcome::Error => paint(styles::BAD, "ERROR"),
        };
        writeln!(
            w,
            "  {who:5} {state} via {via}: {}",
            d.response.as_deref().unwrap_or("")
        )?;
    }
    Ok(())
}

/// An error when not every message was delivered (exit 1), or `Ok` when all were.
pub fn check_delivered(delivered: &Option<Vec<Delivered>>) -> Result<(), CommandError> {
    let Some(delivered) = delivered else {
        return Ok(());
    };
    let queued = delivered
        .iter()
        .filter(|d| d.state == Outcome::Queued)
        .count();
    let failed = delivered
        .iter()
        .filter(|d| matches!(d.state, Outcome::Failed | Outcome::Error))
        .count();
    if queued + failed == 0 {
        return Ok(());
    }
    let mut err = CommandError::user(format!(
        "{} of {} message(s) were not delivered: {queued} still queued, {failed} failed.",
        queued + failed,
        delivered.len()
    ));
    if queued > 0 {
        err = err.hint("Queued messages had a temporary error; run `strategi outbox flush` later to try again.");
    }
    if failed > 0 {
        err = err.hint("Failed messages were refused for good: correct the party's address with the server's answer in mind, then run `strategi round send ROUND` again to send a new letter.");
    }
    Err(err)
}
