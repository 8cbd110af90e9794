//! `Announce` by a followed community (FEP-1b12): the object is fetched from
//! its own origin by id; an embedded copy is never trusted.

use crate::error::{AppError, AppResult};
use crate::federation::Data;
use crate::federation::objects::actor::ApubActor;
use crate::federation::protocol::{activity::ActivityDoc, article::ArticleDoc, ref_id};
use activitypub_federation::fetch::fetch_object_http;
use activitypub_federation::fetch::object_id::ObjectId;

pub async fn receive(data: &Data, signer: &ApubActor, doc: &ActivityDoc) -> AppResult<()> {
    if crate::domain::follows::follower_count(&data.db, &signer.model).await? == 0 {
        tracing::info!(id = %doc.id, "Announce by an actor nobody here follows; ignored");
        return Ok(());
    }
    // Lemmy announces whole activities (Announce{Create{Page}}); take the object's id.
    let inner = match doc.object.get("object") {
        Some(o) if matches!(super::object_type(&doc.object), Some("Create" | "Update")) => o,
        _ => &doc.object,
    };
    let Some(object_id) = ref_id(inner) else {
        return Err(AppError::BadRequest("Announce needs an object id".into()));
    };
    let fetched = fetch_object_http::<_, serde_json::Value>(&object_id, data)
        .await
        .map_err(|e| {
            AppError::BadGateway(format!(
                "could not fetch the announced object {object_id}: {e}"
            ))
        })?;
    if !matches!(
        super::object_type(&fetched.object),
        Some("Article" | "Page" | "Note")
    ) {
        tracing::info!(id = %object_id, "announced object type not handled yet; ignored");
        return Ok(());
    }
    let object: ArticleDoc = serde_json::from_value(fetched.object)
        .map_err(|e| AppError::BadRequest(format!("the announced object is not valid: {e}")))?;
    if object.in_reply_to.is_some() {
        tracing::info!(id = %object.id, "announced reply; comments are not handled yet");
        return Ok(());
    }
    let Some(author_id) = object.attributed_to.first() else {
        return Err(AppError::BadRequest(
            "the announced object has no attributedTo".into(),
        ));
    };
    crate::federation::guard::same_origin_or_err(author_id, &object.id).map_err(|_| {
        AppError::BadRequest("the announced object's author is on another server".into())
    })?;
    let author = ObjectId::<ApubActor>::from(author_id.clone())
        .dereference(data)
        .await?;
    crate::domain::remote::upsert_article(&data.db, &object, &author.model, Some(&signer.model))
        .await?;
    Ok(())
}
