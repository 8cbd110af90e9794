//! `Create`/`Update` of a post: a reply to one of our articles (a comment,
//! or a private reply kept for the people it addresses), or a post by or
//! for an actor one of our communities follows.

use crate::error::{AppError, AppResult};
use crate::federation::Data;
use crate::federation::objects::actor::ApubActor;
use crate::wire::{activity::ActivityDoc, article::ArticleDoc};

pub async fn receive(
    data: &Data,
    signer: &ApubActor,
    doc: &ActivityDoc,
    object: &ArticleDoc,
    update: bool,
    raw: &serde_json::Value,
) -> AppResult<super::Outcome> {
    // The object must come from the actor's own server and name it as author.
    crate::wire::guard::same_origin_or_err(&object.id, &doc.actor).map_err(|_| {
        AppError::BadRequest(format!(
            "{} may not create objects on another server ({})",
            doc.actor, object.id
        ))
    })?;
    if !object.attributed_to.iter().any(|a| a == &doc.actor)
        && object.actor.as_ref() != Some(&doc.actor)
    {
        return Err(AppError::BadRequest(
            "the object's attributedTo does not include the activity's actor".into(),
        ));
    }
    if let Some(parent) = &object.in_reply_to {
        // A reply: a comment when it belongs to one of our articles' threads.
        return match crate::domain::comments::thread_of(&data.db, parent.as_str()).await? {
            Some(article) => {
                let reply = crate::federation::convert::remote_reply(
                    object,
                    doc,
                    raw,
                    signer.model.followers_url.as_deref(),
                    parent,
                    update,
                );
                let kept = crate::domain::comments::receive(
                    data.app_data(),
                    &article,
                    &signer.model,
                    &reply,
                )
                .await?;
                Ok(if kept.is_some() {
                    super::Outcome::Applied
                } else {
                    super::Outcome::Ignored
                })
            }
            None => {
                tracing::info!(id = %object.id, "reply to something that is not ours; ignored");
                Ok(super::Outcome::Ignored)
            }
        };
    }
    let existing = crate::domain::remote::find(&data.db, object.id.as_str()).await?;
    if let Some(e) = &existing {
        // Only an author changes an object we hold.
        if !crate::domain::remote::is_author(&data.db, e, &signer.model).await? {
            tracing::info!(id = %object.id, "Update by someone other than an author ignored");
            return Ok(super::Outcome::Ignored);
        }
    } else {
        // Only posts meant for everyone reach a network feed.
        let visibility = crate::federation::convert::visibility(
            object,
            Some(doc),
            signer.model.followers_url.as_deref(),
        );
        if !visibility.is_shown() {
            tracing::info!(id = %object.id, "a followers-only or direct post is not kept");
            return Ok(super::Outcome::Ignored);
        }
        if !followed_here(data, signer, object, doc).await? {
            tracing::info!(id = %object.id, "object from an actor nobody here follows; ignored");
            return Ok(super::Outcome::Ignored);
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
    crate::federation::import::store(data, object, relay).await?;
    Ok(super::Outcome::Applied)
}

/// Keep only what someone here asked for: an accepted follow of the author,
/// or of a group the post is for, however its server says so: `audience`
/// (Lemmy), `to` (Lotide), `cc` (Hubzilla, GNU social) or `attributedTo`
/// beside the author (Plume). Only actors we already know are looked at,
/// and only those on the post's own server (a group elsewhere brings the
/// post by its own Announce, fetched from its origin).
async fn followed_here(
    data: &Data,
    signer: &ApubActor,
    object: &ArticleDoc,
    doc: &ActivityDoc,
) -> AppResult<bool> {
    let named: Vec<String> = object
        .audience
        .iter()
        .chain(object.attributed_to.iter())
        .chain(object.to.iter())
        .chain(object.cc.iter())
        .chain(doc.to.iter())
        .chain(doc.cc.iter())
        .filter(|u| crate::wire::guard::same_origin(u, &object.id))
        .map(|u| u.to_string())
        .collect();
    crate::domain::follows::anyone_follows(&data.db, &[signer.model.id], &named).await
}
