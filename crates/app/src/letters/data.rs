//! The data a letter names, in one language: its running data (dates in words, money, the
//! remedies, the payee and masked account) and its tables (补正清单, 资助项目, 不予资助项目,
//! 拨付明细, 审批记录). Every name a kind admits gets a value here ("not recorded" where the
//! case has none).

use super::{Owed, day_words};
use crate::case::Case;
use crate::case::registration;
use rules::input::Lang;
use rules::letters::LetterKind;
use rules::policy::Policy;
use rules::words::yuan;
use rust_decimal::Decimal;
use std::collections::HashMap;

fn money(d: &Decimal, lang: Lang) -> String {
    if lang.en() {
        yuan(d)
    } else {
        format!("{}元", rules::words::grouped(d))
    }
}

type Table = (Vec<String>, Vec<Vec<String>>);

/// What a letter names: its running data and its tables, in one language.
pub(super) struct Data {
    pub(super) fields: HashMap<&'static str, String>,
    pub(super) tables: HashMap<&'static str, Table>,
}

impl Data {
    pub(super) fn of(
        policy: &Policy,
        app: &store::Application,
        case: &Case,
        o: &Owed,
        number: &str,
        lang: Lang,
    ) -> Data {
        let l = lang;
        let letters = &policy.letters;
        let a = &app.summary;
        let not_recorded = || l.t("未记录", "not recorded").to_string();
        let submitted = store::parse_day(a.submitted_at.get(..10).unwrap_or_default());
        let mut fields: HashMap<&'static str, String> = HashMap::new();
        fields.insert("文号", number.to_string());
        fields.insert("日期", day_words(o.day, l));
        fields.insert("申请编号", a.reference.clone());
        fields.insert("申请人", a.applicant_name.clone());
        fields.insert(
            "提交日期",
            submitted.map_or_else(not_recorded, |d| day_words(d, l)),
        );
        fields.insert(
            "发文机关",
            l.t(&letters.office_zh, &letters.office_en).to_string(),
        );
        fields.insert(
            "联系方式",
            l.t(&policy.procedure.contact_zh, &policy.procedure.contact_en)
                .to_string(),
        );
        let event = case
            .events
            .iter()
            .find(|e| o.source == format!("e{}", e.id));
        let note = event.map(|e| e.note.trim().to_string()).unwrap_or_default();
        let mut tables = HashMap::new();
        if matches!(o.kind, LetterKind::NotAccepted | LetterKind::Refusal) {
            fields.insert(
                "复议机关",
                l.t(&letters.review_body_zh, &letters.review_body_en)
                    .to_string(),
            );
            fields.insert(
                "复议期限",
                if l.en() {
                    format!("{} days", letters.review_days)
                } else {
                    format!("{}日", letters.review_days)
                },
            );
            fields.insert(
                "诉讼法院",
                l.t(&letters.court_zh, &letters.court_en).to_string(),
            );
            fields.insert(
                "诉讼期限",
                if l.en() {
                    format!("{} months", letters.suit_months)
                } else {
                    format!("{}个月", letters.suit_months)
                },
            );
        }
        match o.kind {
            LetterKind::Accept => {
                let accepted = a.accepted_on.unwrap_or(o.day);
                fields.insert("受理日期", day_words(accepted, l));
                let days = policy.procedure.decision_days;
                fields.insert(
                    "决定期限",
                    policy
                        .calendar
                        .add_working_days(accepted, days)
                        .map_or_else(
                            || {
                                if l.en() {
                                    format!("within {days} working days of acceptance")
                                } else {
                                    format!("受理之日起{days}个工作日内")
                                }
                            },
                            |d| day_words(d, l),
                        ),
                );
            }
            LetterKind::Correction => {
                fields.insert("补正说明", note);
                let days = letters.reply_days;
                fields.insert(
                    "补正期限",
                    policy.calendar.add_working_days(o.day, days).map_or_else(
                        || {
                            if l.en() {
                                format!("within {days} working days of this request")
                            } else {
                                format!("本通知书送达之日起{days}个工作日内")
                            }
                        },
                        |d| day_words(d, l),
                    ),
                );
                let rows = a
                    .missing_materials
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        let material = policy.materials.iter().find(|x| *x.id == **m);
                        vec![
                            (i + 1).to_string(),
                            material.map_or_else(|| m.clone(), |x| l.t(&x.zh, &x.en).to_string()),
                            material.map_or_else(String::new, |x| {
                                l.t(&x.what_zh, &x.what_en).to_string()
                            }),
                        ]
                    })
                    .collect();
                tables.insert(
                    "补正清单",
                    (
                        vec![
                            l.t("序号", "No.").into(),
                            l.t("材料", "Material").into(),
                            l.t("要求", "What it must show").into(),
                        ],
                        rows,
                    ),
                );
            }
            LetterKind::NotAccepted => {
                fields.insert(
                    "不予受理理由",
                    if note.is_empty() {
                        not_recorded()
                    } else {
                        note
                    },
                );
            }
            LetterKind::Grant => {
                let total: Decimal = case.approved_total();
                fields.insert("批准总额", money(&total, l));
                fields.insert(
                    "公示期间",
                    case.notice.as_ref().map_or_else(not_recorded, |n| {
                        format!(
                            "{}{}{}",
                            day_words(n.first_day, l),
                            l.t("至", " to "),
                            day_words(n.last_day, l)
                        )
                    }),
                );
                tables.insert("资助项目", grant_table(app, case, l));
            }
            LetterKind::Refusal => {
                tables.insert("不予资助项目", refusal_table(policy, app, case, l));
            }
            LetterKind::Payment => {
                let payment = case.payments.iter().find(|p| o.source == registration(p));
                let program = payment.map(|p| p.program.as_str()).unwrap_or_default();
                let agreement = case.agreements.iter().find(|g| g.program == program);
                fields.insert("收款人", payee(policy, app, program));
                fields.insert(
                    "开户银行",
                    agreement.map_or_else(not_recorded, |g| g.bank_name.clone()),
                );
                fields.insert(
                    "收款账号",
                    agreement.map_or_else(not_recorded, |g| g.account_masked()),
                );
                fields.insert(
                    "本次拨付金额",
                    payment.map_or_else(not_recorded, |p| money(&p.amount, l)),
                );
                if let Some(p) = payment {
                    tables.insert(
                        "拨付明细",
                        (
                            vec![
                                l.t("项目", "Program").into(),
                                l.t("期次", "Installment").into(),
                                l.t("金额", "Amount").into(),
                                l.t("拨付条件", "Paid when").into(),
                                l.t("登记日期", "Registered").into(),
                            ],
                            vec![vec![
                                program_name(app, program, l),
                                if l.en() {
                                    format!("No. {}", p.seq)
                                } else {
                                    format!("第{}期", p.seq)
                                },
                                money(&p.amount, l),
                                l.t(&p.trigger_zh, &p.trigger_en).to_string(),
                                day_words(o.day, l),
                            ]],
                        ),
                    );
                }
                tables.insert("审批记录", chain_table(case, a.review_round, o, l));
            }
        }
        Data { fields, tables }
    }
}

/// A program's name as the saved result gives it.
fn program_name(app: &store::Application, program: &str, l: Lang) -> String {
    crate::stored::StoredResult::parse(&app.result)
        .and_then(|r| r.programs.into_iter().find(|p| p.id == program))
        .map_or_else(
            || program.to_string(),
            |p| l.t(&p.name_zh, &p.name_en).to_string(),
        )
}

/// Who is paid: the company for a program of its startup, else the applicant.
fn payee(policy: &Policy, app: &store::Application, program: &str) -> String {
    let startup = policy.versions.iter().any(|v| {
        v.rules.programs.iter().any(|p| {
            &*p.id == program && p.needs.contains(&rules::policy::fields::Section::Startup)
        })
    });
    let profile: serde_json::Value = serde_json::from_str(&app.profile).unwrap_or_default();
    let company = profile
        .pointer("/startup/company_name")
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty());
    match company {
        Some(c) if startup => c.to_string(),
        _ => app.summary.applicant_name.clone(),
    }
}

fn grant_table(app: &store::Application, case: &Case, l: Lang) -> Table {
    let rows = case
        .decisions
        .iter()
        .filter(|d| d.approved)
        .map(|d| {
            let installments: Vec<String> = case
                .payments
                .iter()
                .filter(|p| p.program == d.program)
                .map(|p| {
                    if l.en() {
                        format!("{}: {}", money(&p.amount, l), p.trigger_en)
                    } else {
                        format!("{}：{}", money(&p.amount, l), p.trigger_zh)
                    }
                })
                .collect();
            vec![
                program_name(app, &d.program, l),
                money(&d.amount, l),
                if installments.is_empty() {
                    l.t("一次拨付", "paid at once").to_string()
                } else {
                    installments.join(l.t("；", "; "))
                },
            ]
        })
        .collect();
    (
        vec![
            l.t("资助项目", "Program").into(),
            l.t("资助金额", "Amount").into(),
            l.t("分期拨付及条件", "Installments and when each is paid")
                .into(),
        ],
        rows,
    )
}

/// Each refused program: the officer's reason, the conditions found not met (by the check
/// of the materials, or by the assessment) with their articles.
fn refusal_table(policy: &Policy, app: &store::Application, case: &Case, l: Lang) -> Table {
    let result: serde_json::Value = serde_json::from_str(&app.result).unwrap_or_default();
    let rows = case
        .decisions
        .iter()
        .filter(|d| !d.approved)
        .map(|d| {
            let reviewed = crate::service::casework::reviewed_program(
                policy,
                &app.summary.policy_version,
                &d.program,
            );
            let unmet_in_result = |cid: &str| {
                result
                    .get("programs")
                    .and_then(|p| p.as_array())
                    .into_iter()
                    .flatten()
                    .filter(|p| p.get("id").and_then(|v| v.as_str()) == Some(&d.program))
                    .flat_map(|p| {
                        p.get("conditions")
                            .and_then(|c| c.as_array())
                            .into_iter()
                            .flatten()
                    })
                    .any(|c| {
                        c.get("id").and_then(|v| v.as_str()) == Some(cid)
                            && c.get("met").and_then(|v| v.as_bool()) == Some(false)
                    })
            };
            let mut reasons = Vec::new();
            let mut articles = Vec::new();
            if let Some(r) = &reviewed {
                for (c, _) in &r.conditions {
                    let failed = case.check(&d.program, &c.id) == Some(store::Check::Failed)
                        || unmet_in_result(&c.id);
                    if failed {
                        reasons.push(format!(
                            "{}{}",
                            l.t("不符合：", "Not met: "),
                            l.t(&c.zh, &c.en)
                        ));
                        let article = rules::words::citation(policy, &c.cite, l);
                        if !articles.contains(&article) {
                            articles.push(article);
                        }
                    }
                }
                if articles.is_empty() {
                    articles.push(rules::words::citation(policy, &r.program.amount.cite, l));
                }
            }
            let reason = d.reason.trim();
            if !reason.is_empty() {
                reasons.insert(0, reason.to_string());
            }
            if reasons.is_empty() {
                reasons.push(not_met_words(l));
            }
            vec![
                program_name(app, &d.program, l),
                reasons.join(l.t("；", "; ")),
                articles.join(l.t("；", "; ")),
            ]
        })
        .collect();
    (
        vec![
            l.t("项目", "Program").into(),
            l.t("理由", "Reasons").into(),
            l.t("依据", "Articles").into(),
        ],
        rows,
    )
}

fn not_met_words(l: Lang) -> String {
    l.t(
        "经审核不符合资助条件",
        "The conditions for funding are not met",
    )
    .into()
}

/// How the case was decided: each review step's officer and day, the notice, the payment.
fn chain_table(case: &Case, round: i64, o: &Owed, l: Lang) -> Table {
    let mut rows: Vec<Vec<String>> = case
        .signers
        .iter()
        .filter(|s| s.round == round)
        .map(|s| {
            let step = match s.step {
                store::Signed::FirstReview => l.t("初审", "First review"),
                store::Signed::SecondReview => l.t("复审", "Second review"),
                store::Signed::SignOff => l.t("审批", "Sign-off"),
            };
            vec![
                step.to_string(),
                s.actor.clone(),
                store::parse_day(s.at.get(..10).unwrap_or_default())
                    .map_or_else(String::new, |d| day_words(d, l)),
            ]
        })
        .collect();
    if let Some(n) = &case.notice {
        rows.push(vec![
            l.t("公示", "Public notice").into(),
            l.t("期满无异议", "passed, no objection upheld").into(),
            format!(
                "{}{}{}",
                day_words(n.first_day, l),
                l.t("至", " to "),
                day_words(n.last_day, l)
            ),
        ]);
    }
    rows.push(vec![
        l.t("拨付登记", "Payment registered").into(),
        o.actor.clone(),
        day_words(o.day, l),
    ]);
    (
        vec![
            l.t("环节", "Step").into(),
            l.t("经办人", "Officer").into(),
            l.t("日期", "Date").into(),
        ],
        rows,
    )
}
