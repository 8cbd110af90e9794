//! `Undo{Follow}`: the follower leaves. Matched by the Follow's id or by the
//! (actor, object) pair; only the follower may undo its own follow.
//! `Undo{Like}` and `Undo{Announce}` take back a like or share the same way.

use super::Inner;
use crate::domain::reactions::{ANNOUNCE, LIKE};
use crate::error::AppResult;
use crate::federation::Data;
use crate::federation::objects::actor::ApubActor;
use crate::wire::activity::ActivityDoc;
use activitypub_federation::traits::Object;

pub async fn receive(
    data: &Data,
    signer: &ApubActor,
    doc: &ActivityDoc,
    inner: &Inner,
) -> AppResult<()> {
    let inner_type = inner.kind.as_deref();
    if let Some(kind) = match inner_type {
        Some("Like" | "EmojiReact") => Some(LIKE),
        Some("Announce") => Some(ANNOUNCE),
        _ => None,
    } {
        return undo_reaction(data, signer, doc, inner, kind).await;
    }
    if inner_type.is_none()
        && let Some(id) = &inner.id
    {
        // A bare id: a like or share of ours, if it is one.
        for kind in [LIKE, ANNOUNCE] {
            let objects = crate::domain::reactions::undo(
                &data.db,
                kind,
                &signer.model,
                Some(id.as_str()),
                None,
            )
            .await?;
            if !objects.is_empty() {
                reactions_changed(data, &objects).await?;
                return Ok(());
            }
        }
    }
    if inner_type.is_some_and(|t| t != "Follow") {
        tracing::info!(kind = ?inner_type, "Undo of an activity type not handled yet; ignored");
        return Ok(());
    }
    if let Some(actor_of_follow) = &inner.actor
        && actor_of_follow.as_str() != signer.model.ap_id
    {
        tracing::info!("Undo of someone else's Follow ignored");
        return Ok(());
    }
    // Embedded Follow: its object. Bare id: the actor the Follow targeted.
    let target = match (&inner.object, &inner.id) {
        (Some(o), _) => ApubActor::read_from_id(o.clone(), data)
            .await?
            .map(|a| a.model),
        (None, Some(follow_id)) => {
            crate::domain::follows::other_side_of(
                &data.db,
                follow_id.as_str(),
                Some(&signer.model),
                None,
            )
            .await?
        }
        (None, None) => None,
    };
    let Some(target) = target else {
        tracing::info!(id = %doc.id, "Undo of an unknown Follow ignored");
        return Ok(());
    };
    crate::domain::follows::remove(&data.db, &signer.model, &target).await?;
    Ok(())
}

/// `Undo{Like}` / `Undo{Announce}`: only the actor's own reaction goes.
async fn undo_reaction(
    data: &Data,
    signer: &ApubActor,
    doc: &ActivityDoc,
    inner: &Inner,
    kind: &str,
) -> AppResult<()> {
    if let Some(actor_of_inner) = &inner.actor
        && actor_of_inner.as_str() != signer.model.ap_id
    {
        tracing::info!(id = %doc.id, "Undo of someone else's activity ignored");
        return Ok(());
    }
    let objects = crate::domain::reactions::undo(
        &data.db,
        kind,
        &signer.model,
        inner.id.as_ref().map(|u| u.as_str()),
        inner.object.as_ref().map(|u| u.as_str()),
    )
    .await?;
    if !objects.is_empty() {
        reactions_changed(data, &objects).await?;
    }
    Ok(())
}

/// The pages that counted the reactions to `objects`.
async fn reactions_changed(data: &Data, objects: &[String]) -> AppResult<()> {
    let mut changes = crate::cache::Changes::none();
    for o in objects {
        changes.merge(crate::domain::shown::object(&data.db, o).await?);
    }
    data.changed(changes).await;
    Ok(())
}
