//! Sending one delivery: the activity and key loaded once per batch, the
//! request signed at send time, the answer bounded.

use super::*;
use crate::context::AppContext;
use crate::wire::signatures::sign_request;
use chrono::{DateTime, Duration, Utc};
use entity::{activity, actor, delivery};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use url::Url;

/// What every delivery of one activity shares: the body and the signing key.
pub(super) struct Prepared {
    body: Vec<u8>,
    key: Arc<aws_lc_rs::rsa::KeyPair>,
    key_id: String,
}

/// Load the activities and signing keys of `claimed` that are not cached.
pub(super) async fn prepare(
    ctx: &AppContext,
    claimed: &[delivery::Model],
    cache: &mut HashMap<i64, Result<Arc<Prepared>, SendError>>,
) {
    let missing: BTreeSet<i64> = claimed
        .iter()
        .map(|d| d.activity_id)
        .filter(|id| !cache.contains_key(id))
        .collect();
    if missing.is_empty() {
        return;
    }
    let loaded = async {
        let activities = activity::Entity::find()
            .filter(activity::Column::Id.is_in(missing.iter().copied()))
            .all(&ctx.db)
            .await?;
        let signer_ids: BTreeSet<i64> = claimed.iter().map(|d| d.actor_id).collect();
        let signers: HashMap<i64, actor::Model> = actor::Entity::find()
            .filter(actor::Column::Id.is_in(signer_ids))
            .all(&ctx.db)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        Ok::<_, sea_orm::DbErr>((activities, signers))
    };
    let (activities, signers) = match loaded.await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "could not load activities to deliver");
            return; // not cached: the attempts report a transient error
        }
    };
    let mut found: HashMap<i64, activity::Model> =
        activities.into_iter().map(|a| (a.id, a)).collect();
    for d in claimed {
        if cache.contains_key(&d.activity_id) {
            continue;
        }
        let entry = match (found.remove(&d.activity_id), signers.get(&d.actor_id)) {
            (Some(activity), Some(signer)) => match signer.private_key_pem.as_deref() {
                Some(pem) => match ctx.keys.get(signer.id, pem) {
                    Ok(key) => Ok(Arc::new(Prepared {
                        body: activity.json.into_bytes(),
                        key,
                        key_id: format!("{}#main-key", signer.ap_id),
                    })),
                    Err(e) => Err(SendError::Permanent(e)),
                },
                None => Err(SendError::Permanent(
                    "signing actor has no private key".into(),
                )),
            },
            _ => Err(SendError::Permanent(
                "activity or signing actor no longer exists".into(),
            )),
        };
        cache.insert(d.activity_id, entry);
    }
}

pub(super) async fn attempt(
    ctx: &AppContext,
    d: delivery::Model,
    ready: Result<Arc<Prepared>, SendError>,
) -> Outcome {
    let started = std::time::Instant::now();
    let result = match ready {
        Ok(p) => send(ctx, &d, &p).await,
        Err(e) => Err(e),
    };
    let took = started.elapsed().as_secs_f64();
    let (status, error, kind) = match result {
        Ok(Response {
            status,
            body,
            retry_after,
        }) => {
            let kind = classify(status, retry_after);
            let error = (kind != OutcomeKind::Done).then_some(body);
            (Some(status), error, kind)
        }
        Err(SendError::Permanent(e)) => (None, Some(e), OutcomeKind::Failed),
        Err(SendError::Transient(e)) => (
            None,
            Some(e),
            OutcomeKind::Retry {
                after: None,
                server_fault: true,
            },
        ),
    };
    tracing::info!(
        host = %d.host,
        inbox = %d.inbox_url,
        attempt = d.attempts + 1,
        status = ?status,
        outcome = ?kind,
        error = error.as_deref().unwrap_or(""),
        "delivery attempt"
    );
    ctx.metrics.delivery(
        match kind {
            OutcomeKind::Done => "done",
            OutcomeKind::Gone => "gone",
            OutcomeKind::Failed => "failed",
            OutcomeKind::Retry { .. } => "retry",
        },
        took,
    );
    Outcome {
        id: d.id,
        attempts: u32::try_from(d.attempts + 1).unwrap_or(u32::MAX),
        host: d.host,
        inbox: d.inbox_url,
        status,
        error,
        kind,
    }
}

pub(super) struct Response {
    status: u16,
    body: String,
    retry_after: Option<Duration>,
}

#[derive(Clone)]
pub(super) enum SendError {
    Permanent(String),
    Transient(String),
}

async fn send(ctx: &AppContext, d: &delivery::Model, p: &Prepared) -> Result<Response, SendError> {
    let inbox = Url::parse(&d.inbox_url)
        .map_err(|e| SendError::Permanent(format!("inbox `{}` is not a URL: {e}", d.inbox_url)))?;
    crate::wire::guard::check_outgoing(&ctx.settings, &inbox)
        .map_err(|e| SendError::Permanent(format!("inbox refused: {e}")))?;
    let headers = sign_request(&p.key, &p.key_id, "POST", &inbox, Some(&p.body))
        .map_err(SendError::Permanent)?;
    let mut req = ctx
        .http
        .post(inbox.as_str())
        .header("content-type", crate::wire::AS_CONTENT_TYPE)
        .header("accept", crate::wire::AS_CONTENT_TYPE);
    for (name, value) in headers {
        req = req.header(name, value);
    }
    let mut res = req
        .body(p.body.clone())
        .send()
        .await
        .map_err(|e| SendError::Transient(format!("request failed: {e}")))?;
    let status = res.status().as_u16();
    let retry_after = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    // Success bodies are never read; error bodies only a little, briefly:
    // a huge or endless answer cannot hold a worker.
    let mut text = Vec::new();
    if !(200..300).contains(&status) {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), async {
            while let Ok(Some(chunk)) = res.chunk().await {
                text.extend_from_slice(&chunk);
                if text.len() >= ERROR_BODY_MAX {
                    break;
                }
            }
        })
        .await;
        text.truncate(ERROR_BODY_MAX);
    }
    Ok(Response {
        status,
        body: String::from_utf8_lossy(&text).into_owned(),
        retry_after,
    })
}

/// `Retry-After`: delay-seconds or an HTTP date, capped at a day.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let secs = match v.trim().parse::<i64>() {
        Ok(s) => s,
        Err(_) => {
            let when = httpdate::parse_http_date(v.trim()).ok()?;
            let when: DateTime<Utc> = when.into();
            (when - Utc::now()).num_seconds()
        }
    };
    Some(Duration::seconds(secs.clamp(0, 24 * 3600)))
}
