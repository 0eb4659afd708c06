//! Delivery: hand an `.eml` to an SMTP server or to the local `sendmail` program.

use std::cell::Cell;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::{Address, SendmailTransport, Transport};

use super::MailError;

/// What the receiving side said when it accepted a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReceipt {
    /// The server's reply (e.g. "250 2.0.0 Ok: queued as 4F2A1"), or what the local
    /// program reported.
    pub response: String,
}

/// Why a message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Not delivered this time, and worth trying again later: the server could not be
    /// reached, the connection broke, the server answered 4xx, TLS failed, the local
    /// program failed. Keep the message queued.
    #[error("The message was not delivered this time and stays queued: {message}")]
    Temporary {
        /// What happened, with the server's text when there was one.
        message: String,
    },
    /// Refused for good for this recipient: the server answered 5xx (or the address
    /// cannot be used at all). Mark the message failed; sending it again will not help.
    #[error("The message was refused for good{}: {message}", code.map(|c| format!(" ({c})")).unwrap_or_default())]
    Permanent {
        /// The SMTP reply code, e.g. 550; `None` when the refusal came from this side
        /// (an address that cannot be used).
        code: Option<u16>,
        /// The server's text, e.g. "5.1.1 mailbox unavailable".
        message: String,
    },
    /// The server refused to log us in (530, 534, 535, 538): the user name or password
    /// is wrong, not the recipient's address. Keep the message queued, and stop: every
    /// other message would be refused the same way until the configuration is fixed.
    #[error("The server refused the login: {message}")]
    Configuration {
        /// What the server said, with its code.
        message: String,
    },
    /// The outcome is not known: the whole message was sent, but the connection broke
    /// or timed out before the server's final answer, so the server may have accepted
    /// it. Never queue it again by itself (that could deliver it twice): mark it
    /// uncertain, for a person to settle.
    #[error("It is not known whether the message was delivered: {message}")]
    Uncertain {
        /// What happened.
        message: String,
    },
}

/// How long the SMTP client waits for the server at each step (connecting, each reply)
/// unless `[mail] timeout_seconds` says otherwise: lettre's own default.
pub const DEFAULT_SMTP_TIMEOUT: Duration = Duration::from_secs(60);

/// Whether an SMTP reply code is about authentication (RFC 4954): 530 authentication
/// required, 534 mechanism too weak, 535 credentials invalid, 538 encryption required.
pub fn is_auth_failure(code: u16) -> bool {
    matches!(code, 530 | 534 | 535 | 538)
}

/// Something that delivers a finished message.
pub trait Mailer {
    /// Delivers `eml` (RFC 5322 bytes) from `envelope_from` to the addresses in `to`.
    fn deliver(
        &self,
        envelope_from: &str,
        to: &[String],
        eml: &[u8],
    ) -> Result<DeliveryReceipt, DeliveryError>;
}

/// The SMTP envelope, or a permanent error for an address that cannot be used.
fn envelope(envelope_from: &str, to: &[String]) -> Result<Envelope, DeliveryError> {
    let parse = |a: &str, role: &str| {
        Address::from_str(a.trim()).map_err(|e| DeliveryError::Permanent {
            code: None,
            message: format!("the {role} address {a:?} is not a valid e-mail address ({e})."),
        })
    };
    let from = parse(envelope_from, "sender")?;
    let to = to
        .iter()
        .map(|a| parse(a, "recipient"))
        .collect::<Result<Vec<_>, _>>()?;
    Envelope::new(Some(from), to).map_err(|e| DeliveryError::Permanent {
        code: None,
        message: format!("the envelope cannot be built ({e})."),
    })
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsMode {
    /// Plain text (local test servers).
    None,
    /// STARTTLS, which must succeed.
    StartTls,
    /// TLS from the first byte (`smtps://`).
    Implicit,
}

/// Delivers through an SMTP server, one connection per message, step by step with
/// lettre's low-level [`SmtpConnection`] (greeting, EHLO, STARTTLS, AUTH, MAIL, RCPT,
/// DATA, the message), so that a failure is known to lie before the message's last
/// byte was sent (not delivered: [`DeliveryError::Temporary`] or
/// [`DeliveryError::Permanent`]) or after it, before the server's answer
/// ([`DeliveryError::Uncertain`]: the server may have it).
#[derive(Clone)]
pub struct SmtpMailer {
    host: String,
    port: u16,
    tls: TlsMode,
    tls_params: Option<TlsParameters>,
    credentials: Option<Credentials>,
    timeout: Duration,
    hello: ClientId,
    /// The URL without credentials, for messages.
    shown: String,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("server", &self.shown)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for the server at `url`:
    ///
    /// - `smtp://host:port`: plain text (meant for local test servers); port 25 if left out;
    /// - `smtp://host:port?tls=starttls` (or `tls=required`, lettre's name): STARTTLS,
    ///   which must succeed; port 587 if left out; `tls=none` is the plain default;
    /// - `smtps://host:port`: TLS from the start; port 465 if left out.
    ///
    /// A user name goes before the host (`smtp://ola.nordmann@smtp.dep.example?tls=starttls`;
    /// percent-encode an `@` in it as `%40` or leave it, the last `@` ends the user
    /// name); its password is `password`, passed in by the caller and never part of the
    /// URL. Sending a password in plain text to any host but this machine is refused.
    /// Certificates are checked against the operating system's trust store. The client
    /// waits [`DEFAULT_SMTP_TIMEOUT`] for each answer; see [`SmtpMailer::with_timeout`].
    pub fn from_url(url: &str, password: Option<String>) -> Result<SmtpMailer, MailError> {
        let parsed = parse_smtp_url(url)?;
        let bad = |message: String| MailError::SmtpUrl {
            url: parsed.shown.clone(),
            message,
        };
        let tls_params = match parsed.tls {
            TlsMode::None => None,
            TlsMode::StartTls | TlsMode::Implicit => {
                Some(TlsParameters::new(parsed.host.clone()).map_err(|e| {
                    bad(format!(
                        "TLS cannot be set up for \"{}\" ({e}).",
                        parsed.host
                    ))
                })?)
            }
        };
        let credentials = match (parsed.user, password) {
            (Some(user), Some(password)) => {
                if parsed.tls == TlsMode::None && !is_loopback(&parsed.host) {
                    return Err(bad(format!(
                        "the password for \"{user}\" would travel unencrypted to \"{}\"; add ?tls=starttls or use smtps://.",
                        parsed.host
                    )));
                }
                Some(Credentials::new(user, password))
            }
            (Some(user), None) => {
                return Err(bad(format!(
                    "the URL names the user \"{user}\", but no password was given for it."
                )));
            }
            (None, Some(_)) => {
                return Err(bad(
                    "a password was given, but the URL names no user (write it as smtp://user@host)."
                        .to_string(),
                ));
            }
            (None, None) => None,
        };
        Ok(SmtpMailer {
            host: parsed.host,
            port: parsed.port,
            tls: parsed.tls,
            tls_params,
            credentials,
            timeout: DEFAULT_SMTP_TIMEOUT,
            hello: ClientId::default(),
            shown: parsed.shown,
        })
    }

    /// The same mailer, waiting at most `timeout` to connect and for each answer of
    /// the server (`[mail] timeout_seconds`). A wait that runs out is reported as
    /// "timed out": before the message was sent it is temporary, after it uncertain.
    pub fn with_timeout(mut self, timeout: Duration) -> SmtpMailer {
        self.timeout = timeout;
        self
    }

    /// The time the client waits for the server at each step.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Connects, greets, upgrades to TLS and logs in as configured.
    fn open(&self) -> Result<SmtpConnection, lettre::transport::smtp::Error> {
        let wrapper = match self.tls {
            TlsMode::Implicit => self.tls_params.as_ref(),
            TlsMode::None | TlsMode::StartTls => None,
        };
        let mut conn = SmtpConnection::connect(
            (self.host.as_str(), self.port),
            Some(self.timeout),
            &self.hello,
            wrapper,
            None,
        )?;
        if let (TlsMode::StartTls, Some(params)) = (self.tls, &self.tls_params) {
            conn.starttls(params, &self.hello)?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(DEFAULT_MECHANISMS, credentials)?;
        }
        Ok(conn)
    }

    /// The MAIL FROM parameters the message needs (SMTPUTF8, 8BITMIME), or why the
    /// server cannot take it.
    fn mail_parameters(
        &self,
        conn: &SmtpConnection,
        env: &Envelope,
        eml: &[u8],
    ) -> Result<Vec<MailParameter>, DeliveryError> {
        let mut params = Vec::new();
        let non_ascii = env
            .from()
            .into_iter()
            .chain(env.to())
            .any(|a| !a.to_string().is_ascii());
        if non_ascii {
            if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
                return Err(DeliveryError::Permanent {
                    code: None,
                    message: format!(
                        "an address is not plain ASCII, and {} does not support SMTPUTF8.",
                        self.shown
                    ),
                });
            }
            params.push(MailParameter::SmtpUtfEight);
        }
        if !eml.is_ascii() {
            if !conn.server_info().supports_feature(Extension::EightBitMime) {
                return Err(DeliveryError::Temporary {
                    message: format!(
                        "{} does not accept 8-bit messages (8BITMIME); the message was not sent.",
                        self.shown
                    ),
                });
            }
            params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        Ok(params)
    }
}

/// Where an SMTP conversation was when it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Connecting, the greeting, EHLO, STARTTLS.
    Connect,
    /// AUTH.
    Login,
    /// MAIL FROM.
    Mail,
    /// RCPT TO.
    Rcpt,
    /// The DATA command.
    Data,
    /// Sending the message's bytes (not all were sent).
    Message,
    /// The whole message was sent; waiting for the final answer.
    Answer,
}

impl Step {
    fn words(self) -> &'static str {
        match self {
            Step::Connect => "while connecting",
            Step::Login => "during the login",
            Step::Mail => "at MAIL FROM",
            Step::Rcpt => "at RCPT TO",
            Step::Data => "at DATA",
            Step::Message => "while the message was being sent",
            Step::Answer => "after the whole message was sent, before the server's answer",
        }
    }
}

/// The message's bytes in pieces for [`SmtpConnection::message_iter`], which notes when
/// the last piece has been handed over (and so written to the connection): from then on
/// only the end-of-data line and the answer are left.
struct Pieces<'a> {
    rest: &'a [u8],
    done: &'a Cell<bool>,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            self.done.set(true);
            return None;
        }
        let (piece, rest) = self.rest.split_at(self.rest.len().min(64 * 1024));
        self.rest = rest;
        Some(piece)
    }
}

impl Mailer for SmtpMailer {
    fn deliver(
        &self,
        envelope_from: &str,
        to: &[String],
        eml: &[u8],
    ) -> Result<DeliveryReceipt, DeliveryError> {
        let env = envelope(envelope_from, to)?;
        let failed = |step: Step, e: lettre::transport::smtp::Error| {
            smtp_error(&self.shown, self.timeout, step, &e)
        };
        let mut conn = self.open().map_err(|e| {
            // An authentication reply is a login failure; anything else came earlier.
            let step = if e.status().is_some_and(|c| is_auth_failure(u16::from(c))) {
                Step::Login
            } else {
                Step::Connect
            };
            failed(step, e)
        })?;
        let params = match self.mail_parameters(&conn, &env, eml) {
            Ok(p) => p,
            Err(e) => {
                conn.abort();
                return Err(e);
            }
        };
        let result = converse(&mut conn, &env, params, eml);
        match result {
            Ok(response) => {
                // The message is accepted; a failing QUIT changes nothing, and a slow
                // one is not waited for long: the outcome is recorded after it.
                let _ = conn.set_timeout(Some(self.timeout.min(Duration::from_secs(2))));
                let _ = conn.quit();
                let text = response.message().collect::<Vec<_>>().join(" ");
                Ok(DeliveryReceipt {
                    response: format!("{} {text}", response.code()).trim().to_string(),
                })
            }
            Err((step, e)) => {
                // A server that answered is told QUIT; one that did not is not waited
                // for again: dropping the connection closes it.
                if e.status().is_some() {
                    conn.abort();
                }
                Err(failed(step, e))
            }
        }
    }
}

/// MAIL, RCPT, DATA and the message on an open connection: the server's final answer,
/// or where it failed and why.
fn converse(
    conn: &mut SmtpConnection,
    env: &Envelope,
    params: Vec<MailParameter>,
    eml: &[u8],
) -> Result<lettre::transport::smtp::response::Response, (Step, lettre::transport::smtp::Error)> {
    conn.command(Mail::new(env.from().cloned(), params))
        .map_err(|e| (Step::Mail, e))?;
    for rcpt in env.to() {
        conn.command(Rcpt::new(rcpt.clone(), vec![]))
            .map_err(|e| (Step::Rcpt, e))?;
    }
    conn.command(Data).map_err(|e| (Step::Data, e))?;
    let done = Cell::new(false);
    conn.message_iter(Pieces {
        rest: eml,
        done: &done,
    })
    .map_err(|e| {
        let step = if !done.get() {
            Step::Message
        } else if e.status().is_some() {
            // The server's own answer to the message: it said it did not take it.
            Step::Answer
        } else if io_kind(&e) == Some(std::io::ErrorKind::BrokenPipe) {
            // The end-of-data line could not be written: the server never saw the end
            // of the message, so it cannot have taken it.
            Step::Message
        } else {
            Step::Answer
        };
        (step, e)
    })
}

/// The operating system's error kind under a lettre error, if there is one.
fn io_kind(e: &lettre::transport::smtp::Error) -> Option<std::io::ErrorKind> {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = s.source();
    }
    None
}

/// Whether a lettre error is a wait that ran out (a read or write timeout shows as
/// `WouldBlock` on Unix, `TimedOut` elsewhere).
fn is_timeout(e: &lettre::transport::smtp::Error) -> bool {
    e.is_timeout()
        || matches!(
            io_kind(e),
            Some(std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)
        )
}

/// Sorts an SMTP error by what the server answered and where the conversation was: an
/// authentication reply is a configuration error; any other reply is permanent (5xx)
/// or temporary (4xx), also after the message (the server said it did not take it);
/// no reply (a broken connection, a timeout, TLS) is temporary before the whole
/// message was sent and uncertain after it. The server's text is kept; a timeout says
/// "timed out" and how long was waited.
fn smtp_error(
    server: &str,
    timeout: Duration,
    step: Step,
    e: &lettre::transport::smtp::Error,
) -> DeliveryError {
    let server_text = std::error::Error::source(e)
        .map(|s| s.to_string())
        .unwrap_or_default();
    match e.status() {
        Some(code) if is_auth_failure(u16::from(code)) => DeliveryError::Configuration {
            message: format!("{server} answered {code} {server_text}")
                .trim()
                .to_string(),
        },
        Some(code) if e.is_permanent() => DeliveryError::Permanent {
            code: Some(u16::from(code)),
            message: server_text,
        },
        Some(code) => DeliveryError::Temporary {
            message: format!("{server} answered {code} {server_text} {}", step.words())
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        },
        None => {
            let what = if is_timeout(e) {
                format!("timed out (no answer within {})", seconds_words(timeout))
            } else if e.is_tls() {
                "could not be reached securely (TLS failed)".to_string()
            } else if e.is_client() {
                "could not be used as configured".to_string()
            } else if step == Step::Connect {
                "could not be reached or broke off the connection".to_string()
            } else {
                "broke off the connection".to_string()
            };
            if step == Step::Answer {
                DeliveryError::Uncertain {
                    message: format!(
                        "{server} {what} {}: {e}. The server may have accepted the message.",
                        step.words()
                    ),
                }
            } else {
                DeliveryError::Temporary {
                    message: format!(
                        "{server} {what} {}: {e}. The message was not sent.",
                        step.words()
                    ),
                }
            }
        }
    }
}

/// "1 s", "2.5 s".
fn seconds_words(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{s:.1} s")
    }
}

/// The parts of an SMTP URL.
struct SmtpUrl {
    host: String,
    port: u16,
    tls: TlsMode,
    user: Option<String>,
    shown: String,
}

fn parse_smtp_url(url: &str) -> Result<SmtpUrl, MailError> {
    let url = url.trim();
    // What messages show: the URL with anything between "://" and the last "@" hidden
    // if it might hold a password.
    let shown = match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((user, host)) if user.contains(':') => format!("{scheme}://***@{host}"),
            _ => url.to_string(),
        },
        None => url.to_string(),
    };
    let bad = |message: String| MailError::SmtpUrl {
        url: shown.clone(),
        message,
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(bad(
            "write it as smtp://host:port, smtp://host:port?tls=starttls or smtps://host:port."
                .to_string(),
        ));
    };
    let implicit = match scheme.to_ascii_lowercase().as_str() {
        "smtp" => false,
        "smtps" => true,
        other => {
            return Err(bad(format!("the scheme \"{other}\" is not smtp or smtps.")));
        }
    };
    let (authority, query) = rest.split_once('?').unwrap_or((rest, ""));
    let authority = authority.strip_suffix('/').unwrap_or(authority);
    if authority.contains('/') {
        return Err(bad(
            "the URL has a path; give only the host and port.".to_string()
        ));
    }
    let (user, hostport) = match authority.rsplit_once('@') {
        Some((user, hostport)) => {
            if user.contains(':') {
                return Err(bad(
                    "the URL holds a password; keep the password out of the URL (it is passed in separately, from the environment variable named in strategi.toml)."
                        .to_string(),
                ));
            }
            let user = percent_decode(user)
                .ok_or_else(|| bad("the user name has a broken %-escape.".to_string()))?;
            if user.is_empty() {
                return Err(bad("the user name before \"@\" is empty.".to_string()));
            }
            (Some(user), hostport)
        }
        None => (None, authority),
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let Some((host, after)) = v6.split_once(']') else {
            return Err(bad("the IPv6 address lacks its closing \"]\".".to_string()));
        };
        (host, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_alphanumeric() || ".-_:".contains(c))
    {
        return Err(bad(format!("{host:?} is not a host name.")));
    }
    let mut tls = if implicit {
        TlsMode::Implicit
    } else {
        TlsMode::None
    };
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("tls", value)) if !implicit => {
                tls = match value.to_ascii_lowercase().as_str() {
                    "starttls" | "required" => TlsMode::StartTls,
                    "none" => TlsMode::None,
                    other => {
                        return Err(bad(format!(
                            "tls={other} is not known; use tls=starttls, tls=required or tls=none."
                        )));
                    }
                }
            }
            Some(("tls", _)) => {
                return Err(bad(
                    "smtps:// always uses TLS from the start; leave out the tls parameter."
                        .to_string(),
                ));
            }
            _ => {
                return Err(bad(format!(
                    "the parameter {pair:?} is not known; only tls=starttls|required|none is."
                )));
            }
        }
    }
    let port = match port {
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => return Err(bad(format!("{p:?} is not a port number (1 to 65535)."))),
        },
        None => match tls {
            TlsMode::None => 25,
            TlsMode::StartTls => 587,
            TlsMode::Implicit => 465,
        },
    };
    Ok(SmtpUrl {
        host: host.to_string(),
        port,
        tls,
        user,
        shown,
    })
}

/// Decodes `%XX` escapes; `None` for a broken escape or bytes that are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || IpAddr::from_str(host).is_ok_and(|ip| ip.is_loopback())
}

/// Delivers through the local `sendmail` program (`sendmail -i -f <from> -- <to>…`).
///
/// sendmail reports only success or failure, not why; every failure is therefore
/// [`DeliveryError::Temporary`] with the program's error output, and the message stays
/// queued. Refusals for an address usually come back later as a bounce mail.
#[derive(Debug, Clone)]
pub struct SendmailMailer {
    transport: SendmailTransport,
    command: String,
}

impl SendmailMailer {
    /// A mailer that runs `command`, or `sendmail` from the `PATH` when `None`.
    pub fn new(command: Option<PathBuf>) -> SendmailMailer {
        match command {
            Some(c) => SendmailMailer {
                command: c.display().to_string(),
                transport: SendmailTransport::new_with_command(c.into_os_string()),
            },
            None => SendmailMailer {
                command: "sendmail".to_string(),
                transport: SendmailTransport::new(),
            },
        }
    }
}

impl Mailer for SendmailMailer {
    fn deliver(
        &self,
        envelope_from: &str,
        to: &[String],
        eml: &[u8],
    ) -> Result<DeliveryReceipt, DeliveryError> {
        let env = envelope(envelope_from, to)?;
        match self.transport.send_raw(&env, eml) {
            Ok(()) => Ok(DeliveryReceipt {
                response: format!("accepted by {}", self.command),
            }),
            Err(e) => {
                let detail = std::error::Error::source(&e)
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| e.to_string());
                Err(DeliveryError::Temporary {
                    message: format!("{} failed: {}", self.command, detail.trim()),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> SmtpUrl {
        match parse_smtp_url(url) {
            Ok(u) => u,
            Err(e) => panic!("{url}: {e}"),
        }
    }

    #[test]
    fn urls() {
        let u = parse("smtp://127.0.0.1:2525");
        assert_eq!(
            (u.host.as_str(), u.port, u.tls),
            ("127.0.0.1", 2525, TlsMode::None)
        );
        let u = parse("smtp://ola.nordmann%40dfd.dep.example@smtp.dep.example?tls=starttls");
        assert_eq!((u.port, u.tls), (587, TlsMode::StartTls));
        assert_eq!(u.user.as_deref(), Some("ola.nordmann@dfd.dep.example"));
        let u = parse("smtp://ola@dfd.dep.example@smtp.dep.example:25?tls=required");
        assert_eq!(u.user.as_deref(), Some("ola@dfd.dep.example"));
        assert_eq!((u.host.as_str(), u.port), ("smtp.dep.example", 25));
        let u = parse("SMTPS://mail.example/");
        assert_eq!((u.port, u.tls), (465, TlsMode::Implicit));
        let u = parse("smtp://[::1]:2525?tls=none");
        assert_eq!((u.host.as_str(), u.port), ("::1", 2525));
    }

    #[test]
    fn bad_urls_are_refused_without_showing_passwords() {
        for url in [
            "mail.example",
            "http://mail.example",
            "smtp://",
            "smtp://host:0",
            "smtp://host:99999",
            "smtp://host?tls=maybe",
            "smtps://host?tls=none",
            "smtp://host/path",
            "smtp://host?timeout=3",
            "smtp://[::1",
            "smtp://%zz@host",
        ] {
            assert!(parse_smtp_url(url).is_err(), "{url}");
        }
        let Err(e) = parse_smtp_url("smtp://ola:hemmelig@host") else {
            panic!("a password in the URL must be refused")
        };
        let text = e.to_string();
        assert!(!text.contains("hemmelig"), "{text}");
        assert!(text.contains("password"), "{text}");
    }

    #[test]
    fn pieces_say_when_the_whole_message_was_handed_over() {
        let done = Cell::new(false);
        let eml = vec![b'x'; 64 * 1024 + 10];
        let mut pieces = Pieces {
            rest: &eml,
            done: &done,
        };
        assert_eq!(pieces.next().map(<[u8]>::len), Some(64 * 1024));
        assert_eq!(pieces.next().map(<[u8]>::len), Some(10));
        assert!(!done.get(), "not before the last piece was taken");
        assert!(pieces.next().is_none());
        assert!(done.get());
        assert_eq!(seconds_words(Duration::from_secs(1)), "1 s");
        assert_eq!(seconds_words(Duration::from_millis(2500)), "2.5 s");
    }

    #[test]
    fn no_answer_after_the_message_is_uncertain_and_before_it_temporary() {
        // A real lettre error without a reply code: a connection refused on a port
        // nothing listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let Err(e) = SmtpConnection::connect(
            ("127.0.0.1", port),
            Some(Duration::from_secs(1)),
            &ClientId::Domain("test".into()),
            None,
            None,
        ) else {
            panic!("nothing listens there")
        };
        let t = Duration::from_secs(5);
        for step in [
            Step::Connect,
            Step::Mail,
            Step::Rcpt,
            Step::Data,
            Step::Message,
        ] {
            match smtp_error("smtp://x", t, step, &e) {
                DeliveryError::Temporary { message } => {
                    assert!(message.contains("not sent"), "{message}")
                }
                other => panic!("{step:?}: {other:?}"),
            }
        }
        match smtp_error("smtp://x", t, Step::Answer, &e) {
            DeliveryError::Uncertain { message } => {
                assert!(message.contains("may have accepted"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn credentials_rules() {
        let pw = || Some("pw".to_string());
        assert!(SmtpMailer::from_url("smtp://ola@mail.example", pw()).is_err());
        assert!(SmtpMailer::from_url("smtp://ola@localhost:2525", pw()).is_ok());
        assert!(SmtpMailer::from_url("smtp://ola@mail.example?tls=starttls", pw()).is_ok());
        assert!(SmtpMailer::from_url("smtps://ola@mail.example", pw()).is_ok());
        assert!(SmtpMailer::from_url("smtp://ola@mail.example?tls=starttls", None).is_err());
        assert!(SmtpMailer::from_url("smtp://mail.example", pw()).is_err());
    }
}
