//! One version's rules: its talent tiers, its programs, and the combining rules (no double
//! funding, caps).

use super::*;

impl Loader {
    pub(super) fn rules(&mut self, vi: usize, read: &Read, params: &Params) -> Rules {
        let (sf, shared, programs, sets, tier_ids, combining) = (
            read.shared_file,
            read.shared,
            &read.programs[..],
            &read.sets,
            &read.tier_ids[..],
            read.combining,
        );
        // Talent tiers: rows may not use the tier itself.
        let tier_scope = Scope {
            sections: None,
            ..Scope::fixed(params, sets, tier_ids)
        };
        let mut tiers = Vec::new();
        for t in &shared.tiers {
            let mut rows = Vec::new();
            for r in &t.rows {
                let cite = self.cite(sf, r.cite.as_ref(), None, r.id.span().start);
                // A tier row's proof is checked like a condition's (the checklist follows the
                // programs' conditions, which name the same materials).
                self.proof(sf, r);
                if let Some((source, when)) = self.rule_expr(sf, r, vi, &tier_scope) {
                    rows.push(TierRow {
                        id: Arc::from(r.id.get_ref().as_str()),
                        zh: r.zh.clone(),
                        en: r.en.clone(),
                        cite,
                        source,
                        when,
                    });
                }
            }
            tiers.push(Tier {
                id: Arc::from(t.id.get_ref().as_str()),
                zh: t.zh.clone(),
                en: t.en.clone(),
                rows,
            });
        }

        let mut compiled: Vec<Program> = Vec::new();
        let mut in_force: Vec<Arc<str>> = Vec::new();
        for ps in programs.iter().filter(|p| (p.first..=p.last).contains(&vi)) {
            if let Some(p) = self.program(vi, ps, read, params, &in_force) {
                in_force.push(p.id.clone());
                compiled.push(p);
            }
        }

        let mut exclusive_groups = Vec::new();
        let mut caps = Vec::new();
        if let Some((cf, c)) = combining {
            let index = |ids: &[Text]| -> Vec<usize> {
                ids.iter()
                    .filter_map(|r| compiled.iter().position(|p| *p.id == **r.get_ref()))
                    .collect()
            };
            for g in &c.exclusive_groups {
                let cite = self.cite(*cf, g.cite.as_ref(), None, g.id.span().start);
                if g.programs.len() < 2 {
                    self.d.error(
                        *cf,
                        g.id.span().start,
                        Msg::new(
                            "不重复资助的一组至少列出两个项目",
                            "a no-double-funding group names at least two programs",
                        ),
                    );
                }
                exclusive_groups.push(ExclusiveGroup {
                    id: Arc::from(g.id.get_ref().as_str()),
                    zh: g.zh.clone(),
                    en: g.en.clone(),
                    cite,
                    programs: index(&g.programs),
                });
            }
            for cap in &c.caps {
                let cite = self.cite(*cf, cap.cite.as_ref(), None, cap.id.span().start);
                let programs = match (cap.all_programs, cap.programs.is_empty()) {
                    (true, true) => (0..compiled.len()).collect(),
                    (false, false) => index(&cap.programs),
                    _ => {
                        self.d.error(
                            *cf,
                            cap.id.span().start,
                            Msg::new("上限要么列出 `programs`，要么写 `all_programs = true`，不能两者都写", "a cap lists its `programs` or sets `all_programs = true`, not both"),
                        );
                        Vec::new()
                    }
                };
                let scope = Scope::fixed(params, sets, tier_ids);
                let Some((text, span)) = self.pick(*cf, &cap.max, vi) else {
                    continue;
                };
                let max = match self.expression(
                    Located {
                        file: *cf,
                        span,
                        text: &text,
                    },
                    &scope,
                    Ty::Num,
                ) {
                    Some(Expr::Const(Val::Num(n))) if n >= rust_decimal::Decimal::ZERO => n,
                    Some(_) => {
                        self.d.error(
                            *cf,
                            cap.max.span().start,
                            Msg::new(
                                "上限应为不小于 0 的固定金额",
                                "a cap is a fixed amount of 0 or more",
                            ),
                        );
                        continue;
                    }
                    None => continue,
                };
                caps.push(Cap {
                    id: Arc::from(cap.id.get_ref().as_str()),
                    zh: cap.zh.clone(),
                    en: cap.en.clone(),
                    cite,
                    programs,
                    max,
                });
            }
        }
        let mut parameters: Vec<(Arc<str>, Val<'static>)> = params
            .values
            .iter()
            .map(|(k, (v, _))| (Arc::from(k.as_str()), *v))
            .chain(params.tables.iter().flat_map(|(k, entries)| {
                entries.iter().map(move |(t, v)| {
                    let key = t.as_deref().unwrap_or("others");
                    (Arc::from(format!("{k}[{key}]").as_str()), *v)
                })
            }))
            .collect();
        parameters.sort_by(|a, b| a.0.cmp(&b.0));
        Rules {
            parameters,
            tiers,
            programs: compiled,
            exclusive_groups,
            caps,
        }
    }

    /// The tier ids, each once (`none` is reserved).
    pub(super) fn tier_ids(&mut self, sf: usize, shared: &SharedFile) -> Vec<Arc<str>> {
        let tier_ids: Vec<Arc<str>> = shared
            .tiers
            .iter()
            .map(|t| Arc::from(t.id.get_ref().as_str()))
            .collect();
        for (i, t) in shared.tiers.iter().enumerate() {
            if tier_ids[..i].contains(&tier_ids[i]) || &*tier_ids[i] == "none" {
                self.d.error(
                    sf,
                    t.id.span().start,
                    Msg::new(
                        format!("层次编号 `{}` 重复或为保留字", t.id.get_ref()),
                        format!("tier id `{}` is used twice or reserved", t.id.get_ref()),
                    ),
                );
            }
        }
        tier_ids
    }
}
