//! Reading `prior.toml`, how often each answer is seen: every path one the profile has, every
//! key an answer of that path's type, every count a whole number from 0. A folder without the
//! file has an empty prior (every answer weighed evenly).

use super::*;
use crate::policy::files::PriorFile;
use crate::policy::prior::{Answer, Bucket, Prior, read_key};

/// The prior's file in the policy folder.
pub const PRIOR_FILE: &str = "prior.toml";

impl Loader {
    pub(super) fn prior(&mut self, src: &Source, names: &[String], programs: &[Arc<str>]) -> Prior {
        let mut prior = Prior::default();
        if !names.iter().any(|n| n == PRIOR_FILE) {
            return prior;
        }
        let Some((file, read)) = read_file::<PriorFile>(&mut self.d, src, PRIOR_FILE) else {
            return prior;
        };
        for (path, table) in &read.answers {
            let at = path.span().start;
            let path = path.get_ref();
            let Some(known) = crate::applicant::PATHS
                .iter()
                .skip(1)
                .find(|p| **p == path.as_str())
            else {
                let m = read_key(path, "").err().unwrap_or_else(|| Msg::new("", ""));
                self.d.error(file, at, m);
                continue;
            };
            let mut buckets = Vec::new();
            for (key, count) in table {
                let at = key.span().start;
                let key = key.get_ref();
                let answer = match read_key(path, key) {
                    Ok(a) => a,
                    Err(m) => {
                        self.d.error(file, at, m);
                        continue;
                    }
                };
                if let Answer::Received(Some(id)) = &answer
                    && !programs.iter().any(|p| **p == **id)
                {
                    self.d.error(
                        file,
                        at,
                        Msg::new(
                            format!("没有“{id}”这个项目（可写 none 或项目的 id）"),
                            format!("no program `{id}` (write none or a program's id)"),
                        ),
                    );
                    continue;
                }
                let Ok(count) = u64::try_from(*count) else {
                    self.d.error(
                        file,
                        at,
                        Msg::new(
                            format!("“{key}”的次数应为不小于 0 的整数"),
                            format!("the count of `{key}` should be a whole number, 0 or more"),
                        ),
                    );
                    continue;
                };
                buckets.push(Bucket {
                    key: key.clone(),
                    answer,
                    count,
                    seen: 0,
                });
            }
            prior.paths.push((known, buckets));
        }
        prior
    }
}
