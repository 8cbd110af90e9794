//! `/api/v1/admin/…`: what instance admins see and do.

use super::*;
use crate::error::{AppError, AppResult};
use crate::federation::Data;
use serde::Deserialize;

/// The delivery queue, per state and per destination host.
#[utoipa::path(get, path = "/admin/deliveries", tag = "admin",
    responses(
        (status = 200, description = "Counts per state and the hosts that fail", body = serde_json::Value),
        (status = 403, description = "Not an instance admin", body = ErrorOut),
    ))]
pub(super) async fn deliveries_status(
    data: Data,
    Admin(_admin): Admin,
) -> AppResult<Json<serde_json::Value>> {
    let s = crate::delivery::status::status(&data).await?;
    Ok(Json(serde_json::to_value(s).map_err(AppError::internal)?))
}

/// Which host to retry now.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(super) struct RetryBody {
    /// The host (and port), e.g. `mastodon.example`.
    host: Option<String>,
}

impl Input for RetryBody {
    fn check(&self, problems: &mut Problems) {
        require(
            problems,
            "host",
            &self.host,
            "the host (and port) to retry, e.g. mastodon.example",
        );
    }
}

#[derive(Serialize, ToSchema)]
pub(super) struct RetryOut {
    host: String,
    /// Deliveries made due now.
    due_now: u64,
}

/// Retry a host's waiting deliveries now, and lift its suspension.
#[utoipa::path(post, path = "/admin/deliveries/retry", tag = "admin",
    request_body = RetryBody,
    responses(
        (status = 200, description = "How many deliveries are due now", body = RetryOut),
        (status = 403, description = "Not an instance admin", body = ErrorOut),
        (status = 422, description = "Invalid fields", body = InvalidOut),
    ))]
pub(super) async fn deliveries_retry(
    data: Data,
    Admin(_admin): Admin,
    Body(input): Body<RetryBody>,
) -> AppResult<Json<RetryOut>> {
    let host = input.host.unwrap_or_default().trim().to_string();
    let due_now = crate::delivery::health::retry_now(&data, &host).await?;
    Ok(Json(RetryOut { host, due_now }))
}
