//! Test instances, fake remote peers and helpers.

use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use peerpress::app::{Running, open, start};
use peerpress::config::Settings;
use peerpress::context::AppContext;
use peerpress::wire::signatures::{GeneratedKeys, KeyCache, generate_keypair, sign_request};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Run a test body on SQLite, and on PostgreSQL when configured.
#[macro_export]
macro_rules! db_test {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body($crate::harness::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::harness::postgres_url().is_none() {
                    eprintln!("PEERPRESS_TEST_POSTGRES is not set: PostgreSQL variant not run");
                    return;
                }
                super::$body($crate::harness::Backend::Postgres).await
            }
        }
    };
}

pub fn postgres_url() -> Option<String> {
    std::env::var("PEERPRESS_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
}

/// A fresh database: a temporary SQLite file, or a new PostgreSQL database.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}/peerpress.db?mode=rwc", dir.path().display());
                TestDb {
                    url,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                use sea_orm::ConnectionTrait;
                let admin = postgres_url().expect("PEERPRESS_TEST_POSTGRES");
                let name = format!("pp_test_{}", uuid::Uuid::new_v4().simple());
                let conn = sea_orm::Database::connect(admin.as_str()).await.unwrap();
                conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .unwrap();
                conn.close().await.unwrap();
                let mut url = url::Url::parse(&admin).unwrap();
                url.set_path(&format!("/{name}"));
                TestDb {
                    url: url.to_string(),
                    _dir: None,
                }
            }
        }
    }
}

/// A running peerpress instance on `localhost:<port>`; deliveries run only
/// when the test drains them.
pub struct TestInstance {
    pub running: Running,
    pub base: String,
    pub domain: String,
    /// The steward's API token.
    pub token: String,
    pub db_url: String,
    _db: TestDb,
}

impl TestInstance {
    pub async fn start(backend: Backend) -> TestInstance {
        Self::start_with(backend, Vec::new()).await
    }

    pub async fn start_with(backend: Backend, extra_env: Vec<(String, String)>) -> TestInstance {
        if let Ok(filter) = std::env::var("PEERPRESS_TEST_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_test_writer()
                .try_init();
        }
        let db = TestDb::new(backend).await;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let domain = format!("localhost:{port}");
        let mut env = vec![
            ("PEERPRESS__SERVER__DOMAIN".to_string(), domain.clone()),
            (
                "PEERPRESS__SERVER__BIND".to_string(),
                format!("127.0.0.1:{port}"),
            ),
            ("PEERPRESS__DATABASE__URL".to_string(), db.url.clone()),
            (
                "PEERPRESS__DATABASE__MAX_CONNECTIONS".to_string(),
                "5".to_string(),
            ),
        ];
        env.extend(extra_env);
        let settings = Settings::load(None, env).unwrap();
        let opened = open(settings).await.unwrap();
        let token = opened
            .first_token
            .expect("a fresh database bootstraps the steward");
        let running = start(opened.ctx, listener, false).await.unwrap();
        TestInstance {
            running,
            base: format!("http://{domain}"),
            domain,
            token,
            db_url: db.url.clone(),
            _db: db,
        }
    }

    pub fn ctx(&self) -> &AppContext {
        &self.running.ctx
    }

    /// Deliver everything due now.
    pub async fn drain(&self) -> peerpress::delivery::RoundStats {
        peerpress::delivery::run_until_idle(self.ctx())
            .await
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn api_post(&self, path: &str, body: &Value) -> (u16, Value) {
        let res = client()
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn api_get(&self, path: &str) -> (u16, Value) {
        let res = client()
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// GET as an ActivityPub client.
    pub async fn get_as(&self, path_or_url: &str) -> (u16, Option<String>, Value) {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_string()
        } else {
            self.url(path_or_url)
        };
        let res = client()
            .get(url)
            .header("accept", "application/activity+json")
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let ct = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string());
        (status, ct, res.json().await.unwrap_or(Value::Null))
    }

    /// A local person with `role` in `commons` and their API token.
    pub async fn person(&self, name: &str, role: Option<&str>) -> String {
        use peerpress::domain::actors::{LocalKind, create_local, get_local, set_role};
        let ctx = self.ctx();
        let person = create_local(
            ctx,
            &ctx.db,
            LocalKind::Person,
            &peerpress::domain::names::LocalName::parse(name).unwrap(),
            None,
        )
        .await
        .unwrap();
        if let Some(role) = role {
            let commons = get_local(&ctx.db, LocalKind::Community, "commons")
                .await
                .unwrap();
            set_role(&ctx.db, &commons, &person, role).await.unwrap();
        }
        peerpress::domain::auth::create_token(&ctx.db, &person)
            .await
            .unwrap()
    }

    /// POST to the API with another person's token.
    pub async fn api_post_as(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        let res = client()
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// The article page as a browser sees it.
    pub async fn page(&self, url: &str) -> String {
        client()
            .get(url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn publish(&self, title: &str, body: &str) -> Value {
        let (status, v) = self
            .api_post(
                "/api/v1/communities/commons/articles",
                &json!({"title": title, "body": body}),
            )
            .await;
        assert_eq!(status, 201, "{v}");
        v
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A request seen by a fake peer's inbox.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Value,
}

/// A minimal remote server with one actor, `mallory`, whose key the test
/// holds: it serves the actor document and records what reaches its inbox.
pub struct FakePeer {
    /// The status its inboxes answer with; tests may change it.
    pub status: Arc<std::sync::atomic::AtomicU16>,
    pub base: String,
    pub actor_id: String,
    pub keys: GeneratedKeys,
    /// mallory's actor document as served (see `rotate_key`).
    mallory_doc: Arc<Mutex<Value>>,
    /// A second actor on the same server, with a key of its own.
    pub eve_id: String,
    pub eve_keys: GeneratedKeys,
    pub inbox: Arc<Mutex<Vec<Received>>>,
    /// Documents served at `/objects/{name}` (404 for any other name).
    objects: Arc<Mutex<std::collections::HashMap<String, Value>>>,
    cache: KeyCache,
}

impl FakePeer {
    pub async fn start() -> FakePeer {
        Self::start_with_status(202).await
    }

    pub async fn start_with_status(status: u16) -> FakePeer {
        Self::start_with(status, Vec::new()).await
    }

    pub async fn start_with(status: u16, headers: Vec<(&'static str, &'static str)>) -> FakePeer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let base = format!("http://localhost:{port}");
        let actor_id = format!("{base}/users/mallory");
        let keys = generate_keypair().unwrap();
        let inbox: Arc<Mutex<Vec<Received>>> = Arc::default();
        let doc = json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": actor_id,
            "type": "Person",
            "preferredUsername": "mallory",
            "inbox": format!("{actor_id}/inbox"),
            "outbox": format!("{actor_id}/outbox"),
            "followers": format!("{actor_id}/followers"),
            "endpoints": {"sharedInbox": format!("{base}/inbox")},
            "publicKey": {"id": format!("{actor_id}#main-key"), "owner": actor_id, "publicKeyPem": keys.public_pem},
        });
        let mallory_doc = Arc::new(Mutex::new(doc));
        let served_doc = mallory_doc.clone();
        let eve_id = format!("{base}/users/eve");
        let eve_keys = generate_keypair().unwrap();
        let eve_doc = json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": eve_id,
            "type": "Person",
            "preferredUsername": "eve",
            "inbox": format!("{eve_id}/inbox"),
            "publicKey": {"id": format!("{eve_id}#main-key"), "owner": eve_id, "publicKeyPem": eve_keys.public_pem},
        });
        let record = inbox.clone();
        let record2 = inbox.clone();
        let status = Arc::new(std::sync::atomic::AtomicU16::new(status));
        let answer = {
            let status = status.clone();
            move || {
                let code = axum::http::StatusCode::from_u16(
                    status.load(std::sync::atomic::Ordering::SeqCst),
                )
                .unwrap();
                let mut res = axum::response::IntoResponse::into_response(code);
                for (k, v) in &headers {
                    res.headers_mut()
                        .insert(*k, axum::http::HeaderValue::from_static(v));
                }
                res
            }
        };
        let answer2 = answer.clone();
        let mallory_url = actor_id.clone();
        let objects: Arc<Mutex<std::collections::HashMap<String, Value>>> = Arc::default();
        let served_objects = objects.clone();
        let app = axum::Router::new()
            .route(
                "/objects/{name}",
                get(
                    move |axum::extract::Path(name): axum::extract::Path<String>| {
                        let doc = served_objects.lock().unwrap().get(&name).cloned();
                        async move {
                            match doc {
                                Some(d) => axum::response::IntoResponse::into_response((
                                    [("content-type", "application/activity+json")],
                                    d.to_string(),
                                )),
                                None => axum::response::IntoResponse::into_response(
                                    axum::http::StatusCode::NOT_FOUND,
                                ),
                            }
                        }
                    },
                ),
            )
            .route(
                "/users/eve",
                get(move || {
                    let doc = eve_doc.clone();
                    async move {
                        (
                            [("content-type", "application/activity+json")],
                            doc.to_string(),
                        )
                    }
                }),
            )
            .route(
                "/users/redirect",
                get(move || {
                    let to = mallory_url.clone();
                    async move { axum::response::Redirect::temporary(&to) }
                }),
            )
            .route(
                "/users/mallory",
                get(move || {
                    let doc = served_doc.lock().unwrap().clone();
                    async move {
                        (
                            [("content-type", "application/activity+json")],
                            doc.to_string(),
                        )
                    }
                }),
            )
            .route(
                "/users/mallory/inbox",
                post(move |headers: HeaderMap, body: Bytes| async move {
                    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    record.lock().unwrap().push(Received { headers, body });
                    answer()
                }),
            )
            .route(
                "/inbox",
                post(move |headers: HeaderMap, body: Bytes| async move {
                    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    record2.lock().unwrap().push(Received { headers, body });
                    answer2()
                }),
            );
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakePeer {
            status,
            base,
            actor_id,
            keys,
            eve_id,
            eve_keys,
            mallory_doc,
            inbox,
            objects,
            cache: KeyCache::default(),
        }
    }

    /// Serve `doc` at `/objects/{name}`; returns its URL.
    pub fn serve(&self, name: &str, doc: Value) -> String {
        self.objects.lock().unwrap().insert(name.to_string(), doc);
        format!("{}/objects/{name}", self.base)
    }

    /// Have `community` (of `a`) follow mallory, accepted: what makes
    /// mallory's Announces and Creates count there.
    pub async fn be_followed_by(&self, a: &TestInstance, community: &str) {
        let (status, v) = a
            .api_post(
                &format!("/api/v1/communities/{community}/follows"),
                &json!({"target": self.actor_id}),
            )
            .await;
        assert_eq!(status, 201, "{v}");
        let accept = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/accepts/{}", self.base, uuid::Uuid::new_v4()),
            "type": "Accept",
            "actor": self.actor_id,
            "object": {"type": "Follow", "actor": a.url(&format!("/c/{community}")), "object": self.actor_id},
        });
        assert_eq!(self.post(&a.url("/inbox"), &accept).await.0, 202);
    }

    /// Give mallory a new key pair, served from now on.
    pub fn rotate_key(&mut self) {
        self.keys = generate_keypair().unwrap();
        self.cache = KeyCache::default();
        self.mallory_doc.lock().unwrap()["publicKey"]["publicKeyPem"] = json!(self.keys.public_pem);
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }

    /// Signed headers for `body` POSTed to `url`, as our own signer makes them.
    pub fn sign(&self, url: &str, body: &[u8]) -> Vec<(&'static str, String)> {
        let key = self.cache.get(1, &self.keys.private_pem).unwrap();
        sign_request(
            &key,
            &format!("{}#main-key", self.actor_id),
            "POST",
            &url::Url::parse(url).unwrap(),
            Some(body),
        )
        .unwrap()
    }

    /// POST an activity signed with `keys` under `key_id`.
    pub async fn post_signed_as(
        &self,
        url: &str,
        activity: &Value,
        key_id: &str,
        keys: &GeneratedKeys,
    ) -> (u16, String) {
        let body = serde_json::to_vec(activity).unwrap();
        let key = KeyCache::default().get(1, &keys.private_pem).unwrap();
        let mut req = client()
            .post(url)
            .header("content-type", "application/activity+json");
        for (k, v) in sign_request(
            &key,
            key_id,
            "POST",
            &url::Url::parse(url).unwrap(),
            Some(&body),
        )
        .unwrap()
        {
            if k != "host" {
                req = req.header(k, v);
            }
        }
        let res = req.body(body).send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// POST a signed activity; returns status and body text.
    pub async fn post(&self, url: &str, activity: &Value) -> (u16, String) {
        let body = serde_json::to_vec(activity).unwrap();
        let mut req = client()
            .post(url)
            .header("content-type", "application/activity+json");
        for (k, v) in self.sign(url, &body) {
            if k != "host" {
                req = req.header(k, v);
            }
        }
        let res = req.body(body).send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    pub fn follow(&self, target: &str) -> Value {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/follows/{}", self.base, uuid::Uuid::new_v4()),
            "type": "Follow",
            "actor": self.actor_id,
            "object": target,
        })
    }
}

/// Local inbox servers that count what reaches each path.
pub struct Sinks {
    pub hosts: Vec<String>,
    pub hits: Arc<Mutex<std::collections::HashMap<String, usize>>>,
}

impl Sinks {
    /// `n` servers on `localhost:<port>`, answering 202 after `delay`.
    pub async fn start(n: usize, delay: std::time::Duration) -> Sinks {
        let hits: Arc<Mutex<std::collections::HashMap<String, usize>>> = Arc::default();
        let mut hosts = Vec::new();
        for _ in 0..n {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            hosts.push(format!("localhost:{port}"));
            let hits = hits.clone();
            let app = axum::Router::new().fallback(post(
                move |uri: axum::http::Uri, body: Bytes| async move {
                    tokio::time::sleep(delay).await;
                    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    let key = format!("{port}{} {}", uri.path(), v["type"].as_str().unwrap_or("?"));
                    *hits.lock().unwrap().entry(key).or_default() += 1;
                    axum::http::StatusCode::ACCEPTED
                },
            ));
            tokio::spawn(async move {
                axum::serve(listener, app).await.unwrap();
            });
        }
        Sinks { hosts, hits }
    }

    /// (distinct deliveries received, total requests).
    pub fn counts(&self) -> (usize, usize) {
        let hits = self.hits.lock().unwrap();
        (hits.len(), hits.values().sum())
    }
}

/// Make remote actors with these inboxes (no shared inbox) accepted
/// followers of `target`.
pub async fn add_remote_followers(ctx: &AppContext, target: &str, inboxes: &[String]) {
    use entity::{actor, follow};
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    let target = actor::Entity::find()
        .filter(actor::Column::ApId.eq(target))
        .one(&ctx.db)
        .await
        .unwrap()
        .unwrap();
    let now = chrono::Utc::now();
    for (i, inbox) in inboxes.iter().enumerate() {
        let ap_id = inbox.trim_end_matches("/inbox").to_string();
        let ap_id = if ap_id == *inbox || url::Url::parse(&ap_id).is_err() {
            format!("http://invalid.example/users/{i}")
        } else {
            ap_id
        };
        let a = actor::ActiveModel {
            ap_id: Set(ap_id),
            kind: Set("person".into()),
            username: Set(format!("u{i}")),
            host: Set(peerpress::delivery::outbox::authority(inbox)),
            local_name: Set(None),
            display_name: Set(None),
            summary: Set(None),
            inbox_url: Set(inbox.clone()),
            shared_inbox_url: Set(None),
            outbox_url: Set(None),
            followers_url: Set(None),
            public_key_pem: Set("unused".into()),
            private_key_pem: Set(None),
            local: Set(false),
            icon_url: Set(None),
            manually_approves: Set(false),
            published: Set(now),
            last_refreshed_at: Set(now),
            admin: Set(false),
            ..Default::default()
        }
        .insert(&ctx.db)
        .await
        .unwrap();
        follow::ActiveModel {
            follower_id: Set(a.id),
            target_id: Set(target.id),
            activity_ap_id: Set(None),
            accepted: Set(true),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&ctx.db)
        .await
        .unwrap();
    }
}

/// A `peerpress worker` process on the instance's database.
pub fn spawn_worker(a: &TestInstance, extra_env: &[(&str, &str)]) -> std::process::Child {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_peerpress"));
    for (k, _) in std::env::vars() {
        if k.starts_with("PEERPRESS") {
            cmd.env_remove(k);
        }
    }
    cmd.arg("worker")
        .env("PEERPRESS__SERVER__DOMAIN", &a.domain)
        .env("PEERPRESS__DATABASE__URL", &a.db_url)
        .env("PEERPRESS__DATABASE__MAX_CONNECTIONS", "4")
        .env("PEERPRESS_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

/// Poll `f` until it returns true, for at most `secs`.
pub async fn eventually<F, Fut>(what: &str, secs: u64, f: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !f().await {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// A draft-cavage `Signature` header made by hand: `parts` are (header name
/// or `(request-target)`, value) in `headers=` order.
pub fn manual_sign(keys: &GeneratedKeys, key_id: &str, parts: &[(&str, String)]) -> String {
    let signing: Vec<String> = parts.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let names: Vec<&str> = parts.iter().map(|(k, _)| *k).collect();
    format!(
        "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{}\"",
        names.join(" "),
        rsa_sign(keys, &signing.join("\n"))
    )
}

/// RSA-SHA256 (PKCS#1 v1.5) of `text`, base64.
pub fn rsa_sign(keys: &GeneratedKeys, text: &str) -> String {
    let der = peerpress::wire::signatures::pem_to_der(&keys.private_pem).unwrap();
    let key = aws_lc_rs::rsa::KeyPair::from_pkcs8(&der).unwrap();
    let mut sig = vec![0u8; key.public_modulus_len()];
    key.sign(
        &aws_lc_rs::signature::RSA_PKCS1_SHA256,
        &aws_lc_rs::rand::SystemRandom::new(),
        text.as_bytes(),
        &mut sig,
    )
    .unwrap();
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, sig)
}

/// POST with exactly these headers.
pub async fn raw_post(url: &str, headers: &[(&str, String)], body: Vec<u8>) -> (u16, String) {
    let mut req = client().post(url);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let res = req.body(body).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}
