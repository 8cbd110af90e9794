//! Test instances, fake remote peers and helpers.

use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use peerpress::app::{Running, open, start};
use peerpress::config::Settings;
use peerpress::context::AppContext;
use peerpress::federation::signatures::{GeneratedKeys, KeyCache, generate_keypair, sign_request};
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
    _db: TestDb,
}

impl TestInstance {
    pub async fn start(backend: Backend) -> TestInstance {
        Self::start_with(backend, Vec::new()).await
    }

    pub async fn start_with(backend: Backend, extra_env: Vec<(String, String)>) -> TestInstance {
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
    pub base: String,
    pub actor_id: String,
    pub keys: GeneratedKeys,
    pub inbox: Arc<Mutex<Vec<Received>>>,
    cache: KeyCache,
}

impl FakePeer {
    pub async fn start() -> FakePeer {
        Self::start_with_status(202).await
    }

    pub async fn start_with_status(status: u16) -> FakePeer {
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
        let record = inbox.clone();
        let record2 = inbox.clone();
        let code = axum::http::StatusCode::from_u16(status).unwrap();
        let app = axum::Router::new()
            .route(
                "/users/mallory",
                get(move || {
                    let doc = doc.clone();
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
                    code
                }),
            )
            .route(
                "/inbox",
                post(move |headers: HeaderMap, body: Bytes| async move {
                    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    record2.lock().unwrap().push(Received { headers, body });
                    code
                }),
            );
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakePeer {
            base,
            actor_id,
            keys,
            inbox,
            cache: KeyCache::default(),
        }
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
