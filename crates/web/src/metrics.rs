//! Prometheus metrics through the `prometheus` crate: requests by route pattern, method and
//! status, assessment latency, policy reloads and failures, and the console's counters.
//!
//! Invariant: **labels come from bounded sets**: the route is the pattern (`/status/{token}`,
//! or `unmatched`), never the path, and a method outside the standard ones is `OTHER`, so no
//! client can grow the series without end.

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005,
    0.01, 0.1,
];

pub struct Metrics {
    registry: Registry,
    /// (route pattern, method, status) → count.
    requests: IntCounterVec,
    assessments: Histogram,
    pub reloads: IntCounter,
    pub reload_failures: IntCounter,
    last_reload_ok: IntGauge,
    loaded_at: IntGauge,
    /// Applications saved (new ones; a repeated key is not counted again).
    pub applications_saved: IntCounter,
    /// Decisions recorded by officers.
    pub decisions: IntCounter,
    /// People checked in batch uploads.
    pub batch_rows: IntCounter,
    /// Failed officer sign-ins.
    pub login_failures: IntCounter,
    /// Passwords checked (argon2 runs): a burst of sign-ins beyond the lockout adds nothing.
    pub password_checks: IntCounter,
}

/// A request's method as a label: the standard ones by name, anything a client invented as
/// `OTHER`.
fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT",
    ];
    KNOWN.into_iter().find(|m| *m == method).unwrap_or("OTHER")
}

/// A counter registered with the service's registry.
fn counter(registry: &Registry, name: &str, help: &str) -> IntCounter {
    let c = IntCounter::new(name, help).expect("a valid metric name");
    registry
        .register(Box::new(c.clone()))
        .expect("each metric is registered once");
    c
}

/// A gauge registered with the service's registry.
fn gauge(registry: &Registry, name: &str, help: &str) -> IntGauge {
    let g = IntGauge::new(name, help).expect("a valid metric name");
    registry
        .register(Box::new(g.clone()))
        .expect("each metric is registered once");
    g
}

impl Default for Metrics {
    fn default() -> Self {
        // The names and options below are constants: building them cannot fail.
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route, method and status.",
            ),
            &["route", "method", "status"],
        )
        .expect("a valid metric");
        registry
            .register(Box::new(requests.clone()))
            .expect("registered once");
        let assessments = Histogram::with_opts(
            HistogramOpts::new(
                "assessment_duration_seconds",
                "Time to assess one profile (reading, rules, result).",
            )
            .buckets(BUCKETS.to_vec()),
        )
        .expect("a valid histogram");
        registry
            .register(Box::new(assessments.clone()))
            .expect("registered once");
        Metrics {
            requests,
            assessments,
            reloads: counter(
                &registry,
                "policy_reloads_total",
                "Policy reloads that were compiled and switched to.",
            ),
            reload_failures: counter(
                &registry,
                "policy_reload_failures_total",
                "Policy reloads refused because the files had errors.",
            ),
            last_reload_ok: gauge(
                &registry,
                "policy_last_reload_ok",
                "Whether the last reload succeeded (the policy in use is the files on disk).",
            ),
            loaded_at: gauge(
                &registry,
                "policy_loaded_timestamp_seconds",
                "When the policy in use was loaded.",
            ),
            applications_saved: counter(
                &registry,
                "applications_saved_total",
                "Applications submitted and saved.",
            ),
            decisions: counter(&registry, "decisions_total", "Decisions officers recorded."),
            batch_rows: counter(
                &registry,
                "batch_rows_total",
                "People checked in batch uploads.",
            ),
            login_failures: counter(
                &registry,
                "login_failures_total",
                "Failed officer sign-ins.",
            ),
            password_checks: counter(
                &registry,
                "password_checks_total",
                "Passwords checked at sign-in.",
            ),
            registry,
        }
    }
}

impl Metrics {
    pub fn request(&self, route: &str, method: &str, status: u16) {
        let mut code = itoa::Buffer::new();
        self.requests
            .with_label_values(&[route, method_label(method), code.format(status)])
            .inc();
    }

    /// Records how long one assessment took.
    pub fn assessment(&self, elapsed: std::time::Duration) {
        self.assessments.observe(elapsed.as_secs_f64());
    }

    /// The Prometheus text exposition; `policy_ok` is whether the last reload succeeded and
    /// `loaded_at` the Unix time the policy in use was loaded.
    pub fn render(&self, policy_ok: bool, loaded_at: i64) -> String {
        self.last_reload_ok.set(i64::from(policy_ok));
        self.loaded_at.set(loaded_at);
        let mut out = Vec::with_capacity(4096);
        // Encoding into a Vec fails only on a malformed metric, which the names above are not.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
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
                "http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1",
                "http_requests_total{method=\"OTHER\",route=\"unmatched\",status=\"404\"} 100",
            ]
        );
    }
}
