//! `Announce`: a share of one of our objects (counted in its `shares`), or
//! a followed actor sharing a remote article (FEP-1b12). The article is
//! fetched from its own origin by id; an embedded copy is never trusted.

use crate::domain::reactions::{self, ANNOUNCE};
use crate::error::{AppError, AppResult};
use crate::federation::Data;
use crate::federation::import::{self, Imported};
use crate::federation::objects::actor::ApubActor;
use crate::federation::protocol::activity::ActivityDoc;

pub async fn receive(data: &Data, signer: &ApubActor, doc: &ActivityDoc) -> AppResult<()> {
    let Some(object_id) = import::object_of(&serde_json::json!({
        "type": "Announce",
        "object": doc.object,
    })) else {
        return Err(AppError::BadRequest("Announce needs an object id".into()));
    };
    if reactions::is_local_object(&data.db, object_id.as_str()).await? {
        reactions::record(
            &data.db,
            ANNOUNCE,
            &signer.model,
            object_id.as_str(),
            doc.id.as_str(),
        )
        .await?;
        data.pages.clear();
        return Ok(());
    }
    if crate::domain::follows::follower_count(&data.db, &signer.model).await? == 0 {
        tracing::info!(id = %doc.id, "Announce by an actor nobody here follows; ignored");
        return Ok(());
    }
    // Lemmy relays deletions as Announce{Delete}: the origin decides.
    let relayed_delete = super::object_type(&doc.object) == Some("Delete");
    match import::article(data, &object_id).await {
        Ok(Imported::Stored(a)) if !relayed_delete => {
            reactions::record(&data.db, ANNOUNCE, &signer.model, &a.ap_id, doc.id.as_str()).await?;
            data.pages.clear();
        }
        Ok(Imported::Stored(_)) => {
            tracing::info!(id = %doc.id, "relayed Delete of an object its origin still serves; kept");
        }
        Ok(Imported::Gone) => {
            tracing::info!(id = %object_id, "announced object is gone at its origin")
        }
        Ok(Imported::Skipped(why)) => {
            tracing::info!(id = %doc.id, "announced object not kept: {why}")
        }
        // The sender cannot fix what the origin does: accept, store nothing.
        Err(e) => {
            tracing::info!(id = %doc.id, object = %object_id, error = %e, "announced object could not be fetched or verified; nothing stored")
        }
    }
    Ok(())
}
