//! Replies from the parties: reading what they send.
//!
//! Pure parts (no files, no git, no store; [`crate::consultation::import`] wires them
//! together, and [`crate::document::anchor`] pins what they quote to the text):
//!
//! - [`form`] reads a filled-in response form (the grammar of
//!   [`crate::mail::Renderer::render_form`]'s output) into a [`ParsedForm`];
//! - [`email`] reads an e-mail reply (`.eml`) into an [`Incoming`]: who, what, the
//!   plain text and the attachments, refusing broken messages with a reason;
//! - [`mbox`] splits an exported mailbox into its messages, each with where it is.

pub mod email;
pub mod form;
pub mod mbox;

pub use email::{
    Incoming, IncomingAttachment, IncomingError, message_digest, message_id_parts, parse_message,
    safe_file_name, subject_token,
};
pub use form::{
    FormBlock, FormError, ParsedForm, Position, find_form, looks_like_form, parse_form,
};
