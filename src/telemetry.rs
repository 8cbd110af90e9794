//! Prometheus metrics, one registry per instance.
//!
//! The `metrics` facade normally records into one process-wide recorder;
//! that would mix the counters of the several instances a test process runs
//! side by side. So each instance's `AppContext` owns a
//! [`Metrics`]: a Prometheus recorder that the `metrics` macros write into
//! through `metrics::with_local_recorder`, and that `GET /metrics` renders.
//! Nothing is installed globally.
//!
//! What is counted where: HTTP requests by route template (never the raw
//! path, which would make a series per article) in `web`; inbox activities
//! by kind and outcome in `federation::inbox`; deliveries by outcome with
//! their latency in `delivery::engine`; response-cache hits and misses in
//! `web::cache`. Gauges read from the database (due and parked deliveries,
//! the pool) are set when `/metrics` is rendered.

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

/// Seconds, for request and delivery latency histograms.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

impl Default for Metrics {
    fn default() -> Self {
        let builder = PrometheusBuilder::new();
        // A suffix matcher cannot fail: `set_buckets_for_metric` only
        // refuses an empty bucket list.
        let builder = match builder
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
        {
            Ok(b) => b,
            Err(_) => PrometheusBuilder::new(),
        };
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        describe(&recorder);
        Metrics { recorder, handle }
    }
}

/// Help texts, shown by Prometheus as `# HELP`.
fn describe(recorder: &PrometheusRecorder) {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    metrics::with_local_recorder(recorder, || {
        describe_counter!(
            "peerpress_http_requests_total",
            "HTTP requests by method, route template and status"
        );
        describe_histogram!(
            "peerpress_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template"
        );
        describe_counter!(
            "peerpress_inbox_activities_total",
            "Activities posted to our inboxes, by kind and outcome"
        );
        describe_counter!(
            "peerpress_deliveries_total",
            "Delivery attempts by outcome (done, gone, failed, retry)"
        );
        describe_histogram!(
            "peerpress_delivery_duration_seconds",
            "Time a delivery request took, by outcome"
        );
        describe_gauge!(
            "peerpress_deliveries_pending",
            "Deliveries waiting to be sent (due now or later)"
        );
        describe_gauge!(
            "peerpress_delivery_oldest_due_age_seconds",
            "How long the oldest delivery that is due has been waiting (0: none due)"
        );
        describe_gauge!(
            "peerpress_parked_hosts",
            "Hosts parked after failing on several days"
        );
        describe_gauge!(
            "peerpress_db_pool_connections",
            "Database connections of this process, by state (idle, in_use) and the pool's max"
        );
        describe_counter!(
            "peerpress_cache_requests_total",
            "Response-cache lookups, by result (hit, miss)"
        );
    });
}

/// Gauges read from the database when `/metrics` is rendered.
#[derive(Debug, Default, Clone, Copy)]
pub struct Snapshot {
    pub pending_deliveries: u64,
    pub oldest_due_secs: f64,
    pub parked_hosts: u64,
    pub pool_idle: u64,
    pub pool_in_use: u64,
    pub pool_max: u64,
}

impl Metrics {
    fn with<T>(&self, f: impl FnOnce() -> T) -> T {
        metrics::with_local_recorder(&self.recorder, f)
    }

    /// One HTTP request answered. `route` is the matched route template
    /// (`/c/{name}`), or `unmatched`.
    pub fn http_request(&self, method: &str, route: String, status: u16, secs: f64) {
        let method = method_label(method);
        self.with(|| {
            counter!("peerpress_http_requests_total",
                "method" => method, "route" => route.clone(), "status" => status_label(status))
            .increment(1);
            histogram!("peerpress_http_request_duration_seconds",
                "method" => method, "route" => route)
            .record(secs);
        });
    }

    /// One activity posted to an inbox. `kind` must come from a closed set
    /// (the activity kinds we know, or `Other`): labels are never remote text.
    pub fn inbox_activity(&self, kind: String, outcome: &'static str) {
        self.with(|| {
            counter!("peerpress_inbox_activities_total", "kind" => kind, "outcome" => outcome)
                .increment(1)
        });
    }

    /// One delivery attempt ended.
    pub fn delivery(&self, outcome: &'static str, secs: f64) {
        self.with(|| {
            counter!("peerpress_deliveries_total", "outcome" => outcome).increment(1);
            histogram!("peerpress_delivery_duration_seconds", "outcome" => outcome).record(secs);
        });
    }

    /// One response-cache lookup.
    pub fn cache(&self, hit: bool) {
        let result = if hit { "hit" } else { "miss" };
        self.with(|| counter!("peerpress_cache_requests_total", "result" => result).increment(1));
    }

    /// The Prometheus text exposition, with the gauges of `snapshot`.
    pub fn render(&self, snapshot: &Snapshot) -> String {
        self.with(|| {
            gauge!("peerpress_deliveries_pending").set(snapshot.pending_deliveries as f64);
            gauge!("peerpress_delivery_oldest_due_age_seconds").set(snapshot.oldest_due_secs);
            gauge!("peerpress_parked_hosts").set(snapshot.parked_hosts as f64);
            gauge!("peerpress_db_pool_connections", "state" => "idle")
                .set(snapshot.pool_idle as f64);
            gauge!("peerpress_db_pool_connections", "state" => "in_use")
                .set(snapshot.pool_in_use as f64);
            gauge!("peerpress_db_pool_connections", "state" => "max").set(snapshot.pool_max as f64);
        });
        self.handle.render()
    }

    /// Fold recorded histogram samples into their buckets; run now and then
    /// so that samples do not pile up between scrapes.
    pub fn upkeep(&self) {
        self.handle.run_upkeep();
    }
}

fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

/// Status codes as static labels (no allocation per request).
fn status_label(status: u16) -> &'static str {
    macro_rules! codes {
        ($($n:literal)*) => { match status { $($n => stringify!($n),)* _ => "other" } };
    }
    codes!(200 201 202 204 206 301 302 303 304 307 308 400 401 403 404 405 406 408 409 410 413
        415 422 429 500 502 503 504)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_registries_do_not_mix() {
        let a = Metrics::default();
        let b = Metrics::default();
        a.http_request("GET", "/c/{name}".into(), 200, 0.002);
        a.cache(true);
        let text = a.render(&Snapshot::default());
        assert!(
            text.contains(
                "peerpress_http_requests_total{method=\"GET\",route=\"/c/{name}\",status=\"200\"} 1"
            ),
            "{text}"
        );
        assert!(
            text.contains("peerpress_http_request_duration_seconds_bucket{method=\"GET\",route=\"/c/{name}\",le=\"0.0025\"} 1"),
            "{text}"
        );
        let other = b.render(&Snapshot::default());
        assert!(!other.contains("peerpress_http_requests_total{"), "{other}");
        assert_eq!(status_label(404), "404");
        assert_eq!(status_label(599), "other");
    }
}
