//! What the procedure's forms must hold (a funding agreement, an objection), every problem at
//! once, each naming its field in both languages.

use crate::refusal::NOTE_LIMIT;
use chrono::NaiveDate;
use rules::Msg;

/// What a funding agreement's form must hold: the day signed (today or earlier), the bank (2 to
/// 60 characters) and the account (8 to 32 digits, spaces and dashes allowed). The day read, or
/// every problem.
pub fn agreement_problems(
    signed_on: &str,
    bank: &str,
    account: &str,
    today: NaiveDate,
) -> Result<NaiveDate, Vec<Msg>> {
    let mut out = Vec::new();
    let day = rules::applicant::parse_date(signed_on.trim()).filter(|d| *d <= today);
    if day.is_none() {
        out.push(Msg::new(
            "签订日期：应为不晚于今天的日期（YYYY-MM-DD）",
            "Signed on: a date no later than today (YYYY-MM-DD)",
        ));
    }
    let bank = bank.trim();
    if !(2..=60).contains(&bank.chars().count())
        || rules::applicant::unsafe_text(bank, false).is_some()
    {
        out.push(Msg::new(
            "开户银行：请填写开户行名称（2 到 60 个字）",
            "Bank: the bank's name (2 to 60 characters)",
        ));
    }
    let digits = account.chars().filter(char::is_ascii_digit).count();
    if !account
        .trim()
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
        || !(8..=32).contains(&digits)
    {
        out.push(Msg::new(
            "收款账号：应为 8 到 32 位数字",
            "Account: 8 to 32 digits",
        ));
    }
    match (day, out.is_empty()) {
        (Some(d), true) => Ok(d),
        _ => Err(out),
    }
}

/// What an objection form must hold, each problem naming its field: a real name (2 to 30
/// letters; "匿名", "anonymous" and the like are refused: anonymous objections are not taken),
/// a phone number (7 to 15 digits, with `+`, `-`, spaces or brackets), and a statement (at most
/// `NOTE_LIMIT` characters). Every problem at once.
pub fn objection_problems(name: &str, phone: &str, statement: &str) -> Vec<Msg> {
    let mut out = Vec::new();
    let name = name.trim();
    let letters = name.chars().count();
    let anonymous = [
        "匿名",
        "无名",
        "不愿透露",
        "anonymous",
        "anon",
        "none",
        "n/a",
    ]
    .iter()
    .any(|a| name.to_lowercase().contains(a));
    if name.is_empty() || anonymous {
        out.push(Msg::new(
            "真实姓名：请填写您的真实姓名，匿名异议不予受理",
            "Real name: give your real name; anonymous objections are not accepted",
        ));
    } else if !(2..=30).contains(&letters)
        || !name
            .chars()
            .all(|c| c.is_alphabetic() || c == '·' || c == ' ' || c == '.' || c == '-')
    {
        out.push(Msg::new(
            "真实姓名：应为 2 到 30 个字，只含文字",
            "Real name: 2 to 30 letters, nothing else",
        ));
    }
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let phone_ok = phone
        .trim()
        .chars()
        .all(|c| c.is_ascii_digit() || "+- ()".contains(c));
    if phone.trim().is_empty() || !phone_ok || !(7..=15).contains(&digits) {
        out.push(Msg::new(
            "联系电话：请填写可以联系到您的电话号码（7 到 15 位数字）",
            "Phone: a number we can reach you on (7 to 15 digits)",
        ));
    }
    let statement = statement.trim();
    if statement.is_empty() {
        out.push(Msg::new(
            "异议内容：请写明对哪一项公示内容有何异议及理由",
            "Objection: say what on the notice you object to, and why",
        ));
    } else if statement.chars().count() > NOTE_LIMIT {
        out.push(Msg::new(
            format!("异议内容：最多 {} 字", NOTE_LIMIT),
            format!("Objection: at most {} characters", NOTE_LIMIT),
        ));
    } else if let Some(p) = rules::applicant::unsafe_text(statement, true) {
        out.push(Msg::new(
            format!("异议内容：{}", p.zh),
            format!("Objection: {}", p.en),
        ));
    }
    out
}
