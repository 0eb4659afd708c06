//! Comments from the parties: reading what they send and pinning it to the text.
//!
//! Three independent, pure parts (no files, no git, no store; the commands wire them
//! together):
//!
//! - [`form`] reads a filled-in response form (the grammar of
//!   [`crate::mail::Renderer::render_form`]'s output) into a [`ParsedForm`];
//! - [`anchor`](mod@anchor) pins a quote to a place in a section ([`Anchor`]) and finds
//!   that place again in a later version ([`Relocator`], [`Landing`]);
//! - [`incoming`] reads an e-mail reply (`.eml`) into an [`Incoming`]: who, what, the
//!   plain text and the attachments, refusing broken messages with a reason.

pub mod anchor;
pub mod form;
pub mod incoming;

pub use anchor::{Anchor, AnchorError, Landing, Relocator, anchor, relocate};
pub use form::{
    FormBlock, FormError, ParsedForm, Position, find_form, looks_like_form, parse_form,
};
pub use incoming::{
    Incoming, IncomingAttachment, IncomingError, message_digest, message_id_parts, parse_message,
    safe_file_name, subject_token,
};
