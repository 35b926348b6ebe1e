//! Reading `procedure.toml` into the [`Procedure`]: every step once, in the brief's order, with
//! a role that exists; whole yuan and whole working days within sensible bounds. A policy
//! folder without the file has the modelled procedure (the park's folder always has it).

use super::*;
use crate::policy::files::ProcedureFile;
use crate::procedure::{Procedure, ROLES, Step, StepId};

/// The procedure's file in the policy folder.
pub const PROCEDURE_FILE: &str = "procedure.toml";

impl Loader {
    /// The procedure, and the letters' settings its `[letters]` names (modelled without).
    pub(super) fn procedure(
        &mut self,
        src: &Source,
        names: &[String],
    ) -> (Procedure, crate::letters::Letters) {
        let modelled = || (Procedure::modelled(), crate::letters::Letters::modelled());
        if !names.iter().any(|n| n == PROCEDURE_FILE) {
            return modelled();
        }
        let Some((file, read)) = read_file::<ProcedureFile>(&mut self.d, src, PROCEDURE_FILE)
        else {
            return modelled();
        };
        let letters = match &read.letters {
            Some(def) => self.letter_settings(file, def),
            None => crate::letters::Letters::modelled(),
        };
        let days = |this: &mut Loader, v: &Spanned<i64>, most: i64| -> u32 {
            match u32::try_from(*v.get_ref()) {
                Ok(n) if n >= 1 && i64::from(n) <= most => n,
                _ => {
                    this.d.error(
                        file,
                        v.span().start,
                        Msg::new(
                            format!("应为 1 到 {most} 之间的整数（工作日）"),
                            format!("a whole number of working days from 1 to {most}"),
                        ),
                    );
                    1
                }
            }
        };
        let accept_days = days(self, &read.accept_days, 60);
        let decision_days = days(self, &read.decision_days, 120);
        let notice_days = days(self, &read.notice_days, 30);
        let threshold = *read.sign_off_from.get_ref();
        if threshold < 0 {
            self.d.error(
                file,
                read.sign_off_from.span().start,
                Msg::new(
                    "审批起点应为不小于 0 的整数元",
                    "the sign-off threshold: whole yuan, 0 or more",
                ),
            );
        }
        let mut steps: Vec<Step> = Vec::new();
        for (i, s) in read.step.iter().enumerate() {
            let at = s.id.span().start;
            let Some(id) = StepId::from_id(s.id.get_ref()) else {
                let known: Vec<&str> = StepId::ALL.iter().map(|x| x.id()).collect();
                self.d.error(
                    file,
                    at,
                    Msg::new(
                        format!(
                            "没有“{}”这一环节；环节为：{}",
                            s.id.get_ref(),
                            known.join("、")
                        ),
                        format!(
                            "no step `{}`; the steps are {}",
                            s.id.get_ref(),
                            known.join(", ")
                        ),
                    ),
                );
                continue;
            };
            if StepId::ALL.get(i) != Some(&id) {
                let expected = StepId::ALL.get(i).map_or("", |x| x.id());
                self.d.error(
                    file,
                    at,
                    Msg::new(
                        format!("第 {} 个环节应为“{expected}”：环节的顺序由办理流程规定，不能调换或省略", i + 1),
                        format!("step {} should be `{expected}`: the procedure fixes the steps' order; none is moved or left out", i + 1),
                    ),
                );
                continue;
            }
            let role = s.role.get_ref();
            if !ROLES.contains(&role.as_str()) {
                self.d.error(
                    file,
                    s.role.span().start,
                    Msg::new(
                        format!("没有“{role}”这一角色；可用：{}", ROLES.join("、")),
                        format!("no role `{role}`; the roles are {}", ROLES.join(", ")),
                    ),
                );
                continue;
            }
            if s.zh.trim().is_empty() || s.en.trim().is_empty() {
                self.d.error(
                    file,
                    at,
                    Msg::new(
                        "环节应有中文和英文名称",
                        "a step needs its Chinese and English names",
                    ),
                );
                continue;
            }
            steps.push(Step {
                id,
                zh: s.zh.clone(),
                en: s.en.clone(),
                role: role.clone(),
                other_officer: s.other_officer,
            });
        }
        if read.step.len() != StepId::ALL.len() && steps.len() == read.step.len() {
            let known: Vec<&str> = StepId::ALL.iter().map(|x| x.id()).collect();
            self.d.error(
                file,
                0,
                Msg::new(
                    format!(
                        "办理流程应依次列出 {} 个环节：{}",
                        known.len(),
                        known.join("、")
                    ),
                    format!(
                        "the procedure lists its {} steps in order: {}",
                        known.len(),
                        known.join(", ")
                    ),
                ),
            );
        }
        if steps.len() != StepId::ALL.len() {
            return (Procedure::modelled(), letters);
        }
        let procedure = Procedure {
            steps,
            sign_off_from: rust_decimal::Decimal::from(threshold.max(0)),
            accept_days,
            decision_days,
            notice_days,
            contact_zh: read.contact.zh.clone(),
            contact_en: read.contact.en.clone(),
        };
        (procedure, letters)
    }
}
