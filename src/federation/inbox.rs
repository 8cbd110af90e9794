//! What reaches an inbox (the axum endpoints are in `web::inbox`): check,
//! verify, deduplicate, dispatch. Every step that refuses says why, with a
//! 4xx.
//!
//! Order matters: the body is bounded by the router (1 MiB, 413), then its
//! content type (415) and JSON shape (400) are checked before any network
//! call; the HTTP signature (401) is verified with the key of the actor its
//! `keyId` names, refetched once on failure (key rotation); that actor must be
//! the activity's actor; a replayed id changes nothing.

use super::Data;
use super::activities;
use super::objects::actor::ApubActor;
use crate::error::{AppError, AppResult};
use crate::wire::signatures::parse_request_signature_with_scheme;
use activitypub_federation::fetch::object_id::ObjectId;
use axum::http::{HeaderMap, Method};

/// The most bytes an inbox accepts (Mastodon refuses documents over 1 MB too).
pub const MAX_BODY: usize = 1024 * 1024;

fn content_type_ok(headers: &HeaderMap) -> bool {
    let Some(ct) = headers.get("content-type").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "application/activity+json" | "application/ld+json" | "application/json"
    )
}

/// Parse an inbox body, once: JSON within the shape bounds, its terms
/// normalized, read into the typed [`activities::Inbound`] (an embedded
/// post-like object parsed with it). Pure: the fuzz target drives it with
/// arbitrary bytes.
pub fn parse_body(body: &[u8]) -> AppResult<(serde_json::Value, activities::Inbound)> {
    let mut raw: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| AppError::BadRequest(format!("body is not valid JSON: {e}")))?;
    crate::wire::guard::check_shape(&raw).map_err(AppError::BadRequest)?;
    crate::wire::normalize_terms(&mut raw);
    let inbound = activities::Inbound::parse(&raw).map_err(AppError::BadRequest)?;
    Ok((raw, inbound))
}

/// The actor whose key made `signature`, fetched (from our store when fresh)
/// and checked against it; on a mismatch the actor is refetched once, since
/// its key may have been rotated. Shared by inboxes and signed fetches.
pub async fn verified_signer(
    data: &Data,
    signature: &crate::wire::signatures::ParsedSignature,
) -> AppResult<ApubActor> {
    let owner = signature
        .key_owner_guess()
        .map_err(AppError::Unauthorized)?;
    let signer = ObjectId::<ApubActor>::from(owner.clone())
        .dereference(data)
        .await
        .map_err(|e| {
            AppError::Unauthorized(format!(
                "could not fetch the signing key's actor {owner}: {e}"
            ))
        })?;
    if signature.verify(&signer.model.public_key_pem) {
        return Ok(signer);
    }
    let fresh = ObjectId::<ApubActor>::from(owner.clone())
        .dereference_forced(data)
        .await
        .ok();
    match fresh {
        Some(f) if !f.model.local && signature.verify(&f.model.public_key_pem) => Ok(f),
        _ => Err(AppError::Unauthorized(format!(
            "signature does not verify with the key of {owner}"
        ))),
    }
}

/// Check, verify and handle one posted activity, and count it by kind and
/// outcome (`applied`, `ignored`, `duplicate`, `refused` for a 4xx,
/// `error`). `client` is the sender's address, as the web layer determined it.
pub async fn receive(
    data: &Data,
    client: &str,
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> AppResult<()> {
    let mut kind = None;
    let result = check_and_handle(data, client, method, uri, headers, body, &mut kind).await;
    let outcome = match &result {
        Ok(Handled::Applied) => "applied",
        Ok(Handled::Ignored) => "ignored",
        Ok(Handled::Duplicate) => "duplicate",
        Err(e) if e.status().is_client_error() => "refused",
        Err(_) => "error",
    };
    let kind = kind.map_or_else(
        || "unread".to_string(),
        |k| {
            use sea_orm::ActiveEnum;
            k.to_value()
        },
    );
    data.metrics.inbox_activity(kind, outcome);
    result.map(|_| ())
}

/// What came of a posted activity that was not refused.
enum Handled {
    Applied,
    Ignored,
    Duplicate,
}

async fn check_and_handle(
    data: &Data,
    client: &str,
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
    kind: &mut Option<entity::activity::ActivityKind>,
) -> AppResult<Handled> {
    data.limiter
        .check(
            &format!("inbox-addr:{client}"),
            data.settings.limits.inbox_per_address_per_minute,
        )
        .map_err(|secs| crate::ratelimit::too_many(client, secs))?;
    if !content_type_ok(headers) {
        return Err(AppError::UnsupportedMediaType(
            "inbox POSTs must be application/activity+json or application/ld+json".into(),
        ));
    }
    let (raw, inbound) = parse_body(body)?;
    let doc = &inbound.envelope;
    *kind = Some(entity::activity::ActivityKind::of(&doc.kind));

    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let signature = parse_request_signature_with_scheme(
        data.settings.scheme(),
        method.as_str(),
        path,
        headers,
        Some(body),
    )
    .map_err(AppError::Unauthorized)?;
    let owner = signature
        .key_owner_guess()
        .map_err(AppError::Unauthorized)?;
    for url in [&owner, &doc.actor] {
        if data.settings.is_blocked_url(url) {
            return Err(AppError::Forbidden(format!(
                "{} is blocked here",
                url.host_str().unwrap_or_default()
            )));
        }
    }
    let key_host = owner.host_str().unwrap_or("");
    data.limiter
        .check(
            &format!("inbox-host:{key_host}"),
            data.settings.limits.inbox_per_host_per_minute,
        )
        .map_err(|secs| crate::ratelimit::too_many(key_host, secs))?;
    let signer = verified_signer(data, &signature).await?;
    if signer.model.ap_id != doc.actor.as_str() {
        return Err(AppError::Unauthorized(format!(
            "the request is signed by {} but the activity's actor is {}",
            signer.model.ap_id, doc.actor
        )));
    }
    // Allowlist mode: a Follow is answered with Reject (by its handler),
    // anything else from an unlisted server is refused.
    if !data.settings.may_federate(&doc.actor)
        && !matches!(inbound.activity, activities::Activity::Follow { .. })
    {
        return Err(AppError::Forbidden(format!(
            "{} is not among the domains this instance federates with",
            doc.actor.host_str().unwrap_or_default()
        )));
    }
    if signer.model.local {
        return Err(AppError::BadRequest(
            "activities of our own actors are not accepted from outside".into(),
        ));
    }
    // A host that speaks to us with a valid signature is alive again.
    crate::delivery::health::revive(data.app_data(), &signer.model.host).await?;
    // Claim the id before handling, so that two copies arriving at once
    // (one at the community's inbox, one at the author's, from a server
    // without a shared inbox) are handled once: the second finds the claim.
    let received = crate::domain::received::Received {
        id: doc.id.as_str(),
        kind: &doc.kind,
        actor: doc.actor.as_str(),
    };
    if !crate::domain::received::claim(&data.db, &received).await? {
        tracing::debug!(id = %doc.id, "duplicate activity ignored");
        return Ok(Handled::Duplicate);
    }
    match activities::handle(data, &signer, &inbound, &raw).await {
        Ok(activities::Outcome::Applied) => {
            crate::domain::received::handled(&data.db, &received, Some(&raw.to_string())).await?;
            Ok(Handled::Applied)
        }
        // An ignored activity keeps only its id, to recognise redeliveries.
        Ok(activities::Outcome::Ignored) => {
            crate::domain::received::handled(&data.db, &received, None).await?;
            Ok(Handled::Ignored)
        }
        Err(e) => {
            // Not handled: a redelivery may try again.
            crate::domain::received::release(&data.db, &received).await;
            Err(e)
        }
    }
}
