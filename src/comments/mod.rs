//! Comments from the parties: reading what they send and pinning it to the text.
//!
//! Pure parts (no files, no git, no store; the commands wire them together):
//!
//! - [`form`] reads a filled-in response form (the grammar of
//!   [`crate::mail::Renderer::render_form`]'s output) into a [`ParsedForm`];
//! - [`anchor`](mod@anchor) pins a quote to a place in a section ([`Anchor`]) and finds
//!   that place again in a later version ([`Relocator`], [`Landing`]).

pub mod anchor;
pub mod form;

pub use anchor::{Anchor, AnchorError, Landing, Relocator, anchor, relocate};
pub use form::{
    FormBlock, FormError, ParsedForm, Position, find_form, looks_like_form, parse_form,
};
