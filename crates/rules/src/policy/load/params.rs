//! Sets and parameters: named values the rules use, resolved per version to constants.

use super::*;
use crate::policy::files::ParamDef;
use crate::units::Unit;

impl Loader {
    pub(super) fn sets(&mut self, sf: usize, shared: &SharedFile) -> HashMap<String, SetValue> {
        let mut sets: HashMap<String, SetValue> = HashMap::new();
        for s in &shared.sets {
            let name = s.id.get_ref().clone();
            if sets.contains_key(&name) || Var::from_name(&name).is_some() {
                self.d.error(
                    sf,
                    s.id.span().start,
                    Msg::new(
                        format!("集合 `{name}` 重复定义或与变量同名"),
                        format!("set `{name}` is defined twice or clashes with a variable"),
                    ),
                );
                continue;
            }
            if s.cite.is_some() {
                self.cite(sf, s.cite.as_ref(), None, 0);
            }
            let of = s.of.get_ref().as_str();
            let value = if of == "text" {
                let mut texts: Vec<Box<str>> = Vec::new();
                for inc in &s.include {
                    match sets.get(inc.get_ref()) {
                        Some(SetValue::Texts(t)) => texts.extend(t.iter().cloned()),
                        _ => self.d.error(
                            sf,
                            inc.span().start,
                            Msg::new(
                                format!("`{}` 不是上文定义的文本名单", inc.get_ref()),
                                format!("`{}` is not a text list defined above", inc.get_ref()),
                            ),
                        ),
                    }
                }
                texts.extend(s.values.iter().map(|v| Box::from(v.get_ref().trim())));
                SetValue::Texts(texts.into())
            } else if let Some(d) = domain_by_name(of) {
                let mut mask = 0u64;
                for inc in &s.include {
                    match sets.get(inc.get_ref()) {
                        Some(SetValue::Enum(d2, m)) if *d2 == d => mask |= m,
                        _ => self.d.error(
                            sf,
                            inc.span().start,
                            Msg::new(
                                format!("`{}` 不是上文定义的 {of} 集合", inc.get_ref()),
                                format!("`{}` is not a set of {of} defined above", inc.get_ref()),
                            ),
                        ),
                    }
                }
                for v in &s.values {
                    match d.index_of(v.get_ref()) {
                        Some(i) => mask |= 1 << i,
                        None => {
                            let ids: Vec<&str> = d.values().iter().map(|x| x.id).collect();
                            self.d.error(
                                sf,
                                v.span().start,
                                Msg::new(
                                    format!(
                                        "`{}` 不是 {of} 的取值（可选：{}）",
                                        v.get_ref(),
                                        ids.join(", ")
                                    ),
                                    format!(
                                        "`{}` is not a value of {of} (values: {})",
                                        v.get_ref(),
                                        ids.join(", ")
                                    ),
                                ),
                            );
                        }
                    }
                }
                SetValue::Enum(d, mask)
            } else {
                self.d.error(sf, s.of.span().start, Msg::new(format!("`of` 应为 `text` 或枚举：id_type、highest_degree、institution_tier、professional_title、honors、industry；不能是 `{of}`"), format!("`of` is `text` or an enumeration: id_type, highest_degree, institution_tier, professional_title, honors, industry; not `{of}`")));
                continue;
            };
            sets.insert(name, value);
        }
        sets
    }

    /// Resolves every parameter for version `vi` to a constant (a table by tier to one
    /// constant per entry), with its unit.
    pub(super) fn params(&mut self, vi: usize, read: &Read) -> Params {
        /// The most parameters a policy may define (the park's have about forty).
        const MAX_PARAMS: usize = 1_000;
        let (shared, docs, sets, tiers, sf) = (
            &read.shared.params[..],
            read.docs,
            &read.sets,
            &read.tier_ids[..],
            read.shared_file,
        );
        let mut out = Params::default();
        let all = shared.iter().map(|p| (sf, p)).chain(
            docs.iter()
                .flat_map(|(f, d)| d.params.iter().map(move |p| (*f, p))),
        );
        for (n, (file, p)) in all.enumerate() {
            if n == MAX_PARAMS {
                self.d.error(
                    file,
                    p.id.span().start,
                    Msg::new(
                        format!("参数过多：一套政策最多 {MAX_PARAMS} 个参数"),
                        format!("too many parameters: a policy has at most {MAX_PARAMS}"),
                    ),
                );
                break;
            }
            let name = p.id.get_ref();
            if out.contains(name)
                || sets.contains_key(name)
                || Var::from_name(name).is_some()
                || !is_id(name)
            {
                self.d.error(file, p.id.span().start, Msg::new(format!("参数 `{name}` 重复定义、与集合或变量同名，或不是小写编号"), format!("parameter `{name}` is defined twice, clashes with a set or variable, or is not a lower-case id")));
                continue;
            }
            if p.cite.is_some() {
                self.cite(file, p.cite.as_ref(), None, 0);
            }
            if p.zh.as_deref().is_none_or(|t| t.trim().is_empty())
                || p.en.as_deref().is_none_or(|t| t.trim().is_empty())
            {
                self.d.error(
                    file,
                    p.id.span().start,
                    Msg::new(
                        format!("参数 `{name}` 需要中文和英文名称（zh、en）：政策办的页面上显示的是名称"),
                        format!("parameter `{name}` needs a name in Chinese and English (zh, en): the policy office's pages show names"),
                    ),
                );
            }
            if let Some(u) = &p.unit {
                match Unit::parse(u.get_ref()) {
                    Some(unit) => {
                        out.units.insert(name.clone(), unit);
                    }
                    None => self.d.error(
                        file,
                        u.span().start,
                        Msg::new(
                            format!("`{}` 不是单位（可用：{}）", u.get_ref(), Unit::list()),
                            format!("`{}` is not a unit (units: {})", u.get_ref(), Unit::list()),
                        ),
                    ),
                }
            }
            match &p.by {
                None => {
                    if matches!(p.value.get_ref(), Versioned::Table(_)) {
                        self.d.error(
                            file,
                            p.value.span().start,
                            Msg::new(
                                "表中套表表示按层次取值：请加上 `by = \"tier\"`",
                                "a table of tables is a value per tier: add `by = \"tier\"`",
                            ),
                        );
                        continue;
                    }
                    if let Some(v) = self.constant(file, &p.value, vi, sets, tiers) {
                        out.values.insert(name.clone(), v);
                    }
                }
                Some(by) if by.get_ref() == "tier" => {
                    if let Some(table) = self.tier_table(file, p, vi, sets, tiers) {
                        out.tables.insert(name.clone(), table);
                    }
                }
                Some(by) => self.d.error(
                    file,
                    by.span().start,
                    Msg::new(
                        format!("`by` 只能是 `tier`，不能是 `{}`", by.get_ref()),
                        format!("`by` is `tier`, not `{}`", by.get_ref()),
                    ),
                ),
            }
        }
        out
    }

    /// A parameter's value by tier in version `vi`: every entry a tier id or `others`, each
    /// once, numbers of one type, and every tier (and no tier) covered.
    fn tier_table(
        &mut self,
        file: usize,
        p: &ParamDef,
        vi: usize,
        sets: &HashMap<String, SetValue>,
        tiers: &[Arc<str>],
    ) -> Option<crate::policy::compile::TierTable> {
        let Some(entries) = p.value.get_ref().keyed_entries() else {
            self.d.error(
                file,
                p.value.span().start,
                Msg::new(
                    "按层次取值的参数应写成表：value = { A = …, B = …, others = … }",
                    "a parameter by tier is a table: value = { A = …, B = …, others = … }",
                ),
            );
            return None;
        };
        let mut table: Vec<(Option<Arc<str>>, Val<'static>)> = Vec::new();
        let mut failed = false;
        for (key, value) in &entries {
            let k = key.get_ref().as_str();
            let tier = if k == "others" {
                None
            } else if let Some(t) = tiers.iter().find(|t| &***t == k) {
                Some(t.clone())
            } else {
                let ids: Vec<&str> = tiers.iter().map(|t| &**t).collect();
                self.d.error(
                    file,
                    key.span().start,
                    Msg::new(
                        format!(
                            "`{k}` 不是人才层次（层次：{}；其余层次用 `others`）",
                            ids.join(", ")
                        ),
                        format!(
                            "`{k}` is not a tier (tiers: {}, or `others` for the rest)",
                            ids.join(", ")
                        ),
                    ),
                );
                failed = true;
                continue;
            };
            if table.iter().any(|(t, _)| *t == tier) {
                self.d.error(
                    file,
                    key.span().start,
                    Msg::new(format!("`{k}` 重复给出"), format!("`{k}` is given twice")),
                );
                failed = true;
                continue;
            }
            match self.constant(file, value, vi, sets, tiers) {
                Some((v @ (Val::Num(_) | Val::Months(_)), _)) => table.push((tier, v)),
                Some(_) => {
                    self.d.error(
                        file,
                        value.span().start,
                        Msg::new(
                            "按层次取的值应为数字或月数",
                            "a value per tier is a number or a number of months",
                        ),
                    );
                    failed = true;
                }
                None => failed = true,
            }
        }
        if failed {
            return None;
        }
        if !table.iter().any(|(t, _)| t.is_none()) {
            let mut missing: Vec<&str> = tiers
                .iter()
                .filter(|t| !table.iter().any(|(k, _)| k.as_ref() == Some(*t)))
                .map(|t| &**t)
                .collect();
            missing.push("none");
            self.d.error(
                file,
                p.value.span().start,
                Msg::new(format!(
                    "层次 {} 没有取值：请逐一给出，或用 `others = …` 覆盖未列出的层次（及没有层次的人）",
                    missing.join(", ")
                ), format!(
                    "tiers {} are not covered: give each a value, or `others = …` for every tier not listed (and for a person with no tier)",
                    missing.join(", ")
                )),
            );
            return None;
        }
        let kinds: Vec<bool> = table
            .iter()
            .map(|(_, v)| matches!(v, Val::Num(_)))
            .collect();
        if kinds.iter().any(|k| *k != kinds[0]) {
            self.d.error(
                file,
                p.value.span().start,
                Msg::new(
                    "表中的值应为同一类：都是数字，或都是月数",
                    "every value of a table is of one kind: all numbers, or all numbers of months",
                ),
            );
            return None;
        }
        Some(table)
    }

    /// One constant: the value in force in version `vi`, read as a fixed value.
    fn constant(
        &mut self,
        file: usize,
        value: &Spanned<Versioned>,
        vi: usize,
        sets: &HashMap<String, SetValue>,
        tiers: &[Arc<str>],
    ) -> Option<(Val<'static>, Ty)> {
        let (text, span) = self.pick(file, value, vi)?;
        let empty = Params::default();
        let scope = Scope::fixed(&empty, sets, tiers);
        let node = parse(&text);
        let ty = match &node {
            Ok(n) => {
                let mut c = Checker {
                    scope: &scope,
                    problems: Vec::new(),
                };
                c.check(n, None)
                    .map(|(_, t)| t)
                    .filter(|_| c.problems.is_empty())
            }
            Err(_) => None,
        };
        let Some(ty) = ty else {
            self.expression(
                Located {
                    file,
                    span: span.clone(),
                    text: &text,
                },
                &scope,
                Ty::Num,
            );
            return None;
        };
        match self.expression(
            Located {
                file,
                span,
                text: &text,
            },
            &scope,
            ty,
        ) {
            Some(Expr::Const(v)) => Some((v, ty)),
            Some(_) => {
                self.d.error(file, value.span().start, Msg::new("参数是固定的值（数字、百分比、日期或月数），不能是依申请人信息计算的规则", "a parameter is a fixed value (a number, percentage, date or months), not a rule on the profile"));
                None
            }
            None => None,
        }
    }
}
