//! What operators and their machines read: `/metrics` (Prometheus text),
//! `/healthz` (the process answers) and `/readyz` (the database is
//! reachable and migrated).

use crate::federation::Data;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Prometheus text: to loopback clients that did not come through a proxy,
/// or to the bearer of `metrics.token`.
pub async fn metrics(data: Data, headers: HeaderMap) -> Response {
    let ctx = data.app_data();
    if !may_read_metrics(&ctx.settings, &headers) {
        tracing::warn!(
            "refused /metrics to a client neither on this machine nor bearing metrics.token"
        );
        return (
            StatusCode::FORBIDDEN,
            "/metrics answers clients on this machine, or with `Authorization: Bearer <metrics.token>`\n",
        )
            .into_response();
    }
    let snapshot = match crate::delivery::status::gauges(ctx).await {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        ctx.metrics.render(&snapshot),
    )
        .into_response()
}

fn may_read_metrics(settings: &crate::config::Settings, headers: &HeaderMap) -> bool {
    let token = &settings.metrics.token;
    if !token.is_empty()
        && let Some(given) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
    {
        #[allow(deprecated)]
        return aws_lc_rs::constant_time::verify_slices_are_equal(
            given.trim().as_bytes(),
            token.as_bytes(),
        )
        .is_ok();
    }
    // A local reverse proxy connects from loopback too: what it forwards is
    // not local.
    let proxied = ["x-forwarded-for", "forwarded", "x-real-ip"]
        .iter()
        .any(|h| headers.contains_key(*h));
    !proxied
        && super::peer_addr(headers)
            .and_then(|a| a.parse::<std::net::IpAddr>().ok())
            .is_some_and(|ip| ip.is_loopback())
}

/// The process is alive and answers.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// Ready for traffic: the database answers and every migration is applied.
pub async fn readyz(data: Data) -> Response {
    match crate::db::readiness(&data.db).await {
        Ok(()) => (StatusCode::OK, "ready\n").into_response(),
        Err(why) => {
            tracing::warn!(%why, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("not ready: {why}\n"),
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn who_may_read_metrics() {
        let mut settings = crate::config::Settings::load(None, Vec::new()).unwrap();
        let from = |addr: &str, extra: &[(&'static str, &str)]| {
            let mut h = HeaderMap::new();
            h.insert(
                super::super::CLIENT_ADDR_HEADER,
                HeaderValue::from_str(addr).unwrap(),
            );
            for (k, v) in extra {
                h.insert(*k, HeaderValue::from_str(v).unwrap());
            }
            h
        };
        assert!(may_read_metrics(&settings, &from("127.0.0.1", &[])));
        assert!(may_read_metrics(&settings, &from("::1", &[])));
        assert!(!may_read_metrics(&settings, &from("203.0.113.5", &[])));
        assert!(!may_read_metrics(
            &settings,
            &from("127.0.0.1", &[("x-forwarded-for", "203.0.113.5")])
        ));
        let bearer = [("authorization", "Bearer s3cret-s3cret-s3cret-s3cret")];
        assert!(!may_read_metrics(&settings, &from("203.0.113.5", &bearer)));
        settings.metrics.token = "s3cret-s3cret-s3cret-s3cret".into();
        assert!(may_read_metrics(&settings, &from("203.0.113.5", &bearer)));
        assert!(!may_read_metrics(
            &settings,
            &from("203.0.113.5", &[("authorization", "Bearer nope")])
        ));
    }
}
