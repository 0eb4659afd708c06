//! The mail module: templates, messages, outbox, and delivery through a real SMTP server.

mod common;
mod message;
mod render;
mod smtp;
