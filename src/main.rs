//! The `talent-subsidy` command: argument parsing only; the work is in the library.
#![forbid(unsafe_code)]

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = talent_subsidy::cli::Cli::parse();
    // The command line knows nothing of the web service; it is handed the functions it needs.
    talent_subsidy::cli::run(
        cli,
        talent_subsidy::cli::Web {
            serve: talent_subsidy::web::startup::serve,
            charts: talent_subsidy::web::officer::charts_file,
        },
    )
}
