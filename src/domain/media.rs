//! Uploaded images as the rest of the application sees them: an upload
//! (checked, cleaned, stored in two sizes, recorded with its alt text), the
//! images an article uses (its cover and those of its text, which must be
//! ours and described), and the removal of images nothing uses any more.

use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use crate::media::image::Refusal;
use entity::{actor, article_media, media};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};

/// The longest alt text.
pub const ALT_MAX: usize = 1500;

/// Store an upload by `owner`: checked and cleaned (413 over the byte
/// limit, 422 saying why for anything else), both sizes put in the store,
/// then the row.
pub async fn upload(
    ctx: &AppContext,
    owner: &actor::Model,
    bytes: bytes::Bytes,
    alt: &str,
) -> AppResult<media::Model> {
    let alt = alt.trim();
    if alt.chars().count() > ALT_MAX {
        return Err(AppError::unprocessable(
            "alt",
            format!("at most {ALT_MAX} characters"),
        ));
    }
    let processed = ctx.media.process(bytes).await.map_err(|r| match r {
        Refusal::TooLarge(why) => AppError::PayloadTooLarge(why),
        Refusal::Invalid(why) => AppError::unprocessable("file", why),
    })?;
    let (display, thumb) = (processed.display, processed.thumbnail);
    let name = crate::media::name_of(&display.bytes, display.ext);
    let thumb_name = crate::media::name_of(&thumb.bytes, thumb.ext);
    let size = i64::try_from(display.bytes.len()).unwrap_or(i64::MAX);
    let row = media::ActiveModel {
        uuid: Set(uuid::Uuid::now_v7().to_string()),
        owner_id: Set(owner.id),
        name: Set(name.clone()),
        mime: Set(display.mime.into()),
        width: Set(side(display.width)),
        height: Set(side(display.height)),
        size: Set(size),
        thumb_name: Set(thumb_name.clone()),
        thumb_mime: Set(thumb.mime.into()),
        thumb_width: Set(side(thumb.width)),
        thumb_height: Set(side(thumb.height)),
        alt: Set(alt.to_string()),
        created_at: Set(crate::db::now()),
        ..Default::default()
    };
    // Objects first: a row never names a missing file. (A failed insert
    // leaves files that the next identical upload reuses.)
    ctx.media
        .put(&name, display.bytes)
        .await
        .map_err(AppError::caused)?;
    ctx.media
        .put(&thumb_name, thumb.bytes)
        .await
        .map_err(AppError::caused)?;
    Ok(row.insert(&ctx.db).await?)
}

fn side(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// A media by its API id.
pub async fn find(db: &impl ConnectionTrait, uuid: &str) -> AppResult<Option<media::Model>> {
    Ok(media::Entity::find()
        .filter(media::Column::Uuid.eq(uuid))
        .one(db)
        .await?)
}

/// A media by id, for a reference stored in another row.
pub async fn by_id(db: &impl ConnectionTrait, id: Option<i64>) -> AppResult<Option<media::Model>> {
    match id {
        Some(id) => Ok(media::Entity::find_by_id(id).one(db).await?),
        None => Ok(None),
    }
}

/// The address of a stored file.
pub fn url(ctx: &AppContext, name: &str) -> String {
    ctx.url(&format!("/media/{name}"))
}

/// A media given by its id in a request field, or a 422 naming the field.
pub async fn given(db: &impl ConnectionTrait, field: &str, uuid: &str) -> AppResult<media::Model> {
    find(db, uuid).await?.ok_or_else(|| {
        AppError::unprocessable(
            field,
            format!("no uploaded image `{uuid}` here; upload it with POST /api/v1/media first"),
        )
    })
}

/// Is a stored file still named by some media row?
async fn file_used(db: &impl ConnectionTrait, name: &str) -> AppResult<bool> {
    Ok(media::Entity::find()
        .filter(
            Condition::any()
                .add(media::Column::Name.eq(name))
                .add(media::Column::ThumbName.eq(name)),
        )
        .count(db)
        .await?
        > 0)
}

/// Remove the media among `ids` that nothing uses any more: no live
/// article (as cover or in its text: `article_media`, which a deleted
/// article no longer has), no actor (as icon or banner). Their
/// rows go, and their files once no other row names them. Called after
/// the write that dropped the last use has committed.
pub async fn remove_unused(ctx: &AppContext, ids: &[i64]) -> AppResult<usize> {
    let mut removed = 0;
    for &id in ids {
        let uses = article_media::Entity::find()
            .filter(article_media::Column::MediaId.eq(id))
            .count(&ctx.db)
            .await?
            + actor::Entity::find()
                .filter(
                    Condition::any()
                        .add(actor::Column::IconMediaId.eq(id))
                        .add(actor::Column::ImageMediaId.eq(id)),
                )
                .count(&ctx.db)
                .await?;
        if uses > 0 {
            continue;
        }
        let Some(m) = media::Entity::find_by_id(id).one(&ctx.db).await? else {
            continue;
        };
        media::Entity::delete_by_id(id).exec(&ctx.db).await?;
        removed += 1;
        for name in [&m.name, &m.thumb_name] {
            if !file_used(&ctx.db, name).await?
                && let Err(e) = ctx.media.delete(name).await
            {
                tracing::warn!(file = %name, error = %e, "could not remove an unused media file");
            }
        }
    }
    Ok(removed)
}

/// The media an article uses, as recorded.
pub async fn used_by(db: &impl ConnectionTrait, article_id: i64) -> AppResult<Vec<i64>> {
    Ok(article_media::Entity::find()
        .filter(article_media::Column::ArticleId.eq(article_id))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.media_id)
        .collect())
}

/// Record which media an article uses now; returns those it no longer
/// uses (to be removed if nothing else does).
pub async fn set_used(
    db: &impl ConnectionTrait,
    article_id: i64,
    ids: &[i64],
) -> AppResult<Vec<i64>> {
    let before = used_by(db, article_id).await?;
    article_media::Entity::delete_many()
        .filter(article_media::Column::ArticleId.eq(article_id))
        .exec(db)
        .await?;
    let mut kept: Vec<i64> = Vec::new();
    for &id in ids {
        if !kept.contains(&id) {
            kept.push(id);
        }
    }
    if !kept.is_empty() {
        article_media::Entity::insert_many(kept.iter().map(|&media_id| {
            article_media::ActiveModel {
                article_id: Set(article_id),
                media_id: Set(media_id),
                ..Default::default()
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(before.into_iter().filter(|id| !kept.contains(id)).collect())
}

/// Markdown of ours rendered to HTML. Its images must be images uploaded
/// here, each described (by the Markdown's alt text, or the upload's): a
/// 422 on `field` names every one that is not. Returns the HTML and the
/// media it shows.
pub async fn render_markdown(
    ctx: &AppContext,
    db: &impl ConnectionTrait,
    field: &str,
    md: &str,
) -> AppResult<(String, Vec<i64>)> {
    use crate::content::{self, ShownImage};
    let (images, raw) = content::markdown_images(md);
    if images.is_empty() && !raw {
        return Ok((content::markdown_to_html(md), Vec::new()));
    }
    let ours = format!("{}/media/", ctx.base_url());
    let name_of = |url: &str| {
        url.strip_prefix(&ours)
            .or_else(|| url.strip_prefix("/media/"))
            .filter(|n| crate::media::valid_name(n))
            .map(str::to_string)
    };
    let names: Vec<String> = images.iter().filter_map(|i| name_of(&i.url)).collect();
    let found = if names.is_empty() {
        Vec::new()
    } else {
        media::Entity::find()
            .filter(
                Condition::any()
                    .add(media::Column::Name.is_in(names.clone()))
                    .add(media::Column::ThumbName.is_in(names)),
            )
            .all(db)
            .await?
    };
    let mut problems = Vec::new();
    if raw {
        problems.push(
            "images must be written in Markdown, `![what it shows](url)`, not as HTML <img>"
                .to_string(),
        );
    }
    let mut shown = Vec::new();
    let mut ids = Vec::new();
    for (n, image) in images.iter().enumerate() {
        let which = format!("image {} (`{}`)", n + 1, image.url);
        let Some(name) = name_of(&image.url) else {
            problems.push(format!(
                "{which} is not an image uploaded here: upload it with POST /api/v1/media and use the url it returns"
            ));
            continue;
        };
        let Some(m) = found
            .iter()
            .find(|m| m.name == name || m.thumb_name == name)
        else {
            problems.push(format!("{which} is not an image uploaded here"));
            continue;
        };
        let alt = if image.alt.is_empty() {
            m.alt.clone()
        } else {
            image.alt.clone()
        };
        if alt.trim().is_empty() {
            problems.push(format!(
                "{which} has no alt text: describe it in ![what it shows]({}) or upload it with `alt`",
                image.url
            ));
            continue;
        }
        let (width, height) = if m.name == name {
            (m.width, m.height)
        } else {
            (m.thumb_width, m.thumb_height)
        };
        shown.push(ShownImage {
            src: url(ctx, &name),
            alt,
            width: u32::try_from(width).unwrap_or(0),
            height: u32::try_from(height).unwrap_or(0),
        });
        ids.push(m.id);
    }
    if !problems.is_empty() {
        return Err(AppError::unprocessable(field, problems.join("; ")));
    }
    Ok((content::markdown_to_html_with_images(md, &shown), ids))
}

/// The cover given in a request: an uploaded image with alt text.
pub async fn cover(db: &impl ConnectionTrait, uuid: &str) -> AppResult<media::Model> {
    let m = given(db, "cover", uuid).await?;
    if m.alt.trim().is_empty() {
        return Err(AppError::unprocessable(
            "cover",
            "the cover has no alt text: upload it again with `alt`, saying what it shows",
        ));
    }
    Ok(m)
}
