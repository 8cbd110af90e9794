//! Re-sharing: a community `Announce`s a remote article to its followers,
//! keeping its authors, canonical link and licence (the object is the
//! original's id, so every reader fetches it from its origin); and relaying
//! the origin's later edits and deletions to those who got it through us.

use super::reactions::{self, ANNOUNCE};
use crate::context::AppContext;
use crate::delivery;
use crate::error::{AppError, AppResult};
use crate::wire::outbound;
use entity::{actor, article};
use std::collections::BTreeSet;
use url::Url;

/// Whoever holds `share` shares for a community.
pub async fn may_share(
    db: &impl sea_orm::ConnectionTrait,
    community: &actor::Model,
    person: &actor::Model,
) -> AppResult<()> {
    use crate::domain::governance::{Permission, require};
    require(db, community, person, Permission::Share)
        .await
        .map(|_| ())
}

/// What may be shared: the URL of an object on another server.
pub fn shareable(ctx: &AppContext, object: &str) -> AppResult<Url> {
    let url = Url::parse(object.trim())
        .map_err(|e| AppError::unprocessable("object", format!("not a URL: {e}")))?;
    let ours = Url::parse(&ctx.base_url()).map_err(AppError::internal)?;
    if crate::wire::guard::same_origin(&url, &ours) {
        return Err(AppError::unprocessable(
            "object",
            "that is an article of this instance; only articles of other servers are shared",
        ));
    }
    Ok(url)
}

/// The community announces `article` (just refreshed from its origin) to
/// its followers and to the origin's authors and community. 409 if it
/// already did.
pub async fn share(
    ctx: &AppContext,
    community: &actor::Model,
    article: article::Model,
) -> AppResult<super::articles::ArticleView> {
    let view = super::articles::load_view(&ctx.db, article).await?;
    let txn = crate::db::begin_write(&ctx.db).await?;
    let id = outbound::activity_id(&ctx.base_url());
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
    inboxes.extend(delivery::remote_inboxes(
        view.authors.iter().chain(view.community.iter()),
    ));
    delivery::enqueue(
        &txn,
        &announce,
        community,
        inboxes.into_iter().collect::<Vec<_>>(),
    )
    .await?;
    txn.commit().await?;
    // A remote article: no cached page shows its shares.
    ctx.committed(crate::cache::Changes::none()).await;
    Ok(view)
}

/// The origin's activity a relay passes on: `Update` or `Delete`, with its
/// id and actor when they are known to be the origin's.
#[derive(Clone, Copy, Debug)]
pub struct Relay<'a> {
    pub kind: &'a str,
    pub id: Option<&'a str>,
    pub actor: Option<&'a str>,
}

/// An origin changed or deleted an article that local communities shared:
/// each passes it on to its followers (`Announce{Update}` /
/// `Announce{Delete}`, ids only), who hold a copy through it; on a
/// deletion it also takes back its own share (`Undo{Announce}`, which is
/// what Mastodon acts on). Each activity is relayed once per community, so
/// communities that follow each other cannot loop. Runs in the caller's
/// transaction, the one that changed our copy: both happen or neither.
pub async fn relay(
    ctx: &AppContext,
    db: &impl sea_orm::ConnectionTrait,
    article_ap_id: &str,
    what: Relay<'_>,
) -> AppResult<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let shares = entity::reaction::Entity::find()
        .filter(entity::reaction::Column::Kind.eq(ANNOUNCE))
        .filter(entity::reaction::Column::ObjectApId.eq(article_ap_id))
        .all(db)
        .await?;
    if shares.is_empty() {
        return Ok(());
    }
    let communities = actor::Entity::find()
        .filter(actor::Column::Id.is_in(shares.iter().map(|r| r.actor_id)))
        .filter(actor::Column::Local.eq(true))
        .all(db)
        .await?;
    if communities.is_empty() {
        return Ok(());
    }
    let author = match what.actor {
        Some(a) => Some(a.to_string()),
        None => match super::remote::find(db, article_ap_id).await? {
            Some(a) => actor::Entity::find_by_id(a.author_id)
                .one(db)
                .await?
                .map(|x| x.ap_id),
            None => None,
        },
    };
    let key = what
        .id
        .map(str::to_string)
        .unwrap_or_else(|| format!("{} {article_ap_id}", what.kind));
    let base = ctx.base_url();
    for c in &communities {
        let id = outbound::activity_id(&base);
        if !reactions::record(db, reactions::RELAY, c, &key, &id).await? {
            continue;
        }
        let inboxes = delivery::follower_inboxes(db, c).await?;
        let announce = outbound::announce_activity(
            &id,
            c,
            what.kind,
            what.id,
            author.as_deref(),
            article_ap_id,
        );
        delivery::enqueue(db, &announce, c, inboxes.clone()).await?;
        if what.kind == "Delete"
            && let Some(share) = shares.iter().find(|r| r.actor_id == c.id)
        {
            let undo = outbound::undo_announce(
                &outbound::activity_id(&base),
                c,
                &share.activity_ap_id,
                article_ap_id,
            );
            delivery::enqueue(db, &undo, c, inboxes).await?;
            reactions::undo(db, ANNOUNCE, c, Some(&share.activity_ap_id), None).await?;
        }
    }
    Ok(())
}
