//! API tokens: created for a local person, stored as SHA-256 hashes, shown once.

use crate::error::{AppError, AppResult};
use entity::{actor, api_token};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

fn hash(token: &str) -> String {
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes()).as_ref())
}

/// A new token for `person`; the only time the clear token exists.
pub async fn create_token(db: &impl ConnectionTrait, person: &actor::Model) -> AppResult<String> {
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
        token_hash: Set(hash(&token)),
        created_at: Set(super::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The person a bearer token acts as.
pub async fn authenticate(db: &impl ConnectionTrait, token: &str) -> AppResult<actor::Model> {
    let row = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash(token)))
        .one(db)
        .await?
        .ok_or_else(|| AppError::Unauthorized("invalid or revoked API token".into()))?;
    actor::Entity::find_by_id(row.person_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::Unauthorized("the token's account no longer exists".into()))
}
