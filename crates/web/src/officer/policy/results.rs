//! A stored simulation: its figures by program, cash flow by year and the people it moves,
//! as a page with charts and as CSV tables.

use super::*;

pub struct ProgramLine {
    pub name: String,
    pub current_count: u64,
    pub current: String,
    pub draft_count: u64,
    pub draft: String,
    pub change: String,
}

pub struct CashLine {
    pub year: i32,
    pub current: String,
    pub draft: String,
    pub change: String,
}

pub struct TopLine {
    pub label: String,
    pub current: String,
    pub draft: String,
    pub change: String,
    pub reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "officer/policy_simulation.html")]
pub struct SimulationPage {
    pub lang: Lang,
    pub nav: Nav,
    pub id: i64,
    pub title: String,
    pub draft_id: Option<i64>,
    pub by: String,
    pub population: String,
    pub sim: Simulation,
    pub params: Vec<(String, String, String)>,
    pub programs: Vec<ProgramLine>,
    pub total: (String, String, String),
    pub cash: Vec<CashLine>,
    pub bands: Vec<(String, u64)>,
    pub top: Vec<TopLine>,
    pub skipped: Vec<(String, String)>,
    pub chart_programs: charts::BarChart,
    pub chart_cash: charts::BarChart,
    pub chart_bands: charts::BarChart,
    pub tables: Vec<(&'static str, &'static str)>,
}

#[utoipa::path(tag = "pages", params(("id" = i64, Path, description = "The simulation")), responses((status = 200, description = "The simulation: figures by program, cash flow by year, the largest changes explained, with charts", content_type = "text/html", body = String), (status = 404, description = "No such simulation")))]
#[get("/officer/policy/simulations/{id}")]
pub async fn simulation(
    s: Signed,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AuthError> {
    s.policy_reader()?;
    let lang = language(&req, None);
    let l = lang.lang;
    let Some(run) = s
        .store(&state)?
        .simulation(path.into_inner())
        .await
        .map_err(|e| s.db_error(e))?
    else {
        return Ok(no_simulation());
    };
    let Ok(sim) = serde_json::from_str::<Simulation>(&run.result) else {
        return Ok(no_simulation());
    };
    let loaded = state.snapshot();
    let y = |d: &rust_decimal::Decimal| rules::words::yuan(d);
    Ok(page(
        &SimulationPage {
            lang: l,
            nav: nav(&s),
            id: run.id,
            title: run.title,
            draft_id: run.draft_id,
            by: format!("{} · {}", run.created_by, view::short_time(&run.created_at)),
            population: in_language(&run.population, l),
            params: sim
                .parameters
                .iter()
                .map(|p| {
                    let unit = loaded
                        .policy
                        .parameter_unit(&p.name)
                        .map_or(String::new(), |u| format!(" {}", l.t(u.zh(), u.en())));
                    (
                        l.t(&p.zh, &p.en).to_string(),
                        format!("{}{unit}", rules::words::grouped_text(&p.current)),
                        format!("{}{unit}", rules::words::grouped_text(&p.draft)),
                    )
                })
                .collect(),
            programs: sim
                .programs
                .iter()
                .map(|p| ProgramLine {
                    name: l.t(&p.zh, &p.en).to_string(),
                    current_count: p.current_count,
                    current: y(&p.current_amount),
                    draft_count: p.draft_count,
                    draft: y(&p.draft_amount),
                    change: rules::words::signed_yuan(p.change()),
                })
                .collect(),
            total: (
                y(&sim.current_total),
                y(&sim.draft_total),
                rules::words::signed_yuan(sim.draft_total - sim.current_total),
            ),
            cash: sim
                .cash
                .iter()
                .map(|c| CashLine {
                    year: c.year,
                    current: y(&c.current_total()),
                    draft: y(&c.draft_total()),
                    change: rules::words::signed_yuan(c.draft_total() - c.current_total()),
                })
                .collect(),
            bands: sim
                .bands
                .iter()
                .map(|b| (l.t(&b.zh, &b.en).to_string(), b.count))
                .collect(),
            top: sim
                .top
                .iter()
                .map(|c| TopLine {
                    label: person_label(&c.label, l),
                    current: y(&c.current_total),
                    draft: y(&c.draft_total),
                    change: rules::words::signed_yuan(c.change()),
                    reasons: c
                        .reasons
                        .iter()
                        .map(|r| l.t(&r.0, &r.1).to_string())
                        .collect(),
                })
                .collect(),
            skipped: sim
                .skipped
                .iter()
                .take(20)
                .map(|(label, why)| (person_label(label, l), why.clone()))
                .collect(),
            chart_programs: charts::programs(&sim, l),
            chart_cash: charts::cash(&sim, l),
            chart_bands: charts::bands(&sim, l),
            tables: TABLES.iter().map(|(n, zh, en)| (*n, l.t(zh, en))).collect(),
            sim,
        },
        StatusCode::OK,
        lang,
    ))
}

fn no_simulation() -> HttpResponse {
    crate::html::message(StatusCode::NOT_FOUND, "没有这次测算", "No such simulation")
}

#[utoipa::path(tag = "pages", params(("id" = i64, Path, description = "The simulation"), ("table" = String, Path, description = "programs, cash, bands, top or parameters")), responses((status = 200, description = "One table of the simulation", content_type = "text/csv", body = String), (status = 404, description = "No such simulation or table")))]
#[get("/officer/policy/simulations/{id}/{table}.csv")]
pub async fn simulation_csv(
    s: Signed,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AuthError> {
    s.policy_reader()?;
    let (id, table) = path.into_inner();
    let Some(run) = s
        .store(&state)?
        .simulation(id)
        .await
        .map_err(|e| s.db_error(e))?
    else {
        return Ok(no_simulation());
    };
    let csv = serde_json::from_str::<Simulation>(&run.result)
        .ok()
        .and_then(|sim| sim.table_csv(&table));
    Ok(match csv {
        Some(text) => csv_response(text.into_bytes(), &format!("simulation-{id}-{table}.csv")),
        None => no_simulation(),
    })
}

/// A person of a simulation as labelled when it ran (a reference, or `第 3 行` for a line of an
/// uploaded file), in the page's language.
fn person_label(label: &str, l: Lang) -> String {
    match label
        .strip_prefix("第 ")
        .and_then(|r| r.strip_suffix(" 行"))
        .and_then(|n| n.parse::<u64>().ok())
    {
        Some(n) => l.t(&format!("第 {n} 行"), &format!("Line {n}")).to_string(),
        None => label.to_string(),
    }
}

#[derive(Template)]
#[template(path = "officer/charts_file.html")]
struct ChartsFile {
    lang: Lang,
    as_of: String,
    charts: [charts::BarChart; 3],
    /// The console's own stylesheet, so the file reads alone.
    css: &'static str,
}

/// A simulation's three charts as one HTML file that reads on its own (for `simulate --out`).
pub fn charts_file(sim: &Simulation, l: Lang) -> String {
    ChartsFile {
        lang: l,
        as_of: sim.as_of.to_string(),
        charts: [
            charts::programs(sim, l),
            charts::cash(sim, l),
            charts::bands(sim, l),
        ],
        css: include_str!("../../../../../static/app.css"),
    }
    .render()
    .unwrap_or_default()
}
