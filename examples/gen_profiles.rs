//! Writes N varied, valid applicant profiles as JSON Lines, for the `eval` throughput
//! benchmark: cargo run --release --example gen_profiles -- 100000 > /tmp/profiles.jsonl
//! — or, with `--csv`, as a spreadsheet under the batch template's header, for the batch
//! benchmark: cargo run --release --example gen_profiles -- 10000 --csv > /tmp/people.csv
//! — or, with `--xlsx`, as the Excel template filled in: … -- 10000 --xlsx > /tmp/people.xlsx

use std::io::{BufWriter, Write};

const EXAMPLE: &str = include_str!("profile.json");
const INDUSTRIES: [&str; 8] = [
    "electronic_information",
    "advanced_equipment",
    "new_materials",
    "biomedicine",
    "new_energy",
    "digital_economy",
    "modern_services",
    "other",
];
const DEGREES: [&str; 4] = ["bachelor", "master", "doctorate", "associate"];
const HONORS: [&str; 6] = [
    "",
    "municipal_talent_program",
    "provincial_talent_program",
    "national_talent_program",
    "academician",
    "",
];

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let base: serde_json::Value = serde_json::from_str(EXAMPLE).expect("example profile");
    let csv = std::env::args().any(|a| a == "--csv");
    let xlsx = std::env::args().any(|a| a == "--xlsx");
    let mut people: Vec<Vec<String>> = Vec::new();
    let mut out = BufWriter::new(std::io::stdout().lock());
    if csv {
        out.write_all(talent_subsidy::batch::template_csv().as_bytes())
            .expect("write");
    }
    let mut rows = ::csv::Writer::from_writer(Vec::new());
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..n {
        let mut v = base.clone();
        let person = &mut v["person"];
        person["id_type"] = "passport".into();
        person["id_number"] = format!("E{i:08}").into();
        person["birth_date"] = format!("{}-{:02}-15", 1960 + next() % 40, 1 + next() % 12).into();
        person["highest_degree"] = DEGREES[(next() % 4) as usize].into();
        let honor = HONORS[(next() % 6) as usize];
        person["honors"] = if honor.is_empty() {
            serde_json::json!([])
        } else {
            serde_json::json!([honor])
        };
        let e = &mut v["employment"];
        e["industry"] = INDUSTRIES[(next() % 8) as usize].into();
        e["annual_salary"] = format!("{}", 100_000 + next() % 900_000).into();
        e["contract_years"] = (next() % 6).into();
        let s = &mut v["startup"];
        s["industry"] = INDUSTRIES[(next() % 8) as usize].into();
        s["founder_equity_pct"] = format!("{}.{:02}", next() % 100, next() % 100).into();
        s["planned_rd_investment"] = format!("{}", next() % 40_000_000).into();
        s["office_area_sqm"] = format!("{}", next() % 300).into();
        if xlsx {
            people.push(talent_subsidy::batch::csv_row(&v));
        } else if csv {
            rows.write_record(talent_subsidy::batch::csv_row(&v))
                .expect("write");
        } else {
            serde_json::to_writer(&mut out, &v).expect("write");
            out.write_all(b"\n").expect("write");
        }
    }
    if csv {
        out.write_all(&rows.into_inner().expect("write"))
            .expect("write");
    }
    if xlsx {
        let book = talent_subsidy::batch::xlsx::people(&people).expect("workbook");
        out.write_all(&book).expect("write");
    }
    out.flush().expect("flush");
}
