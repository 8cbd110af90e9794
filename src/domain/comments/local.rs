//! Comments written here by members: their Note goes to the thread, and
//! their authors (or moderators) may delete them.

use super::*;
use crate::content;
use crate::context::AppContext;
use crate::delivery;
use crate::error::{AppError, AppResult};
use crate::wire::outbound;
use entity::comment::CommentState;
use entity::{actor, article, comment};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// Most characters of a local comment's Markdown.
pub const BODY_MAX: usize = 10_000;

/// A member comments on one of our articles (or on a comment under it).
/// The `Note` goes to the people in the thread, and the community announces
/// it to its followers.
pub async fn post_local(
    ctx: &AppContext,
    person: &actor::Model,
    article: &article::Model,
    body: &str,
    in_reply_to: Option<&str>,
    visibility: Visibility,
) -> AppResult<comment::Model> {
    if !visibility.is_shown() {
        return Err(AppError::unprocessable(
            "visibility",
            "one of: public, unlisted (a comment is always shown under the article)",
        ));
    }
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::unprocessable(
            "body",
            "required: the comment, in Markdown",
        ));
    }
    if body.chars().count() > BODY_MAX {
        return Err(AppError::unprocessable(
            "body",
            format!("at most {BODY_MAX} characters"),
        ));
    }
    let view = crate::domain::articles::load_view(&ctx.db, article.clone()).await?;
    let Some(community) = view.community.clone() else {
        return Err(AppError::unprocessable(
            "article",
            "this article belongs to no community",
        ));
    };
    if crate::domain::actors::role_of(&ctx.db, &community, person)
        .await?
        .is_none()
    {
        return Err(AppError::Forbidden(format!(
            "only members of `{}` may comment here; a steward can add you with `peerpress user create {} --community {} --role member`",
            community.username, person.username, community.username
        )));
    }
    // What it answers: the article, or an accepted comment in its thread.
    let parent = match in_reply_to {
        None => None,
        Some(id) if id == article.ap_id => None,
        Some(id) => Some(
            comment::Entity::find()
                .filter(comment::Column::ApId.eq(id))
                .filter(comment::Column::ArticleId.eq(article.id))
                .filter(comment::Column::State.eq(CommentState::Accepted))
                .one(&ctx.db)
                .await?
                .ok_or_else(|| {
                    AppError::unprocessable("in_reply_to", "not the article nor a comment under it")
                })?,
        ),
    };
    let replied_to = match &parent {
        Some(p) => actor::Entity::find_by_id(p.author_id).one(&ctx.db).await?,
        None => view.authors.first().cloned(),
    };
    let base = ctx.base_url();
    let saved = {
        let txn = crate::db::begin_write(&ctx.db).await?;
        let saved = comment::ActiveModel {
            ap_id: Set(format!("{base}/comments/{}", uuid::Uuid::now_v7())),
            article_id: Set(article.id),
            in_reply_to: Set(parent
                .as_ref()
                .map(|p| p.ap_id.clone())
                .unwrap_or_else(|| article.ap_id.clone())),
            author_id: Set(person.id),
            content_html: Set(content::markdown_to_html(body)),
            state: Set(CommentState::Accepted),
            local: Set(true),
            published: Set(crate::db::now()),
            updated: Set(None),
            visibility: Set(visibility.as_str().into()),
            language: Set(view.article.language.clone()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let note = outbound::comment_doc(&saved, person, view.parts(), replied_to.as_ref());
        let create = outbound::create(&outbound::activity_id(&base), person, &note);
        // The people addressed (remote authors, the person replied to) and
        // the commenter's own followers.
        let mut inboxes: std::collections::BTreeSet<String> =
            delivery::follower_inboxes(&txn, person)
                .await?
                .into_iter()
                .collect();
        inboxes.extend(delivery::remote_inboxes(
            view.authors.iter().chain(replied_to.iter()),
        ));
        delivery::enqueue(
            &txn,
            &create,
            person,
            inboxes.into_iter().collect::<Vec<_>>(),
        )
        .await?;
        // Like a remote reply: only a public comment is boosted.
        if visibility == Visibility::Public {
            announce(ctx, &txn, &community, &saved).await?;
        }
        txn.commit().await?;
        saved
    };
    ctx.committed(crate::domain::shown::article_page(&ctx.db, &view.article).await?)
        .await;
    Ok(saved)
}

/// A local comment by its id, for `/comments/{uuid}`: accepted ones, and
/// deleted ones (for the caller to answer 410).
pub async fn find_local(db: &impl ConnectionTrait, ap_id: &str) -> AppResult<comment::Model> {
    comment::Entity::find()
        .filter(comment::Column::ApId.eq(ap_id))
        .filter(comment::Column::Local.eq(true))
        .filter(comment::Column::State.is_in([
            CommentState::Accepted,
            CommentState::Deleted,
            CommentState::Removed,
        ]))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("no such comment".into()))
}

/// A member deletes their own comment (or a moderator of the community
/// does): its id answers 410 from now on, and everyone it was sent to gets
/// a `Delete`.
pub async fn delete_local(ctx: &AppContext, person: &actor::Model, ap_id: &str) -> AppResult<()> {
    let current = find_local(&ctx.db, ap_id).await?;
    if current.state != CommentState::Accepted {
        return Err(AppError::Gone);
    }
    let article = article::Entity::find_by_id(current.article_id)
        .one(&ctx.db)
        .await?
        .ok_or_else(|| AppError::NotFound("no such comment".into()))?;
    let view = crate::domain::articles::load_view(&ctx.db, article).await?;
    if current.author_id != person.id {
        match &view.community {
            Some(c) => match may_moderate(&ctx.db, c, person).await {
                Err(AppError::Forbidden(_)) => {
                    return Err(AppError::Forbidden(
                        "only its author or a moderator of the community may delete a comment"
                            .into(),
                    ));
                }
                other => {
                    other?;
                }
            },
            None => {
                return Err(AppError::Forbidden(
                    "only its author may delete a comment".into(),
                ));
            }
        }
    }
    let txn = crate::db::begin_write(&ctx.db).await?;
    let mut row: comment::ActiveModel = current.clone().into();
    row.state = Set(CommentState::Deleted);
    row.content_html = Set(String::new());
    row.updated = Set(Some(crate::db::now()));
    row.update(&txn).await?;
    send_delete(ctx, &txn, &current, &view).await?;
    txn.commit().await?;
    ctx.committed(crate::domain::shown::article_page(&ctx.db, &view.article).await?)
        .await;
    Ok(())
}

/// The person a comment answers (mentioned in its Note): the author of the
/// comment it replies to, else the article's first author.
pub async fn replied_to(
    db: &impl ConnectionTrait,
    comment: &comment::Model,
    view: &crate::domain::articles::ArticleView,
) -> AppResult<Option<actor::Model>> {
    let parent = comment::Entity::find()
        .filter(comment::Column::ApId.eq(comment.in_reply_to.as_str()))
        .one(db)
        .await?;
    Ok(match parent {
        Some(p) => actor::Entity::find_by_id(p.author_id).one(db).await?,
        None => view.authors.first().cloned(),
    })
}

/// `Delete{Tombstone}` of a local comment, by its author, to everyone who
/// got the Note or the community's Announce of it.
pub(super) async fn send_delete(
    ctx: &AppContext,
    db: &impl ConnectionTrait,
    comment: &comment::Model,
    view: &crate::domain::articles::ArticleView,
) -> AppResult<()> {
    let Some(author) = actor::Entity::find_by_id(comment.author_id).one(db).await? else {
        return Ok(());
    };
    let replied_to = replied_to(db, comment, view).await?;
    let mut inboxes: std::collections::BTreeSet<String> = delivery::follower_inboxes(db, &author)
        .await?
        .into_iter()
        .collect();
    if let Some(c) = &view.community {
        inboxes.extend(delivery::follower_inboxes(db, c).await?);
    }
    inboxes.extend(delivery::remote_inboxes(
        view.authors.iter().chain(replied_to.iter()),
    ));
    let delete = outbound::delete(
        &outbound::activity_id(&ctx.base_url()),
        &author,
        &comment.ap_id,
        "Note",
    );
    delivery::enqueue(
        db,
        &delete,
        &author,
        inboxes.into_iter().collect::<Vec<_>>(),
    )
    .await?;
    Ok(())
}
