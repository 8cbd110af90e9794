//! Inbox sinks that count deliveries, remote followers in bulk, and a
//! delivery worker in a child process.

use axum::body::Bytes;
use axum::routing::post;
use peerpress::context::AppContext;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

use super::*;

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
        .env("PEERPRESS__MEDIA__DIR", &a.media_dir)
        .env("PEERPRESS_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}
