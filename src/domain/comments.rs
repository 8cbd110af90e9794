//! Comments: replies from anywhere to our articles (or to comments on
//! them) are stored, listed in the article's `replies`, shown on its page,
//! and announced by the community to its followers (FEP-1b12).

use crate::content;
use crate::context::AppContext;
use crate::delivery;
use crate::error::{AppError, AppResult};
use crate::wire::outbound;
use entity::comment::CommentState;
use entity::{actor, article, comment};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Set,
};

/// The local article a reply belongs to: the one it answers, or the article
/// of the comment it answers. `None` for anything else.
pub async fn thread_of(
    db: &impl ConnectionTrait,
    in_reply_to: &str,
) -> AppResult<Option<article::Model>> {
    if let Some(a) = article::Entity::find()
        .filter(article::Column::ApId.eq(in_reply_to))
        .filter(article::Column::Local.eq(true))
        .filter(article::Column::Draft.eq(false))
        .filter(article::Column::DeletedAt.is_null())
        .one(db)
        .await?
    {
        return Ok(Some(a));
    }
    // A reply to a shown comment joins its article's thread.
    let Some(parent) = comment::Entity::find()
        .filter(comment::Column::ApId.eq(in_reply_to))
        .filter(comment::Column::State.eq(CommentState::Accepted))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(article::Entity::find_by_id(parent.article_id)
        .filter(article::Column::Draft.eq(false))
        .filter(article::Column::DeletedAt.is_null())
        .one(db)
        .await?)
}

/// Comment policies of a community: who may comment without approval.
pub const POLICIES: [&str; 3] = ["open", "held", "followers"];

/// The state a new comment by `author` gets under `community`'s policy.
async fn initial_state(
    db: &impl ConnectionTrait,
    community: Option<&actor::Model>,
    author: &actor::Model,
) -> AppResult<CommentState> {
    let Some(community) = community else {
        return Ok(CommentState::Accepted);
    };
    Ok(
        match community.comment_policy.as_deref().unwrap_or("open") {
            "held" => CommentState::Held,
            "followers" => {
                let follows = entity::follow::Entity::find()
                    .filter(entity::follow::Column::FollowerId.eq(author.id))
                    .filter(entity::follow::Column::TargetId.eq(community.id))
                    .filter(entity::follow::Column::Accepted.eq(true))
                    .count(db)
                    .await?
                    > 0;
                if follows || author.local {
                    CommentState::Accepted
                } else {
                    CommentState::Held
                }
            }
            _ => CommentState::Accepted,
        },
    )
}

/// The community announces an accepted comment to its followers (and
/// remembers the Announce, to take it back should the comment be removed).
async fn announce(
    ctx: &AppContext,
    db: &impl ConnectionTrait,
    community: &actor::Model,
    comment: &comment::Model,
) -> AppResult<()> {
    let id = outbound::activity_id(&ctx.base_url());
    let announce = outbound::announce(&id, community, &comment.ap_id);
    super::reactions::record(
        db,
        super::reactions::ANNOUNCE,
        community,
        &comment.ap_id,
        &id,
    )
    .await?;
    let inboxes = delivery::follower_inboxes(db, community).await?;
    delivery::enqueue(db, &announce, community, inboxes).await?;
    Ok(())
}

/// A removed comment: the community's followers are told to drop its boost.
async fn unannounce(
    ctx: &AppContext,
    db: &impl ConnectionTrait,
    community: &actor::Model,
    comment: &comment::Model,
) -> AppResult<()> {
    let announces = entity::reaction::Entity::find()
        .filter(entity::reaction::Column::Kind.eq(super::reactions::ANNOUNCE))
        .filter(entity::reaction::Column::ActorId.eq(community.id))
        .filter(entity::reaction::Column::ObjectApId.eq(comment.ap_id.as_str()))
        .all(db)
        .await?;
    for r in announces {
        let undo = outbound::undo_announce(
            &outbound::activity_id(&ctx.base_url()),
            community,
            &r.activity_ap_id,
            &comment.ap_id,
        );
        let inboxes = delivery::follower_inboxes(db, community).await?;
        delivery::enqueue(db, &undo, community, inboxes).await?;
        super::reactions::undo(
            db,
            super::reactions::ANNOUNCE,
            community,
            Some(&r.activity_ap_id),
            None,
        )
        .await?;
    }
    Ok(())
}

/// Who may see a post, read from its addressing as Mastodon does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// Public in `to`.
    Public,
    /// Public only in `cc`: shown, but kept out of timelines.
    Unlisted,
    /// The author's followers only.
    Followers,
    /// Only the actors it names.
    Direct,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Followers => "followers",
            Visibility::Direct => "direct",
        }
    }

    /// Public and unlisted replies are comments; the others never are.
    pub fn is_shown(self) -> bool {
        matches!(self, Visibility::Public | Visibility::Unlisted)
    }
}

/// A file a comment carries: images are shown with their alt text, other
/// files as links.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attachment {
    pub url: String,
    pub media_type: Option<String>,
    pub alt: Option<String>,
}

impl Attachment {
    pub fn is_image(&self) -> bool {
        self.media_type
            .as_deref()
            .is_some_and(|m| m.starts_with("image/"))
    }
}

/// An actor a comment mentions.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mention {
    pub href: String,
    pub name: String,
}

/// A reply from another server, as its author sent it (HTML not yet
/// sanitized): what `federation` reads off a `Note`, `Article` or `Page`.
#[derive(Clone, Debug)]
pub struct RemoteReply {
    pub ap_id: String,
    pub in_reply_to: String,
    pub html: String,
    /// The content warning.
    pub summary: Option<String>,
    pub sensitive: bool,
    pub language: Option<String>,
    pub attachments: Vec<Attachment>,
    pub mentions: Vec<Mention>,
    pub hashtags: Vec<String>,
    pub published: Option<chrono::DateTime<chrono::Utc>>,
    pub updated: Option<chrono::DateTime<chrono::Utc>>,
    pub visibility: Visibility,
    /// Every actor id in its `to` and `cc` (and the activity's).
    pub addressed: Vec<String>,
    /// The original's page on its server, if it gave one there.
    pub url: Option<String>,
    /// An `Update` (an edit) rather than a `Create`.
    pub is_update: bool,
}

/// Most attachments, mentions and hashtags kept of one comment.
const MAX_LISTED: usize = 20;

/// The local people among `ids`, by id.
async fn local_people(db: &impl ConnectionTrait, ids: &[String]) -> AppResult<Vec<actor::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(actor::Entity::find()
        .filter(actor::Column::ApId.is_in(ids.iter().take(200).cloned()))
        .filter(actor::Column::Local.eq(true))
        .filter(actor::Column::Kind.eq("person"))
        .all(db)
        .await?)
}

/// Store a reply by `author` to `article` (new, or an edit by its author).
/// Public and unlisted replies are comments: the community's policy decides
/// whether one is shown at once or held, and the community announces public
/// ones. Followers-only and direct replies are kept `private`, only for the
/// local people they address (dropped if they address none): never shown,
/// listed or announced.
pub async fn receive(
    ctx: &AppContext,
    article: &article::Model,
    author: &actor::Model,
    reply: &RemoteReply,
) -> AppResult<Option<comment::Model>> {
    let origin = url::Url::parse(&reply.ap_id).map_err(AppError::internal)?;
    let original = reply.url.as_deref().unwrap_or(&reply.ap_id);
    let html = content::sanitize_remote_html_bounded(&reply.html, &origin, original);
    let summary = reply
        .summary
        .as_deref()
        .map(|s| content::truncate_words(content::clean_name(&strip_tags(s)).trim(), 500))
        .filter(|s| !s.is_empty());
    let attachments: Vec<&Attachment> = reply.attachments.iter().take(MAX_LISTED).collect();
    let mentions: Vec<&Mention> = reply.mentions.iter().take(MAX_LISTED).collect();
    let hashtags: Vec<&String> = reply.hashtags.iter().take(MAX_LISTED).collect();
    if content::plain_text_of_html(&html).trim().is_empty() && attachments.is_empty() {
        return Err(AppError::BadRequest(format!(
            "the reply {} has no content and no attachment",
            reply.ap_id
        )));
    }
    // Whom it is for: private replies are kept only for the local people
    // they address; mentions of local people are surfaced to them.
    let mut mentioned_ids: Vec<String> = mentions.iter().map(|m| m.href.clone()).collect();
    mentioned_ids.extend(reply.addressed.iter().cloned());
    let recipients: Vec<String> = if reply.visibility.is_shown() {
        Vec::new()
    } else {
        local_people(&ctx.db, &mentioned_ids)
            .await?
            .into_iter()
            .map(|p| p.ap_id)
            .collect()
    };
    if !reply.visibility.is_shown() && recipients.is_empty() {
        tracing::info!(id = %reply.ap_id, visibility = reply.visibility.as_str(), "private reply addressed to nobody here; dropped");
        return Ok(None);
    }
    let txn = crate::db::begin_write(&ctx.db).await?;
    let existing = comment::Entity::find()
        .filter(comment::Column::ApId.eq(reply.ap_id.as_str()))
        .one(&txn)
        .await?;
    let community = match article.community_id {
        Some(id) => actor::Entity::find_by_id(id).one(&txn).await?,
        None => None,
    };
    let saved = match existing {
        Some(c) if c.author_id != author.id => {
            tracing::info!(id = %reply.ap_id, "edit of a comment by someone other than its author ignored");
            return Ok(None);
        }
        Some(c) if c.state == CommentState::Removed => {
            tracing::info!(id = %reply.ap_id, "edit of a removed comment ignored");
            return Ok(None);
        }
        // The same Create again (another inbox's copy, a redelivery): the
        // comment is not edited by it.
        Some(c) if !reply.is_update => return Ok(Some(c)),
        Some(c) => {
            let mut row: comment::ActiveModel = c.into();
            row.content_html = Set(html);
            row.summary = Set(summary);
            row.sensitive = Set(reply.sensitive);
            row.attachments = Set(json(&attachments));
            row.mentions = Set(json(&mentions));
            row.hashtags = Set(json(&hashtags));
            row.updated = Set(Some(reply.updated.unwrap_or_else(super::now)));
            row.update(&txn).await?
        }
        None => {
            let state = if reply.visibility.is_shown() {
                initial_state(&txn, community.as_ref(), author).await?
            } else {
                CommentState::Private
            };
            let inserted = comment::Entity::insert(comment::ActiveModel {
                ap_id: Set(reply.ap_id.clone()),
                article_id: Set(article.id),
                in_reply_to: Set(reply.in_reply_to.clone()),
                author_id: Set(author.id),
                content_html: Set(html),
                state: Set(state),
                local: Set(false),
                published: Set(reply.published.unwrap_or_else(super::now)),
                updated: Set(None),
                visibility: Set(reply.visibility.as_str().into()),
                summary: Set(summary),
                sensitive: Set(reply.sensitive),
                language: Set(reply.language.clone()),
                attachments: Set(json(&attachments)),
                mentions: Set(json(&mentions)),
                hashtags: Set(json(&hashtags)),
                recipients: Set(json(&recipients)),
                url: Set(reply.url.clone()),
                ..Default::default()
            })
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(comment::Column::ApId)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
            let saved = comment::Entity::find()
                .filter(comment::Column::ApId.eq(reply.ap_id.as_str()))
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::internal("a stored comment vanished"))?;
            // Unlisted replies are shown but not boosted: their authors kept
            // them out of timelines, and so do we.
            if inserted > 0
                && let Some(community) = &community
                && saved.state == CommentState::Accepted
                && reply.visibility == Visibility::Public
            {
                announce(ctx, &txn, community, &saved).await?;
            }
            saved
        }
    };
    txn.commit().await?;
    ctx.committed();
    Ok(Some(saved))
}

/// The small lists stored as JSON columns.
fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn strip_tags(html: &str) -> String {
    content::plain_text_of_html(html)
}

/// Private replies addressed to `person`, and shown comments that mention
/// them, newest first: what they see in their inbox.
pub async fn inbox_of(
    db: &impl ConnectionTrait,
    person: &actor::Model,
    limit: u64,
) -> AppResult<Vec<(comment::Model, Option<actor::Model>)>> {
    let needle = format!(
        "%{}%",
        serde_json::to_string(&person.ap_id).unwrap_or_default()
    );
    let rows = comment::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(
                    sea_orm::Condition::all()
                        .add(comment::Column::State.eq(CommentState::Private))
                        .add(comment::Column::Recipients.like(needle.clone())),
                )
                .add(
                    sea_orm::Condition::all()
                        .add(comment::Column::State.eq(CommentState::Accepted))
                        .add(comment::Column::Mentions.like(needle)),
                ),
        )
        .order_by_desc(comment::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    // LIKE's `_` matches any character: keep exact matches only.
    let rows = rows
        .into_iter()
        .filter(|c| {
            let listed = if c.state == CommentState::Private {
                serde_json::from_str::<Vec<String>>(&c.recipients).unwrap_or_default()
            } else {
                serde_json::from_str::<Vec<Mention>>(&c.mentions)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|m| m.href)
                    .collect()
            };
            listed.contains(&person.ap_id)
        })
        .collect();
    with_authors(db, rows).await
}

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
    let view = super::articles::load_view(&ctx.db, article.clone()).await?;
    let Some(community) = view.community.clone() else {
        return Err(AppError::unprocessable(
            "article",
            "this article belongs to no community",
        ));
    };
    if super::actors::role_of(&ctx.db, &community, person)
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
            published: Set(super::now()),
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
    ctx.committed();
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
    let view = super::articles::load_view(&ctx.db, article).await?;
    if current.author_id != person.id {
        match &view.community {
            Some(c) => match may_moderate(&ctx.db, c, person).await {
                Err(AppError::Forbidden(_)) => {
                    return Err(AppError::Forbidden(
                        "only its author or a moderator of the community may delete a comment"
                            .into(),
                    ));
                }
                other => other?,
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
    row.updated = Set(Some(super::now()));
    row.update(&txn).await?;
    send_delete(ctx, &txn, &current, &view).await?;
    txn.commit().await?;
    ctx.committed();
    Ok(())
}

/// The person a comment answers (mentioned in its Note): the author of the
/// comment it replies to, else the article's first author.
pub async fn replied_to(
    db: &impl ConnectionTrait,
    comment: &comment::Model,
    view: &super::articles::ArticleView,
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
async fn send_delete(
    ctx: &AppContext,
    db: &impl ConnectionTrait,
    comment: &comment::Model,
    view: &super::articles::ArticleView,
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

/// What a moderator can do to a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Remove,
}

impl Decision {
    pub fn parse(s: &str) -> AppResult<Decision> {
        match s {
            "approve" => Ok(Decision::Approve),
            "remove" => Ok(Decision::Remove),
            _ => Err(AppError::unprocessable("action", "one of: approve, remove")),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Remove => "remove",
        }
    }
}

/// May `person` moderate `community`?
pub async fn may_moderate(
    db: &impl ConnectionTrait,
    community: &actor::Model,
    person: &actor::Model,
) -> AppResult<()> {
    super::actors::require_role(
        db,
        community,
        person,
        &[
            crate::domain::actors::Role::Steward,
            crate::domain::actors::Role::Moderator,
        ],
        "moderate it",
    )
    .await
}

/// A moderator approves a held comment (shown and announced from now on) or
/// removes one (gone from the page and `replies`). Logged publicly with the
/// reason.
pub async fn moderate(
    ctx: &AppContext,
    community: &actor::Model,
    moderator: &actor::Model,
    comment_ap_id: &str,
    decision: Decision,
    reason: &str,
) -> AppResult<comment::Model> {
    may_moderate(&ctx.db, community, moderator).await?;
    if decision == Decision::Remove && reason.trim().is_empty() {
        return Err(AppError::unprocessable(
            "reason",
            "required when removing: it is published in the moderation log",
        ));
    }
    let txn = crate::db::begin_write(&ctx.db).await?;
    let found = comment::Entity::find()
        .filter(comment::Column::ApId.eq(comment_ap_id))
        .one(&txn)
        .await?;
    let in_community = match &found {
        Some(c) => article::Entity::find_by_id(c.article_id)
            .one(&txn)
            .await?
            .is_some_and(|a| a.community_id == Some(community.id)),
        None => false,
    };
    let Some(current) = found.filter(|_| in_community) else {
        return Err(AppError::NotFound(format!(
            "no comment {comment_ap_id} on an article of `{}`",
            community.username
        )));
    };
    if current.state == CommentState::Deleted {
        return Err(AppError::Gone);
    }
    // A private reply is its addressees' alone: moderators cannot publish it.
    if current.state == CommentState::Private {
        return Err(AppError::NotFound(format!(
            "no comment {comment_ap_id} on an article of `{}`",
            community.username
        )));
    }
    if current.local && current.state == CommentState::Removed && decision == Decision::Approve {
        return Err(AppError::unprocessable(
            "object",
            "a removed comment of this instance was withdrawn everywhere; its author can post it again",
        ));
    }
    let new_state = match decision {
        Decision::Approve => CommentState::Accepted,
        Decision::Remove => CommentState::Removed,
    };
    let changed = current.state != new_state;
    let mut row: comment::ActiveModel = current.clone().into();
    row.state = Set(new_state);
    let saved = row.update(&txn).await?;
    if changed {
        match decision {
            Decision::Approve if saved.visibility == "public" => {
                announce(ctx, &txn, community, &saved).await?
            }
            Decision::Approve => {}
            Decision::Remove => {
                unannounce(ctx, &txn, community, &saved).await?;
                // Ours: its Note is withdrawn everywhere it went.
                if saved.local
                    && let Some(a) = article::Entity::find_by_id(saved.article_id)
                        .one(&txn)
                        .await?
                {
                    let view = super::articles::load_view(&txn, a).await?;
                    send_delete(ctx, &txn, &saved, &view).await?;
                }
            }
        }
        log(
            &txn,
            community,
            moderator,
            decision.as_str(),
            comment_ap_id,
            reason,
        )
        .await?;
    }
    txn.commit().await?;
    ctx.committed();
    Ok(saved)
}

/// Record a moderation decision in the community's public log.
pub async fn log(
    db: &impl ConnectionTrait,
    community: &actor::Model,
    moderator: &actor::Model,
    action: &str,
    object: &str,
    reason: &str,
) -> AppResult<()> {
    entity::moderation_log::ActiveModel {
        community_id: Set(community.id),
        moderator_id: Set(Some(moderator.id)),
        action: Set(action.to_string()),
        object_ap_id: Set(object.to_string()),
        reason: Set(reason.to_string()),
        created_at: Set(super::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The community's moderation log, newest first.
pub async fn moderation_log(
    db: &impl ConnectionTrait,
    community: &actor::Model,
    limit: u64,
) -> AppResult<Vec<(entity::moderation_log::Model, Option<actor::Model>)>> {
    let rows = entity::moderation_log::Entity::find()
        .filter(entity::moderation_log::Column::CommunityId.eq(community.id))
        .order_by_desc(entity::moderation_log::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let who = match r.moderator_id {
            Some(id) => actor::Entity::find_by_id(id).one(db).await?,
            None => None,
        };
        out.push((r, who));
    }
    Ok(out)
}

/// Set the community's comment policy (stewards only); logged.
pub async fn set_policy(
    ctx: &AppContext,
    community: &actor::Model,
    steward: &actor::Model,
    policy: &str,
) -> AppResult<actor::Model> {
    if !POLICIES.contains(&policy) {
        return Err(AppError::unprocessable(
            "comment_policy",
            format!("one of: {}", POLICIES.join(", ")),
        ));
    }
    super::actors::require_role(
        &ctx.db,
        community,
        steward,
        &[crate::domain::actors::Role::Steward],
        "change its settings",
    )
    .await?;
    let txn = crate::db::begin_write(&ctx.db).await?;
    let mut row: actor::ActiveModel = community.clone().into();
    row.comment_policy = Set(Some(policy.to_string()));
    let saved = row.update(&txn).await?;
    log(
        &txn,
        community,
        steward,
        "policy",
        &community.ap_id,
        &format!("comment policy: {policy}"),
    )
    .await?;
    txn.commit().await?;
    ctx.changed();
    Ok(saved)
}

/// Comments of a community's articles in `state` (for moderators), oldest
/// first.
pub async fn in_state(
    db: &impl ConnectionTrait,
    community: &actor::Model,
    state: CommentState,
    limit: u64,
) -> AppResult<Vec<(comment::Model, Option<actor::Model>)>> {
    let articles = article::Entity::find()
        .select_only()
        .column(article::Column::Id)
        .filter(article::Column::CommunityId.eq(community.id))
        .into_query();
    let rows = comment::Entity::find()
        .filter(comment::Column::State.eq(state))
        .filter(comment::Column::ArticleId.in_subquery(articles))
        .order_by_asc(comment::Column::Published)
        .limit(limit)
        .all(db)
        .await?;
    with_authors(db, rows).await
}

async fn with_authors(
    db: &impl ConnectionTrait,
    rows: Vec<comment::Model>,
) -> AppResult<Vec<(comment::Model, Option<actor::Model>)>> {
    let mut out = Vec::with_capacity(rows.len());
    for c in rows {
        let author = actor::Entity::find_by_id(c.author_id).one(db).await?;
        out.push((c, author));
    }
    Ok(out)
}

/// The origin deleted a comment: only its author may. The community takes
/// back its boost of it.
pub async fn delete(ctx: &AppContext, ap_id: &str, actor: &actor::Model) -> AppResult<bool> {
    let mine = comment::Entity::find()
        .filter(comment::Column::ApId.eq(ap_id))
        .filter(comment::Column::AuthorId.eq(actor.id))
        .filter(comment::Column::Local.eq(false));
    // Most Deletes a server receives are of things it never had: look
    // before taking the write lock.
    if mine.clone().one(&ctx.db).await?.is_none() {
        return Ok(false);
    }
    let txn = crate::db::begin_write(&ctx.db).await?;
    let Some(found) = mine.one(&txn).await? else {
        return Ok(false);
    };
    if let Some(a) = article::Entity::find_by_id(found.article_id)
        .one(&txn)
        .await?
        && let Some(cid) = a.community_id
        && let Some(community) = actor::Entity::find_by_id(cid).one(&txn).await?
    {
        unannounce(ctx, &txn, &community, &found).await?;
    }
    comment::Entity::delete_by_id(found.id).exec(&txn).await?;
    txn.commit().await?;
    ctx.committed();
    Ok(true)
}

/// Accepted comments of an article, oldest first, with their authors.
pub async fn of_article(
    db: &impl ConnectionTrait,
    article_id: i64,
    limit: u64,
) -> AppResult<Vec<(comment::Model, Option<actor::Model>)>> {
    let rows = comment::Entity::find()
        .filter(comment::Column::ArticleId.eq(article_id))
        .filter(comment::Column::State.eq(CommentState::Accepted))
        .order_by_asc(comment::Column::Published)
        .limit(limit)
        .all(db)
        .await?;
    with_authors(db, rows).await
}

/// Every shown comment of an article as `(id, ap_id, in_reply_to)`, oldest
/// first: enough to thread and page them without loading their text.
pub async fn thread_skeleton(
    db: &impl ConnectionTrait,
    article_id: i64,
) -> AppResult<Vec<(i64, String, String)>> {
    Ok(comment::Entity::find()
        .select_only()
        .column(comment::Column::Id)
        .column(comment::Column::ApId)
        .column(comment::Column::InReplyTo)
        .filter(comment::Column::ArticleId.eq(article_id))
        .filter(comment::Column::State.eq(CommentState::Accepted))
        .order_by_asc(comment::Column::Published)
        .order_by_asc(comment::Column::Id)
        .limit(20_000)
        .into_tuple()
        .all(db)
        .await?)
}

/// Comments by id, with their authors (authors loaded once each).
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<Vec<(comment::Model, Option<actor::Model>)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = comment::Entity::find()
        .filter(comment::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let mut author_ids: Vec<i64> = rows.iter().map(|c| c.author_id).collect();
    author_ids.sort_unstable();
    author_ids.dedup();
    let authors: std::collections::HashMap<i64, actor::Model> = actor::Entity::find()
        .filter(actor::Column::Id.is_in(author_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    Ok(rows
        .into_iter()
        .map(|c| {
            let a = authors.get(&c.author_id).cloned();
            (c, a)
        })
        .collect())
}

/// A page of an article's accepted comments in the order they arrived:
/// (position, id) after position `after`.
pub async fn page(
    db: &impl ConnectionTrait,
    article_id: i64,
    after: i64,
    limit: u64,
) -> AppResult<Vec<(i64, String)>> {
    Ok(comment::Entity::find()
        .filter(comment::Column::ArticleId.eq(article_id))
        .filter(comment::Column::State.eq(CommentState::Accepted))
        .filter(comment::Column::Id.gt(after))
        .order_by_asc(comment::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.ap_id))
        .collect())
}

pub async fn count(db: &impl ConnectionTrait, article_id: i64) -> AppResult<u64> {
    Ok(comment::Entity::find()
        .filter(comment::Column::ArticleId.eq(article_id))
        .filter(comment::Column::State.eq(CommentState::Accepted))
        .count(db)
        .await?)
}
