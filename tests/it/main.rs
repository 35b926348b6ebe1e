//! The served binary's integration tests, one module per part of the service, in one test
//! binary: actix, sqlx and the whole service are linked once, not once per file.
//! `cargo test --test it -- browser::` runs one part; `common` is what they share (the one
//! `TestApp`, the one `on_both_databases!`).

mod common;

mod api;
mod browser;
mod casework;
mod cli;
mod console;
mod interview;
mod pages;
mod privacy;
mod schema;
mod security;
mod serve;
mod simulate;
mod workbooks;
