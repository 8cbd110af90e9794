//! Publishing: articles and announcements, their authors, tags, slugs and
//! licence; edits and deletion. Each change and the activities it federates
//! (Create + Announce, Update, Delete) are written in one transaction.

use super::actors::role_of;
use crate::content::{self, licences};
use crate::context::AppContext;
use crate::delivery;
use crate::error::{AppError, AppResult};
use crate::wire::outbound;
use entity::{actor, article, article_author, article_slug, article_tag};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

pub const TITLE_MAX: usize = 300;
pub const BODY_MAX: usize = 500_000;
pub const ANNOUNCEMENT_MAX: usize = 5_000;
pub const TAGS_MAX: usize = 30;
pub const CO_AUTHORS_MAX: usize = 20;

/// Fields of an article request. In a PATCH every field is optional; `None`
/// means "leave as it is".
#[derive(Debug, Default)]
pub struct ArticleInput {
    pub title: Option<String>,
    /// `Some(None)`: derive the summary from the body again.
    pub summary: Option<Option<String>>,
    pub body: Option<String>,
    pub tags: Option<Vec<String>>,
    pub language: Option<Option<String>>,
    pub licence: Option<String>,
    pub draft: Option<bool>,
    pub co_authors: Option<Vec<String>>,
}

/// Kept for callers that build a new article directly (the benchmark).
pub type NewArticle = ArticleInput;

const FIELDS: [&str; 8] = [
    "title",
    "summary",
    "body",
    "tags",
    "language",
    "licence",
    "draft",
    "co_authors",
];

impl ArticleInput {
    /// A complete new article: `title` and `body` required.
    pub fn from_json(v: &Value) -> AppResult<ArticleInput> {
        Self::parse(v, true)
    }

    /// Changes to an article: every field optional, at least one given.
    pub fn patch_from_json(v: &Value) -> AppResult<ArticleInput> {
        let input = Self::parse(v, false)?;
        if v.as_object().is_some_and(|o| o.is_empty()) {
            return Err(AppError::unprocessable(
                "body",
                format!("give at least one of: {}", FIELDS.join(", ")),
            ));
        }
        Ok(input)
    }

    fn parse(v: &Value, required: bool) -> AppResult<ArticleInput> {
        let obj = v
            .as_object()
            .ok_or_else(|| AppError::BadRequest("the body must be a JSON object".into()))?;
        let mut errors = BTreeMap::new();
        let mut input = ArticleInput::default();
        let string =
            |name: &str, errors: &mut BTreeMap<String, String>| -> Option<Option<String>> {
                match obj.get(name) {
                    None => None,
                    Some(Value::Null) => Some(None),
                    Some(Value::String(s)) => Some(Some(s.clone())),
                    Some(_) => {
                        errors.insert(name.into(), "must be a string".into());
                        None
                    }
                }
            };

        match string("title", &mut errors).map(|t| t.map(|t| t.trim().to_string())) {
            Some(Some(t)) if t.is_empty() => {
                errors.insert("title".into(), "must not be empty".into());
            }
            Some(Some(t)) if t.chars().count() > TITLE_MAX => {
                errors.insert(
                    "title".into(),
                    format!("must be at most {TITLE_MAX} characters"),
                );
            }
            Some(Some(t)) => input.title = Some(t),
            Some(None) => {
                errors.insert("title".into(), "must not be null".into());
            }
            None if required && !errors.contains_key("title") => {
                errors.insert("title".into(), "is required".into());
            }
            None => {}
        }
        match string("body", &mut errors) {
            Some(Some(b)) if b.trim().is_empty() => {
                errors.insert("body".into(), "must not be empty".into());
            }
            Some(Some(b)) if b.len() > BODY_MAX => {
                errors.insert("body".into(), format!("must be at most {BODY_MAX} bytes"));
            }
            Some(Some(b)) => input.body = Some(b),
            Some(None) => {
                errors.insert("body".into(), "must not be null".into());
            }
            None if required && !errors.contains_key("body") => {
                errors.insert("body".into(), "is required (Markdown)".into());
            }
            None => {}
        }
        if let Some(summary) = string("summary", &mut errors) {
            let summary = summary
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            if summary
                .as_ref()
                .is_some_and(|s| s.chars().count() > content::SUMMARY_MAX)
            {
                errors.insert(
                    "summary".into(),
                    format!(
                        "must be at most {} characters of plain text",
                        content::SUMMARY_MAX
                    ),
                );
            }
            input.summary = Some(summary);
        }
        if let Some(language) = string("language", &mut errors) {
            if let Some(l) = &language
                && !content::valid_language(l)
            {
                errors.insert(
                    "language".into(),
                    format!("`{l}` is not a BCP 47 language tag such as en, de or pt-BR"),
                );
            }
            input.language = Some(language);
        }
        match string("licence", &mut errors) {
            Some(Some(l)) => match licences::find(&l) {
                Some(found) => input.licence = Some(found.key.to_string()),
                None => {
                    errors.insert(
                        "licence".into(),
                        format!("unknown licence `{l}`; accepted: {}", licences::keys()),
                    );
                }
            },
            Some(None) => {
                errors.insert(
                    "licence".into(),
                    format!("must be one of: {}", licences::keys()),
                );
            }
            None => {}
        }
        match obj.get("tags") {
            None => {}
            Some(Value::Null) => input.tags = Some(Vec::new()),
            Some(Value::Array(items)) if items.len() <= TAGS_MAX => {
                let mut tags = Vec::new();
                for item in items {
                    match item.as_str().map(|t| t.trim().trim_start_matches('#')) {
                        Some(t) if valid_tag(t) => {
                            if !tags.iter().any(|x: &String| x.eq_ignore_ascii_case(t)) {
                                tags.push(t.to_string());
                            }
                        }
                        _ => {
                            errors.insert(
                                "tags".into(),
                                "each tag must be 1 to 100 letters, digits or _".into(),
                            );
                        }
                    }
                }
                input.tags = Some(tags);
            }
            Some(_) => {
                errors.insert(
                    "tags".into(),
                    format!("must be an array of at most {TAGS_MAX} strings"),
                );
            }
        }
        match obj.get("co_authors") {
            None => {}
            Some(Value::Null) => input.co_authors = Some(Vec::new()),
            Some(Value::Array(items)) if items.len() <= CO_AUTHORS_MAX => {
                let names: Vec<String> = items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect();
                if names.len() != items.len() {
                    errors.insert("co_authors".into(), "must be names of local people".into());
                }
                input.co_authors = Some(names);
            }
            Some(_) => {
                errors.insert(
                    "co_authors".into(),
                    format!("must be an array of at most {CO_AUTHORS_MAX} names of local people"),
                );
            }
        }
        match obj.get("draft") {
            None | Some(Value::Null) => {}
            Some(Value::Bool(b)) => input.draft = Some(*b),
            Some(_) => {
                errors.insert("draft".into(), "must be true or false".into());
            }
        }
        for key in obj.keys() {
            if !FIELDS.contains(&key.as_str()) {
                errors.insert(
                    key.clone(),
                    format!("unknown field; fields are: {}", FIELDS.join(", ")),
                );
            }
        }
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(AppError::Unprocessable(errors))
        }
    }
}

fn valid_tag(t: &str) -> bool {
    !t.is_empty() && t.chars().count() <= 100 && t.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// A URL path segment from a title: lowercase letters and digits joined by
/// hyphens, at most 80 characters.
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in title.to_lowercase().chars() {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.chars().count() >= 80 {
            break;
        }
    }
    slug.trim_matches('-').to_string()
}

/// Everything needed to show or federate an article.
#[derive(Debug, Clone)]
pub struct ArticleView {
    pub article: article::Model,
    pub authors: Vec<actor::Model>,
    pub community: Option<actor::Model>,
    pub tags: Vec<String>,
}

impl ArticleView {
    /// Borrowed, for the wire's builders.
    pub fn parts(&self) -> outbound::ArticleParts<'_> {
        outbound::ArticleParts {
            article: &self.article,
            authors: &self.authors,
            community: self.community.as_ref(),
            tags: &self.tags,
        }
    }
}

/// The read models of many articles with a constant number of queries
/// (author links, actors, tags), whatever their count; in their order.
pub async fn load_views(
    db: &impl ConnectionTrait,
    articles: Vec<article::Model>,
) -> AppResult<Vec<ArticleView>> {
    use std::collections::HashMap;
    if articles.is_empty() {
        return Ok(Vec::new());
    }
    let article_ids: Vec<i64> = articles.iter().map(|a| a.id).collect();
    let mut links: HashMap<i64, Vec<i64>> = HashMap::new();
    for l in article_author::Entity::find()
        .filter(article_author::Column::ArticleId.is_in(article_ids.clone()))
        .order_by_asc(article_author::Column::Position)
        .all(db)
        .await?
    {
        links.entry(l.article_id).or_default().push(l.person_id);
    }
    let mut actor_ids: Vec<i64> = links.values().flatten().copied().collect();
    actor_ids.extend(articles.iter().map(|a| a.author_id));
    actor_ids.extend(articles.iter().filter_map(|a| a.community_id));
    actor_ids.sort_unstable();
    actor_ids.dedup();
    let actors: HashMap<i64, actor::Model> = actor::Entity::find()
        .filter(actor::Column::Id.is_in(actor_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for t in article_tag::Entity::find()
        .filter(article_tag::Column::ArticleId.is_in(article_ids))
        .order_by_asc(article_tag::Column::Id)
        .all(db)
        .await?
    {
        tags.entry(t.article_id).or_default().push(t.tag);
    }
    Ok(articles
        .into_iter()
        .map(|article| {
            let ids = links
                .get(&article.id)
                .cloned()
                .unwrap_or_else(|| vec![article.author_id]);
            ArticleView {
                authors: ids
                    .iter()
                    .filter_map(|id| actors.get(id).cloned())
                    .collect(),
                community: article.community_id.and_then(|c| actors.get(&c).cloned()),
                tags: tags.remove(&article.id).unwrap_or_default(),
                article,
            }
        })
        .collect())
}

pub async fn load_view(
    db: &impl ConnectionTrait,
    article: article::Model,
) -> AppResult<ArticleView> {
    let links = article_author::Entity::find()
        .filter(article_author::Column::ArticleId.eq(article.id))
        .order_by_asc(article_author::Column::Position)
        .all(db)
        .await?;
    let mut ids: Vec<i64> = links.iter().map(|l| l.person_id).collect();
    if ids.is_empty() {
        ids.push(article.author_id);
    }
    let mut by_id: BTreeMap<i64, actor::Model> = actor::Entity::find()
        .filter(actor::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let authors = ids.iter().filter_map(|id| by_id.remove(id)).collect();
    let community = match article.community_id {
        Some(id) => actor::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let tags = article_tag::Entity::find()
        .filter(article_tag::Column::ArticleId.eq(article.id))
        .order_by_asc(article_tag::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.tag)
        .collect();
    Ok(ArticleView {
        article,
        authors,
        community,
        tags,
    })
}

/// A local article or announcement by uuid (drafts included).
pub async fn find_local(db: &impl ConnectionTrait, uuid: &str) -> AppResult<article::Model> {
    article::Entity::find()
        .filter(article::Column::Uuid.eq(uuid))
        .filter(article::Column::Local.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no article {uuid} here")))
}

async fn may_publish(
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
            crate::domain::actors::Role::Editor,
            crate::domain::actors::Role::Author,
        ],
        "publish in it",
    )
    .await
}

/// Authors may edit their articles; editors and stewards any in their community.
async fn may_edit(
    db: &impl ConnectionTrait,
    view: &ArticleView,
    person: &actor::Model,
) -> AppResult<()> {
    if view.authors.iter().any(|a| a.id == person.id) {
        return Ok(());
    }
    if let Some(c) = &view.community
        && matches!(
            role_of(db, c, person).await?,
            Some(super::actors::Role::Steward | super::actors::Role::Editor)
        )
    {
        return Ok(());
    }
    Err(AppError::Forbidden(
        "only the article's authors and the community's editors may change it".into(),
    ))
}

async fn co_authors(
    db: &impl ConnectionTrait,
    names: &[String],
    first: &actor::Model,
) -> AppResult<Vec<actor::Model>> {
    let mut authors = vec![first.clone()];
    let mut unknown = Vec::new();
    for name in names {
        match super::actors::find_local(db, name).await? {
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

/// Paths under `/c/{name}/` that are not articles.
const RESERVED_SLUGS: [&str; 6] = [
    "inbox",
    "outbox",
    "followers",
    "following",
    "network",
    "moderation",
];

/// A slug for `title` not used by another article of the community.
async fn free_slug(
    db: &impl ConnectionTrait,
    community_id: i64,
    title: &str,
    article_id: Option<i64>,
) -> AppResult<String> {
    let base = match slugify(title) {
        s if s.is_empty() => "article".to_string(),
        s => s,
    };
    for n in 1.. {
        let candidate = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        if RESERVED_SLUGS.contains(&candidate.as_str()) {
            continue;
        }
        let taken = article_slug::Entity::find()
            .filter(article_slug::Column::CommunityId.eq(community_id))
            .filter(article_slug::Column::Slug.eq(candidate.as_str()))
            .one(db)
            .await?;
        match taken {
            None => return Ok(candidate),
            Some(t) if Some(t.article_id) == article_id => return Ok(candidate),
            Some(_) => {}
        }
    }
    Err(AppError::internal("no free slug"))
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
    inboxes.extend(super::reactions::sharer_inboxes(db, &view.article.ap_id).await?);
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
    let now = super::now();
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
        content_html: Set(content::markdown_to_html(&body)),
        source_md: Set(Some(body)),
        url: Set(Some(ctx.url(&format!("/c/{}/{slug}", community.username)))),
        language: Set(input.language.clone().flatten()),
        licence: Set(Some(licence)),
        draft: Set(input.draft.unwrap_or(false)),
        published: Set(now),
        updated: Set(None),
        deleted_at: Set(None),
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
    let view = load_view(&txn, saved).await?;
    if !view.article.draft {
        federate_create(ctx, &txn, &view).await?;
    }
    txn.commit().await?;
    ctx.committed();
    Ok(view)
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
    let now = super::now();
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
        content_html: Set(content::markdown_to_html(body)),
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
    let view = load_view(&txn, saved).await?;
    federate_create(ctx, &txn, &view).await?;
    txn.commit().await?;
    ctx.committed();
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
    if !current.draft && input.draft == Some(true) {
        return Err(AppError::unprocessable(
            "draft",
            "a published article cannot become a draft again; delete it instead",
        ));
    }
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
    if let Some(b) = &input.body {
        row.content_html = Set(content::markdown_to_html(b));
        row.source_md = Set(Some(b.clone()));
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
    let publishing_now = current.draft && input.draft == Some(false);
    let now = super::now();
    if publishing_now {
        row.draft = Set(false);
        row.published = Set(now);
    } else if !current.draft {
        row.updated = Set(Some(now));
    }
    let saved = row.update(&txn).await?;
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
    txn.commit().await?;
    ctx.committed();
    Ok(view)
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
    row.deleted_at = Set(Some(super::now()));
    row.update(&txn).await?;
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
    txn.commit().await?;
    ctx.committed();
    Ok(())
}

/// The current article of a slug in a community, and whether the slug is an
/// old one (to redirect).
pub async fn by_slug(
    db: &impl ConnectionTrait,
    community: &actor::Model,
    slug: &str,
) -> AppResult<article::Model> {
    let link = article_slug::Entity::find()
        .filter(article_slug::Column::CommunityId.eq(community.id))
        .filter(article_slug::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!("no article `{slug}` in {}", community.username))
        })?;
    article::Entity::find_by_id(link.article_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("no such article".into()))
}

/// Published, undeleted local articles and announcements, newest first.
pub async fn listing(
    db: &impl ConnectionTrait,
    filter: Listing<'_>,
    kind: &str,
    limit: u64,
) -> AppResult<Vec<ArticleView>> {
    use sea_orm::QuerySelect;
    let mut q = article::Entity::find()
        .filter(article::Column::Local.eq(true))
        .filter(article::Column::Draft.eq(false))
        .filter(article::Column::DeletedAt.is_null())
        .filter(article::Column::Kind.eq(kind));
    match filter {
        Listing::Community(c) => q = q.filter(article::Column::CommunityId.eq(c.id)),
        Listing::Author(p) => {
            let ids: Vec<i64> = article_author::Entity::find()
                .filter(article_author::Column::PersonId.eq(p.id))
                .all(db)
                .await?
                .into_iter()
                .map(|l| l.article_id)
                .collect();
            q = q.filter(article::Column::Id.is_in(ids));
        }
        Listing::Tag(t) => {
            let ids: Vec<i64> = article_tag::Entity::find()
                .filter(article_tag::Column::Tag.eq(t.to_lowercase()))
                .all(db)
                .await?
                .into_iter()
                .map(|l| l.article_id)
                .collect();
            q = q.filter(article::Column::Id.is_in(ids));
        }
    }
    let rows = q
        .order_by_desc(article::Column::Published)
        .limit(limit)
        .all(db)
        .await?;
    load_views(db, rows).await
}

#[derive(Debug, Clone, Copy)]
pub enum Listing<'a> {
    Community(&'a actor::Model),
    Author(&'a actor::Model),
    Tag(&'a str),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Seed library opens!"), "seed-library-opens");
        assert_eq!(slugify("  Café — à la carte  "), "café-à-la-carte");
        assert_eq!(slugify("!!!"), "");
        assert!(slugify(&"long ".repeat(50)).chars().count() <= 80);
    }
}
