//! The inbox endpoints (`/inbox`, `/actor/inbox` and each actor's): bounded
//! by the router (1 MiB, 413), then handed to `federation::inbox`, which
//! checks, verifies and handles the activity.

use crate::error::AppResult;
use crate::federation::Data;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};

pub use crate::federation::inbox::MAX_BODY;

async fn receive(
    data: &Data,
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> AppResult<()> {
    let client = super::client_addr(headers, &data.settings);
    crate::federation::inbox::receive(data, &client, method, uri, headers, body).await
}

/// `/inbox`, and the instance actor's `/actor/inbox`, which is handled the
/// same way: neither names a community or a person to check first.
pub async fn shared_inbox(
    data: Data,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(receive(&data, &method, &uri, &headers, &body).await)
}

pub async fn community_inbox(
    data: Data,
    Path(name): Path<String>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    actor_inbox(
        data,
        crate::domain::actors::LocalKind::Community,
        name,
        method,
        uri,
        headers,
        body,
    )
    .await
}

pub async fn person_inbox(
    data: Data,
    Path(name): Path<String>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    actor_inbox(
        data,
        crate::domain::actors::LocalKind::Person,
        name,
        method,
        uri,
        headers,
        body,
    )
    .await
}

async fn actor_inbox(
    data: Data,
    kind: crate::domain::actors::LocalKind,
    name: String,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(e) = crate::domain::actors::get_local(&data.db, kind, &name).await {
        return e.into_response();
    }
    respond(receive(&data, &method, &uri, &headers, &body).await)
}

fn respond(result: AppResult<()>) -> Response {
    match result {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(e) => {
            if e.status().is_client_error() {
                tracing::info!(error = %e, status = %e.status(), "inbox refused an activity");
            }
            e.into_response()
        }
    }
}
