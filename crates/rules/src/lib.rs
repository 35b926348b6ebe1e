//! The rules: an applicant's profile and its readers, the policy files and their compiler,
//! the engine that assesses a profile (exactly, with reasons, over ranges when answers are
//! missing), hints, and the words that say it. Pure: no web, database, clock or async; the
//! only I/O is reading policy files.
#![forbid(unsafe_code)]

pub mod applicant;
pub mod calendar;
pub mod engine;
pub mod input;
pub mod letters;
pub mod policy;
pub mod procedure;
pub mod text;
pub mod units;
pub mod words;

pub use text::Msg;

/// A startup founder who is also employed in the park: a profile that reaches every program.
pub const EXAMPLE_PROFILE: &str = include_str!("../../../examples/profile.json");
