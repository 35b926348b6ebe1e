//! The materials (申报材料): each with a unique id, known file kinds and a citation, and the
//! materials a rule's conditions need as proof.

use super::*;

impl Loader {
    /// Reads the materials: ids unique, file kinds known, each with a citation.
    pub(super) fn materials(&mut self, sf: usize, shared: &SharedFile) {
        const KINDS: [&str; 3] = ["pdf", "jpeg", "png"];
        for m in &shared.materials {
            let id = m.id.get_ref();
            if !is_id(id) || self.materials.iter().any(|x| *x.id == **id) {
                self.d.error(
                    sf,
                    m.id.span().start,
                    Msg::new(
                        format!("材料编号 `{id}` 重复，或不是小写编号"),
                        format!("material id `{id}` is used twice or is not a lower-case id"),
                    ),
                );
            }
            for f in &m.files {
                if !KINDS.contains(&f.get_ref().as_str()) {
                    self.d.error(
                        sf,
                        f.span().start,
                        Msg::new(
                            format!(
                                "`{}` 不是本服务接受的文件类型（可用：{}）",
                                f.get_ref(),
                                KINDS.join(", ")
                            ),
                            format!(
                                "`{}` is not a file kind the service accepts (kinds: {})",
                                f.get_ref(),
                                KINDS.join(", ")
                            ),
                        ),
                    );
                }
            }
            if m.files.is_empty() {
                self.d.error(
                    sf,
                    m.id.span().start,
                    Msg::new(
                        "申报材料至少接受一种文件类型",
                        "a material accepts at least one file kind",
                    ),
                );
            }
            let cite = self.cite(sf, m.cite.as_ref(), None, m.id.span().start);
            let mut shows = Vec::new();
            for f in &m.shows {
                match crate::policy::fields::field_index(f.get_ref()) {
                    Some(i) => shows.push(i),
                    None => self.d.error(
                        sf,
                        f.span().start,
                        Msg::new(
                            format!("没有 `{}` 这一填写项", f.get_ref()),
                            format!("unknown field `{}`", f.get_ref()),
                        ),
                    ),
                }
            }
            self.materials.push(crate::policy::model::Material {
                id: Arc::from(id.as_str()),
                zh: m.zh.clone(),
                en: m.en.clone(),
                what_zh: m.what_zh.clone(),
                what_en: m.what_en.clone(),
                files: m.files.iter().map(|f| f.get_ref().clone()).collect(),
                cite,
                shows,
            });
        }
    }

    /// The materials that prove a condition, by index; an unknown id is an error at it.
    pub(super) fn proof(
        &mut self,
        file: usize,
        rule: &crate::policy::files::RuleDef,
    ) -> Vec<usize> {
        let mut out = Vec::new();
        for m in &rule.proof {
            match self.materials.iter().position(|x| *x.id == **m.get_ref()) {
                Some(i) if !out.contains(&i) => out.push(i),
                Some(_) => {}
                None => {
                    let known: Vec<&str> = self.materials.iter().map(|x| &*x.id).collect();
                    self.d.error(
                        file,
                        m.span().start,
                        Msg::new(
                            format!(
                                "`{}` 不是 policy.toml 中的申报材料（材料：{}）",
                                m.get_ref(),
                                known.join(", ")
                            ),
                            format!(
                                "`{}` is not a material of policy.toml (materials: {})",
                                m.get_ref(),
                                known.join(", ")
                            ),
                        ),
                    );
                }
            }
        }
        out
    }
}
