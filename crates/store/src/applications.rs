//! Saved applications: submitting, reading, listing and exporting, decisions and the audit log.

use super::keys::{self, Place};
use super::transitions::{audit, current, transition};
use super::*;

impl Store {
    /// Saves a submission with its next reference number, or — when its idempotency key was
    /// seen before — answers with the application saved then. Returns after the commit.
    pub async fn submit(&self, new: NewApplication) -> Result<Submitted> {
        let saved = match &self.group {
            Some(queue) => group::submit(queue, new).await,
            None => {
                async {
                    let mut conn = self.write.acquire().await?;
                    group::save_one(&mut conn, &new, self.money_type(), &self.key).await
                }
                .await
            }
        };
        self.recycle.note(saved)
    }

    /// The submission saved under an idempotency key, when it came with the same request;
    /// `KeyReused` when it came with another.
    pub async fn submitted_under(
        &self,
        idem: &str,
        request_hash: &str,
    ) -> Result<Option<Submitted>> {
        let mut conn = self.read.acquire().await?;
        group::by_key(&mut conn, idem, request_hash, &self.key).await
    }

    const APPLICATION_COLUMNS: &'static str = "id, reference, submitted_at, applicant_name, \
        id_number, tier, CAST(total AS TEXT) AS total, policy_version, application_date, \
        status, note, updated_at, version, missing_materials, notice_version, consented_at, \
        erased_at, step, review_round, accepted_on, handler";

    fn summary(&self, row: &AnyRow) -> Result<ApplicationSummary> {
        let status: String = row.try_get("status")?;
        let reference: String = row.try_get("reference")?;
        let name: String = row.try_get("applicant_name")?;
        let number: String = row.try_get("id_number")?;
        let id: i64 = row.try_get("id")?;
        let note: String = row.try_get("note")?;
        Ok(ApplicationSummary {
            id,
            note: self.open_sealed(&note, Place::Note, &id.to_string())?,
            applicant_name: self.open_sealed(&name, Place::Name, &reference)?,
            id_number: self.open_sealed(&number, Place::IdNumber, &reference)?,
            reference,
            submitted_at: row.try_get("submitted_at")?,
            tier: row.try_get("tier")?,
            total: decimal(row, "total")?,
            policy_version: row.try_get("policy_version")?,
            application_date: row.try_get("application_date")?,
            status: AppStatus::from_id(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("status = {status:?}")))?,
            updated_at: row.try_get("updated_at")?,
            version: row.try_get("version")?,
            missing_materials: row
                .try_get::<String, _>("missing_materials")?
                .split(',')
                .filter(|m| !m.is_empty())
                .map(str::to_string)
                .collect(),
            notice_version: row.try_get("notice_version")?,
            consented_at: row.try_get("consented_at")?,
            erased_at: row.try_get("erased_at")?,
            step: {
                let step: String = row.try_get("step")?;
                CaseStep::from_id(&step)
                    .ok_or_else(|| StoreError::Corrupt(format!("step = {step:?}")))?
            },
            review_round: row.try_get("review_round")?,
            accepted_on: row
                .try_get::<Option<String>, _>("accepted_on")?
                .and_then(|d| parse_day(&d)),
            handler: row.try_get("handler")?,
        })
    }

    async fn application_where(&self, column: &str, value: &str) -> Result<Option<Application>> {
        let sql = format!(
            "SELECT {}, profile, result FROM applications WHERE {column} = $1",
            Self::APPLICATION_COLUMNS
        );
        let Some(row) = sqlx::query(&sql)
            .bind(value)
            .fetch_optional(&self.read)
            .await?
        else {
            return Ok(None);
        };
        let summary = self.summary(&row)?;
        let profile: String = row.try_get("profile")?;
        let result: String = row.try_get("result")?;
        Ok(Some(Application {
            profile: self.open_sealed(&profile, Place::Profile, &summary.reference)?,
            result: self.open_sealed(&result, Place::Result, &summary.reference)?,
            summary,
        }))
    }

    pub async fn application(&self, reference: &str) -> Result<Option<Application>> {
        self.application_where("reference", reference).await
    }

    pub async fn application_by_token(&self, token: &str) -> Result<Option<Application>> {
        // Only well-formed tokens reach the database.
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        self.application_where("status_token", &keys::status_link_hash(token))
            .await
    }

    /// The filter as SQL after `WHERE`, and the values to bind, in order.
    fn filter_sql(&self, filter: &ListFilter) -> (String, Vec<String>) {
        let mut clauses = vec!["1 = 1".to_string()];
        let mut binds: Vec<String> = Vec::new();
        // Each `?` takes the next value, numbered in the order bound.
        let mut add = |clause: &str, values: &[String]| {
            let mut values = values.iter();
            let mut out = String::with_capacity(clause.len() + 8);
            for c in clause.chars() {
                if c == '?' {
                    binds.push(values.next().cloned().unwrap_or_default());
                    out.push_str(&format!("${}", binds.len()));
                } else {
                    out.push(c);
                }
            }
            clauses.push(out);
        };
        if let Some(s) = filter.status {
            add("a.status = ?", &[s.id().into()]);
        }
        if let Some(s) = filter.step {
            add("a.step = ?", &[s.id().into()]);
        }
        match filter.handler.as_deref() {
            None => {}
            Some("") => add(
                "a.handler IS NULL AND a.step IN ('accept', 'first_review', 'second_review', \
                 'sign_off', 'notice_ready')",
                &[],
            ),
            Some(h) => add("a.handler = ?", &[h.to_string()]),
        }
        if let Some(t) = &filter.tier {
            add("a.tier = ?", std::slice::from_ref(t));
        }
        if let Some(d) = filter.from {
            add("a.submitted_on >= ?", &[d.to_string()]);
        }
        if let Some(d) = filter.to {
            add("a.submitted_on <= ?", &[d.to_string()]);
        }
        if let Some(q) = &filter.search {
            // References are stored upper case and matched in part (a prefix, or the serial
            // "000002"); ID numbers and names are sealed and found by their keyed hashes —
            // whole, or the ID's last 4–6 characters, or the name's first one or two.
            let key = self.data_key();
            let upper = q.trim().to_uppercase();
            let part = upper
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect::<String>();
            let [tail, head] = <[String; 2]>::try_from(keys::query_terms(key, q))
                .unwrap_or_else(|_| unreachable!("two terms"));
            add(
                "(a.reference = ? OR (LENGTH(?) >= 3 AND a.reference LIKE ?) OR a.id_hmac = ? \
                 OR a.name_hmac = ? OR a.id IN (SELECT application_id FROM search_terms \
                 WHERE term IN (?, ?)))",
                &[
                    upper,
                    part.clone(),
                    format!("%{part}%"),
                    keys::id_hash(key, q),
                    keys::name_hash(key, q),
                    tail,
                    head,
                ],
            );
        }
        if let Some(p) = &filter.program {
            add(
                "EXISTS (SELECT 1 FROM application_programs p WHERE p.application_id = a.id \
                 AND p.status = 'eligible' AND p.program = ?)",
                std::slice::from_ref(p),
            );
        }
        (clauses.join(" AND "), binds)
    }

    /// One page of applications matching the filter, newest first, and how many match.
    pub async fn list(
        &self,
        filter: &ListFilter,
        page: u32,
        per_page: u32,
    ) -> Result<(Vec<ApplicationSummary>, i64)> {
        let (cond, binds) = self.filter_sql(filter);
        let count_sql = format!("SELECT COUNT(*) FROM applications a WHERE {cond}");
        let mut q = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in &binds {
            q = q.bind(b);
        }
        let total = q.fetch_one(&self.read).await?;
        let sql = format!(
            "SELECT {} FROM applications a WHERE {cond} ORDER BY a.id DESC LIMIT {} OFFSET {}",
            Self::APPLICATION_COLUMNS,
            per_page,
            i64::from(page.saturating_sub(1)) * i64::from(per_page)
        );
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&self.read).await?;
        let list = rows
            .iter()
            .map(|r| self.summary(r))
            .collect::<Result<Vec<_>>>()?;
        Ok((list, total))
    }

    /// Every application matching the filter with its programs, oldest first, for export.
    pub async fn export(
        &self,
        filter: &ListFilter,
    ) -> Result<Vec<(ApplicationSummary, Vec<ProgramRow>)>> {
        let (cond, binds) = self.filter_sql(filter);
        let sql = format!(
            "SELECT {} FROM applications a WHERE {cond} ORDER BY a.id",
            Self::APPLICATION_COLUMNS
        );
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        let apps = q
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| self.summary(r))
            .collect::<Result<Vec<_>>>()?;
        let sql = format!(
            "SELECT p.application_id, p.program, p.status, CAST(p.amount AS TEXT) AS amount \
             FROM application_programs p JOIN applications a ON a.id = p.application_id \
             WHERE {cond} ORDER BY p.application_id"
        );
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        let mut programs: std::collections::HashMap<i64, Vec<ProgramRow>> = Default::default();
        for row in q.fetch_all(&self.read).await? {
            programs
                .entry(row.try_get("application_id")?)
                .or_default()
                .push(ProgramRow {
                    program: row.try_get("program")?,
                    status: row.try_get("status")?,
                    amount: decimal(&row, "amount")?,
                });
        }
        Ok(apps
            .into_iter()
            .map(|a| {
                let p = programs.remove(&a.id).unwrap_or_default();
                (a, p)
            })
            .collect())
    }

    /// Records an officer's decision and its audit entry in one transaction. The application
    /// must still be at the version the officer saw (every decision increments it, so of two
    /// decisions made on one version exactly one is recorded); a decision taken is final.
    /// The applicant answers a request for more information through their status link: the
    /// application goes back to "awaiting review" and the reply enters the audit log. Only an
    /// application waiting for more information takes a reply.
    pub async fn reply(
        &self,
        token: &str,
        text: &str,
        uploads: &[String],
    ) -> std::result::Result<(), DecideError> {
        let mut tx = self.write.begin().await.map_err(StoreError::from)?;
        let (id, from, version) =
            current(&mut tx, "status_token", &keys::status_link_hash(token)).await?;
        if from != AppStatus::MoreInfo {
            return Err(DecideError::NotAllowed(from, AppStatus::Submitted));
        }
        super::transitions::claim(&mut tx, id, uploads).await?;
        // The request is answered: it leaves the application's latest note (the audit log and
        // the timeline keep it), so no list shows a stale "please send…" as the latest word.
        sqlx::query("UPDATE applications SET missing_materials = '', note = '' WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        let to = super::transitions::status_on_reply(&mut tx, id).await?;
        let (step, round) = super::transitions::step_of(&mut tx, id).await?;
        super::transitions::event(
            &mut tx,
            &self.key,
            id,
            round,
            "resume",
            step,
            step,
            super::APPLICANT_ACTOR,
            "",
            today(),
        )
        .await?;
        let why = if uploads.is_empty() {
            text.to_string()
        } else {
            format!(
                "{text}{}（补充文件 {} 个 / {} file(s) added）",
                if text.is_empty() { "" } else { " " },
                uploads.len(),
                uploads.len()
            )
        };
        transition(
            &mut tx,
            &self.key,
            id,
            version,
            from,
            to,
            super::APPLICANT_ACTOR,
            &why,
            None,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// A new status link for an application whose applicant lost theirs: the old link stops
    /// working at once; the audit log says who made it and when (not the link). Returns the
    /// new token, or `None` for an unknown reference or an erased application (its applicant's
    /// details are gone: there is nobody a link could be for).
    pub async fn new_status_link(&self, reference: &str, actor: &str) -> Result<Option<String>> {
        let mut tx = self.write.begin().await?;
        let Some(row) = sqlx::query(
            "SELECT id, status FROM applications WHERE reference = $1 AND erased_at IS NULL",
        )
        .bind(reference)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };
        let id: i64 = row.try_get("id")?;
        let status: String = row.try_get("status")?;
        let token = super::random_token();
        let at = stamp(Utc::now());
        sqlx::query("UPDATE applications SET status_token = $1, updated_at = $2 WHERE id = $3")
            .bind(keys::status_link_hash(&token))
            .bind(&at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // An applicant who asked for the link in messages is sent the new one, never the old.
        sqlx::query(
            "UPDATE applications SET contact_link = $1 WHERE id = $2 AND contact_link <> ''",
        )
        .bind(
            self.data_key()
                .seal_text(&token, &format!("{}.link", Place::Contact.of(reference))),
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            &self.key,
            id,
            &at,
            actor,
            Some(&status),
            &status,
            "新的查看链接已生成，原链接失效 / A new status link was made; the old one no longer works",
        )
        .await?;
        tx.commit().await?;
        Ok(Some(token))
    }

    /// `missing`: the materials a request for more information asks for (ids); `programs`:
    /// for a decision on the whole, each program's decision (payments included).
    #[allow(clippy::too_many_arguments)]
    pub async fn decide(
        &self,
        reference: &str,
        actor: &str,
        seen_version: i64,
        to: AppStatus,
        note: &str,
        missing: &[String],
        programs: &[ProgramDecision],
    ) -> std::result::Result<(), DecideError> {
        let decided: std::result::Result<(), DecideError> = async {
            let mut tx = self.write.begin().await.map_err(StoreError::from)?;
            let (id, from, version) = current(&mut tx, "reference", reference).await?;
            if !from.can_become(to) {
                return Err(DecideError::NotAllowed(from, to));
            }
            if version != seen_version {
                return Err(DecideError::Changed(from));
            }
            transition(
                &mut tx,
                &self.key,
                id,
                seen_version,
                from,
                to,
                actor,
                note,
                Some(note),
            )
            .await?;
            if to == AppStatus::MoreInfo {
                sqlx::query("UPDATE applications SET missing_materials = $1 WHERE id = $2")
                    .bind(missing.join(","))
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::from)?;
                // 补正: the step stays; its clock stops until the reply.
                let (step, round) = super::transitions::step_of(&mut tx, id).await?;
                super::transitions::event(
                    &mut tx,
                    &self.key,
                    id,
                    round,
                    "pause",
                    step,
                    step,
                    actor,
                    note,
                    today(),
                )
                .await?;
            }
            let at = stamp(Utc::now());
            for d in programs {
                super::transitions::record_decision(
                    &mut tx,
                    &self.key,
                    id,
                    d,
                    actor,
                    &at,
                    self.money_type(),
                )
                .await?;
            }
            if !programs.is_empty() {
                super::transitions::after_decisions(&mut tx, &self.key, id, actor, to).await?;
            }
            tx.commit().await.map_err(StoreError::from)?;
            Ok(())
        }
        .await;
        if let Err(DecideError::Store(e)) = &decided {
            self.recycle.saw(e);
        }
        decided
    }

    pub async fn audit_log(&self, application_id: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT at, actor, from_status, to_status, note FROM audit_log \
             WHERE application_id = $1 ORDER BY id",
        )
        .bind(application_id)
        .fetch_all(&self.read)
        .await?;
        let row = application_id.to_string();
        rows.iter()
            .map(|r| {
                let note: String = r.try_get("note")?;
                Ok(AuditEntry {
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    from_status: r.try_get("from_status")?,
                    to_status: r.try_get("to_status")?,
                    note: self.open_sealed(&note, Place::AuditNote, &row)?,
                })
            })
            .collect()
    }

    /// What was decided and paid on each of `ids`: the total approved, how many programs are
    /// decided, and the total paid (payments registered, not reversed).
    pub async fn decided_figures(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, DecidedFigures>> {
        let mut out: std::collections::HashMap<i64, DecidedFigures> = Default::default();
        if ids.is_empty() {
            return Ok(out);
        }
        let list = ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let decided: Vec<(i64, String, String)> = sqlx::query_as(&format!(
            "SELECT application_id, decision, CAST(amount AS TEXT) FROM program_decisions \
             WHERE application_id IN ({list})"
        ))
        .fetch_all(&self.read)
        .await?;
        for (id, decision, amount) in decided {
            let f = out.entry(id).or_default();
            f.decided += 1;
            if decision == "approved" {
                f.approved += amount.parse::<Decimal>().unwrap_or_default();
            }
        }
        let paid: Vec<(i64, String)> = sqlx::query_as(&format!(
            "SELECT application_id, CAST(amount AS TEXT) FROM payments \
             WHERE status = 'paid' AND application_id IN ({list})"
        ))
        .fetch_all(&self.read)
        .await?;
        for (id, amount) in paid {
            out.entry(id).or_default().paid += amount.parse::<Decimal>().unwrap_or_default();
        }
        Ok(out)
    }

    /// How many applications there are (all of them).
    pub async fn count_applications(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM applications")
            .fetch_one(&self.read)
            .await?)
    }
}
