//! The durable outbox. Callers enqueue inside their own transaction: the
//! activity JSON is stored once, with one delivery row per target inbox
//! (deduplicated). Workers claim due rows with a lease, sign at send time and
//! record the outcome; nothing lives only in memory, so a restart loses nothing.

pub mod backoff;

use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use crate::federation::signatures::sign_request;
use chrono::Duration;
use entity::{activity, actor, delivery};
use futures::StreamExt;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::Value;
use std::collections::BTreeSet;
use url::Url;

/// How long a claimed delivery stays reserved for its worker.
const LEASE_SECS: i64 = 60;
/// Deliveries claimed per round.
const BATCH: u64 = 200;
/// Requests in flight per worker round.
const CONCURRENCY: usize = 32;

/// Store an activity we send (dereferenceable at its id).
pub async fn store_activity(
    db: &impl ConnectionTrait,
    json: &Value,
    actor: &actor::Model,
) -> AppResult<activity::Model> {
    let ap_id = json
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| AppError::Internal("activity without id".into()))?;
    let kind = json
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("Activity");
    Ok(activity::ActiveModel {
        ap_id: Set(ap_id.to_string()),
        kind: Set(kind.to_string()),
        actor_ap_id: Set(actor.ap_id.clone()),
        json: Set(json.to_string()),
        local: Set(true),
        created_at: Set(crate::domain::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Store `json` and one delivery per distinct inbox, signed later by `signer`.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    json: &Value,
    signer: &actor::Model,
    inboxes: impl IntoIterator<Item = String>,
) -> AppResult<usize> {
    let activity = store_activity(db, json, signer).await?;
    let inboxes: BTreeSet<String> = inboxes.into_iter().collect();
    let now = crate::domain::now();
    let rows: Vec<delivery::ActiveModel> = inboxes
        .iter()
        .map(|inbox| delivery::ActiveModel {
            activity_id: Set(activity.id),
            actor_id: Set(signer.id),
            inbox_url: Set(inbox.clone()),
            host: Set(Url::parse(inbox)
                .ok()
                .and_then(|u| {
                    u.host_str().map(|h| match u.port() {
                        Some(p) => format!("{h}:{p}"),
                        None => h.to_string(),
                    })
                })
                .unwrap_or_default()),
            state: Set("pending".into()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            locked_until: Set(None),
            last_status: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    let count = rows.len();
    for chunk in rows.chunks(500) {
        delivery::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(count)
}

/// The inboxes to reach the accepted followers of `target`: shared inbox
/// where there is one, each once.
pub async fn follower_inboxes(
    db: &impl ConnectionTrait,
    target: &actor::Model,
) -> AppResult<Vec<String>> {
    let follows = entity::follow::Entity::find()
        .filter(entity::follow::Column::TargetId.eq(target.id))
        .filter(entity::follow::Column::Accepted.eq(true))
        .all(db)
        .await?;
    let ids: Vec<i64> = follows.iter().map(|f| f.follower_id).collect();
    let mut inboxes = BTreeSet::new();
    for chunk in ids.chunks(500) {
        for a in actor::Entity::find()
            .filter(actor::Column::Id.is_in(chunk.to_vec()))
            .filter(actor::Column::Local.eq(false))
            .all(db)
            .await?
        {
            inboxes.insert(a.shared_inbox_url.unwrap_or(a.inbox_url));
        }
    }
    Ok(inboxes.into_iter().collect())
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RoundStats {
    pub sent: usize,
    pub failed: usize,
    pub retried: usize,
}

/// Deliver everything that is due now, until nothing due is left. Tests call
/// this instead of waiting; workers call it when woken.
pub async fn run_until_idle(ctx: &AppContext) -> AppResult<RoundStats> {
    let mut total = RoundStats::default();
    loop {
        let claimed = claim(ctx).await?;
        if claimed.is_empty() {
            return Ok(total);
        }
        let outcomes: Vec<Outcome> = futures::stream::iter(claimed)
            .map(|d| async move { attempt(ctx, d).await })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        for o in outcomes {
            match o {
                Outcome::Sent => total.sent += 1,
                Outcome::Failed => total.failed += 1,
                Outcome::Retry => total.retried += 1,
            }
        }
    }
}

/// Claim due deliveries: a row is ours when our conditional update of its
/// lease changed it, which holds on SQLite and PostgreSQL alike.
async fn claim(ctx: &AppContext) -> AppResult<Vec<delivery::Model>> {
    let now = crate::domain::now();
    let free = Condition::any()
        .add(delivery::Column::LockedUntil.is_null())
        .add(delivery::Column::LockedUntil.lt(now));
    let due = delivery::Entity::find()
        .filter(delivery::Column::State.eq("pending"))
        .filter(delivery::Column::NextAttemptAt.lte(now))
        .filter(free.clone())
        .order_by_asc(delivery::Column::Id)
        .limit(BATCH)
        .all(&ctx.db)
        .await?;
    let lease = now + Duration::seconds(LEASE_SECS);
    let mut claimed = Vec::with_capacity(due.len());
    for d in due {
        let res = delivery::Entity::update_many()
            .col_expr(delivery::Column::LockedUntil, Expr::value(lease))
            .filter(delivery::Column::Id.eq(d.id))
            .filter(delivery::Column::State.eq("pending"))
            .filter(free.clone())
            .exec(&ctx.db)
            .await?;
        if res.rows_affected == 1 {
            claimed.push(d);
        }
    }
    Ok(claimed)
}

enum Outcome {
    Sent,
    Failed,
    Retry,
}

async fn attempt(ctx: &AppContext, d: delivery::Model) -> Outcome {
    let result = send(ctx, &d).await;
    let attempts = d.attempts + 1;
    let now = crate::domain::now();
    let mut row: delivery::ActiveModel = d.clone().into();
    row.attempts = Set(attempts);
    row.locked_until = Set(None);
    row.updated_at = Set(now);
    let outcome = match result {
        Ok(status) if (200..300).contains(&status) => {
            row.state = Set("done".into());
            row.last_status = Set(Some(i32::from(status)));
            row.last_error = Set(None);
            Outcome::Sent
        }
        Ok(status) if (400..500).contains(&status) && status != 408 && status != 429 => {
            row.state = Set("failed".into());
            row.last_status = Set(Some(i32::from(status)));
            Outcome::Failed
        }
        Ok(status) => {
            row.last_status = Set(Some(i32::from(status)));
            schedule_retry(&mut row, attempts, now)
        }
        Err(SendError::Permanent(e)) => {
            row.state = Set("failed".into());
            row.last_error = Set(Some(e));
            Outcome::Failed
        }
        Err(SendError::Transient(e)) => {
            row.last_error = Set(Some(e));
            schedule_retry(&mut row, attempts, now)
        }
    };
    tracing::info!(
        host = %d.host,
        inbox = %d.inbox_url,
        attempt = attempts,
        status = ?row.last_status,
        "delivery attempt"
    );
    if let Err(e) = row.update(&ctx.db).await {
        tracing::error!(error = %e, delivery = d.id, "could not record a delivery outcome");
    }
    outcome
}

fn schedule_retry(
    row: &mut delivery::ActiveModel,
    attempts: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Outcome {
    match backoff::delay(
        u32::try_from(attempts).unwrap_or(u32::MAX),
        backoff::jitter_seed(),
    ) {
        Some(delay) => {
            row.next_attempt_at = Set(now + delay);
            Outcome::Retry
        }
        None => {
            row.state = Set("failed".into());
            Outcome::Failed
        }
    }
}

enum SendError {
    Permanent(String),
    Transient(String),
}

async fn send(ctx: &AppContext, d: &delivery::Model) -> Result<u16, SendError> {
    let inbox = Url::parse(&d.inbox_url)
        .map_err(|e| SendError::Permanent(format!("inbox `{}` is not a URL: {e}", d.inbox_url)))?;
    match inbox.scheme() {
        "https" => {}
        "http" if ctx.settings.insecure() => {}
        other => {
            return Err(SendError::Permanent(format!(
                "inbox scheme `{other}` refused"
            )));
        }
    }
    let load = async {
        let activity = activity::Entity::find_by_id(d.activity_id)
            .one(&ctx.db)
            .await?;
        let signer = actor::Entity::find_by_id(d.actor_id).one(&ctx.db).await?;
        Ok::<_, sea_orm::DbErr>((activity, signer))
    };
    let (Some(activity), Some(signer)) = load
        .await
        .map_err(|e| SendError::Transient(e.to_string()))?
    else {
        return Err(SendError::Permanent(
            "activity or signing actor no longer exists".into(),
        ));
    };
    let pem = signer
        .private_key_pem
        .as_deref()
        .ok_or_else(|| SendError::Permanent("signing actor has no private key".into()))?;
    let key = ctx.keys.get(signer.id, pem).map_err(SendError::Permanent)?;
    let body = activity.json.into_bytes();
    let headers = sign_request(
        &key,
        &format!("{}#main-key", signer.ap_id),
        "POST",
        &inbox,
        Some(&body),
    )
    .map_err(SendError::Permanent)?;
    let mut req = ctx
        .http
        .post(inbox.as_str())
        .header("content-type", crate::federation::protocol::AS_CONTENT_TYPE)
        .header("accept", crate::federation::protocol::AS_CONTENT_TYPE);
    for (name, value) in headers {
        req = req.header(name, value);
    }
    let res = req
        .body(body)
        .send()
        .await
        .map_err(|e| SendError::Transient(format!("request failed: {e}")))?;
    Ok(res.status().as_u16())
}

/// Run delivery rounds whenever woken (or every few seconds for retries)
/// until `shutdown` resolves.
pub async fn worker_loop(ctx: AppContext, shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut shutdown = shutdown;
    loop {
        if *shutdown.borrow() {
            return;
        }
        if let Err(e) = run_until_idle(&ctx).await {
            tracing::error!(error = %e, "delivery round failed");
        }
        tokio::select! {
            _ = ctx.delivery_wake.notified() => {}
            _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
            _ = shutdown.changed() => {}
        }
    }
}
