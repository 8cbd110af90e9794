//! Browser accounts: passwords (argon2id), sessions kept in the database
//! (so every process of an instance knows them), one-time sign-in links
//! (first start, lost passwords) and the count of failed sign-ins that
//! slows guessing, per account and per client address.
//!
//! Secrets (session cookies, link tokens) exist in clear only in the
//! browser or the printed link; the database keeps their SHA-256.

use super::auth::digest;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration, Utc};
use entity::{actor, login_failure, login_link, password, session};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

/// A session lives this long after it was last used.
pub const SESSION_DAYS: i64 = 30;
/// A one-time sign-in link is valid this long.
pub const LINK_HOURS: i64 = 24;
pub const PASSWORD_MIN: usize = 8;
/// Longer ones are refused before hashing (argon2 would take them, slowly).
pub const PASSWORD_MAX: usize = 1000;
/// The window failed sign-ins are counted in.
const FAILURE_WINDOW_SECS: i64 = 60;

/// 32 random bytes as hex: a session cookie, a link token, a CSRF token.
pub fn secret() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).map_err(AppError::internal)?;
    Ok(hex::encode(bytes))
}

/// What is wrong with a new password, if anything (an English sentence for
/// the CLI and the API; pages say it in the reader's language).
pub fn password_problem(pw: &str) -> Option<PasswordProblem> {
    let n = pw.chars().count();
    if n < PASSWORD_MIN {
        Some(PasswordProblem::TooShort)
    } else if n > PASSWORD_MAX {
        Some(PasswordProblem::TooLong)
    } else {
        None
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
}

impl std::fmt::Display for PasswordProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PasswordProblem::TooShort => {
                write!(f, "a password needs at least {PASSWORD_MIN} characters")
            }
            PasswordProblem::TooLong => {
                write!(f, "a password has at most {PASSWORD_MAX} characters")
            }
        }
    }
}

/// The argon2id PHC string of a password, computed off the async threads.
async fn hash_password(pw: &str) -> AppResult<String> {
    let pw = pw.to_string();
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::PasswordHasher;
        argon2::Argon2::default()
            .hash_password(pw.as_bytes())
            .map(|h| h.to_string())
            .map_err(AppError::internal)
    })
    .await
    .map_err(AppError::internal)?
}

/// Does `pw` match the stored hash? Without one, the same work is done
/// against a throwaway hash, so a missing account takes as long to refuse.
async fn verify_password(pw: &str, stored: Option<String>) -> AppResult<bool> {
    let pw = pw.to_string();
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordVerifier, phc::PasswordHash};
        let matches = PasswordHash::new(stored.as_deref().unwrap_or(DUMMY_HASH)).is_ok_and(|h| {
            argon2::Argon2::default()
                .verify_password(pw.as_bytes(), &h)
                .is_ok()
        });
        matches && stored.is_some()
    })
    .await
    .map_err(AppError::internal)
}

/// The hash of a password nobody knows, with the default parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$1mzhFdQqVSFIXCyNvBSgTO3WzJRBbdbNR0yZ5CbAnms";

/// Set `person`'s password. Every session of theirs ends but `keep` (the
/// one that made the change, if any): a new password locks out whoever
/// knew the old one.
pub async fn set_password(
    db: &impl ConnectionTrait,
    person: &actor::Model,
    pw: &str,
    keep: Option<i64>,
) -> AppResult<()> {
    if !person.local || person.kind != "person" {
        return Err(AppError::BadRequest(format!(
            "`{}` is not a local person",
            person.username
        )));
    }
    if let Some(p) = password_problem(pw) {
        return Err(AppError::unprocessable("password", p.to_string()));
    }
    let hash = hash_password(pw).await?;
    store_password(db, person, hash, keep).await
}

async fn store_password(
    db: &impl ConnectionTrait,
    person: &actor::Model,
    hash: String,
    keep: Option<i64>,
) -> AppResult<()> {
    password::Entity::insert(password::ActiveModel {
        person_id: Set(person.id),
        hash: Set(hash),
        updated_at: Set(super::now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(password::Column::PersonId)
            .update_columns([password::Column::Hash, password::Column::UpdatedAt])
            .to_owned(),
    )
    .exec(db)
    .await?;
    let mut others = session::Entity::delete_many().filter(session::Column::PersonId.eq(person.id));
    if let Some(id) = keep {
        others = others.filter(session::Column::Id.ne(id));
    }
    others.exec(db).await?;
    Ok(())
}

/// Does `person` have a password?
pub async fn has_password(db: &impl ConnectionTrait, person: &actor::Model) -> AppResult<bool> {
    Ok(password::Entity::find()
        .filter(password::Column::PersonId.eq(person.id))
        .count(db)
        .await?
        > 0)
}

/// Is `pw` `person`'s current password (for changing it)?
pub async fn check_password(
    db: &impl ConnectionTrait,
    person: &actor::Model,
    pw: &str,
) -> AppResult<bool> {
    let stored = password::Entity::find()
        .filter(password::Column::PersonId.eq(person.id))
        .one(db)
        .await?
        .map(|p| p.hash);
    verify_password(pw, stored).await
}

/// A new session: the cookie's secret, and its row.
pub struct NewSession {
    pub secret: String,
    pub session: session::Model,
    pub person: actor::Model,
}

/// Why a sign-in was refused.
#[derive(Debug)]
pub enum SignInError {
    /// Name or password wrong (which of the two is not said).
    Wrong,
    /// Too many failures lately for this account or from this address;
    /// the seconds until another try is counted.
    TooMany(u64),
    Failed(AppError),
}

impl From<AppError> for SignInError {
    fn from(e: AppError) -> Self {
        SignInError::Failed(e)
    }
}

impl From<sea_orm::DbErr> for SignInError {
    fn from(e: sea_orm::DbErr) -> Self {
        SignInError::Failed(e.into())
    }
}

/// Sign in with a name and password from `addr`. After `per_minute`
/// failures within a minute for that name, or from that address, every
/// try is refused until the oldest of them is a minute old.
pub async fn sign_in(
    db: &impl ConnectionTrait,
    username: &str,
    pw: &str,
    addr: &str,
    user_agent: &str,
    per_minute: u64,
) -> Result<NewSession, SignInError> {
    let username: String = username.trim().to_lowercase().chars().take(100).collect();
    let now = super::now();
    let since = now - Duration::seconds(FAILURE_WINDOW_SECS);
    for (column, value) in [
        (login_failure::Column::Username, username.as_str()),
        (login_failure::Column::Addr, addr),
    ] {
        let recent = login_failure::Entity::find()
            .filter(column.eq(value))
            .filter(login_failure::Column::At.gt(since))
            .order_by_desc(login_failure::Column::At)
            .paginate(db, per_minute.max(1))
            .fetch_page(0)
            .await?;
        if per_minute > 0
            && recent.len() as u64 >= per_minute
            && let Some(oldest) = recent.last()
        {
            let wait = (oldest.at + Duration::seconds(FAILURE_WINDOW_SECS) - now)
                .num_seconds()
                .max(1);
            return Err(SignInError::TooMany(wait as u64));
        }
    }
    let person = super::actors::find_local(db, &username)
        .await?
        .filter(|p| p.kind == "person");
    let stored = match &person {
        Some(p) => password::Entity::find()
            .filter(password::Column::PersonId.eq(p.id))
            .one(db)
            .await?
            .map(|p| p.hash),
        None => None,
    };
    let ok = verify_password(pw, stored).await?;
    match person {
        Some(person) if ok => Ok(start_session(db, person, user_agent).await?),
        _ => {
            login_failure::Entity::delete_many()
                .filter(login_failure::Column::At.lt(now - Duration::hours(1)))
                .exec(db)
                .await?;
            login_failure::ActiveModel {
                username: Set(username),
                addr: Set(addr.chars().take(100).collect()),
                at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
            Err(SignInError::Wrong)
        }
    }
}

/// A new session for `person`.
pub async fn start_session(
    db: &impl ConnectionTrait,
    person: actor::Model,
    user_agent: &str,
) -> AppResult<NewSession> {
    let secret = secret()?;
    let now = super::now();
    let session = session::ActiveModel {
        token_hash: Set(digest(&secret)),
        person_id: Set(person.id),
        csrf: Set(self::secret()?),
        user_agent: Set(user_agent.chars().take(200).collect()),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + Duration::days(SESSION_DAYS)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(NewSession {
        secret,
        session,
        person,
    })
}

/// The live session a cookie's secret belongs to, and its person. A
/// session used again after an hour is extended to `SESSION_DAYS` from now
/// (one write an hour at most).
pub async fn session_of(
    db: &impl ConnectionTrait,
    secret: &str,
) -> AppResult<Option<(session::Model, actor::Model)>> {
    if secret.len() != 64 {
        return Ok(None);
    }
    let Some((s, Some(person))) = session::Entity::find()
        .filter(session::Column::TokenHash.eq(digest(secret)))
        .find_also_related(actor::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let now = super::now();
    if s.expires_at <= now {
        session::Entity::delete_by_id(s.id).exec(db).await?;
        return Ok(None);
    }
    if now - s.last_seen_at > Duration::hours(1) {
        let mut m: session::ActiveModel = s.clone().into();
        m.last_seen_at = Set(now);
        m.expires_at = Set(now + Duration::days(SESSION_DAYS));
        return Ok(Some((m.update(db).await?, person)));
    }
    Ok(Some((s, person)))
}

/// End the session of a cookie's secret.
pub async fn sign_out(db: &impl ConnectionTrait, secret: &str) -> AppResult<()> {
    session::Entity::delete_many()
        .filter(session::Column::TokenHash.eq(digest(secret)))
        .exec(db)
        .await?;
    Ok(())
}

/// End every session of `person` but `keep`.
pub async fn end_other_sessions(
    db: &impl ConnectionTrait,
    person: &actor::Model,
    keep: i64,
) -> AppResult<u64> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::PersonId.eq(person.id))
        .filter(session::Column::Id.ne(keep))
        .exec(db)
        .await?
        .rows_affected)
}

/// A person's sessions, newest first.
pub async fn sessions(
    db: &impl ConnectionTrait,
    person: &actor::Model,
) -> AppResult<Vec<session::Model>> {
    Ok(session::Entity::find()
        .filter(session::Column::PersonId.eq(person.id))
        .filter(session::Column::ExpiresAt.gt(super::now()))
        .order_by_desc(session::Column::LastSeenAt)
        .all(db)
        .await?)
}

/// A new one-time sign-in link's token for `person`, valid `LINK_HOURS`.
/// Earlier unused links of theirs stop working.
pub async fn create_login_link(
    db: &impl ConnectionTrait,
    person: &actor::Model,
) -> AppResult<String> {
    if !person.local || person.kind != "person" {
        return Err(AppError::BadRequest(format!(
            "`{}` is not a local person",
            person.username
        )));
    }
    login_link::Entity::delete_many()
        .filter(login_link::Column::PersonId.eq(person.id))
        .exec(db)
        .await?;
    let token = secret()?;
    let now = super::now();
    login_link::ActiveModel {
        token_hash: Set(digest(&token)),
        person_id: Set(person.id),
        created_at: Set(now),
        expires_at: Set(now + Duration::hours(LINK_HOURS)),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The person a one-time link is for, while it is unused and unexpired.
pub async fn login_link_person(
    db: &impl ConnectionTrait,
    token: &str,
) -> AppResult<Option<(actor::Model, DateTime<Utc>)>> {
    let found = login_link::Entity::find()
        .filter(login_link::Column::TokenHash.eq(digest(token)))
        .find_also_related(actor::Entity)
        .one(db)
        .await?;
    Ok(match found {
        Some((link, Some(person))) if link.used_at.is_none() && link.expires_at > super::now() => {
            Some((person, link.expires_at))
        }
        _ => None,
    })
}

/// Use a one-time link: set the password it was sent for and sign in. The
/// link then no longer works, and every other session of the person ends.
pub async fn use_login_link(
    db: &sea_orm::DatabaseConnection,
    token: &str,
    pw: &str,
    user_agent: &str,
) -> AppResult<Option<NewSession>> {
    if let Some(p) = password_problem(pw) {
        return Err(AppError::unprocessable("password", p.to_string()));
    }
    // Hashed before the transaction: it takes a while.
    let hash = hash_password(pw).await?;
    let txn = crate::db::begin_write(db).await?;
    // Mark it used first: of two uses at once, one updates the row.
    let used = login_link::Entity::update_many()
        .col_expr(
            login_link::Column::UsedAt,
            sea_orm::sea_query::Expr::value(super::now()),
        )
        .filter(login_link::Column::TokenHash.eq(digest(token)))
        .filter(login_link::Column::UsedAt.is_null())
        .filter(login_link::Column::ExpiresAt.gt(super::now()))
        .exec(&txn)
        .await?;
    if used.rows_affected != 1 {
        return Ok(None);
    }
    let Some((person, _)) = login_link::Entity::find()
        .filter(login_link::Column::TokenHash.eq(digest(token)))
        .find_also_related(actor::Entity)
        .one(&txn)
        .await?
        .and_then(|(l, p)| p.map(|p| (p, l)))
    else {
        return Ok(None);
    };
    if !person.local || person.kind != "person" {
        return Ok(None);
    }
    store_password(&txn, &person, hash, None).await?;
    let new = start_session(&txn, person, user_agent).await?;
    txn.commit().await?;
    Ok(Some(new))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert_eq!(password_problem("short"), Some(PasswordProblem::TooShort));
        assert_eq!(password_problem("long enough"), None);
        assert_eq!(
            password_problem(&"x".repeat(1001)),
            Some(PasswordProblem::TooLong)
        );
        assert_eq!(secret().unwrap().len(), 64);
    }

    #[tokio::test]
    async fn hashes_verify_and_the_dummy_never_does() {
        let h = hash_password("correct horse").await.unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(
            verify_password("correct horse", Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(!verify_password("wrong horse", Some(h)).await.unwrap());
        assert!(!verify_password("anything", None).await.unwrap());
        // The throwaway hash is one, so refusing a missing account costs
        // the same work.
        assert!(argon2::password_hash::phc::PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(
            !verify_password("x", Some("not a hash".into()))
                .await
                .unwrap()
        );
    }
}
