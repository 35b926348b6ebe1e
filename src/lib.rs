//! talent-subsidy: the Su-Xi-Tong park's talent policies as rule files, and an engine that
//! assesses an applicant's profile against them exactly and with reasons.
//!
//! The work is in the workspace's crates (see ARCHITECTURE.md): `rules` (pure), `store`,
//! `app` and `web`. This package is the command line (`cli`) and the binary; it also names
//! the crates' modules under one roof for the integration tests and benches.
#![forbid(unsafe_code)]

pub mod cli;

pub use app::{
    batch, case, cases, casework, letters, messages, parallel, privacy, procedure, service,
    settings, simulate, spreadsheet,
};
pub use rules::{EXAMPLE_PROFILE, applicant, engine, input, policy, words};
pub use store::{self, crypto, secrets};
pub use web;
