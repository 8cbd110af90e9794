//! API tokens: created for a local person, stored as SHA-256 hashes, shown once.

use crate::error::{AppError, AppResult};
use entity::{actor, api_token};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// The SHA-256 of a secret, as stored (tokens, sessions, links).
pub fn digest(token: &str) -> String {
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes()).as_ref())
}

/// A new token for `person`; the only time the clear token exists.
pub async fn create_token(db: &impl ConnectionTrait, person: &actor::Model) -> AppResult<String> {
    create_labelled_token(db, person, None).await
}

/// A new token with a label its owner will recognise.
pub async fn create_labelled_token(
    db: &impl ConnectionTrait,
    person: &actor::Model,
    label: Option<&str>,
) -> AppResult<String> {
    if !person.local || person.kind != "person" {
        return Err(AppError::BadRequest(format!(
            "`{}` is not a local person",
            person.username
        )));
    }
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).map_err(AppError::internal)?;
    let token = format!("pp_{}", hex::encode(bytes));
    api_token::ActiveModel {
        person_id: Set(person.id),
        token_hash: Set(digest(&token)),
        created_at: Set(super::now()),
        label: Set(label
            .map(|l| l.trim().chars().take(100).collect::<String>())
            .filter(|l| !l.is_empty())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The person a bearer token acts as.
pub async fn authenticate(db: &impl ConnectionTrait, token: &str) -> AppResult<actor::Model> {
    let row = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(digest(token)))
        .one(db)
        .await?
        .ok_or_else(|| AppError::Unauthorized("invalid or revoked API token".into()))?;
    actor::Entity::find_by_id(row.person_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::Unauthorized("the token's account no longer exists".into()))
}

/// A person's tokens, newest first (their hashes only: the clear tokens
/// were shown once).
pub async fn tokens(
    db: &impl ConnectionTrait,
    person: &actor::Model,
) -> AppResult<Vec<api_token::Model>> {
    use sea_orm::QueryOrder;
    Ok(api_token::Entity::find()
        .filter(api_token::Column::PersonId.eq(person.id))
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?)
}

/// Revoke one of `person`'s tokens; 404 for anyone else's.
pub async fn revoke_token(
    db: &impl ConnectionTrait,
    person: &actor::Model,
    id: i64,
) -> AppResult<()> {
    let gone = api_token::Entity::delete_many()
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::PersonId.eq(person.id))
        .exec(db)
        .await?;
    if gone.rows_affected == 0 {
        return Err(AppError::NotFound("no such token of yours".into()));
    }
    Ok(())
}
