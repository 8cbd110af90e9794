//! Remote articles brought in by id: an `Announce` from a followed actor, a
//! backfilled outbox item, or a re-share asked for through the API. The
//! object is always fetched from its own origin; an embedded copy is never
//! trusted. Stored once by id, however many actors announce it.

use super::Data;
use super::objects::actor::ApubActor;
pub use crate::domain::shares::Relay;
use crate::error::{AppError, AppResult};
use crate::wire::article::ArticleDoc;
use crate::wire::ref_id;
use activitypub_federation::error::Error as FedError;
use activitypub_federation::fetch::fetch_object_http;
use activitypub_federation::fetch::object_id::ObjectId;
use entity::{actor, article};
use serde_json::Value;
use url::Url;

/// The most co-authors we fetch for one remote article.
const MAX_AUTHORS: usize = 8;
/// How many outbox items a backfill looks at.
pub const BACKFILL_ITEMS: usize = 20;

#[derive(Debug)]
pub enum Imported {
    /// Stored; `changed` when it is new or differs from the copy we held.
    Stored {
        article: Box<article::Model>,
        changed: bool,
    },
    /// The origin answered 410: any copy we held is forgotten (`changed`
    /// when we had one).
    Gone { changed: bool },
    /// Not something we keep (a reply, another type); the reason is logged.
    Skipped(String),
}

/// Fetch `object_id` from its origin, check it, and store or refresh it.
/// A fetch that fails is an error (`502`), and nothing is stored. When our
/// copy changes (or goes) and `relay` names the origin's activity, local
/// communities that shared it pass it on, in the same transaction.
pub async fn article(
    data: &Data,
    object_id: &Url,
    relay: Option<Relay<'_>>,
) -> AppResult<Imported> {
    crate::wire::guard::check_outgoing(&data.settings, object_id)
        .map_err(|e| AppError::unprocessable("object", e))?;
    let data = data.reset_request_count();
    let mut fetched = match fetch_object_http::<_, Value>(object_id, &data).await {
        Ok(f) => f,
        Err(FedError::ObjectDeleted(_)) => {
            let txn = crate::db::begin_write(&data.db).await?;
            let changed = crate::domain::remote::forget(&txn, object_id.as_str()).await?;
            if changed && let Some(r) = relay {
                // Gone is a deletion, whatever the announcer wrapped.
                let deleted = if r.kind == "Delete" {
                    r
                } else {
                    Relay {
                        kind: "Delete",
                        id: None,
                        actor: None,
                    }
                };
                crate::domain::shares::relay(&data, &txn, object_id.as_str(), deleted).await?;
            }
            txn.commit().await?;
            // A remote copy: no cached page shows it.
            data.committed(crate::cache::Changes::none()).await;
            return Ok(Imported::Gone { changed });
        }
        // What its server answered is not an object with that id: the
        // request was wrong, not the server.
        Err(
            e @ (FedError::NotFound
            | FedError::FetchWrongId(_)
            | FedError::FetchInvalidContentType(_)
            | FedError::ParseFetchedObject(..)
            | FedError::UrlVerificationError(_)),
        ) => {
            return Err(AppError::unprocessable(
                "object",
                format!("{object_id} is not an ActivityPub object we can use: {e}"),
            ));
        }
        Err(e) => {
            return Err(AppError::bad_gateway(
                format!("could not fetch {object_id} from its server"),
                e,
            ));
        }
    };
    crate::wire::normalize_terms(&mut fetched.object);
    if !matches!(
        fetched.object.get("type").and_then(Value::as_str),
        Some(kind) if crate::wire::article::POST_TYPES.contains(&kind)
    ) {
        return Ok(Imported::Skipped(format!(
            "{object_id} is not an article, page, note, event or question"
        )));
    }
    let object: ArticleDoc = serde_json::from_value(fetched.object).map_err(|e| {
        AppError::unprocessable("object", format!("{object_id} is not a valid object: {e}"))
    })?;
    if object.in_reply_to.is_some() {
        return Ok(Imported::Skipped(format!("{object_id} is a reply")));
    }
    // What its author kept to followers or to named people stays out of
    // network feeds, whoever announces it. (An object that gives no
    // addressing at all when fetched is taken as public: it was served to
    // us, an outsider, on request.)
    let addressed = !object.to.is_empty() || !object.cc.is_empty();
    if addressed && !super::convert::visibility(&object, None, None).is_shown() {
        return Ok(Imported::Skipped(format!(
            "{object_id} is not public: followers-only or direct"
        )));
    }
    store(&data, &object, relay).await
}

/// Store an article-like object that came from its origin (fetched, or in a
/// `Create`/`Update` signed by its author): its authors and community are
/// resolved, and must live where the object lives.
pub async fn store(
    data: &Data,
    object: &ArticleDoc,
    relay: Option<Relay<'_>>,
) -> AppResult<Imported> {
    let object_id = &object.id;
    let mut authors: Vec<actor::Model> = Vec::new();
    let mut groups: Vec<actor::Model> = Vec::new();
    for author_id in object.attributed_to.iter().take(MAX_AUTHORS) {
        if !crate::wire::guard::same_origin(author_id, &object.id) {
            return Err(AppError::unprocessable(
                "object",
                format!("{object_id} names an author on another server ({author_id})"),
            ));
        }
        let author = ObjectId::<ApubActor>::from(author_id.clone())
            .dereference(data)
            .await?;
        // Plume lists the blog beside its author; Mobilizon attributes an
        // event to its group: a group there is where it was published.
        if author.model.kind == "group" {
            groups.push(author.model);
        } else {
            authors.push(author.model);
        }
    }
    if authors.is_empty() {
        // Posted by the group itself.
        authors = groups.clone();
    }
    if authors.is_empty() {
        return Err(AppError::unprocessable(
            "object",
            format!("{object_id} has no attributedTo"),
        ));
    }
    let community = match &object.audience {
        Some(a) if crate::wire::guard::same_origin(a, &object.id) => {
            ObjectId::<ApubActor>::from(a.clone())
                .dereference(data)
                .await
                .ok()
                .map(|c| c.model)
        }
        _ => None,
    };
    let community = match community.or_else(|| groups.first().cloned()) {
        Some(c) => Some(c),
        None => addressed_group(data, object).await?,
    };
    let remote = super::convert::remote_article(object);
    // Two Announces of a new article can race to insert it; the loser finds
    // the winner's row on its second try.
    let mut attempt = 0;
    let (stored, changed) = loop {
        attempt += 1;
        let txn = crate::db::begin_write(&data.db).await?;
        let before = crate::domain::remote::find(&txn, object_id.as_str()).await?;
        match crate::domain::remote::upsert_article(&txn, &remote, &authors, community.as_ref())
            .await
        {
            Ok(stored) => {
                let changed = before.as_ref().is_none_or(|b| {
                    b.updated != stored.updated
                        || b.title != stored.title
                        || b.content_html != stored.content_html
                        || b.summary != stored.summary
                        || b.licence != stored.licence
                });
                // An edit of a copy we held: passed on by those who shared it.
                if changed
                    && before.is_some()
                    && let Some(r) = relay.filter(|r| r.kind == "Update" && r.id.is_some())
                {
                    crate::domain::shares::relay(data, &txn, &stored.ap_id, r).await?;
                }
                txn.commit().await?;
                break (stored, changed);
            }
            Err(AppError::Database(e)) if attempt < 2 && before.is_none() => {
                tracing::debug!(id = %object_id, error = %e, "concurrent insert; retrying");
            }
            Err(e) => return Err(e),
        }
    };
    data.committed(crate::cache::Changes::none()).await;
    Ok(Imported::Stored {
        article: Box::new(stored),
        changed,
    })
}

/// A group on the object's own server that it is addressed to (Lotide puts
/// the community in `to`, Hubzilla and GNU social in `cc`), among the actors
/// we already know: no fetch for every address.
async fn addressed_group(data: &Data, object: &ArticleDoc) -> AppResult<Option<actor::Model>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let named: Vec<String> = object
        .to
        .iter()
        .chain(object.cc.iter())
        .filter(|u| crate::wire::guard::same_origin(u, &object.id))
        .map(Url::to_string)
        .take(100)
        .collect();
    if named.is_empty() {
        return Ok(None);
    }
    Ok(actor::Entity::find()
        .filter(actor::Column::ApId.is_in(named))
        .filter(actor::Column::Kind.eq("group"))
        .filter(actor::Column::Local.eq(false))
        .one(&data.db)
        .await?)
}

/// The current version of a remote article, fetched from its origin, for
/// re-sharing: 422 when it is gone or not an article we keep.
pub async fn current(data: &Data, url: &Url) -> AppResult<article::Model> {
    match article(data, url, None).await? {
        Imported::Stored { article, .. } => Ok(*article),
        Imported::Gone { .. } => Err(AppError::unprocessable(
            "object",
            "it was deleted at its origin",
        )),
        Imported::Skipped(why) => Err(AppError::unprocessable("object", why)),
    }
}

/// Backfill after `community` starts following `target`: the first page of
/// the target's outbox, each item fetched from its origin like an Announce.
/// Returns how many articles were stored.
pub async fn backfill(
    data: &Data,
    community: &actor::Model,
    target: &actor::Model,
) -> AppResult<usize> {
    let Some(outbox) = target
        .outbox_url
        .as_deref()
        .and_then(|u| Url::parse(u).ok())
    else {
        return Ok(0);
    };
    let data = data.reset_request_count();
    let fetch = |url: Url| {
        let data = data.reset_request_count();
        async move {
            fetch_object_http::<_, Value>(&url, &data)
                .await
                .map(|r| r.object)
                .map_err(|e| AppError::bad_gateway(format!("could not fetch {url}"), e))
        }
    };
    if !crate::wire::guard::same_origin(
        &outbox,
        &Url::parse(&target.ap_id).map_err(AppError::internal)?,
    ) {
        return Ok(0);
    }
    let collection = fetch(outbox.clone()).await?;
    // Items inline, or in `first` (inline or by reference, same origin).
    let page = match collection.get("first") {
        Some(Value::Object(_)) => collection.get("first").cloned().unwrap_or_default(),
        Some(first) => match ref_id(first) {
            Some(u) if crate::wire::guard::same_origin(&u, &outbox) => fetch(u).await?,
            _ => Value::Null,
        },
        None => collection,
    };
    let items = page
        .get("orderedItems")
        .or_else(|| page.get("items"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut stored = 0;
    for item in items.iter().take(BACKFILL_ITEMS) {
        // Items may be given by id (Mastodon and others list activity ids):
        // fetch the activity, from the outbox's own server only.
        let fetched;
        let item = match item {
            Value::String(_) => match ref_id(item) {
                Some(u) if crate::wire::guard::same_origin(&u, &outbox) => match fetch(u).await {
                    Ok(mut v) => {
                        crate::wire::normalize_terms(&mut v);
                        fetched = v;
                        &fetched
                    }
                    Err(e) => {
                        tracing::info!(error = %e, "backfill item could not be fetched");
                        continue;
                    }
                },
                _ => continue,
            },
            other => other,
        };
        if item.get("type").and_then(Value::as_str) == Some("Delete") {
            continue;
        }
        let Some(object_id) = crate::wire::announced_object(item) else {
            continue;
        };
        match article(&data, &object_id, None).await {
            Ok(Imported::Stored { article: a, .. }) => {
                stored += 1;
                // Shown in the network feed through the actor that shared it.
                if item.get("type").and_then(Value::as_str) == Some("Announce")
                    && let Some(activity) = item.get("id").and_then(Value::as_str)
                {
                    crate::domain::reactions::record(
                        &data.db,
                        crate::domain::reactions::ANNOUNCE,
                        target,
                        &a.ap_id,
                        activity,
                    )
                    .await?;
                }
            }
            Ok(other) => tracing::debug!(?other, %object_id, "backfill item skipped"),
            Err(e) => tracing::info!(%object_id, error = %e, "backfill item not stored"),
        }
    }
    tracing::info!(community = %community.ap_id, target = %target.ap_id, stored, "backfilled");
    Ok(stored)
}
