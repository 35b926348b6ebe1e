//! An application as people read it, shared by the applicant's status page and the console:
//! the saved result's parts, statuses, files, payments and decisions in words.

use super::AppState;
use super::uploads;
use super::view;
use rules::engine::Status;
use rules::input::Lang;
use store::AppStatus;

pub use app::stored::{StoredProgram, StoredResult, StoredTier};

/// A stored program status in words.
pub fn status_words(id: &str, lang: Lang) -> &'static str {
    Status::ALL
        .into_iter()
        .find(|s| s.id() == id)
        .map_or("?", |s| rules::words::status_label(s, lang))
}

pub fn app_status_words(s: AppStatus, lang: Lang) -> &'static str {
    lang.t(s.zh(), s.en())
}

pub(crate) fn status_url(token: &str) -> String {
    format!("/status/{token}")
}

/// One file in a list.
pub struct FileLine {
    pub href: String,
    pub material: String,
    pub name: String,
    pub size: String,
    pub at: String,
    pub supplement: bool,
}

/// One scheduled payment, as the applicant and the console show it.
pub struct PaymentLine {
    pub id: i64,
    pub reference: String,
    pub name: String,
    pub program: String,
    pub amount: String,
    pub trigger: String,
    pub due: String,
    pub paid: bool,
    pub state: String,
    /// It can be registered paid: the decision is in force and it is dated.
    pub payable: bool,
    /// It waits for its trigger's date (the decision in force).
    pub needs_trigger: bool,
    /// The payee's bank and masked account, once the agreement is recorded.
    pub payee: String,
}

impl PaymentLine {
    pub fn of(p: &store::Payment, program: String, lang: Lang) -> PaymentLine {
        PaymentLine {
            id: p.id,
            reference: p.reference.clone(),
            name: p.applicant_name.clone(),
            program,
            amount: view::yuan(&p.amount),
            trigger: lang.t(&p.trigger_zh, &p.trigger_en).to_string(),
            due: due_words(p, lang),
            paid: p.paid,
            payable: !p.paid && p.step == store::CaseStep::InForce && p.due_on.is_some(),
            needs_trigger: !p.paid && p.step == store::CaseStep::InForce && p.due_on.is_none(),
            payee: match (&p.payee_bank, &p.payee_account) {
                (Some(b), Some(a)) => format!("{b} · {a}"),
                _ => String::new(),
            },
            state: if p.paid {
                format!(
                    "{} {}",
                    paid_words(p, lang),
                    p.paid_on.clone().unwrap_or_default()
                )
            } else {
                paid_words(p, lang).to_string()
            },
        }
    }
}

/// When a payment falls due: its date, or that it waits for its trigger.
pub fn due_words(p: &store::Payment, lang: Lang) -> String {
    p.due_on.clone().unwrap_or_else(|| {
        lang.t("待触发条件达成", "When its trigger happens")
            .to_string()
    })
}

/// 已拨付, 待拨付, or what it waits for.
pub fn paid_words(p: &store::Payment, lang: Lang) -> &'static str {
    if p.paid {
        lang.t("已拨付", "Paid")
    } else if p.step != store::CaseStep::InForce {
        lang.t(
            "待决定生效（公示期满无异议后）",
            "Waiting for the decision to be in force (after the public notice)",
        )
    } else if p.due_on.is_none() {
        lang.t("待登记条件达成日期", "Waiting for its trigger's date")
    } else {
        lang.t("待拨付", "To pay")
    }
}

/// A file size in words: "1.4 MB", "820 KB".
pub fn size_words(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        let tenths = bytes * 10 / (1024 * 1024);
        format!("{}.{} MB", tenths / 10, tenths % 10)
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// The files of an application as list lines, linked under `base` (`…/files/ID`).
pub fn file_lines(
    state: &AppState,
    files: &[store::Upload],
    base: &str,
    lang: Lang,
) -> Vec<FileLine> {
    files
        .iter()
        .map(|f| FileLine {
            href: format!("{base}/files/{}", f.id),
            material: uploads::material_name(state, &f.material, lang),
            name: f.file_name.clone(),
            size: size_words(f.size),
            at: view::short_time(&f.created_at),
            supplement: f.supplement,
        })
        .collect()
}

/// A program decision in words.
pub fn decision_text(d: &store::DecisionRow, lang: Lang) -> String {
    if !d.approved {
        format!("{}{}{}", lang.t("不予批准：", "Refused: "), d.reason, "")
    } else if d.amount < d.assessed {
        format!(
            "{} {}{}{}{}",
            lang.t("批准", "Approved"),
            view::yuan(&d.amount),
            lang.open(),
            d.reason,
            lang.close()
        )
    } else {
        format!("{} {}", lang.t("批准", "Approved"), view::yuan(&d.amount))
    }
}

/// The application a status link names (the link is the secret; 404 when none).
pub(crate) async fn by_token(
    state: &AppState,
    token: &str,
) -> Result<store::Application, super::http::ApiError> {
    use super::http::ApiError;
    let store = state.store.as_ref().ok_or(ApiError::Store)?;
    match store.application_by_token(token).await {
        Ok(Some(a)) => Ok(a),
        Ok(None) => Err(ApiError::NotFound),
        Err(e) => {
            tracing::error!(error = %e, "reading an application failed");
            Err(ApiError::Store)
        }
    }
}
