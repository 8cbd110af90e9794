//! `Like` of one of our objects: counted in its `likes` collection.

use crate::domain::reactions::{self, LIKE};
use crate::error::AppResult;
use crate::federation::Data;
use crate::federation::objects::actor::ApubActor;
use crate::wire::activity::ActivityDoc;

pub async fn receive(
    data: &Data,
    signer: &ApubActor,
    doc: &ActivityDoc,
    object: &url::Url,
) -> AppResult<()> {
    if !reactions::is_local_object(&data.db, object.as_str()).await? {
        tracing::info!(id = %doc.id, object = %object, "Like of something that is not ours; ignored");
        return Ok(());
    }
    if crate::domain::governance::blocks::blocked_for_object(
        &data.db,
        signer.model.id,
        object.as_str(),
    )
    .await?
    {
        tracing::info!(id = %doc.id, "Like by an actor blocked in the community; ignored");
        return Ok(());
    }
    reactions::record(
        &data.db,
        LIKE,
        &signer.model,
        object.as_str(),
        doc.id.as_str(),
    )
    .await?;
    data.changed(crate::domain::shown::object(&data.db, object.as_str()).await?)
        .await;
    Ok(())
}
