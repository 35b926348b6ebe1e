//! Every table of a simulation as a CSV for Excel (through [`crate::spreadsheet::Sheet`]),
//! headers in Chinese and English, amounts as plain numbers.

use super::Simulation;
use crate::spreadsheet::Sheet;

/// The tables a simulation can be downloaded as, with their file names.
pub const TABLES: [(&str, &str, &str); 5] = [
    ("programs", "各项目", "Per program"),
    ("cash", "每年拨付", "Cash flow by year"),
    ("bands", "变化分布", "Distribution of changes"),
    ("top", "变化最大的20人", "The 20 largest changes"),
    ("parameters", "参数变化", "Parameters changed"),
];

impl Simulation {
    /// One table as CSV; `None` for a name not in [`TABLES`].
    pub fn table_csv(&self, name: &str) -> Option<String> {
        let mut s = Sheet::new();
        match name {
            "programs" => {
                s.row([
                    "项目 Program",
                    "现行人数 People (in force)",
                    "现行金额 Amount (in force)",
                    "草案人数 People (draft)",
                    "草案金额 Amount (draft)",
                    "金额变化 Change",
                ]);
                for p in &self.programs {
                    s.row([
                        format!("{} {}", p.zh, p.en),
                        p.current_count.to_string(),
                        p.current_amount.to_string(),
                        p.draft_count.to_string(),
                        p.draft_amount.to_string(),
                        p.change().to_string(),
                    ]);
                }
                s.row([
                    "合计 Total".to_string(),
                    String::new(),
                    self.current_total.to_string(),
                    String::new(),
                    self.draft_total.to_string(),
                    (self.draft_total - self.current_total).to_string(),
                ]);
            }
            "cash" => {
                let mut head = vec!["年份 Year".to_string()];
                for p in &self.programs {
                    head.push(format!("{} 现行 {} (in force)", p.zh, p.en));
                    head.push(format!("{} 草案 {} (draft)", p.zh, p.en));
                }
                head.push("合计现行 Total (in force)".into());
                head.push("合计草案 Total (draft)".into());
                s.row(head);
                for y in &self.cash {
                    let mut row = vec![y.year.to_string()];
                    for (c, d) in y.current.iter().zip(&y.draft) {
                        row.push(c.to_string());
                        row.push(d.to_string());
                    }
                    row.push(y.current_total().to_string());
                    row.push(y.draft_total().to_string());
                    s.row(row);
                }
            }
            "bands" => {
                s.row(["总额变化 Change in total", "人数 People"]);
                for b in &self.bands {
                    s.row([format!("{} {}", b.zh, b.en), b.count.to_string()]);
                }
            }
            "top" => {
                s.row([
                    "申请或行 Application or line",
                    "现行总额 Total (in force)",
                    "草案总额 Total (draft)",
                    "变化 Change",
                    "原因 Why",
                    "Why (English)",
                ]);
                for c in &self.top {
                    s.row([
                        c.label.clone(),
                        c.current_total.to_string(),
                        c.draft_total.to_string(),
                        c.change().to_string(),
                        c.reasons
                            .iter()
                            .map(|r| r.0.as_str())
                            .collect::<Vec<_>>()
                            .join("；"),
                        c.reasons
                            .iter()
                            .map(|r| r.1.as_str())
                            .collect::<Vec<_>>()
                            .join("; "),
                    ]);
                }
            }
            "parameters" => {
                s.row(["参数 Parameter", "现行 In force", "草案 Draft"]);
                for p in &self.parameters {
                    s.row([
                        format!("{} {}", p.zh, p.en),
                        p.current.clone(),
                        p.draft.clone(),
                    ]);
                }
            }
            _ => return None,
        }
        Some(s.finish())
    }
}
