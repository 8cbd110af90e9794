//! Signed fetches of our ActivityStreams documents: required in secure mode
//! (`federation.require_signed_fetch`), and refused to blocked domains (and,
//! in allowlist mode, to unlisted ones except for actor documents).
//! The instance actor stays public, so others can verify our own signed
//! requests.

use crate::error::AppError;
use crate::federation::Data;
use crate::wire::signatures::parse_request_signature_with_scheme;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn layer(data: Data, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let public = path == "/actor"
        || path.starts_with("/.well-known/")
        || path.starts_with("/nodeinfo/")
        || path.starts_with("/api/");
    if req.method() != axum::http::Method::GET
        || public
        || !super::wants_activity_json(req.headers())
    {
        return next.run(req).await;
    }
    let signed =
        req.headers().contains_key("signature") || req.headers().contains_key("signature-input");
    if !signed {
        if data.settings.federation.require_signed_fetch {
            return AppError::Unauthorized("this server requires signed fetches (secure mode): sign the GET with your actor's key".into())
                .into_response();
        }
        return next.run(req).await;
    }
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let headers = req.headers().clone();
    match verify(&data, &path, &headers).await {
        Ok(()) => next.run(req).await,
        Err(e)
            if matches!(e, AppError::Forbidden(_))
                || data.settings.federation.require_signed_fetch =>
        {
            e.into_response()
        }
        // Outside secure mode a bad signature on a GET is ignored: the
        // document is public anyway.
        Err(_) => next.run(req).await,
    }
}

/// `/c/{name}` or `/u/{name}`: an actor document.
fn is_actor_path(path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    ["/c/", "/u/"].iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| !rest.is_empty() && !rest.contains('/') && !rest.contains('.'))
    })
}

async fn verify(data: &Data, path: &str, headers: &axum::http::HeaderMap) -> Result<(), AppError> {
    let sig =
        parse_request_signature_with_scheme(data.settings.scheme(), "GET", path, headers, None)
            .map_err(AppError::Unauthorized)?;
    let owner = sig.key_owner_guess().map_err(AppError::Unauthorized)?;
    if data.settings.is_blocked_url(&owner) {
        return Err(AppError::Forbidden(format!(
            "{} is blocked here",
            owner.host_str().unwrap_or_default()
        )));
    }
    // Allowlist mode: an unlisted server may still read our actors (their
    // keys verify the Reject it gets), nothing else.
    if !data.settings.may_federate(&owner) && !is_actor_path(path) {
        return Err(AppError::Forbidden(format!(
            "{} is not among the domains this instance federates with",
            owner.host_str().unwrap_or_default()
        )));
    }
    crate::federation::inbox::verified_signer(data, &sig)
        .await
        .map(|_| ())
}
