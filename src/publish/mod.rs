//! Publication of a consultation's answers. For now only [`screen`]: the passages of an
//! answer that need a human look before it is published. strategi flags them; a person
//! decides (the decisions, the public bundle and the archive export come later).

pub mod screen;
