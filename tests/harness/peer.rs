//! A fake remote server with actors whose keys the test holds.

use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use peerpress::wire::signatures::{GeneratedKeys, KeyCache, generate_keypair, sign_request};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

use super::*;

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
    /// `Create{Note}` replying to `in_reply_to`, public, by mallory (or eve).
    pub fn reply(&self, as_eve: bool, n: &str, in_reply_to: &str, text: &str) -> Value {
        let actor = if as_eve { &self.eve_id } else { &self.actor_id };
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{actor}/activities/{n}"),
            "type": "Create",
            "actor": actor,
            "object": {
                "id": format!("{actor}/notes/{n}"), "type": "Note", "attributedTo": actor,
                "inReplyTo": in_reply_to, "content": format!("<p>{text}</p>"),
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
            },
        })
    }

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
