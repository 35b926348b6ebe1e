//! The service seam between the rules and the pages: assessment and screening of a profile,
//! the casework rules (what may happen to an application, by whom, with which amounts),
//! batches of people from spreadsheets, policy simulations, the policy's worked cases,
//! settings, and the privacy notice. No HTTP here; the store is the only I/O besides files.
#![forbid(unsafe_code)]

pub mod batch;
pub mod case;
pub mod cases;
pub mod casework;
pub mod letters;
pub mod messages;
pub mod parallel;
pub mod privacy;
pub mod procedure;
pub mod refusal;
pub mod seen;
pub mod service;
pub mod settings;
pub mod simulate;
pub mod spreadsheet;
pub mod stored;
