//! The sealed columns a key rotation re-seals besides those `keys::reseal` handles itself
//! (each with the place its values are bound to), and the append-only tables whose notes are
//! sealed (their triggers lifted for the rotation's transaction only).

use super::*;

/// A sealed text column besides those `reseal` handles itself.
struct SealedColumn {
    table: &'static str,
    column: &'static str,
    place: Place,
    /// The column (an SQL expression) whose value is the place's row: the application's
    /// reference or id, a batch's token, or nothing.
    row: &'static str,
    /// The integer column that names a row to update, and a text column with it where the
    /// integer alone does not.
    key: &'static str,
    also: Option<&'static str>,
    /// What follows the place's row (`.name` of an objection's `objections/ID.name`).
    suffix: &'static str,
}

const fn sealed(
    table: &'static str,
    column: &'static str,
    place: Place,
    row: &'static str,
) -> SealedColumn {
    SealedColumn {
        table,
        column,
        place,
        row,
        key: "id",
        also: None,
        suffix: "",
    }
}

/// A sealed column whose place has a suffix after its row.
const fn sealed_part(
    table: &'static str,
    column: &'static str,
    place: Place,
    row: &'static str,
    suffix: &'static str,
) -> SealedColumn {
    SealedColumn {
        suffix,
        ..sealed(table, column, place, row)
    }
}

/// A payee's bank or account: the row is the application and the program.
const fn payee(column: &'static str, suffix: &'static str) -> SealedColumn {
    SealedColumn {
        key: "application_id",
        also: Some("program"),
        ..sealed_part(
            "agreements",
            column,
            Place::Payee,
            "application_id || '/' || program",
            suffix,
        )
    }
}

const SEALED_COLUMNS: [SealedColumn; 16] = [
    sealed("applications", "result", Place::Result, "reference"),
    sealed("applications", "note", Place::Note, "id"),
    SealedColumn {
        key: "application_id",
        also: Some("program"),
        ..sealed(
            "program_decisions",
            "reason",
            Place::DecisionReason,
            "application_id",
        )
    },
    sealed("batch_runs", "summary", Place::BatchSummary, "token"),
    sealed("batch_runs", "file_name", Place::BatchFileName, "token"),
    sealed("simulation_runs", "population", Place::Population, "''"),
    sealed_part(
        "objections",
        "objector_name",
        Place::Objection,
        "id",
        ".name",
    ),
    sealed_part(
        "objections",
        "objector_phone",
        Place::Objection,
        "id",
        ".phone",
    ),
    sealed_part(
        "objections",
        "statement",
        Place::Objection,
        "id",
        ".statement",
    ),
    sealed_part(
        "objections",
        "finding_note",
        Place::Objection,
        "id",
        ".finding",
    ),
    payee("bank_name", ".bank"),
    payee("account", ".account"),
    sealed_part(
        "applications",
        "contact_mobile",
        Place::Contact,
        "reference",
        ".mobile",
    ),
    sealed_part(
        "applications",
        "contact_email",
        Place::Contact,
        "reference",
        ".email",
    ),
    sealed_part(
        "applications",
        "contact_link",
        Place::Contact,
        "reference",
        ".link",
    ),
    sealed(
        "letters",
        "body",
        Place::Letter,
        "application_id || '/' || kind || '/' || source",
    ),
];

/// Opens every value of the columns in `SEALED_COLUMNS` and of the audit log's notes with
/// `old` (plain when `None`) and seals it with `new`. With `only_plain`, only the values not
/// sealed yet (written before this version sealed them) are touched, and status links stored
/// in plain are replaced by their hashes. The audit log is append-only: its triggers are
/// lifted inside the caller's transaction, and put back before it commits.
pub(crate) async fn reseal_columns(
    conn: &mut sqlx::AnyConnection,
    old: Option<&DataKey>,
    new: &DataKey,
    only_plain: bool,
) -> Result<()> {
    let old = if only_plain { None } else { old };
    let chosen = |column: &str| {
        if only_plain {
            format!("{column} NOT LIKE 'enc1:%' AND {column} <> ''")
        } else {
            format!("{column} <> ''")
        }
    };
    for SealedColumn {
        table,
        column,
        place,
        row,
        key,
        also,
        suffix,
    } in SEALED_COLUMNS
    {
        let also_select = also.unwrap_or("''");
        let rows = sqlx::query(&format!(
            "SELECT {key} AS k, {also_select} AS k2, CAST({row} AS TEXT) AS r, {column} AS v \
             FROM {table} WHERE {}",
            chosen(column)
        ))
        .fetch_all(&mut *conn)
        .await?;
        let update = match also {
            Some(k2) => format!("UPDATE {table} SET {column} = $1 WHERE {key} = $2 AND {k2} = $3"),
            None => format!("UPDATE {table} SET {column} = $1 WHERE {key} = $2"),
        };
        for r in rows {
            let (at, value): (String, String) = (r.try_get("r")?, r.try_get("v")?);
            let q = sqlx::query(&update)
                .bind(reseal_text(
                    old,
                    new,
                    &value,
                    &format!("{}{suffix}", place.of(&at)),
                )?)
                .bind(r.try_get::<i64, _>("k")?);
            let q = match also {
                Some(_) => q.bind(r.try_get::<String, _>("k2")?),
                None => q,
            };
            q.execute(&mut *conn).await?;
        }
    }
    if only_plain {
        let plain: Vec<(i64, String)> = sqlx::query_as(&format!(
            "SELECT id, status_token FROM applications WHERE status_token NOT LIKE '{LINK_HASH_PREFIX}%'"
        ))
        .fetch_all(&mut *conn)
        .await?;
        for (id, token) in plain {
            sqlx::query("UPDATE applications SET status_token = $1 WHERE id = $2")
                .bind(status_link_hash(&token))
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    for log in &APPEND_ONLY {
        reseal_append_only(conn, old, new, &chosen(log.column), log).await?;
    }
    Ok(())
}

/// A table no one updates (its triggers refuse it) whose notes are sealed: the audit log and
/// the case timeline. Their triggers are lifted inside the caller's transaction while the
/// notes are sealed again, and put back before it commits.
struct AppendOnly {
    table: &'static str,
    column: &'static str,
    place: Place,
    /// PostgreSQL: the trigger to disable.
    pg_trigger: &'static str,
    /// SQLite: the trigger to drop and its text to create it again.
    sqlite_trigger: &'static str,
    sqlite_body: &'static str,
}

const APPEND_ONLY: [AppendOnly; 2] = [
    AppendOnly {
        table: "audit_log",
        column: "note",
        place: Place::AuditNote,
        pg_trigger: "audit_log_append_only",
        sqlite_trigger: "audit_log_no_update",
        sqlite_body: "BEFORE UPDATE ON audit_log \
             BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    },
    AppendOnly {
        table: "case_events",
        column: "note",
        place: Place::CaseEvent,
        pg_trigger: "case_events_no_change",
        sqlite_trigger: "case_events_no_update",
        sqlite_body: "BEFORE UPDATE ON case_events \
             BEGIN SELECT RAISE(ABORT, 'the case timeline is append-only'); END",
    },
];

async fn reseal_append_only(
    conn: &mut sqlx::AnyConnection,
    old: Option<&DataKey>,
    new: &DataKey,
    chosen: &str,
    log: &AppendOnly,
) -> Result<()> {
    let AppendOnly {
        table,
        column,
        place,
        pg_trigger,
        sqlite_trigger,
        sqlite_body,
    } = log;
    let notes: Vec<(i64, i64, String)> = sqlx::query_as(&format!(
        "SELECT id, application_id, {column} FROM {table} WHERE {chosen}"
    ))
    .fetch_all(&mut *conn)
    .await?;
    if notes.is_empty() {
        return Ok(());
    }
    let postgres = conn.backend_name() == "PostgreSQL";
    let lift = if postgres {
        format!("ALTER TABLE {table} DISABLE TRIGGER {pg_trigger}")
    } else {
        format!("DROP TRIGGER {sqlite_trigger}")
    };
    sqlx::query(&lift).execute(&mut *conn).await?;
    for (id, application, note) in notes {
        sqlx::query(&format!("UPDATE {table} SET {column} = $1 WHERE id = $2"))
            .bind(reseal_text(
                old,
                new,
                &note,
                &place.of(&application.to_string()),
            )?)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    let restore = if postgres {
        format!("ALTER TABLE {table} ENABLE TRIGGER {pg_trigger}")
    } else {
        format!("CREATE TRIGGER {sqlite_trigger} {sqlite_body}")
    };
    sqlx::query(&restore).execute(&mut *conn).await?;
    Ok(())
}
