//! Sets and parameters: named values the rules use, resolved per version to constants.

use super::*;

impl Loader {
    pub(super) fn sets(&mut self, sf: usize, shared: &SharedFile) -> HashMap<String, SetValue> {
        let mut sets: HashMap<String, SetValue> = HashMap::new();
        for s in &shared.sets {
            let name = s.id.get_ref().clone();
            if sets.contains_key(&name) || Var::from_name(&name).is_some() {
                self.d.error(
                    sf,
                    s.id.span().start,
                    format!("set `{name}` is defined twice or clashes with a variable"),
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
                            format!("`{}` is not a text list defined above", inc.get_ref()),
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
                            format!("`{}` is not a set of {of} defined above", inc.get_ref()),
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
                                format!(
                                    "`{}` is not a value of {of} (values: {})",
                                    v.get_ref(),
                                    ids.join(", ")
                                ),
                            );
                        }
                    }
                }
                SetValue::Enum(d, mask)
            } else {
                self.d.error(sf, s.of.span().start, format!("`of` is `text` or an enumeration: id_type, highest_degree, institution_tier, professional_title, honors, industry; not `{of}`"));
                continue;
            };
            sets.insert(name, value);
        }
        sets
    }

    /// Resolves every parameter for version `vi` to a constant.
    pub(super) fn params(&mut self, vi: usize, read: &Read) -> Params {
        let (shared, docs, sets, tiers, sf) = (
            &read.shared.params[..],
            read.docs,
            &read.sets,
            &read.tier_ids[..],
            read.shared_file,
        );
        let mut out: HashMap<String, (Val<'static>, Ty)> = HashMap::new();
        let all = shared.iter().map(|p| (sf, p)).chain(
            docs.iter()
                .flat_map(|(f, d)| d.params.iter().map(move |p| (*f, p))),
        );
        for (file, p) in all {
            let name = p.id.get_ref();
            if out.contains_key(name)
                || sets.contains_key(name)
                || Var::from_name(name).is_some()
                || !is_id(name)
            {
                self.d.error(file, p.id.span().start, format!("parameter `{name}` is defined twice, clashes with a set or variable, or is not a lower-case id"));
                continue;
            }
            if p.cite.is_some() {
                self.cite(file, p.cite.as_ref(), None, 0);
            }
            let Some((text, span)) = self.pick(file, &p.value, vi) else {
                continue;
            };
            let empty = HashMap::new();
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
                continue;
            };
            match self.expression(Located { file, span, text: &text }, &scope, ty) {
                Some(Expr::Const(v)) => {
                    out.insert(name.clone(), (v, ty));
                }
                Some(_) => self.d.error(file, p.value.span().start, "a parameter is a fixed value (a number, percentage, date or months), not a rule on the profile"),
                None => {}
            }
        }
        out
    }
}
