//! Messages to the applicant: which steps of a case concern them (受理, a request for
//! materials, their reply received, 不予受理, the decision in force, the public notice, an
//! objection upheld, a reopening, a payment registered), each recorded once as a message on
//! the status page and queued for the channels they gave, and the words it is sent in.
//!
//! Invariant: **a message names the application's reference and, only when the applicant
//! asked for it at submission, the status link — nothing else about them** (no name, no
//! amount, no program: a text message is read on a lock screen).

use crate::case::Case;
use rules::applicant::FieldError;
use rules::input::Lang;
use store::{Store, StoreError};

/// What a message tells of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Accepted,
    MoreInfo,
    ReplyReceived,
    NotAccepted,
    Decided,
    Notice,
    ObjectionUpheld,
    Reopened,
    Paid,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Accepted,
        Kind::MoreInfo,
        Kind::ReplyReceived,
        Kind::NotAccepted,
        Kind::Decided,
        Kind::Notice,
        Kind::ObjectionUpheld,
        Kind::Reopened,
        Kind::Paid,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Kind::Accepted => "accepted",
            Kind::MoreInfo => "more_info",
            Kind::ReplyReceived => "reply_received",
            Kind::NotAccepted => "not_accepted",
            Kind::Decided => "decided",
            Kind::Notice => "notice",
            Kind::ObjectionUpheld => "objection_upheld",
            Kind::Reopened => "reopened",
            Kind::Paid => "paid",
        }
    }

    pub fn from_id(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.id() == s)
    }

    /// What happened, in a sentence without personal details.
    pub fn words(self, l: Lang) -> &'static str {
        match self {
            Kind::Accepted => l.t(
                "您的申请已受理，进入审核。",
                "Your application has been accepted for review.",
            ),
            Kind::MoreInfo => l.t(
                "您的申请需要补正材料，请查看申请状态页面上的补正材料通知书并上传材料。",
                "Your application needs further materials: see the request on its status page and upload them there.",
            ),
            Kind::ReplyReceived => l.t(
                "已收到您补正的材料，审核继续进行。",
                "The materials you sent have been received; the review goes on.",
            ),
            Kind::NotAccepted => l.t(
                "您的申请不予受理，理由及救济途径见申请状态页面上的不予受理通知书。",
                "Your application was not accepted: the reasons and your remedies are in the notice on its status page.",
            ),
            Kind::Decided => l.t(
                "您的申请已作出决定，决定书可在申请状态页面查看和下载。",
                "A decision has been made on your application: the decision letters are on its status page.",
            ),
            Kind::Notice => l.t(
                "您的申请审核结果已进入公示期，公示期满无异议后决定生效。",
                "The result of your application is on public notice; it takes effect when the notice passes with no objection upheld.",
            ),
            Kind::ObjectionUpheld => l.t(
                "公示期间收到的异议经核实成立，您的申请已撤下公示，重新复审。",
                "An objection during the public notice was found valid: your application is off the notice and reviewed again.",
            ),
            Kind::Reopened => l.t(
                "您的申请已由分管领导决定重新审核。",
                "Your application has been reopened for review by an approver.",
            ),
            Kind::Paid => l.t(
                "您的资助资金已登记拨付一期，详见申请状态页面。",
                "An installment of your funding has been registered as paid: see the status page.",
            ),
        }
    }
}

/// A message a case's steps owe: its kind, what it tells of, and the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owed {
    pub kind: Kind,
    pub source: String,
    pub day: chrono::NaiveDate,
}

/// The messages a case's steps and payments owe, recorded or not, in order.
pub fn owed(case: &Case) -> Vec<Owed> {
    let mut out = Vec::new();
    for e in &case.events {
        let kind = match e.action.as_str() {
            "accept" => Some(Kind::Accepted),
            "pause" => Some(Kind::MoreInfo),
            "resume" => Some(Kind::ReplyReceived),
            "not_accept" => Some(Kind::NotAccepted),
            "publish" => Some(Kind::Notice),
            "objection_upheld" => Some(Kind::ObjectionUpheld),
            "reopen" => Some(Kind::Reopened),
            _ if Case::came_into_force(e) => Some(Kind::Decided),
            _ => None,
        };
        if let Some(kind) = kind {
            out.push(Owed {
                kind,
                source: format!("e{}", e.id),
                day: e.day,
            });
        }
    }
    for (source, day, _) in case.registrations() {
        out.push(Owed {
            kind: Kind::Paid,
            source,
            day,
        });
    }
    out
}

/// Records every message the case of application `id` owes; returns how many were new.
pub async fn record_owed(store: &Store, id: i64, case: &Case) -> Result<usize, StoreError> {
    let mut n = 0;
    for o in owed(case) {
        n += usize::from(
            store
                .record_message(id, o.kind.id(), &o.source, o.day)
                .await?,
        );
    }
    Ok(n)
}

/// Records the messages owed by up to `limit` cases (the sweep every instance runs).
pub async fn sweep(store: &Store, limit: i64) -> Result<usize, StoreError> {
    let mut n = 0;
    for reference in store.owing_messages(limit).await? {
        if let Some(app) = store.application(&reference).await? {
            let case = Case::read(store, &app).await?;
            n += record_owed(store, app.summary.id, &case).await?;
        }
    }
    Ok(n)
}

/// Reads the contact details an applicant gave (each optional): a mainland mobile number
/// (11 digits from 1, `+86` allowed, spaces and dashes ignored) and an e-mail address. `Err`
/// names each field that is wrong (`contact_mobile`, `contact_email`, `contact_link`) and the
/// problem in both languages.
pub fn read_contact(
    mobile: &str,
    email: &str,
    send_link: bool,
) -> Result<store::Contact, Vec<FieldError>> {
    let mut errors = Vec::new();
    let digits: String = mobile
        .trim()
        .trim_start_matches("+86")
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    let mobile_ok = digits.is_empty()
        || (digits.len() == 11
            && digits.starts_with('1')
            && digits.bytes().all(|b| b.is_ascii_digit()));
    if !mobile_ok {
        errors.push(FieldError::new(
            "contact_mobile",
            "手机号码：应为 11 位数字，以 1 开头（如 13800000000）".to_string(),
            "Mobile number: 11 digits starting with 1 (such as 13800000000)".to_string(),
        ));
    }
    let email = email.trim();
    let email_ok = email.is_empty()
        || (email.len() <= 254
            && email.split('@').count() == 2
            && email.split('@').all(|p| !p.is_empty())
            && email
                .rsplit('@')
                .next()
                .is_some_and(|d| d.contains('.') && !d.ends_with('.'))
            && !email
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"\\".contains(c)));
    if !email_ok {
        errors.push(FieldError::new(
            "contact_email",
            "电子邮箱：应形如 name@example.com".to_string(),
            "E-mail address: such as name@example.com".to_string(),
        ));
    }
    if send_link && digits.is_empty() && email.is_empty() {
        errors.push(FieldError::new(
            "contact_link",
            "在消息中附查询链接：请先填写手机号码或电子邮箱".to_string(),
            "The status link in messages: give a mobile number or an e-mail address first"
                .to_string(),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(store::Contact {
        mobile: digits,
        email: email.to_string(),
        send_link,
    })
}

/// A message as sent: the subject (e-mail) and the text, Chinese then English, naming the
/// reference and — only when given — the status link.
pub fn text(kind: Kind, reference: &str, link: Option<&str>) -> (String, String) {
    let subject =
        format!("【苏锡通园区人才办】申请 {reference} 有新进展 / News of application {reference}");
    let see = match link {
        Some(l) => format!("查看 / See: {l}"),
        None => {
            "请通过提交申请时保存的查询链接查看。 / Open the status link you kept when you applied."
                .to_string()
        }
    };
    let body = format!(
        "【苏锡通园区人才办】申请 {reference}：{}\n{see}\n\nApplication {reference}: {}",
        kind.words(Lang::Zh),
        kind.words(Lang::En)
    );
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_names_the_reference_and_the_link_only_when_given() {
        let (subject, body) = text(Kind::Decided, "SXT-2026-000007", None);
        assert!(subject.contains("SXT-2026-000007") && body.contains("SXT-2026-000007"));
        assert!(body.contains("决定书") && !body.contains("http"));
        let (_, body) = text(
            Kind::Paid,
            "SXT-2026-000007",
            Some("https://x.test/status/abc"),
        );
        assert!(body.contains("https://x.test/status/abc"));
    }

    #[test]
    fn contact_details_are_optional_and_checked_when_given() {
        assert_eq!(
            read_contact("", "", false).unwrap(),
            store::Contact::default()
        );
        let c = read_contact("+86 138-0000-0000", " a.b@example.cn ", true).unwrap();
        assert_eq!(
            (c.mobile.as_str(), c.email.as_str(), c.send_link),
            ("13800000000", "a.b@example.cn", true)
        );
        let errors = read_contact("1380000", "a@b", false).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["contact_mobile", "contact_email"]);
        assert!(
            errors[0].message_zh.contains("11 位") && errors[0].message_en.contains("11 digits")
        );
        assert_eq!(
            read_contact("", "", true).unwrap_err()[0].field,
            "contact_link"
        );
        assert!(
            read_contact("", "x@y.cn\r\nBcc: z@w.cn", false).is_err(),
            "no header injection"
        );
    }

    #[test]
    fn every_kind_has_an_id_and_words() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_id(k.id()), Some(k));
            assert!(!k.words(Lang::Zh).is_empty() && !k.words(Lang::En).is_empty());
        }
    }
}
