//! Policy files: read, check and compile the TOML rules in `policy/` into a [`Policy`].
//!
//! Stages, in order: read (files → serde structs with spans), parse (expression text → syntax
//! tree), check (names and types), compile (one set of typed [`model::Rules`] per version).
//!
//! Invariants: **only this module reads policy files**; a `Policy` value has passed every
//! check, so the engine never meets an ill-typed expression; every problem found carries
//! file, line and column, and all of them are reported at once.

pub mod analysis;
pub mod compile;
pub mod describe;
pub mod diagnostic;
pub mod eval;
pub mod expr;
pub mod fields;
pub mod files;
pub mod load;
pub mod model;
pub mod prior;
pub mod range;
pub mod unit_check;
pub mod value;

pub use diagnostic::{Diagnostic, Msg, Severity};
pub use load::{load, load_embedded, load_from};
pub use model::{Policy, Program, Rules, Version};

use crate::applicant::ProfileContext;
use chrono::NaiveDate;

impl Policy {
    /// The answers' prior in use: the shipped counts and those seen since.
    pub fn prior(&self) -> std::sync::Arc<prior::Prior> {
        match self.prior.read() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Weighs the interview's questions with what the service has seen (path, bucket, count),
    /// in place of what it had seen before; the shipped counts stay.
    pub fn set_seen<'a>(&self, seen: impl IntoIterator<Item = (&'a str, &'a str, u64)>) {
        let next = std::sync::Arc::new(self.prior().with_seen(seen));
        match self.prior.write() {
            Ok(mut p) => *p = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
    }

    /// The version in force on `date`, if any.
    pub fn version_on(&self, date: NaiveDate) -> Option<&Version> {
        self.versions.iter().find(|v| v.in_force_on(date))
    }
}

impl ProfileContext for Policy {
    fn is_known_program(&self, id: &str) -> bool {
        self.program_ids.iter().any(|p| &**p == id)
    }
    fn has_version_on(&self, date: NaiveDate) -> bool {
        self.version_on(date).is_some()
    }
    fn first_day(&self) -> Option<NaiveDate> {
        self.versions.iter().map(|v| v.from).min()
    }
}

/// Where the service reads its policy from.
#[derive(Debug, Clone)]
pub enum PolicySource {
    Dir(std::path::PathBuf),
    /// The copy built into the binary; it cannot change, so it is never reloaded.
    BuiltIn,
}

impl PolicySource {
    pub fn load(&self) -> Result<Policy, Vec<Diagnostic>> {
        match self {
            PolicySource::Dir(d) => load(d),
            PolicySource::BuiltIn => load_embedded(),
        }
    }

    /// The `.toml` files as they are now, each with its text.
    pub fn files(&self) -> Vec<(String, String)> {
        match self {
            PolicySource::Dir(d) => load::source_files(&load::Source::Dir(d)),
            PolicySource::BuiltIn => load::source_files(&load::Source::Embedded),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            PolicySource::Dir(d) => d.display().to_string(),
            PolicySource::BuiltIn => "(built-in)".into(),
        }
    }
}
