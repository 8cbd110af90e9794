//! `Delete` of an object: only its author, from its own origin, may delete it.

use crate::error::{AppError, AppResult};
use crate::federation::Data;
use crate::federation::objects::actor::ApubActor;
use crate::federation::protocol::{activity::ActivityDoc, ref_id};

pub async fn receive(data: &Data, signer: &ApubActor, doc: &ActivityDoc) -> AppResult<()> {
    let object = ref_id(&doc.object).ok_or_else(|| {
        AppError::BadRequest("Delete needs an object id or a Tombstone with an id".into())
    })?;
    if object.as_str() == signer.model.ap_id {
        tracing::info!(actor = %object, "actor deleted; account deletion is not handled yet");
        return Ok(());
    }
    if !crate::federation::guard::same_origin(&object, &doc.actor) {
        tracing::info!(id = %doc.id, "Delete of another server's object ignored");
        return Ok(());
    }
    if crate::domain::remote::delete_article(&data.db, object.as_str(), &signer.model).await? {
        data.pages.clear();
        // Our communities that shared it pass the deletion on.
        crate::federation::share::relay(
            data,
            object.as_str(),
            "Delete",
            Some(doc.id.as_str()),
            Some(doc.actor.as_str()),
        )
        .await?;
    } else if !crate::domain::comments::delete(data.app_data(), object.as_str(), &signer.model)
        .await?
    {
        tracing::info!(id = %doc.id, object = %object, "Delete of an object we do not have or its actor did not write; ignored");
    }
    Ok(())
}
