//! What every front end does with a JSON profile: read it, assess it, and write one line of
//! JSON — the result (with hints when asked) or the profile's errors. The CLI's `eval`, the
//! API and the batch endpoint all answer through [`assess_json`], so they agree byte for byte.

use crate::applicant::{FieldError, InvalidProfile, Profile};
use crate::engine::{assess, hints::hints};
use crate::policy::Policy;

/// How one input fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Assessed,
    /// Valid JSON, but not a valid profile.
    Invalid,
    /// Not JSON at all.
    NotJson,
}

fn write_errors(out: &mut Vec<u8>, errors: &InvalidProfile) {
    // Serializing plain strings into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, errors);
}

/// Appends the answer for one JSON profile to `out` (without a newline).
pub fn assess_json(policy: &Policy, input: &[u8], with_hints: bool, out: &mut Vec<u8>) -> Outcome {
    let profile = match Profile::from_json(input, policy) {
        Ok(p) => p,
        Err(invalid) => {
            write_errors(out, &invalid);
            return if serde_json::from_slice::<serde::de::IgnoredAny>(input).is_ok() {
                Outcome::Invalid
            } else {
                Outcome::NotJson
            };
        }
    };
    match assess(policy, &profile) {
        Ok(a) => {
            if with_hints {
                a.write_json_with_hints(&hints(&a, &profile, policy), out);
            } else {
                a.write_json(out);
            }
            Outcome::Assessed
        }
        // Validation already refuses a date with no version; kept for a policy swapped in between.
        Err(e) => {
            let err = InvalidProfile {
                errors: vec![FieldError::new(
                    "application_date",
                    format!("{} 没有有效的政策版本", profile.application_date),
                    e.to_string(),
                )],
            };
            write_errors(out, &err);
            Outcome::Invalid
        }
    }
}
