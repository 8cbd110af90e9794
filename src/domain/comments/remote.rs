//! Replies from other servers: read as their authors meant them (who may
//! see them, what they carry), stored, edited and deleted by their authors.

use super::*;
use crate::content;
use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use entity::comment::CommentState;
use entity::{actor, article, comment};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

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
        .map(|s| {
            content::truncate_words(
                content::clean_name(&content::plain_text_of_html(s)).trim(),
                500,
            )
        })
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
    // Blocked by the community's moderators: not taken.
    if let Some(c) = &community
        && crate::domain::governance::blocks::is_blocked(&txn, c.id, author.id).await?
    {
        tracing::info!(id = %reply.ap_id, author = %author.ap_id, "reply by an actor blocked in the community; dropped");
        return Ok(None);
    }
    // A silenced domain's replies are kept, hidden, like the rest of its
    // content; an unsilence shows them.
    let silenced = ctx.settings.is_hidden_authority(&author.host);
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
            row.updated = Set(Some(reply.updated.unwrap_or_else(crate::db::now)));
            row.update(&txn).await?
        }
        None => {
            let mut state = if reply.visibility.is_shown() {
                initial_state(&txn, community.as_ref(), author).await?
            } else {
                CommentState::Private
            };
            let hidden_from = silenced.then(|| sea_orm::ActiveEnum::to_value(&state));
            if silenced {
                state = CommentState::Hidden;
            }
            let inserted = comment::Entity::insert(comment::ActiveModel {
                ap_id: Set(reply.ap_id.clone()),
                article_id: Set(article.id),
                in_reply_to: Set(reply.in_reply_to.clone()),
                author_id: Set(author.id),
                content_html: Set(html),
                state: Set(state),
                local: Set(false),
                published: Set(reply.published.unwrap_or_else(crate::db::now)),
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
                hidden_from: Set(hidden_from),
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
    let changes = crate::domain::shown::comment(&txn, &saved).await?;
    txn.commit().await?;
    ctx.committed(changes).await;
    Ok(Some(saved))
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
    let changes = crate::domain::shown::comment(&txn, &found).await?;
    comment::Entity::delete_by_id(found.id).exec(&txn).await?;
    txn.commit().await?;
    ctx.committed(changes).await;
    Ok(true)
}
