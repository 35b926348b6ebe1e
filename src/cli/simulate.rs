//! `talent-subsidy simulate`: a draft of the policy against the policy in force, on a
//! population from a file and/or the saved applications; a report, or JSON, and on request
//! every table as CSV and every chart as SVG.

use super::{DatabaseArg, print_diagnostics};
use app::simulate::population::{EitherPolicy, MAX_PEOPLE, Read, from_saved, read_file};
use app::simulate::{Simulation, default_as_of, simulate};
use chrono::NaiveDate;
use rules::input::Lang;
use rules::policy::Policy;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The draft: a copy of the policy folder with the change
    #[arg(long, value_name = "DIR")]
    pub draft: PathBuf,
    /// People: JSON Lines (one profile a line), or an .xlsx / CSV in the batch template's
    /// columns
    #[arg(long, value_name = "FILE")]
    pub population: Option<PathBuf>,
    /// Also the saved applications of the database (neither withdrawn nor erased)
    #[arg(long)]
    pub saved: bool,
    #[command(flatten)]
    pub database: DatabaseArg,
    /// The date both policies are applied on [default: the first day of the draft's last
    /// version when that is still to come, else today]
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    /// Write every table as CSV and every chart as SVG into this folder
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the whole comparison as JSON instead of the report
    #[arg(long)]
    pub json: bool,
}

fn saved_people(database: &DatabaseArg, ctx: &EitherPolicy) -> Result<Read, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let saved = runtime.block_on(async {
        let store = store::Store::open(&database.database_url, &database.keys()?)
            .await
            .map_err(|e| e.to_string())?;
        let rows = store.saved_profiles().await.map_err(|e| e.to_string());
        store.close().await;
        rows
    })?;
    Ok(from_saved(&saved, ctx))
}

pub(super) fn run(
    current: &Policy,
    args: SimulateArgs,
    charts: fn(&Simulation, Lang) -> String,
) -> ExitCode {
    let draft = match rules::policy::load::draft::load_dir(&args.draft) {
        Ok(d) => {
            print_diagnostics(&d.warnings);
            d
        }
        Err(diags) => {
            print_diagnostics(&diags);
            eprintln!("草案有错误，未测算 / the draft has errors: nothing was simulated");
            return ExitCode::from(2);
        }
    };
    if args.population.is_none() && !args.saved {
        eprintln!(
            "请用 --population FILE 或 --saved 指定测算人群 / name the people with --population FILE, --saved, or both"
        );
        return ExitCode::from(2);
    }
    let ctx = EitherPolicy(current, &draft);
    let mut people = Read::default();
    if let Some(file) = &args.population {
        let read = std::fs::read(file)
            .map_err(|e| {
                (
                    format!("无法读取 {}：{e}", file.display()),
                    format!("cannot read {}: {e}", file.display()),
                )
            })
            .and_then(|bytes| read_file(&bytes, &ctx, MAX_PEOPLE));
        match read {
            Ok(r) => {
                people.people.extend(r.people);
                people.skipped.extend(r.skipped);
            }
            Err((zh, en)) => {
                eprintln!("{zh} / {en}");
                return ExitCode::from(2);
            }
        }
    }
    if args.saved {
        match saved_people(&args.database, &ctx) {
            Ok(r) => {
                people.people.extend(r.people);
                people.skipped.extend(r.skipped);
            }
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        }
    }
    let as_of = args
        .as_of
        .unwrap_or_else(|| default_as_of(&draft, store::today()));
    let mut sim = match simulate(current, &draft, &people.people, as_of) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{} / {}", e.zh(), e.en());
            return ExitCode::from(2);
        }
    };
    sim.add_unread(people.skipped);
    if let Some(dir) = &args.out
        && let Err(e) = write_out(&sim, dir, charts)
    {
        eprintln!(
            "无法写入 {}：{e} / cannot write into {}: {e}",
            dir.display(),
            dir.display()
        );
        return ExitCode::from(2);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&sim).unwrap_or_default());
    } else {
        print!("{}", report(&sim));
    }
    ExitCode::SUCCESS
}

/// Every table as CSV, and the charts as a page of their own in Chinese and in English (drawn
/// by the console's template, so they look as they do there).
fn write_out(
    sim: &Simulation,
    dir: &Path,
    charts: fn(&Simulation, Lang) -> String,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, _, _) in app::simulate::tables::TABLES {
        if let Some(csv) = sim.table_csv(name) {
            std::fs::write(dir.join(format!("{name}.csv")), csv)?;
        }
    }
    for lang in [Lang::Zh, Lang::En] {
        std::fs::write(
            dir.join(format!("charts.{}.html", lang.code())),
            charts(sim, lang),
        )?;
    }
    Ok(())
}

/// The report for a terminal: Chinese, then English, on each line.
pub fn report(sim: &Simulation) -> String {
    use rules::words::yuan;
    let mut o = String::new();
    let diff = |a, b| rules::words::signed_yuan(b - a);
    o.push_str(&format!(
        "测算日期 As of {}：现行 {} 版 / 草案 {} 版；{} 人（{} 人无法读取 could not be read）\n\n",
        sim.as_of, sim.current_version, sim.draft_version, sim.people, sim.skipped_count
    ));
    if !sim.parameters.is_empty() {
        o.push_str("参数变化 Parameters changed\n");
        for p in &sim.parameters {
            o.push_str(&format!(
                "  {} {}: {} → {}\n",
                p.zh, p.en, p.current, p.draft
            ));
        }
        o.push('\n');
    }
    o.push_str("各项目 Per program: 人数 people, 金额 yuan（现行 in force → 草案 draft）\n");
    for p in &sim.programs {
        o.push_str(&format!(
            "  {} {}: {} → {} 人 people; {} → {} ({})\n",
            p.zh,
            p.en,
            p.current_count,
            p.draft_count,
            yuan(&p.current_amount),
            yuan(&p.draft_amount),
            diff(p.current_amount, p.draft_amount)
        ));
    }
    o.push_str(&format!(
        "  合计 Total: {} → {} ({})\n\n",
        yuan(&sim.current_total),
        yuan(&sim.draft_total),
        diff(sim.current_total, sim.draft_total)
    ));
    o.push_str(&format!(
        "增加 Gain {} 人 · 减少 Lose {} 人 · 不变 Unchanged {} 人\n",
        sim.winners, sim.losers, sim.unchanged
    ));
    for b in sim.bands.iter().filter(|b| b.count > 0) {
        o.push_str(&format!("  {} {}: {}\n", b.zh, b.en, b.count));
    }
    o.push_str("\n每年拨付 Paid out by year（现行 in force → 草案 draft）\n");
    for y in &sim.cash {
        o.push_str(&format!(
            "  {}: {} → {} ({})\n",
            y.year,
            yuan(&y.current_total()),
            yuan(&y.draft_total()),
            diff(y.current_total(), y.draft_total())
        ));
    }
    if !sim.top.is_empty() {
        o.push_str("\n变化最大的人 The largest changes\n");
        for c in &sim.top {
            o.push_str(&format!(
                "  {}: {} → {} ({})\n",
                c.label,
                yuan(&c.current_total),
                yuan(&c.draft_total),
                diff(c.current_total, c.draft_total)
            ));
            for (zh, en) in &c.reasons {
                o.push_str(&format!("    {zh} / {en}\n"));
            }
        }
    }
    o
}
