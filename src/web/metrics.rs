//! Prometheus metrics, kept by hand (a few counters and one histogram need no library):
//! requests by route and status, assessment latency, policy reloads and failures.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005,
    0.01, 0.1,
];

#[derive(Default)]
pub struct Metrics {
    /// (route pattern, method, status) → count.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency_buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    /// Sum of latencies in nanoseconds.
    latency_sum_ns: AtomicU64,
    pub reloads: AtomicU64,
    pub reload_failures: AtomicU64,
    /// Applications saved (new ones; a repeated key is not counted again).
    pub applications_saved: AtomicU64,
    /// Decisions recorded by officers.
    pub decisions: AtomicU64,
    /// People checked in batch uploads, and failed officer sign-ins.
    pub batch_rows: AtomicU64,
    pub login_failures: AtomicU64,
    /// Passwords checked (argon2 runs): a burst of sign-ins beyond the lockout adds nothing.
    pub password_checks: AtomicU64,
}

/// A request's method as a label: the standard ones by name, anything a client invented as
/// `OTHER`, so that clients cannot grow the label set without end.
fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT",
    ];
    KNOWN.into_iter().find(|m| *m == method).unwrap_or("OTHER")
}

impl Metrics {
    pub fn request(&self, route: &str, method: &str, status: u16) {
        if let Ok(mut map) = self.requests.lock() {
            *map.entry((route.to_string(), method_label(method).to_string(), status))
                .or_default() += 1;
        }
    }

    /// Records how long one assessment took.
    pub fn assessment(&self, elapsed: std::time::Duration) {
        let secs = elapsed.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                self.latency_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_ns.fetch_add(
            elapsed.as_nanos().min(u128::from(u64::MAX)) as u64,
            Ordering::Relaxed,
        );
    }

    /// The Prometheus text exposition; `policy_ok` is whether the last reload succeeded and
    /// `loaded_at` the Unix time the policy in use was loaded.
    pub fn render(&self, policy_ok: bool, loaded_at: i64) -> String {
        let mut out = String::with_capacity(2048);
        out.push_str("# HELP http_requests_total HTTP requests by route, method and status.\n# TYPE http_requests_total counter\n");
        if let Ok(map) = self.requests.lock() {
            for ((route, method, status), n) in map.iter() {
                let _ = writeln!(
                    out,
                    "http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP assessment_duration_seconds Time to assess one profile (reading, rules, result).\n# TYPE assessment_duration_seconds histogram\n");
        for (i, bound) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "assessment_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                self.latency_buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "assessment_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "assessment_duration_seconds_sum {}",
            self.latency_sum_ns.load(Ordering::Relaxed) as f64 / 1e9
        );
        let _ = writeln!(out, "assessment_duration_seconds_count {count}");
        let _ = writeln!(
            out,
            "# HELP policy_reloads_total Policy reloads that were compiled and switched to.\n# TYPE policy_reloads_total counter\npolicy_reloads_total {}",
            self.reloads.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP policy_reload_failures_total Policy reloads refused because the files had errors.\n# TYPE policy_reload_failures_total counter\npolicy_reload_failures_total {}",
            self.reload_failures.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP policy_last_reload_ok Whether the last reload succeeded (the policy in use is the files on disk).\n# TYPE policy_last_reload_ok gauge\npolicy_last_reload_ok {}",
            u8::from(policy_ok)
        );
        for (name, help, value) in [
            (
                "applications_saved_total",
                "Applications submitted and saved.",
                &self.applications_saved,
            ),
            (
                "decisions_total",
                "Decisions officers recorded.",
                &self.decisions,
            ),
            (
                "batch_rows_total",
                "People checked in batch uploads.",
                &self.batch_rows,
            ),
            (
                "login_failures_total",
                "Failed officer sign-ins.",
                &self.login_failures,
            ),
            (
                "password_checks_total",
                "Passwords checked at sign-in.",
                &self.password_checks,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                value.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP policy_loaded_timestamp_seconds When the policy in use was loaded.\n# TYPE policy_loaded_timestamp_seconds gauge\npolicy_loaded_timestamp_seconds {loaded_at}"
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_methods_share_one_label() {
        let m = Metrics::default();
        for i in 0..100 {
            m.request("unmatched", &format!("X{i}"), 404);
        }
        m.request("unmatched", "GET", 404);
        let text = m.render(true, 0);
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("http_requests_total{"))
            .collect();
        assert_eq!(
            lines,
            [
                "http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1",
                "http_requests_total{route=\"unmatched\",method=\"OTHER\",status=\"404\"} 100",
            ]
        );
    }
}
