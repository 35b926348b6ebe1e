//! What every front end does with a JSON profile: read it, assess it, and write one line of
//! JSON — the result (with hints when asked) or the profile's errors. The CLI's `eval`, the
//! API and the batch endpoint all answer through [`assess_json`], so they agree byte for byte.

pub mod casework;
pub mod screening;

use rules::applicant::{FieldError, InvalidProfile, Profile};
use rules::engine::{AssessError, Assessment, Detail, assess_declining, hints::hints};
use rules::policy::Policy;

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

/// Why an input that is not a valid profile was refused: not JSON at all, or JSON that is not
/// a valid profile.
pub fn refusal(input: &[u8]) -> Outcome {
    if serde_json::from_slice::<serde::de::IgnoredAny>(input).is_ok() {
        Outcome::Invalid
    } else {
        Outcome::NotJson
    }
}

/// The error for a profile whose date no policy version covers. Validation refuses those
/// already; this answers for a policy swapped in between.
pub fn no_version(profile: &Profile, e: &AssessError) -> FieldError {
    FieldError::new(
        "application_date",
        format!("{} 没有有效的政策版本", profile.application_date()),
        e.to_string(),
    )
}

/// A profile read, validated and assessed: what every front end starts from.
pub struct Assessed<'p> {
    pub profile: Profile,
    pub assessment: Assessment<'p>,
}

/// Assesses a valid profile; a date no policy version covers (possible only when the policy
/// was swapped after validation) is the profile's error.
fn assess_profile(
    policy: &Policy,
    profile: Profile,
    detail: Detail,
) -> Result<Assessed<'_>, InvalidProfile> {
    assess_leaving_out(policy, profile, detail, &[])
}

/// [`assess_profile`] for an application that leaves out the programs in `declined`.
fn assess_leaving_out<'p>(
    policy: &'p Policy,
    profile: Profile,
    detail: Detail,
    declined: &[&str],
) -> Result<Assessed<'p>, InvalidProfile> {
    match assess_declining(policy, &profile, detail, declined) {
        Ok(assessment) => Ok(Assessed {
            profile,
            assessment,
        }),
        Err(e) => Err(InvalidProfile {
            errors: vec![no_version(&profile, &e)],
        }),
    }
}

/// The same for a profile already parsed into JSON (the form's and a spreadsheet row's).
pub fn assess_value<'p>(
    policy: &'p Policy,
    json: &serde_json::Value,
) -> Result<Assessed<'p>, InvalidProfile> {
    assess_profile(
        policy,
        Profile::from_value(json, policy)?,
        Detail::Explained,
    )
}

/// [`assess_value`] for a saved application that left out the programs in `declined`.
pub fn assess_value_declining<'p>(
    policy: &'p Policy,
    json: &serde_json::Value,
    declined: &[&str],
) -> Result<Assessed<'p>, InvalidProfile> {
    assess_leaving_out(
        policy,
        Profile::from_value(json, policy)?,
        Detail::Explained,
        declined,
    )
}

/// How much of a result to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Output {
    /// Every condition explained, with the requirement and the citation (about 8 KB): the
    /// contract of `eval` and the API.
    #[default]
    Full,
    /// The decision only: statuses, amounts, the total (about 400 bytes), for many people at
    /// once.
    Summary,
}

/// Appends the full answer for one JSON profile to `out` (without a newline).
pub fn assess_json(policy: &Policy, input: &[u8], with_hints: bool, out: &mut Vec<u8>) -> Outcome {
    assess_json_as(policy, input, with_hints, Output::Full, out)
}

/// Appends the answer for one JSON profile in the form asked for (without a newline); a
/// profile that is not valid gets its errors either way.
pub fn assess_json_as(
    policy: &Policy,
    input: &[u8],
    with_hints: bool,
    output: Output,
    out: &mut Vec<u8>,
) -> Outcome {
    // A summary without hints needs only the decision, not the explanation of each condition.
    let detail = if output == Output::Summary && !with_hints {
        Detail::Summary
    } else {
        Detail::Explained
    };
    match Profile::from_json(input, policy).and_then(|p| assess_profile(policy, p, detail)) {
        Ok(Assessed {
            profile,
            assessment,
        }) => {
            let hs = with_hints.then(|| hints(&assessment, &profile, policy));
            match (output, &hs) {
                (Output::Full, Some(hs)) => assessment.write_json_with_hints(hs, out),
                (Output::Full, None) => assessment.write_json(out),
                (Output::Summary, hs) => assessment.write_summary(hs.as_deref(), out),
            }
            Outcome::Assessed
        }
        Err(invalid) => {
            write_errors(out, &invalid);
            refusal(input)
        }
    }
}

/// An application ready to be saved, and its answers as the prior's buckets (counted once it
/// is saved).
pub struct Prepared {
    pub application: store::NewApplication,
    pub seen: crate::seen::Tally,
}

/// The programs an application leaves out, by id: each must be a program of the policy
/// (`Err`: the error, under `field`).
pub fn read_declined(
    policy: &Policy,
    ids: &[&str],
    field: &str,
) -> Result<Vec<String>, InvalidProfile> {
    let mut out: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    for id in ids.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        if !rules::applicant::ProfileContext::is_known_program(policy, id) {
            errors.push(FieldError::new(
                field,
                format!("不是已知的项目编号：{id}"),
                format!("is not a known program id: {id}"),
            ));
        } else if !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(InvalidProfile { errors })
    }
}

/// A profile ready to be saved as an application: read, validated and assessed now, with
/// the result as the applicant saw it, leaving out the programs in `declined` (ids the person
/// chose not to apply for; see [`read_declined`]). `Err` holds the profile's errors.
pub fn prepare_application(
    policy: &Policy,
    input: &[u8],
    idempotency_key: Option<String>,
    notice_version: &str,
    declined: &[String],
) -> Result<Prepared, InvalidProfile> {
    let declined: Vec<&str> = declined.iter().map(String::as_str).collect();
    let Assessed {
        profile,
        assessment: a,
    } = assess_leaving_out(
        policy,
        Profile::from_json(input, policy)?,
        Detail::Explained,
        &declined,
    )?;
    let mut seen = crate::seen::Tally::default();
    seen.add(&policy.prior(), &profile);
    let mut result = Vec::with_capacity(8 * 1024);
    a.write_json(&mut result);
    // The profile is kept as sent, minus insignificant white space.
    let profile_json = serde_json::from_slice::<serde_json::Value>(input)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| String::from_utf8_lossy(input).into_owned());
    let application = store::NewApplication {
        idempotency_key,
        request_hash: store::secrets::sha256_hex(input),
        applicant_name: profile.person().full_name.clone(),
        id_number: profile.person().id_number.clone(),
        tier: a.tier_id().to_string(),
        total: a.total,
        policy_version: a.version.id.to_string(),
        application_date: a.application_date,
        profile: profile_json,
        result: String::from_utf8_lossy(&result).into_owned(),
        uploads: Vec::new(),
        contact: store::Contact::default(),
        notice_version: notice_version.to_string(),
        programs: a
            .programs
            .iter()
            .map(|p| store::ProgramRow {
                program: p.program.id.to_string(),
                status: p.status.id().to_string(),
                amount: p.amount,
            })
            .collect(),
    };
    Ok(Prepared { application, seen })
}
