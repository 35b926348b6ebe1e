//! The checks made once a version is compiled: the numbers each description may carry (it
//! may name only numbers its rule uses) and the tier rows no profile can reach.

use super::*;

impl Loader {
    /// Notes the numbers a rule uses in one version, for the check of its descriptions.
    pub(super) fn describes(
        &mut self,
        file: usize,
        texts: [&Text; 2],
        rule: &str,
        params: &Params,
    ) {
        let mut allowed = Vec::new();
        let parsed = parse(rule);
        if let Ok(node) = &parsed {
            crate::policy::describe::used(node, params, &mut allowed);
        }
        let unread = parsed.is_err();
        let at = texts[0].span().start;
        match self
            .described
            .iter_mut()
            .find(|d| d.file == file && d.texts[0].span().start == at)
        {
            Some(d) => {
                d.allowed.extend(allowed);
                d.unread |= unread;
            }
            None => self.described.push(Described {
                file,
                texts: [texts[0].clone(), texts[1].clone()],
                allowed,
                unread,
            }),
        }
    }

    /// Every number in a description must be one its rule uses (see `describe`).
    pub(super) fn check_descriptions(&mut self, years: &[rust_decimal::Decimal]) {
        for d in std::mem::take(&mut self.described) {
            if d.unread {
                continue;
            }
            for text in &d.texts {
                let origin = self.d.files[d.file]
                    .string_content_start(&text.span(), text.get_ref())
                    .unwrap_or(text.span().start);
                for w in crate::policy::describe::numbers(text.get_ref()) {
                    if crate::policy::describe::matches(&w, &d.allowed, years) {
                        continue;
                    }
                    let severity = if self.draft {
                        Severity::Warning
                    } else {
                        Severity::Error
                    };
                    self.d.at(
                        d.file,
                        origin + w.at,
                        severity,
                        Msg::new(
                            format!(
                                "说明中的“{}”不是这条规则所用的数值（既不是规则中的数字，也不是它读取的参数在任何版本中的值）：请按现行参数改正说明",
                                w.text
                            ),
                            format!(
                                "“{}” in this description is not a number the rule uses (neither a number in the rule nor a value of a parameter it reads, in any version): correct the description to the parameters in force",
                                w.text
                            ),
                        ),
                    );
                }
            }
        }
    }

    /// Warns about tier rows no profile can reach (the policy still loads).
    pub(super) fn warn_unreachable_rows(
        &mut self,
        sf: usize,
        shared: &SharedFile,
        compiled: &[Version],
    ) {
        for (vi, v) in compiled.iter().enumerate() {
            for w in crate::policy::analysis::unreachable_tier_rows(&v.rules) {
                let row = shared
                    .tiers
                    .iter()
                    .flat_map(|t| &t.rows)
                    .find(|r| **r.id.get_ref() == *w.row);
                let at = row.map_or(0, |r| r.id.span().start);
                self.d.at(
                    sf,
                    at,
                    Severity::Warning,
                    Msg::new(
                        format!(
                            "层次规则 `{}` 在版本 {} 中永远不会成立：{}",
                            w.row, self.version_ids[vi], w.reason
                        ),
                        format!(
                            "tier row `{}` can never match in version {}: {}",
                            w.row, self.version_ids[vi], w.reason
                        ),
                    ),
                );
            }
        }
    }
}
