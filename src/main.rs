//! The `talent-subsidy` command: argument parsing only; the work is in the library.
#![forbid(unsafe_code)]

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = talent_subsidy::cli::Cli::parse();
    talent_subsidy::cli::run(cli)
}
