//! The policy office's records: drafts of parameter changes (who, when), the simulations run
//! (their figures, never the answers they were computed from), and the history of policy
//! loads and reloads with the errors of refused ones.
//!
//! Invariants: a simulation's stored result holds figures, program names and reference
//! numbers only; the saved answers a simulation reads are opened here and not written back.

use super::keys::Place;
use super::*;

/// A draft of parameter changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub id: i64,
    pub name: String,
    /// JSON: `[{"slot": …, "value": …}]`.
    pub edits: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_by: String,
    pub updated_at: String,
}

/// A simulation as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationRun {
    pub id: i64,
    pub draft_id: Option<i64>,
    pub title: String,
    pub population: String,
    pub created_by: String,
    pub created_at: String,
    /// JSON of the simulation (the `app` crate's `simulate::Simulation`).
    pub result: String,
}

/// One load of the policy: at start, a reload, or a refused reload.
#[derive(Debug, Clone, PartialEq)]
pub struct Reload {
    pub at: String,
    /// `started`, `reloaded`, `refused`.
    pub outcome: String,
    pub source: String,
    pub summary: String,
    pub diagnostics: String,
}

fn draft_row(row: &AnyRow) -> Result<Draft> {
    Ok(Draft {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        edits: row.try_get("edits")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_by: row.try_get("updated_by")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Store {
    /// The answers of every saved application that may still be assessed (neither withdrawn
    /// nor erased), with its reference, oldest first.
    pub async fn saved_profiles(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT reference, profile FROM applications \
             WHERE erased_at IS NULL AND status <> 'withdrawn' ORDER BY id",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let reference: String = r.try_get("reference")?;
                let profile: String = r.try_get("profile")?;
                let open = self.open_sealed(&profile, Place::Profile, &reference)?;
                Ok((reference, open))
            })
            .collect()
    }

    pub async fn create_draft(&self, name: &str, edits: &str, by: &str) -> Result<i64> {
        let now = stamp(Utc::now());
        Ok(sqlx::query_scalar::<_, i64>(
            "INSERT INTO policy_drafts (name, edits, created_by, created_at, updated_by, \
             updated_at) VALUES ($1, $2, $3, $4, $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(edits)
        .bind(by)
        .bind(&now)
        .fetch_one(&self.write)
        .await?)
    }

    /// Saves a draft's name and edits; `false` when there is no such draft.
    pub async fn save_draft(&self, id: i64, name: &str, edits: &str, by: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE policy_drafts SET name = $1, edits = $2, updated_by = $3, updated_at = $4 \
             WHERE id = $5",
        )
        .bind(name)
        .bind(edits)
        .bind(by)
        .bind(stamp(Utc::now()))
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn draft(&self, id: i64) -> Result<Option<Draft>> {
        let row = sqlx::query("SELECT * FROM policy_drafts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(draft_row).transpose()
    }

    /// Every draft, the latest changed first.
    pub async fn drafts(&self) -> Result<Vec<Draft>> {
        let rows = sqlx::query("SELECT * FROM policy_drafts ORDER BY updated_at DESC, id DESC")
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(draft_row).collect()
    }

    pub async fn save_simulation(
        &self,
        draft_id: Option<i64>,
        title: &str,
        population: &str,
        by: &str,
        result: &str,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar::<_, i64>(
            "INSERT INTO simulation_runs (draft_id, title, population, created_by, created_at, \
             result) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(draft_id)
        .bind(title)
        .bind(self.seal(population, Place::Population, ""))
        .bind(by)
        .bind(stamp(Utc::now()))
        .bind(result)
        .fetch_one(&self.write)
        .await?)
    }

    pub async fn simulation(&self, id: i64) -> Result<Option<SimulationRun>> {
        let row = sqlx::query("SELECT * FROM simulation_runs WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(|r| self.simulation_row(r)).transpose()
    }

    /// The latest simulations (without their results' text), newest first.
    pub async fn simulations(&self, limit: u32) -> Result<Vec<SimulationRun>> {
        let sql = format!(
            "SELECT id, draft_id, title, population, created_by, created_at, '' AS result \
             FROM simulation_runs ORDER BY id DESC LIMIT {limit}"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.read).await?;
        rows.iter().map(|r| self.simulation_row(r)).collect()
    }

    pub async fn log_reload(&self, r: &Reload) -> Result<()> {
        sqlx::query(
            "INSERT INTO policy_reloads (at, outcome, source, summary, diagnostics) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&r.at)
        .bind(&r.outcome)
        .bind(&r.source)
        .bind(&r.summary)
        .bind(&r.diagnostics)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The latest loads of the policy, newest first.
    pub async fn reloads(&self, limit: u32) -> Result<Vec<Reload>> {
        let sql = format!(
            "SELECT at, outcome, source, summary, diagnostics FROM policy_reloads \
             ORDER BY id DESC LIMIT {limit}"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                Ok(Reload {
                    at: r.try_get("at")?,
                    outcome: r.try_get("outcome")?,
                    source: r.try_get("source")?,
                    summary: r.try_get("summary")?,
                    diagnostics: r.try_get("diagnostics")?,
                })
            })
            .collect()
    }
}

impl Store {
    fn simulation_row(&self, row: &AnyRow) -> Result<SimulationRun> {
        let population: String = row.try_get("population")?;
        Ok(SimulationRun {
            id: row.try_get("id")?,
            draft_id: row.try_get("draft_id")?,
            title: row.try_get("title")?,
            population: self.open_sealed(&population, Place::Population, "")?,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
            result: row.try_get("result")?,
        })
    }
}
