//! Programs: each definition with the versions it is in force for, then compiled per version
//! (conditions, amount, review rule, installments).

use super::*;

impl Loader {
    /// Every program of every document, with its version range, in document order.
    pub(super) fn program_sources<'d>(
        &mut self,
        docs: &'d [(usize, DocumentFile)],
        versions: usize,
    ) -> Vec<ProgramSource<'d>> {
        // Programs, with their version range, in document order.
        let mut programs: Vec<ProgramSource> = Vec::new();
        for (f, doc) in docs {
            for p in &doc.programs {
                let first = self.version_ref(*f, p.since.as_ref()).unwrap_or(0);
                let last = self
                    .version_ref(*f, p.until.as_ref())
                    .unwrap_or(versions - 1);
                if programs
                    .iter()
                    .any(|q| q.def.id.get_ref() == p.id.get_ref())
                {
                    self.d.error(
                        *f,
                        p.id.span().start,
                        Msg::new(
                            format!("项目 `{}` 重复定义", p.id.get_ref()),
                            format!("program `{}` is defined twice", p.id.get_ref()),
                        ),
                    );
                }
                if !is_id(p.id.get_ref()) {
                    self.d.error(
                        *f,
                        p.id.span().start,
                        Msg::new(
                            "项目编号只能由小写字母、数字和 `_` 组成",
                            "a program id is lower-case letters, digits and `_`",
                        ),
                    );
                }
                programs.push(ProgramSource {
                    file: *f,
                    document: Arc::from(doc.id.get_ref().as_str()),
                    def: p,
                    first,
                    last,
                });
            }
        }
        programs
    }

    /// Every program a combining rule names exists.
    pub(super) fn check_combining_programs(
        &mut self,
        combining: Option<&(usize, CombiningFile)>,
        program_ids: &[Arc<str>],
    ) {
        if let Some((cf, c)) = combining {
            for r in c
                .exclusive_groups
                .iter()
                .flat_map(|g| &g.programs)
                .chain(c.caps.iter().flat_map(|c| &c.programs))
            {
                if !program_ids.iter().any(|p| **p == **r.get_ref()) {
                    self.d.error(
                        *cf,
                        r.span().start,
                        Msg::new(
                            format!("未知项目 `{}`", r.get_ref()),
                            format!("unknown program `{}`", r.get_ref()),
                        ),
                    );
                }
            }
        }
    }

    pub(super) fn rule_expr(
        &mut self,
        file: usize,
        r: &RuleDef,
        vi: usize,
        scope: &Scope,
    ) -> Option<(String, Expr)> {
        let (text, span) = self.pick(file, &r.when, vi)?;
        let e = self.expression(
            Located {
                file,
                span,
                text: &text,
            },
            scope,
            Ty::Bool,
        )?;
        Some((text.trim().to_string(), e))
    }

    pub(super) fn program(
        &mut self,
        vi: usize,
        ps: &ProgramSource,
        read: &Read,
        params: &Params,
        earlier: &[Arc<str>],
    ) -> Option<Program> {
        let (sets, tier_ids) = (&read.sets, &read.tier_ids[..]);
        let (f, p) = (ps.file, ps.def);
        let mut needs = Vec::new();
        for n in &p.needs {
            match Section::from_path(n.get_ref()) {
                Some(s) if !needs.contains(&s) => needs.push(s),
                _ => {
                    let all: Vec<&str> = Section::ALL.iter().map(|s| s.path()).collect();
                    self.d.error(f, n.span().start, Msg::new(format!("`{}` 不是项目可要求的部分，或重复列出（可用：{}）", n.get_ref(), all.join(", ")), format!("`{}` is not a section a program can need, or is listed twice (sections: {})", n.get_ref(), all.join(", "))));
                }
            }
        }
        let own_cite = p
            .cite
            .as_ref()
            .map(|c| self.cite(f, Some(c), None, c.span().start));
        let scope = Scope {
            earlier_programs: earlier,
            allow_first_time: true,
            allow_tier: true,
            sections: Some(&needs),
            ..Scope::fixed(params, sets, tier_ids)
        };
        let mut conditions = Vec::new();
        let mut ok = true;
        /// The most conditions one program may have (the park's have up to a dozen).
        const MAX_CONDITIONS: usize = 100;
        if let Some(c) = p.conditions.get(MAX_CONDITIONS) {
            self.d.error(
                f,
                c.id.span().start,
                Msg::new(
                    format!("条件过多：一个项目最多 {MAX_CONDITIONS} 个条件"),
                    format!("too many conditions: a program has at most {MAX_CONDITIONS}"),
                ),
            );
            return None;
        }
        for c in &p.conditions {
            if conditions
                .iter()
                .any(|x: &Condition| *x.id == **c.id.get_ref())
                || !is_id(c.id.get_ref())
            {
                self.d.error(
                    f,
                    c.id.span().start,
                    Msg::new(format!(
                        "条件编号 `{}` 在本项目中重复，或不是小写编号",
                        c.id.get_ref()
                    ), format!(
                        "condition id `{}` is used twice in this program or is not a lower-case id",
                        c.id.get_ref()
                    )),
                );
            }
            let cite = self.cite(f, c.cite.as_ref(), own_cite.as_ref(), c.id.span().start);
            let Some((source, expr)) = self.rule_expr(f, c, vi, &scope) else {
                ok = false;
                continue;
            };
            if c.actionable && !is_actionable_shape(&expr) {
                self.d.error(f, c.when.span().start, Msg::new("可改进的条件应是一个数字字段与门槛的比较（如 `startup.founder_equity_pct >= 30`），或一个是/否字段", "an actionable condition compares one number field of the profile with a threshold (`startup.founder_equity_pct >= 30`) or is one yes/no field"));
            }
            let mut lv = Vec::new();
            leaves(&expr, &mut lv);
            let proof = self.proof(f, c);
            conditions.push(Condition {
                id: Arc::from(c.id.get_ref().as_str()),
                zh: c.zh.clone(),
                en: c.en.clone(),
                cite,
                source,
                expr,
                actionable: c.actionable,
                leaves: lv,
                proof,
            });
        }
        if p.conditions.is_empty() {
            self.d.error(
                f,
                p.id.span().start,
                Msg::new(
                    "每个项目至少有一个条件",
                    "a program has at least one condition",
                ),
            );
        }
        if !self.materials.is_empty() && conditions.iter().all(|c| c.proof.is_empty()) {
            self.d.at(
                f,
                p.id.span().start,
                Severity::Warning,
                Msg::new(format!(
                    "项目 `{}` 的条件都没有写明证明材料：申报材料清单为空",
                    p.id.get_ref()
                ), format!(
                    "program `{}` names no material that proves any of its conditions: its checklist is empty",
                    p.id.get_ref()
                )),
            );
        }

        let a = &p.amount;
        let amount_cite = self.cite(f, a.cite.as_ref(), own_cite.as_ref(), p.id.span().start);
        let amount = self.pick(f, &a.value, vi).and_then(|(text, span)| {
            self.describes(f, [&a.zh, &a.en], &text, params);
            let e = self.expression(
                Located {
                    file: f,
                    span,
                    text: &text,
                },
                &scope,
                Ty::Num,
            )?;
            Some(Amount {
                zh: a.zh.get_ref().clone(),
                en: a.en.get_ref().clone(),
                cite: amount_cite,
                source: text.trim().to_string(),
                expr: e,
            })
        });

        let review = match &p.review {
            None => Some(None),
            Some(r) => {
                let cite = self.cite(f, r.cite.as_ref(), own_cite.as_ref(), p.id.span().start);
                let review_scope = Scope {
                    allow_amount: true,
                    allow_first_time: false,
                    ..scope
                };
                self.pick(f, &r.when, vi).and_then(|(text, span)| {
                    self.describes(f, [&r.zh, &r.en], &text, params);
                    let e = self.expression(
                        Located {
                            file: f,
                            span,
                            text: &text,
                        },
                        &review_scope,
                        Ty::Bool,
                    )?;
                    Some(Some(Review {
                        zh: r.zh.get_ref().clone(),
                        en: r.en.get_ref().clone(),
                        cite,
                        source: text.trim().to_string(),
                        when: e,
                    }))
                })
            }
        };

        let mut installments = Vec::new();
        let (mut num, mut den) = (0i128, 1i128);
        for i in &p.installments {
            let after_months = match &i.after {
                None => Some(None),
                Some(a) => match months(a.get_ref()) {
                    Some(m) => Some(Some(m)),
                    None => {
                        self.d.error(
                            f,
                            a.span().start,
                            Msg::new("`after` 是批准后的整月数或整年数，如 \"12 months\" 或 \"2 years\"（最多 600 个月）", "`after` is a whole number of months or years after approval, such as \"12 months\" or \"2 years\" (at most 600 months)"),
                        );
                        None
                    }
                },
            };
            match (share(i.share.get_ref()), after_months) {
                (Some((n, d)), Some(after_months)) => {
                    num = num * i128::from(d) + i128::from(n) * den;
                    den *= i128::from(d);
                    installments.push(Installment {
                        share: scalar_text(i.share.get_ref()).trim().to_string(),
                        numerator: n,
                        denominator: d,
                        zh: i.zh.clone(),
                        en: i.en.clone(),
                        after_months,
                    });
                }
                (Some(_), None) => {}
                (None, _) => self.d.error(f, i.share.span().start, Msg::new("比例应为分数（如 \"1/3\"）、百分比（如 \"40%\"）或小数（如 \"0.5\"），大于 0 且不超过 1", "a share is a fraction such as \"1/3\", a percentage such as \"40%\", or a decimal such as \"0.5\", above 0 and at most 1")),
            }
        }
        if installments.len() == p.installments.len() && num != den {
            let at = p
                .installments
                .first()
                .map_or(p.id.span().start, |i| i.share.span().start);
            self.d.error(
                f,
                at,
                Msg::new(
                    format!(
                        "`{}` 各期拨付比例合计为 {num}/{den}，不等于 1",
                        p.id.get_ref()
                    ),
                    format!(
                        "the installment shares of `{}` add up to {num}/{den}, not exactly 1",
                        p.id.get_ref()
                    ),
                ),
            );
        }
        if p.installments.is_empty() {
            self.d.error(
                f,
                p.id.span().start,
                Msg::new(
                    "每个项目至少有一期拨付 [[program.installment]]",
                    "a program has at least one [[program.installment]]",
                ),
            );
        }

        if !ok {
            return None;
        }
        Some(Program {
            id: Arc::from(p.id.get_ref().as_str()),
            document: ps.document.clone(),
            zh: p.zh.clone(),
            en: p.en.clone(),
            needs,
            conditions,
            amount: amount?,
            review: review?,
            installments,
            json_parts: Default::default(),
        })
    }
}

/// `"12 months"`, `"1 month"`, `"2 years"`, `"1 year"` (also `个月`, `年`) as months.
fn months(text: &str) -> Option<u32> {
    let t = text.trim();
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let n: u32 = t[..digits].parse().ok()?;
    let unit = t[digits..].trim();
    let m = match unit {
        "month" | "months" | "个月" => n,
        "year" | "years" | "年" => n.checked_mul(12)?,
        _ => return None,
    };
    (m <= 600).then_some(m)
}

#[cfg(test)]
mod tests {
    use super::months;

    #[test]
    fn offsets_read_in_months_or_years() {
        assert_eq!(months("12 months"), Some(12));
        assert_eq!(months(" 0 months "), Some(0));
        assert_eq!(months("2 years"), Some(24));
        assert_eq!(months("1 year"), Some(12));
        assert_eq!(months("6个月"), Some(6));
        assert_eq!(months("12"), None);
        assert_eq!(months("twelve months"), None);
        assert_eq!(months("-1 months"), None);
        assert_eq!(months("51 years"), None);
        assert_eq!(months("99999999999 months"), None);
    }
}
