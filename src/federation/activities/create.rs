//! `Create`/`Update` of an article-like object by an actor one of our
//! communities follows (directly, or through the object's `audience`).

use crate::error::{AppError, AppResult};
use crate::federation::Data;
use crate::federation::objects::actor::ApubActor;
use crate::federation::protocol::{activity::ActivityDoc, article::ArticleDoc};
use activitypub_federation::fetch::object_id::ObjectId;
use entity::follow;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

pub async fn receive(data: &Data, signer: &ApubActor, doc: &ActivityDoc) -> AppResult<()> {
    let kind = super::object_type(&doc.object);
    if !matches!(kind, Some("Article" | "Page" | "Note")) {
        tracing::info!(kind = ?kind, id = %doc.id, "Create/Update of an object type not handled yet; ignored");
        return Ok(());
    }
    let object: ArticleDoc = serde_json::from_value(doc.object.clone())
        .map_err(|e| AppError::BadRequest(format!("the created object is not valid: {e}")))?;
    // The object must come from the actor's own server and name it as author.
    crate::federation::guard::same_origin_or_err(&object.id, &doc.actor).map_err(|_| {
        AppError::BadRequest(format!(
            "{} may not create objects on another server ({})",
            doc.actor, object.id
        ))
    })?;
    if !object.attributed_to.iter().any(|a| a == &doc.actor) {
        return Err(AppError::BadRequest(
            "the object's attributedTo does not include the activity's actor".into(),
        ));
    }
    if let Some(parent) = &object.in_reply_to {
        // A reply: a comment when it belongs to one of our articles' threads.
        match crate::domain::comments::thread_of(&data.db, parent.as_str()).await? {
            Some(article) => {
                crate::domain::comments::receive(data.app_data(), &article, &signer.model, &object)
                    .await?;
            }
            None => tracing::info!(id = %object.id, "reply to something that is not ours; ignored"),
        }
        return Ok(());
    }
    let existing = crate::domain::remote::find(&data.db, object.id.as_str()).await?;
    if let Some(e) = &existing {
        // Only an author changes an object we hold.
        if !crate::domain::remote::is_author(&data.db, e, &signer.model).await? {
            tracing::info!(id = %object.id, "Update by someone other than an author ignored");
            return Ok(());
        }
    } else {
        // Keep only what someone here asked for: an accepted follow of the
        // author or of the community the object belongs to.
        let community = match &object.audience {
            Some(a) => ObjectId::<ApubActor>::from(a.clone())
                .dereference(data)
                .await
                .ok(),
            None => None,
        };
        let mut followed_ids = vec![signer.model.id];
        if let Some(c) = &community {
            followed_ids.push(c.model.id);
        }
        let followers_here = follow::Entity::find()
            .filter(follow::Column::TargetId.is_in(followed_ids))
            .filter(follow::Column::Accepted.eq(true))
            .count(&data.db)
            .await?;
        if followers_here == 0 {
            tracing::info!(id = %object.id, "object from an actor nobody here follows; ignored");
            return Ok(());
        }
    }
    // An edit of a copy we hold is passed on by our communities that shared
    // it, in the same transaction as the edit.
    let relay = existing
        .is_some()
        .then_some(crate::federation::import::Relay {
            kind: "Update",
            id: Some(doc.id.as_str()),
            actor: Some(doc.actor.as_str()),
        });
    crate::federation::import::store(data, &object, relay).await?;
    Ok(())
}
