//! A real peerpress instance on `localhost:<port>` with a fresh database.

use peerpress::app::{Running, open, start};
use peerpress::config::Settings;
use peerpress::context::AppContext;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::*;

/// A running peerpress instance on `localhost:<port>`; deliveries run only
/// when the test drains them.
pub struct TestInstance {
    pub running: Running,
    pub base: String,
    pub domain: String,
    /// The steward's API token.
    pub token: String,
    /// The steward's one-time sign-in link, printed at first start.
    pub login_link: String,
    pub db_url: String,
    /// Where its uploaded images go (a fresh directory).
    pub media_dir: std::path::PathBuf,
    /// The database and media directory, owned by the first instance on
    /// them.
    _db: Option<TestDb>,
    _media: Option<tempfile::TempDir>,
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
        let media = tempfile::tempdir().unwrap();
        Self::start_on(TestDb::new(backend).await, media, 0, extra_env).await
    }

    /// An instance on an existing database and media folder (a restored
    /// backup, an imported archive), on `port` (0: any free one); the
    /// steward's token is made afresh when the start did not bootstrap one.
    pub async fn start_on(
        db: TestDb,
        media: tempfile::TempDir,
        port: u16,
        extra_env: Vec<(String, String)>,
    ) -> TestInstance {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
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
            (
                "PEERPRESS__MEDIA__DIR".to_string(),
                media.path().display().to_string(),
            ),
        ];
        env.extend(extra_env);
        let settings = Settings::load(None, env).unwrap();
        let opened = open(settings).await.unwrap();
        let (token, login_link) = match opened.first_start {
            Some(first) => (first.token, first.login_link),
            None => {
                let ctx = &opened.ctx;
                let admin = peerpress::domain::actors::find_local(&ctx.db, "admin")
                    .await
                    .unwrap()
                    .expect("the steward of the restored instance");
                let token = peerpress::domain::auth::create_token(&ctx.db, &admin)
                    .await
                    .unwrap();
                let link = peerpress::domain::accounts::create_login_link(&ctx.db, &admin)
                    .await
                    .unwrap();
                (token, opened.ctx.url(&format!("/login/once/{link}")))
            }
        };
        let running = start(opened.ctx, listener, false).await.unwrap();
        TestInstance {
            running,
            base: format!("http://{domain}"),
            domain,
            token,
            login_link,
            db_url: db.url.clone(),
            media_dir: media.path().to_path_buf(),
            _db: Some(db),
            _media: Some(media),
        }
    }

    /// Another process of the same instance: the same domain and database,
    /// its own port, context and cache (a second `serve` behind a load
    /// balancer).
    pub async fn start_beside(&self) -> TestInstance {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let env = vec![
            ("PEERPRESS__SERVER__DOMAIN".to_string(), self.domain.clone()),
            (
                "PEERPRESS__SERVER__BIND".to_string(),
                format!("127.0.0.1:{port}"),
            ),
            ("PEERPRESS__DATABASE__URL".to_string(), self.db_url.clone()),
            (
                "PEERPRESS__DATABASE__MAX_CONNECTIONS".to_string(),
                "5".to_string(),
            ),
            (
                "PEERPRESS__MEDIA__DIR".to_string(),
                self.media_dir.display().to_string(),
            ),
        ];
        let settings = Settings::load(None, env).unwrap();
        let opened = open(settings).await.unwrap();
        let running = start(opened.ctx, listener, false).await.unwrap();
        TestInstance {
            running,
            base: format!("http://127.0.0.1:{port}"),
            domain: self.domain.clone(),
            token: self.token.clone(),
            login_link: self.login_link.clone(),
            db_url: self.db_url.clone(),
            media_dir: self.media_dir.clone(),
            _db: None,
            _media: None,
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

    pub async fn api_patch(&self, path: &str, body: &Value) -> (u16, Value) {
        let res = client()
            .patch(self.url(path))
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

    /// Any API call with any token (and an optional JSON body).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = client().request(method, self.url(path)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
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

impl TestInstance {
    /// Give a local person a password (as `peerpress user password` does).
    pub async fn set_password(&self, name: &str, password: &str) {
        let ctx = self.ctx();
        let person = peerpress::domain::actors::find_local(&ctx.db, name)
            .await
            .unwrap()
            .unwrap();
        peerpress::domain::accounts::set_password(&ctx.db, &person, password, None)
            .await
            .unwrap();
    }

    /// A browser on this instance.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }
}
