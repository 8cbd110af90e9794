//! Re-sharing: a community `Announce`s a remote article to its followers,
//! keeping its authors, canonical link and licence (the object is the
//! original's id, so every reader fetches it from its origin).

use super::Data;
use super::import::{self, Imported};
use super::outbound;
use crate::delivery;
use crate::domain::reactions::{self, ANNOUNCE};
use crate::error::{AppError, AppResult};
use entity::{actor, article};
use std::collections::BTreeSet;
use url::Url;

pub async fn share(
    data: &Data,
    community: &actor::Model,
    person: &actor::Model,
    object: &str,
) -> AppResult<article::Model> {
    match crate::domain::actors::role_of(&data.db, community, person)
        .await?
        .as_deref()
    {
        Some("steward" | "editor") => {}
        _ => {
            return Err(AppError::Forbidden(format!(
                "only stewards and editors of `{}` may share for it",
                community.username
            )));
        }
    }
    let url = Url::parse(object.trim())
        .map_err(|e| AppError::unprocessable("object", format!("not a URL: {e}")))?;
    let ours = Url::parse(&data.base_url()).map_err(AppError::internal)?;
    if super::guard::same_origin(&url, &ours) {
        return Err(AppError::unprocessable(
            "object",
            "that is an article of this instance; only articles of other servers are shared",
        ));
    }
    // Always its current version, from its origin.
    let article = match import::article(data, &url).await? {
        Imported::Stored { article, .. } => *article,
        Imported::Gone { .. } => {
            return Err(AppError::unprocessable(
                "object",
                "it was deleted at its origin",
            ));
        }
        Imported::Skipped(why) => return Err(AppError::unprocessable("object", why)),
    };
    let view = crate::domain::articles::load_view(&data.db, article).await?;
    let txn = crate::db::begin_write(&data.db).await?;
    if reactions::count_by(&txn, ANNOUNCE, community, &view.article.ap_id).await? > 0 {
        return Err(AppError::Conflict(format!(
            "`{}` already shared {}",
            community.username, view.article.ap_id
        )));
    }
    let id = outbound::activity_id(&data.base_url());
    let announce = outbound::announce(&id, community, &view.article.ap_id);
    reactions::record(&txn, ANNOUNCE, community, &view.article.ap_id, &id).await?;
    // Our followers, and the origin's authors and community: they count the
    // share and send us its later Update or Delete.
    let mut inboxes: BTreeSet<String> = delivery::follower_inboxes(&txn, community)
        .await?
        .into_iter()
        .collect();
    for a in view.authors.iter().chain(view.community.iter()) {
        if !a.local {
            inboxes.insert(
                a.shared_inbox_url
                    .clone()
                    .unwrap_or_else(|| a.inbox_url.clone()),
            );
        }
    }
    delivery::enqueue(
        &txn,
        &announce,
        community,
        inboxes.into_iter().collect::<Vec<_>>(),
    )
    .await?;
    txn.commit().await?;
    data.pages.clear();
    data.delivery_wake.notify_one();
    Ok(view.article)
}

/// An origin changed or deleted an article that local communities shared:
/// each passes it on to its followers (`Announce{Update}` /
/// `Announce{Delete}`), who hold a copy through it. Called only when our
/// copy changed, so relays between communities that follow each other stop.
pub async fn relay(
    data: &Data,
    article_ap_id: &str,
    kind: &str,
    activity_id: &str,
    actor_id: &str,
) -> AppResult<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let sharers: Vec<i64> = entity::reaction::Entity::find()
        .filter(entity::reaction::Column::Kind.eq(ANNOUNCE))
        .filter(entity::reaction::Column::ObjectApId.eq(article_ap_id))
        .all(&data.db)
        .await?
        .into_iter()
        .map(|r| r.actor_id)
        .collect();
    if sharers.is_empty() {
        return Ok(());
    }
    let communities = actor::Entity::find()
        .filter(actor::Column::Id.is_in(sharers))
        .filter(actor::Column::Local.eq(true))
        .all(&data.db)
        .await?;
    if communities.is_empty() {
        return Ok(());
    }
    let txn = crate::db::begin_write(&data.db).await?;
    for c in &communities {
        let announce = outbound::announce_activity(
            &outbound::activity_id(&data.base_url()),
            c,
            kind,
            activity_id,
            actor_id,
            article_ap_id,
        );
        let inboxes = delivery::follower_inboxes(&txn, c).await?;
        delivery::enqueue(&txn, &announce, c, inboxes).await?;
    }
    txn.commit().await?;
    data.delivery_wake.notify_one();
    Ok(())
}
