//! Searching in part without names or ID numbers in plain: keyed hashes of an ID number's
//! last 4–6 characters and a name's first one or two, kept in `search_terms`.

use super::*;

/// The keyed hashes a partial search finds an application by: its ID number's last 4, 5 and
/// 6 characters and its name's first one and two characters (each a distinct term).
pub fn search_terms(key: &DataKey, name: &str, id_number: &str) -> Vec<String> {
    let mut out = Vec::new();
    let id: Vec<char> = id_number.trim().to_uppercase().chars().collect();
    for n in [4, 5, 6] {
        if id.len() > n {
            let tail: String = id[id.len() - n..].iter().collect();
            out.push(key.search_hash(&format!("id-tail:{tail}")));
        }
    }
    let name: Vec<char> = name.trim().chars().collect();
    for n in [1, 2] {
        if name.len() > n {
            let head: String = name[..n].iter().collect();
            out.push(key.search_hash(&format!("name-head:{head}")));
        }
    }
    out
}

/// The terms a search text may match (see [`search_terms`]).
pub fn query_terms(key: &DataKey, q: &str) -> Vec<String> {
    let q = q.trim();
    vec![
        key.search_hash(&format!("id-tail:{}", q.to_uppercase())),
        key.search_hash(&format!("name-head:{q}")),
    ]
}

/// Writes an application's search terms (replacing any).
pub(crate) async fn write_search_terms(
    conn: &mut sqlx::AnyConnection,
    key: &DataKey,
    id: i64,
    name: &str,
    id_number: &str,
) -> Result<()> {
    sqlx::query("DELETE FROM search_terms WHERE application_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for t in search_terms(key, name, id_number) {
        sqlx::query(
            "INSERT INTO search_terms (application_id, term) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(t)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Gives the applications that have none (written before partial search) their terms.
pub(crate) async fn backfill_search_terms(
    conn: &mut sqlx::AnyConnection,
    key: &DataKey,
) -> Result<()> {
    let rows = sqlx::query(
        "SELECT id, reference, applicant_name, id_number FROM applications a \
         WHERE erased_at IS NULL AND NOT EXISTS \
         (SELECT 1 FROM search_terms t WHERE t.application_id = a.id)",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let reference: String = r.try_get("reference")?;
        let name: String = r.try_get("applicant_name")?;
        let number: String = r.try_get("id_number")?;
        let name = open_text_with(Some(key), &name, &Place::Name.of(&reference))?;
        let number = open_text_with(Some(key), &number, &Place::IdNumber.of(&reference))?;
        write_search_terms(conn, key, id, &name, &number).await?;
    }
    Ok(())
}
