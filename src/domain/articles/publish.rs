//! The writes: publishing, announcing, editing and deleting, each with the
//! activities it federates, in one transaction.

use super::slug::free_slug;
use super::*;
use crate::content::{self, licences};
use crate::context::AppContext;
use crate::delivery;
use crate::domain::shown;
use crate::error::{AppError, AppResult};
use crate::wire::outbound;
use entity::{actor, article, article_author, article_slug, article_tag};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use std::collections::BTreeSet;

async fn may_publish(
    db: &impl ConnectionTrait,
    community: &actor::Model,
    person: &actor::Model,
) -> AppResult<()> {
    use crate::domain::governance::{Permission, require};
    require(db, community, person, Permission::Publish)
        .await
        .map(|_| ())
}

/// Authors may edit their articles; whoever holds `edit_others` any in the
/// community.
async fn may_edit(
    db: &impl ConnectionTrait,
    view: &ArticleView,
    person: &actor::Model,
) -> AppResult<()> {
    use crate::domain::governance::{Permission, require};
    if view.authors.iter().any(|a| a.id == person.id) {
        return Ok(());
    }
    match &view.community {
        Some(c) => require(db, c, person, Permission::EditOthers)
            .await
            .map(|_| ()),
        None => Err(AppError::Forbidden(
            "only the article's authors may change it".into(),
        )),
    }
}

async fn co_authors(
    db: &impl ConnectionTrait,
    names: &[String],
    first: &actor::Model,
) -> AppResult<Vec<actor::Model>> {
    let mut authors = vec![first.clone()];
    let mut unknown = Vec::new();
    for name in names {
        match crate::domain::actors::find_local(db, name).await? {
            Some(p) if p.kind == "person" => {
                if !authors.iter().any(|a| a.id == p.id) {
                    authors.push(p);
                }
            }
            _ => unknown.push(name.clone()),
        }
    }
    if unknown.is_empty() {
        Ok(authors)
    } else {
        Err(AppError::unprocessable(
            "co_authors",
            format!("no local person named {}", unknown.join(", ")),
        ))
    }
}

async fn set_tags(db: &impl ConnectionTrait, article_id: i64, tags: &[String]) -> AppResult<()> {
    article_tag::Entity::delete_many()
        .filter(article_tag::Column::ArticleId.eq(article_id))
        .exec(db)
        .await?;
    let rows: Vec<article_tag::ActiveModel> = tags
        .iter()
        .map(|t| article_tag::ActiveModel {
            article_id: Set(article_id),
            tag: Set(t.to_lowercase()),
            ..Default::default()
        })
        .collect();
    if !rows.is_empty() {
        article_tag::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

async fn set_authors(
    db: &impl ConnectionTrait,
    article_id: i64,
    authors: &[actor::Model],
) -> AppResult<()> {
    article_author::Entity::delete_many()
        .filter(article_author::Column::ArticleId.eq(article_id))
        .exec(db)
        .await?;
    let rows: Vec<article_author::ActiveModel> = authors
        .iter()
        .enumerate()
        .map(|(i, a)| article_author::ActiveModel {
            article_id: Set(article_id),
            person_id: Set(a.id),
            position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
            ..Default::default()
        })
        .collect();
    article_author::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The inboxes of everyone who should get an article's activities: the
/// community's followers and every author's.
async fn audience_inboxes(db: &impl ConnectionTrait, view: &ArticleView) -> AppResult<Vec<String>> {
    let mut inboxes = BTreeSet::new();
    if let Some(c) = &view.community {
        inboxes.extend(delivery::follower_inboxes(db, c).await?);
    }
    for a in &view.authors {
        inboxes.extend(delivery::follower_inboxes(db, a).await?);
    }
    // Servers that shared it hold a copy: they hear of edits and deletion.
    inboxes.extend(crate::domain::reactions::sharer_inboxes(db, &view.article.ap_id).await?);
    Ok(inboxes.into_iter().collect())
}

/// Enqueue the first author's `Create` and the community's `Announce`.
async fn federate_create(
    ctx: &AppContext,
    db: &impl ConnectionTrait,
    view: &ArticleView,
) -> AppResult<()> {
    let base = ctx.base_url();
    let object = outbound::object_doc(&base, view.parts());
    let Some(first) = view.authors.first() else {
        return Err(AppError::internal("article without author"));
    };
    let create = outbound::create(&outbound::activity_id(&base), first, &object);
    delivery::enqueue(db, &create, first, audience_inboxes(db, view).await?).await?;
    if let Some(c) = &view.community {
        let announce = outbound::announce(&outbound::activity_id(&base), c, &view.article.ap_id);
        delivery::enqueue(db, &announce, c, delivery::follower_inboxes(db, c).await?).await?;
    }
    Ok(())
}

/// Publish a new article in `community` as `author`.
pub async fn publish(
    ctx: &AppContext,
    community: &actor::Model,
    author: &actor::Model,
    input: ArticleInput,
) -> AppResult<ArticleView> {
    may_publish(&ctx.db, community, author).await?;
    let input = input.validated(true)?;
    let (Some(title), Some(body)) = (input.title.clone(), input.body.clone()) else {
        return Err(AppError::unprocessable(
            "title",
            "title and body are required",
        ));
    };
    let authors = co_authors(&ctx.db, input.co_authors.as_deref().unwrap_or(&[]), author).await?;
    let uuid = uuid::Uuid::now_v7().to_string();
    let ap_id = ctx.url(&format!("/articles/{uuid}"));
    let summary = input
        .summary
        .clone()
        .flatten()
        .unwrap_or_else(|| derived_summary(&body, &title));
    let licence = input
        .licence
        .clone()
        .or_else(|| community.licence.clone())
        .unwrap_or_else(|| licences::DEFAULT.to_string());
    let now = crate::db::now();
    // Scheduled: a draft until then (a time already past publishes now).
    let scheduled = input.publish_at.flatten().filter(|t| *t > now);
    let (html, mut media) =
        crate::domain::media::render_markdown(ctx, &ctx.db, "body", &body).await?;
    let cover = match input.cover.clone().flatten() {
        Some(uuid) => Some(crate::domain::media::cover(&ctx.db, &uuid).await?),
        None => None,
    };
    media.extend(cover.as_ref().map(|c| c.id));
    let txn = crate::db::begin_write(&ctx.db).await?;
    let slug = free_slug(&txn, community.id, &title, None).await?;
    let saved = article::ActiveModel {
        uuid: Set(Some(uuid)),
        ap_id: Set(ap_id),
        local: Set(true),
        kind: Set("article".into()),
        community_id: Set(Some(community.id)),
        author_id: Set(author.id),
        title: Set(title),
        slug: Set(Some(slug.clone())),
        summary: Set(summary),
        content_html: Set(html),
        source_md: Set(Some(body)),
        cover_id: Set(cover.map(|c| c.id)),
        url: Set(Some(ctx.url(&format!("/c/{}/{slug}", community.username)))),
        language: Set(input.language.clone().flatten()),
        licence: Set(Some(licence)),
        draft: Set(input.draft.unwrap_or(false) || scheduled.is_some()),
        published: Set(now),
        updated: Set(None),
        deleted_at: Set(None),
        publish_at: Set(scheduled),
        // A draft can be read before publishing by whoever has this link.
        preview_token: Set(
            (input.draft.unwrap_or(false) || scheduled.is_some()).then(preview_token)
        ),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    article_slug::ActiveModel {
        community_id: Set(community.id),
        slug: Set(slug),
        article_id: Set(saved.id),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    set_authors(&txn, saved.id, &authors).await?;
    set_tags(&txn, saved.id, input.tags.as_deref().unwrap_or(&[])).await?;
    crate::domain::media::set_used(&txn, saved.id, &media).await?;
    let view = load_view(&txn, saved).await?;
    if !view.article.draft {
        federate_create(ctx, &txn, &view).await?;
    }
    let changes = shown::article(&txn, &view).await?;
    txn.commit().await?;
    ctx.committed(changes).await;
    Ok(view)
}

/// A new secret for a preview link: 128 random bits.
fn preview_token() -> String {
    format!("{}", uuid::Uuid::new_v4().simple())
}

/// The secret of a draft's preview link (`/preview/{token}`), for its
/// authors and editors: the current one, or a new one when `renew` (the old
/// link then stops working). A published article has its page instead
/// (409).
pub async fn preview_link(
    ctx: &AppContext,
    person: &actor::Model,
    uuid: &str,
    renew: bool,
) -> AppResult<String> {
    let current = find_local(&ctx.db, uuid).await?;
    if current.deleted_at.is_some() {
        return Err(AppError::Gone);
    }
    may_edit(&ctx.db, &load_view(&ctx.db, current.clone()).await?, person).await?;
    if !current.draft {
        return Err(AppError::Conflict(
            "the article is published: share its page instead".into(),
        ));
    }
    if let (Some(token), false) = (&current.preview_token, renew) {
        return Ok(token.clone());
    }
    let token = preview_token();
    let mut row: article::ActiveModel = current.into();
    row.preview_token = Set(Some(token.clone()));
    row.update(&ctx.db).await?;
    Ok(token)
}

/// Withdraw a draft's preview link.
pub async fn revoke_preview(ctx: &AppContext, person: &actor::Model, uuid: &str) -> AppResult<()> {
    let current = find_local(&ctx.db, uuid).await?;
    may_edit(&ctx.db, &load_view(&ctx.db, current.clone()).await?, person).await?;
    let mut row: article::ActiveModel = current.into();
    row.preview_token = Set(None);
    row.update(&ctx.db).await?;
    Ok(())
}

/// The article a preview link shows (a draft, or what became of it).
pub async fn by_preview_token(
    db: &impl sea_orm::ConnectionTrait,
    token: &str,
) -> AppResult<article::Model> {
    let not_found = || AppError::NotFound("no such preview; ask its authors for a new link".into());
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_found());
    }
    article::Entity::find()
        .filter(article::Column::PreviewToken.eq(token))
        .filter(article::Column::Local.eq(true))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

fn derived_summary(body: &str, title: &str) -> String {
    let s = content::summary_from_markdown(body);
    if s.is_empty() { title.to_string() } else { s }
}

/// Post an announcement: a short Markdown `Note` by `author`, announced by
/// the community.
pub async fn announce(
    ctx: &AppContext,
    community: &actor::Model,
    author: &actor::Model,
    body: &str,
) -> AppResult<ArticleView> {
    may_publish(&ctx.db, community, author).await?;
    if body.trim().is_empty() {
        return Err(AppError::unprocessable("body", "must not be empty"));
    }
    if body.chars().count() > ANNOUNCEMENT_MAX {
        return Err(AppError::unprocessable(
            "body",
            format!("must be at most {ANNOUNCEMENT_MAX} characters"),
        ));
    }
    let uuid = uuid::Uuid::now_v7().to_string();
    let ap_id = ctx.url(&format!("/notes/{uuid}"));
    let now = crate::db::now();
    let (html, media) = crate::domain::media::render_markdown(ctx, &ctx.db, "body", body).await?;
    let txn = crate::db::begin_write(&ctx.db).await?;
    let saved = article::ActiveModel {
        uuid: Set(Some(uuid)),
        ap_id: Set(ap_id.clone()),
        local: Set(true),
        kind: Set("note".into()),
        community_id: Set(Some(community.id)),
        author_id: Set(author.id),
        title: Set(String::new()),
        slug: Set(None),
        summary: Set(content::truncate_words(&content::plain_text(body), 200)),
        content_html: Set(html),
        source_md: Set(Some(body.to_string())),
        url: Set(Some(ap_id)),
        language: Set(None),
        licence: Set(Some(
            community
                .licence
                .clone()
                .unwrap_or_else(|| licences::DEFAULT.to_string()),
        )),
        draft: Set(false),
        published: Set(now),
        updated: Set(None),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    set_authors(&txn, saved.id, std::slice::from_ref(author)).await?;
    crate::domain::media::set_used(&txn, saved.id, &media).await?;
    let view = load_view(&txn, saved).await?;
    federate_create(ctx, &txn, &view).await?;
    let changes = shown::article(&txn, &view).await?;
    txn.commit().await?;
    ctx.committed(changes).await;
    Ok(view)
}

/// Change an article. Publishing a draft federates it; changing a published
/// article sends `Update` with a newer `updated`; a new title gives a new
/// slug while the old ones keep redirecting.
pub async fn edit(
    ctx: &AppContext,
    person: &actor::Model,
    uuid: &str,
    input: ArticleInput,
) -> AppResult<ArticleView> {
    let current = find_local(&ctx.db, uuid).await?;
    if current.deleted_at.is_some() {
        return Err(AppError::Gone);
    }
    let before = load_view(&ctx.db, current.clone()).await?;
    may_edit(&ctx.db, &before, person).await?;
    let input = input.validated(false)?;
    if !current.draft && input.draft == Some(true) {
        return Err(AppError::unprocessable(
            "draft",
            "a published article cannot become a draft again; delete it instead",
        ));
    }
    // What the text and the cover show, checked before anything changes.
    let rendered = match &input.body {
        Some(b) => Some(crate::domain::media::render_markdown(ctx, &ctx.db, "body", b).await?),
        None => None,
    };
    let cover = match &input.cover {
        Some(Some(uuid)) => Some(Some(crate::domain::media::cover(&ctx.db, uuid).await?)),
        Some(None) => Some(None),
        None => None,
    };
    let txn = crate::db::begin_write(&ctx.db).await?;
    let mut row: article::ActiveModel = current.clone().into();
    if let Some(title) = &input.title
        && *title != current.title
    {
        row.title = Set(title.clone());
        if let Some(c) = &before.community
            && current.kind == "article"
        {
            let slug = free_slug(&txn, c.id, title, Some(current.id)).await?;
            if current.slug.as_deref() != Some(slug.as_str()) {
                article_slug::ActiveModel {
                    community_id: Set(c.id),
                    slug: Set(slug.clone()),
                    article_id: Set(current.id),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                row.url = Set(Some(ctx.url(&format!("/c/{}/{slug}", c.username))));
                row.slug = Set(Some(slug));
            }
        }
    }
    let body = input
        .body
        .clone()
        .or_else(|| current.source_md.clone())
        .unwrap_or_default();
    if let (Some(b), Some((html, _))) = (&input.body, &rendered) {
        row.content_html = Set(html.clone());
        row.source_md = Set(Some(b.clone()));
    }
    if let Some(c) = &cover {
        row.cover_id = Set(c.as_ref().map(|c| c.id));
    }
    match &input.summary {
        Some(Some(s)) => row.summary = Set(s.clone()),
        Some(None) => {
            row.summary = Set(derived_summary(
                &body,
                input.title.as_deref().unwrap_or(&current.title),
            ))
        }
        None if input.body.is_some()
            && current
                .source_md
                .as_deref()
                .map(content::summary_from_markdown)
                == Some(current.summary.clone()) =>
        {
            // The summary was derived: derive it again from the new body.
            row.summary = Set(derived_summary(
                &body,
                input.title.as_deref().unwrap_or(&current.title),
            ));
        }
        None => {}
    }
    if let Some(l) = &input.language {
        row.language = Set(l.clone());
    }
    if let Some(l) = &input.licence {
        row.licence = Set(Some(l.clone()));
    }
    let now = crate::db::now();
    if !current.draft && matches!(input.publish_at, Some(Some(_))) {
        return Err(AppError::unprocessable(
            "publish_at",
            "the article is already published",
        ));
    }
    let reschedule = input.publish_at.map(|t| t.filter(|t| *t > now));
    let publishing_now = current.draft
        && (input.draft == Some(false) || matches!(input.publish_at, Some(Some(t)) if t <= now))
        && !matches!(reschedule, Some(Some(_)));
    if let Some(at) = reschedule {
        row.publish_at = Set(at);
    }
    if publishing_now {
        row.draft = Set(false);
        row.published = Set(now);
        row.publish_at = Set(None);
    } else if !current.draft {
        row.updated = Set(Some(now));
    }
    let saved = row.update(&txn).await?;
    let mut unused = Vec::new();
    if rendered.is_some() || cover.is_some() {
        let mut media = match &rendered {
            Some((_, ids)) => ids.clone(),
            // The text is unchanged: the images it shows stay in use, the
            // former cover only if the text shows it too.
            None => {
                let old_cover = crate::domain::media::by_id(&txn, current.cover_id).await?;
                let text = current.source_md.as_deref().unwrap_or_default();
                let shown = |m: &entity::media::Model| {
                    text.contains(&m.name) || text.contains(&m.thumb_name)
                };
                crate::domain::media::used_by(&txn, saved.id)
                    .await?
                    .into_iter()
                    .filter(|id| match &old_cover {
                        Some(c) if c.id == *id => shown(c),
                        _ => true,
                    })
                    .collect()
            }
        };
        media.extend(saved.cover_id);
        unused = crate::domain::media::set_used(&txn, saved.id, &media).await?;
    }
    if let Some(tags) = &input.tags {
        set_tags(&txn, saved.id, tags).await?;
    }
    if let Some(names) = &input.co_authors {
        let first = before
            .authors
            .first()
            .cloned()
            .unwrap_or_else(|| person.clone());
        let authors = co_authors(&txn, names, &first).await?;
        set_authors(&txn, saved.id, &authors).await?;
    }
    let view = load_view(&txn, saved).await?;
    if publishing_now {
        federate_create(ctx, &txn, &view).await?;
    } else if !view.article.draft {
        let base = ctx.base_url();
        let object = outbound::object_doc(&base, view.parts());
        let Some(first) = view.authors.first() else {
            return Err(AppError::internal("article without author"));
        };
        let update = outbound::update(&outbound::activity_id(&base), first, &object);
        delivery::enqueue(&txn, &update, first, audience_inboxes(&txn, &view).await?).await?;
    }
    // What showed it before (old tags, authors) and what shows it now.
    let mut changes = shown::article(&txn, &before).await?;
    changes.merge(shown::article(&txn, &view).await?);
    txn.commit().await?;
    ctx.committed(changes).await;
    crate::domain::media::remove_unused(ctx, &unused).await?;
    Ok(view)
}

/// Publish the scheduled drafts whose time has come, as their first author
/// (the scheduler calls this every few seconds and at start, so a schedule
/// survives restarts). Returns how many were published.
pub async fn publish_due(ctx: &AppContext) -> AppResult<usize> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let due = article::Entity::find()
        .filter(article::Column::Local.eq(true))
        .filter(article::Column::Draft.eq(true))
        .filter(article::Column::DeletedAt.is_null())
        .filter(article::Column::PublishAt.lte(crate::db::now()))
        .all(&ctx.db)
        .await?;
    let mut n = 0;
    for a in due {
        let view = load_view(&ctx.db, a.clone()).await?;
        let (Some(first), Some(uuid)) = (view.authors.first(), a.uuid.as_deref()) else {
            continue;
        };
        let input = ArticleInput {
            draft: Some(false),
            ..Default::default()
        };
        match edit(ctx, first, uuid, input).await {
            Ok(_) => n += 1,
            Err(e) => {
                tracing::warn!(article = %a.ap_id, error = %e, "a scheduled article could not be published")
            }
        }
    }
    Ok(n)
}

/// Delete an article: its id and pages answer 410 from now on, and a
/// `Delete` with a `Tombstone` goes to everyone who received it.
pub async fn delete(ctx: &AppContext, person: &actor::Model, uuid: &str) -> AppResult<()> {
    let current = find_local(&ctx.db, uuid).await?;
    if current.deleted_at.is_some() {
        return Err(AppError::Gone);
    }
    let view = load_view(&ctx.db, current.clone()).await?;
    may_edit(&ctx.db, &view, person).await?;
    let txn = crate::db::begin_write(&ctx.db).await?;
    let mut row: article::ActiveModel = current.clone().into();
    row.deleted_at = Set(Some(crate::db::now()));
    row.update(&txn).await?;
    // Its images go too, once nothing else uses them.
    let unused = crate::domain::media::set_used(&txn, current.id, &[]).await?;
    if !current.draft {
        let base = ctx.base_url();
        let Some(first) = view.authors.first() else {
            return Err(AppError::internal("article without author"));
        };
        let former = if current.kind == "note" {
            "Note"
        } else {
            "Article"
        };
        let delete = outbound::delete(&outbound::activity_id(&base), first, &current.ap_id, former);
        delivery::enqueue(&txn, &delete, first, audience_inboxes(&txn, &view).await?).await?;
    }
    let changes = shown::article(&txn, &view).await?;
    txn.commit().await?;
    ctx.committed(changes).await;
    crate::domain::media::remove_unused(ctx, &unused).await?;
    Ok(())
}
