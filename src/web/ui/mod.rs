//! The browser app: signing in, one's account, writing, and the screens
//! of those who run a community or the instance. Server-rendered; every
//! action is a form ([`Form`], checked against forgery), and the script in
//! `static/app.js` only enhances.
//!
//! Screens call the same domain functions as the API; what they add is
//! the page around them and messages in the reader's language.

pub mod account;
pub mod form;

pub use form::Form;

use axum::Router;
use axum::routing::{get, post};

pub fn routes() -> Router {
    Router::new()
        .route("/login", get(account::login_page).post(account::login))
        .route(
            "/login/once/{token}",
            get(account::once_page).post(account::once),
        )
        .route("/logout", post(account::logout))
        .route("/me", get(account::me))
        .route("/me/profile", post(account::profile))
        .route("/me/password", post(account::password))
        .route("/me/tokens", post(account::create_token))
        .route("/me/tokens/{id}/revoke", post(account::revoke_token))
        .route("/me/sessions/end", post(account::end_other_sessions))
}
