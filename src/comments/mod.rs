//! Comments from the parties: reading what they send and pinning it to the text.
//!
//! Pure parts (no files, no git, no store; the commands wire them together):
//!
//! - [`form`] reads a filled-in response form (the grammar of
//!   [`crate::mail::Renderer::render_form`]'s output) into a [`ParsedForm`].

pub mod form;

pub use form::{
    FormBlock, FormError, ParsedForm, Position, find_form, looks_like_form, parse_form,
};
