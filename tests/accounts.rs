//! Accounts in the browser: the first-start link, passwords, sessions in
//! the database, forms that refuse forgeries, sign-in slowed after failures,
//! profile, API tokens.

use crate::harness::{Backend, TestInstance, client};
use serde_json::json;

async fn first_start_link_to_a_session(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let path = a.login_link.strip_prefix(&a.base).unwrap().to_string();
    assert!(path.starts_with("/login/once/"), "{path}");
    let mut b = a.browser();

    // Opening the link changes nothing; it names the account.
    let page = b.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Choose your password") && page.body.contains("admin"));
    let token = page.csrf();
    // Sent without its token: refused, and the link still works.
    let refused = b
        .post(
            &path,
            &[("password", "long enough"), ("again", "long enough")],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(
        refused.body.contains("sent from another site"),
        "{}",
        refused.body
    );
    let mismatch = b
        .post(
            &path,
            &[
                ("_csrf", &token),
                ("password", "long enough"),
                ("again", "other one"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, 422);
    assert!(mismatch.body.contains("The two new passwords differ"));
    let short = b
        .post(
            &path,
            &[("_csrf", &token), ("password", "short"), ("again", "short")],
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(
        short.body.contains("at least 8 characters"),
        "{}",
        short.body
    );

    let done = b
        .post(
            &path,
            &[
                ("_csrf", &token),
                ("password", "garden of forks"),
                ("again", "garden of forks"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/me?done=password-set"));
    let set_cookie: Vec<&str> = done
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let session = set_cookie
        .iter()
        .find(|c| c.starts_with("session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && !session.contains("Secure"),
        "{session}"
    );
    let me = b.get("/me?done=password-set").await;
    assert_eq!(me.status, 200);
    assert!(me.body.contains("Your password is saved"), "{}", me.body);
    assert_eq!(me.headers["cache-control"], "private, no-store");
    // Used once: gone.
    let again = b.get(&path).await;
    assert_eq!(again.status, 410);
    assert!(again.body.contains("expired or was already used"));

    // Public pages show who is signed in, and are never kept for others.
    let page = b.get("/c/commons").await;
    assert!(page.body.contains("action=\"/logout\""), "{}", page.body);
    assert_eq!(page.headers["cache-control"], "private, no-store");
    let anonymous = client().get(a.url("/c/commons")).send().await.unwrap();
    assert_eq!(anonymous.headers()["cache-control"], "public, max-age=60");
    assert!(
        !anonymous
            .text()
            .await
            .unwrap()
            .contains("action=\"/logout\"")
    );

    // Sign out, then in again with the password.
    let out = b.submit("/me", "/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert!(!b.cookies.contains_key("session"));
    let me = b.get("/me").await;
    assert_eq!(me.status, 303);
    assert_eq!(me.location.as_deref(), Some("/login?next=%2Fme"));
    let wrong = b
        .submit(
            "/login",
            "/login",
            &[("username", "admin"), ("password", "not it at all")],
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("do not match"), "{}", wrong.body);
    let ok = b
        .submit(
            "/login?next=/c/commons",
            "/login",
            &[
                ("username", "Admin"),
                ("password", "garden of forks"),
                ("next", "/c/commons"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(ok.location.as_deref(), Some("/c/commons"));
    // Another site is never where sign-in leads.
    let mut c = a.browser();
    let evil = c
        .submit(
            "/login",
            "/login",
            &[
                ("username", "admin"),
                ("password", "garden of forks"),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(evil.location.as_deref(), Some("/me"));
}
crate::db_test!(first_start_link, first_start_link_to_a_session);

async fn sessions_live_in_the_database(backend: Backend) {
    let a = TestInstance::start(backend).await;
    a.set_password("admin", "correct horse").await;
    let mut b = a.browser();
    b.sign_in("admin", "correct horse").await;
    // A second process of the same instance (same database and domain)
    // knows the session.
    let second = a.start_beside().await;
    let mut other = second.browser();
    other.cookies = b.cookies.clone();
    let me = other.get("/me").await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert!(me.body.contains("@admin@"), "{}", me.body);
    // Signing out there ends it here too.
    let out = other.submit("/me", "/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(b.get("/me").await.status, 303);
    second.running.stop().await;

    // A new password ends the other sessions, not the one that set it.
    let mut one = a.browser();
    one.sign_in("admin", "correct horse").await;
    let mut two = a.browser();
    two.sign_in("admin", "correct horse").await;
    let changed = one
        .submit(
            "/me",
            "/me/password",
            &[
                ("current", "correct horse"),
                ("password", "battery staple"),
                ("again", "battery staple"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    assert_eq!(one.get("/me").await.status, 200);
    assert_eq!(two.get("/me").await.status, 303);
    let wrong_current = one
        .submit(
            "/me",
            "/me/password",
            &[
                ("current", "correct horse"),
                ("password", "x y z w v"),
                ("again", "x y z w v"),
            ],
        )
        .await;
    assert_eq!(wrong_current.status, 422);
    assert!(wrong_current.body.contains("current password is not right"));
}
crate::db_test!(shared_sessions, sessions_live_in_the_database);

async fn sign_in_is_slowed_after_ten_failures(backend: Backend) {
    let a = TestInstance::start(backend).await;
    a.set_password("admin", "correct horse").await;
    let mut b = a.browser();
    for i in 0..10 {
        let p = b
            .submit(
                "/login",
                "/login",
                &[("username", "admin"), ("password", "guess")],
            )
            .await;
        assert_eq!(p.status, 401, "try {i}");
    }
    // The eleventh within the minute is refused, saying so, even with the
    // right password.
    let p = b
        .submit(
            "/login",
            "/login",
            &[("username", "admin"), ("password", "correct horse")],
        )
        .await;
    assert_eq!(p.status, 429, "{}", p.body);
    assert!(p.body.contains("Too many failed sign-ins"), "{}", p.body);
    let retry: u64 = p.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // In French too.
    b.lang = Some("fr".into());
    let p = b
        .submit(
            "/login",
            "/login",
            &[("username", "admin"), ("password", "guess")],
        )
        .await;
    assert!(p.body.contains("Trop de tentatives"), "{}", p.body);

    // Per address too: many names from one address.
    let a2 = TestInstance::start(backend).await;
    let mut c = a2.browser();
    for i in 0..10 {
        let name = format!("nobody{i}");
        let p = c
            .submit(
                "/login",
                "/login",
                &[("username", &name), ("password", "guess")],
            )
            .await;
        assert_eq!(p.status, 401);
    }
    let p = c
        .submit(
            "/login",
            "/login",
            &[("username", "admin"), ("password", "x")],
        )
        .await;
    assert_eq!(p.status, 429);
}
crate::db_test!(login_rate_limit, sign_in_is_slowed_after_ten_failures);

async fn forms_refuse_forgeries(backend: Backend) {
    let a = TestInstance::start(backend).await;
    a.set_password("admin", "correct horse").await;
    let mut b = a.browser();
    b.sign_in("admin", "correct horse").await;
    let profile = [("display_name", "Forged"), ("bio", "")];
    // No token, a wrong token, or another site's Origin: refused, nothing done.
    let p = b.post("/me/profile", &profile).await;
    assert_eq!(p.status, 403);
    let p = b
        .post(
            "/me/profile",
            &[
                ("_csrf", "0".repeat(64).as_str()),
                ("display_name", "Forged"),
            ],
        )
        .await;
    assert_eq!(p.status, 403);
    let token = b.get("/me").await.csrf();
    let res = client()
        .post(a.url("/me/profile"))
        .header("cookie", format!("session={}", b.cookies["session"]))
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("_csrf={token}&display_name=Forged"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let page = a.page(&a.url("/u/admin")).await;
    assert!(!page.contains("Forged"));
    // The sign-in form needs its token too.
    let p = a
        .browser()
        .post(
            "/login",
            &[("username", "admin"), ("password", "correct horse")],
        )
        .await;
    assert_eq!(p.status, 403);

    // With it, the profile changes and its page shows it.
    let p = b
        .submit(
            "/me",
            "/me/profile",
            &[("display_name", "Ada Steward"), ("bio", "Gardens.")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = a.page(&a.url("/u/admin")).await;
    assert!(page.contains("Ada Steward"), "{page}");
    let p = b
        .submit(
            "/me",
            "/me/profile",
            &[("display_name", "x"), ("bio", &"b".repeat(501))],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("at most 500 characters"), "{}", p.body);
}
crate::db_test!(csrf, forms_refuse_forgeries);

async fn api_tokens_from_the_browser(backend: Backend) {
    let a = TestInstance::start(backend).await;
    a.set_password("admin", "correct horse").await;
    let mut b = a.browser();
    b.sign_in("admin", "correct horse").await;
    let p = b
        .submit("/me", "/me/tokens", &[("label", "backup script")])
        .await;
    assert_eq!(p.status, 200);
    assert_eq!(p.headers["cache-control"], "no-store");
    let at = p.body.find("<code id=\"new-token\">").unwrap() + "<code id=\"new-token\">".len();
    let token = p.body[at..at + p.body[at..].find('<').unwrap()].to_string();
    assert!(token.starts_with("pp_"), "{token}");
    assert!(p.body.contains("backup script"));
    let (status, _) = a
        .api_post_as(
            &token,
            "/api/v1/communities/commons/announcements",
            &json!({"body": "From a browser-made token"}),
        )
        .await;
    assert_eq!(status, 201);
    // Shown once: the list has its name, never the token.
    let me = b.get("/me").await;
    assert!(me.body.contains("backup script") && !me.body.contains(&token));
    let at = me.body.find("/me/tokens/").unwrap() + "/me/tokens/".len();
    let id: String = me.body[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    // The first-start token is listed too; revoke the new one.
    let p = b
        .submit("/me", &format!("/me/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(p.status, 303);
    let (status, _) = a
        .api_post_as(
            &token,
            "/api/v1/communities/commons/announcements",
            &json!({"body": "again"}),
        )
        .await;
    assert_eq!(status, 401);
    // Someone else's token id is not theirs to revoke.
    let other = a.person("bo", None).await;
    let _ = other;
    a.set_password("bo", "bo's garden").await;
    let mut bo = a.browser();
    bo.sign_in("bo", "bo's garden").await;
    let first_id = {
        let me = b.get("/me").await;
        let at = me.body.find("/me/tokens/").unwrap() + "/me/tokens/".len();
        me.body[at..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect::<String>()
    };
    let p = bo
        .submit("/me", &format!("/me/tokens/{first_id}/revoke"), &[])
        .await;
    assert_eq!(p.status, 404);
}
crate::db_test!(tokens, api_tokens_from_the_browser);
