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
    let id = outbound::activity_id(&data.base_url());
    if !reactions::record(&txn, ANNOUNCE, community, &view.article.ap_id, &id).await? {
        return Err(AppError::Conflict(format!(
            "`{}` already shared {}",
            community.username, view.article.ap_id
        )));
    }
    let announce = outbound::announce(&id, community, &view.article.ap_id);
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
/// `Announce{Delete}`, ids only), who hold a copy through it; on a
/// deletion it also takes back its own share (`Undo{Announce}`, which is
/// what Mastodon acts on). `inner_id` and `actor_id` name the origin's
/// activity when they are known to be the origin's. Each activity is relayed
/// once per community, so communities that follow each other cannot loop.
pub async fn relay(
    data: &Data,
    article_ap_id: &str,
    kind: &str,
    inner_id: Option<&str>,
    actor_id: Option<&str>,
) -> AppResult<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let shares = entity::reaction::Entity::find()
        .filter(entity::reaction::Column::Kind.eq(ANNOUNCE))
        .filter(entity::reaction::Column::ObjectApId.eq(article_ap_id))
        .all(&data.db)
        .await?;
    if shares.is_empty() {
        return Ok(());
    }
    let communities = actor::Entity::find()
        .filter(actor::Column::Id.is_in(shares.iter().map(|r| r.actor_id)))
        .filter(actor::Column::Local.eq(true))
        .all(&data.db)
        .await?;
    if communities.is_empty() {
        return Ok(());
    }
    let author = match actor_id {
        Some(a) => Some(a.to_string()),
        None => match crate::domain::remote::find(&data.db, article_ap_id).await? {
            Some(a) => actor::Entity::find_by_id(a.author_id)
                .one(&data.db)
                .await?
                .map(|x| x.ap_id),
            None => None,
        },
    };
    let key = inner_id
        .map(str::to_string)
        .unwrap_or_else(|| format!("{kind} {article_ap_id}"));
    let base = data.base_url();
    let txn = crate::db::begin_write(&data.db).await?;
    for c in &communities {
        let id = outbound::activity_id(&base);
        if !reactions::record(&txn, reactions::RELAY, c, &key, &id).await? {
            continue;
        }
        let inboxes = delivery::follower_inboxes(&txn, c).await?;
        let announce =
            outbound::announce_activity(&id, c, kind, inner_id, author.as_deref(), article_ap_id);
        delivery::enqueue(&txn, &announce, c, inboxes.clone()).await?;
        if kind == "Delete"
            && let Some(share) = shares.iter().find(|r| r.actor_id == c.id)
        {
            let undo = outbound::undo_announce(
                &outbound::activity_id(&base),
                c,
                &share.activity_ap_id,
                article_ap_id,
            );
            delivery::enqueue(&txn, &undo, c, inboxes).await?;
            reactions::undo(&txn, ANNOUNCE, c, Some(&share.activity_ap_id), None).await?;
        }
    }
    txn.commit().await?;
    data.delivery_wake.notify_one();
    Ok(())
}
