//! talent-subsidy: the Su-Xi-Tong park's talent policies as rule files, and an engine that
//! assesses an applicant's profile against them exactly and with reasons.
#![forbid(unsafe_code)]

pub mod applicant;
pub mod batch;
pub mod cases;
pub mod casework;
pub mod cli;
pub mod crypto;
pub mod engine;
pub mod input;
pub mod parallel;
pub mod policy;
pub mod privacy;
pub mod secrets;
pub mod service;
pub mod settings;
pub mod simulate;
pub mod spreadsheet;
pub mod store;
pub mod web;
pub mod words;

/// A startup founder who is also employed in the park: a profile that reaches every program.
pub const EXAMPLE_PROFILE: &str = include_str!("../examples/profile.json");
