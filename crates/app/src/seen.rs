//! What the service counts of the answers it sees, for the interview's prior: each answer of a
//! submitted application or a batch row as the bucket of `policy/prior.toml` it falls in,
//! added up. A tally holds paths, bucket keys and counts — nothing of who answered.

use rules::applicant::Profile;
use rules::policy::prior::Prior;
use std::collections::BTreeMap;

/// Buckets seen, added up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally(BTreeMap<(&'static str, String), u64>);

impl Tally {
    /// Counts one profile's answers.
    pub fn add(&mut self, prior: &Prior, profile: &Profile) {
        for (path, key) in prior.buckets_of(profile) {
            *self.0.entry((path, key.to_string())).or_default() += 1;
        }
    }

    pub fn merge(&mut self, other: Tally) {
        for (k, n) in other.0 {
            *self.0.entry(k).or_default() += n;
        }
    }

    /// (path, bucket key, how many), as the store keeps them.
    pub fn rows(&self) -> Vec<(&str, &str, u64)> {
        self.0
            .iter()
            .map(|((p, k), n)| (*p, k.as_str(), *n))
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_counts_buckets_and_nothing_of_the_person() {
        let policy = rules::policy::load_embedded().expect("the shipped policy loads");
        let profile = Profile::from_value(
            &serde_json::json!({
                "application_date": "2026-06-01",
                "person": {
                    "full_name": "王小明", "id_type": "passport", "id_number": "E12345678",
                    "birth_date": "1996-03-15", "highest_degree": "master",
                    "institution_tier": "other", "institution_name": "南通大学",
                    "graduation_date": "2024-06-30", "professional_title": "none",
                    "honors": [], "overseas_work_years": 0
                },
                "employment": {
                    "employer_in_park": true, "industry": "new_materials", "full_time": true,
                    "start_date": "2024-08-01", "contract_years": 3, "annual_salary": "170000",
                    "social_insurance_months_in_park": 20
                },
                "startup": null,
                "housing": null,
                "prior_awards": []
            }),
            &policy,
        )
        .expect("a valid profile");
        let prior = policy.prior();
        let mut tally = Tally::default();
        tally.add(&prior, &profile);
        tally.add(&prior, &profile);
        let rows = tally.rows();
        let has = |path: &str, key: &str| rows.contains(&(path, key, 2));
        assert!(has("person.highest_degree", "master"), "{rows:?}");
        assert!(has("employment", "yes") && has("startup", "no") && has("housing", "no"));
        // Numbers and dates fall in the nearest bucket: 170,000 yuan near 150,000; born 30
        // years before (nearest 28 or 33); honours none.
        assert!(has("employment.annual_salary", "150000"), "{rows:?}");
        assert!(has("person.honors", "none"));
        assert!(has("person.birth_date", "28") || has("person.birth_date", "33"));
        // Nothing that names the person.
        let text = format!("{rows:?}");
        for personal in ["王小明", "E12345678", "南通大学", "1996"] {
            assert!(!text.contains(personal), "{personal} kept");
        }
        // What is seen weighs with what was shipped.
        let before = prior.of("person.highest_degree").unwrap()[3].weight();
        let seen = prior.with_seen(rows.iter().copied());
        let after = seen.of("person.highest_degree").unwrap();
        assert_eq!(after[3].key, "master");
        assert_eq!(after[3].weight(), before + 2);
        // Seen again replaces, never doubles.
        assert_eq!(seen.with_seen(rows.iter().copied()), seen);
    }
}
