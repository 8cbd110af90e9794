//! Governance: community settings that federate, one permission table for
//! every role, domain blocks and the allowlist, Mastodon's block CSV,
//! reports (Flags in and out) and a public moderation log that keeps what
//! must stay private. Fedify is the remote peer where one is needed.

use crate::db_test;
use crate::harness::{Backend, FakePeer, TestInstance, client, eventually};
use crate::interop_fedify::FedifyPeer;
use serde_json::{Value, json};

async fn comment_total(a: &TestInstance, article: &Value) -> i64 {
    a.api_get(&format!(
        "/api/v1/articles/{}/comments",
        article["uuid"].as_str().unwrap()
    ))
    .await
    .1["total"]
        .as_i64()
        .unwrap()
}

fn authority(url: &str) -> String {
    let u = url::Url::parse(url).unwrap();
    format!("{}:{}", u.host_str().unwrap(), u.port().unwrap())
}

/// A steward sets title, summary and charter: the page, the Group and what
/// a follower receives in Update{Group} all show them; a person's profile
/// federates the same way.
async fn settings_federate(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start().await;
    assert_eq!(
        peer.post(&a.url("/inbox"), &peer.follow(&a.url("/c/commons")))
            .await
            .0,
        202
    );
    a.drain().await;
    let charter = "# Our charter\n\nWe share **seeds** and keep them *free*.";
    let (status, v) = a.call(
        reqwest::Method::PATCH,
        "/api/v1/communities/commons",
        &a.token,
        Some(json!({"title": "Seed Library", "summary": "Seeds for all.", "charter": charter, "default_licence": "CC-BY-4.0"})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["title"], "Seed Library");
    assert_eq!(v["licence"], "CC-BY-4.0");
    // The page.
    let page = a.page(&a.url("/c/commons")).await;
    assert!(
        page.contains("Seed Library") && page.contains("Seeds for all."),
        "{page}"
    );
    assert!(page.contains("<strong>seeds</strong>"), "{page}");
    assert!(!page.contains("has not published a charter yet"));
    // The Group.
    let (_, _, group) = a.get_as("/c/commons").await;
    assert_eq!(group["name"], "Seed Library");
    assert!(
        group["summary"]
            .as_str()
            .unwrap()
            .contains("Seeds for all.")
    );
    let fields = group["attachment"].as_array().unwrap();
    let charter_field = fields.iter().find(|f| f["name"] == "Charter").unwrap();
    assert_eq!(charter_field["type"], "PropertyValue");
    assert!(
        charter_field["value"]
            .as_str()
            .unwrap()
            .contains("We share seeds and keep them free"),
        "{charter_field}"
    );
    // The follower's Update{Group}.
    a.drain().await;
    let update = peer
        .received()
        .into_iter()
        .map(|r| r.body)
        .find(|b| b["type"] == "Update" && b["object"]["type"] == "Group")
        .expect("Update{Group} delivered");
    assert_eq!(update["object"]["name"], "Seed Library");
    assert_eq!(update["actor"], a.url("/c/commons"));
    // Logged.
    let (_, log) = a.api_get("/api/v1/communities/commons/moderation").await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"settings") && actions.contains(&"charter"),
        "{log}"
    );

    // Every wrong field at once.
    let (status, v) = a
        .call(
            reqwest::Method::PATCH,
            "/api/v1/communities/commons",
            &a.token,
            Some(
                json!({"title": "", "default_licence": "WTFPL", "comment_policy": 3, "colour": 1}),
            ),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    for f in ["title", "default_licence", "comment_policy", "colour"] {
        assert!(v["fields"][f].is_string(), "{f}: {v}");
    }

    // A person's profile: theirs, or an admin's to change.
    let bob = a.person("bob", Some("author")).await;
    let (status, v) = a
        .call(
            reqwest::Method::PATCH,
            "/api/v1/users/bob",
            &bob,
            Some(json!({"display_name": "Bob the Gardener", "bio": "I grow beans."})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (_, _, person) = a.get_as("/u/bob").await;
    assert_eq!(person["name"], "Bob the Gardener");
    assert!(
        person["summary"]
            .as_str()
            .unwrap()
            .contains("I grow beans.")
    );
    let (status, v) = a
        .call(
            reqwest::Method::PATCH,
            "/api/v1/users/admin",
            &bob,
            Some(json!({"bio": "hacked"})),
        )
        .await;
    assert_eq!(status, 403, "{v}");
}
db_test!(settings, settings_federate);

/// Fedify follows the community and sees the new title and charter after
/// our Update{Group}.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedify_sees_the_new_settings() {
    let Some(peer) = FedifyPeer::start() else {
        return;
    };
    let a = TestInstance::start(Backend::Sqlite).await;
    peer.follow_commons(&a).await;
    a.drain().await;
    let (status, v) = a
        .call(
            reqwest::Method::PATCH,
            "/api/v1/communities/commons",
            &a.token,
            Some(json!({"title": "Tool Library", "charter": "Borrow, repair, return."})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    a.drain().await;
    let update = peer
        .wait_for("Update{Group}", |v| v["type"] == "Update")
        .await;
    assert_eq!(
        update["object"]["object"]["name"], "Tool Library",
        "{update}"
    );
    assert!(
        update.to_string().contains("Borrow, repair, return."),
        "the charter is in the Group's fields: {update}"
    );
}

/// Each role may do what the permission table grants, and a refusal is a
/// 403 naming the missing permission. The last steward stays.
async fn roles_decide(backend: Backend) {
    use reqwest::Method;
    let a = TestInstance::start(backend).await;
    let author = a.person("ann", Some("author")).await;
    let editor = a.person("ed", Some("editor")).await;
    let moderator = a.person("mo", Some("moderator")).await;
    let member = a.person("mem", Some("member")).await;
    let refused = |v: &Value, permission: &str| {
        let e = v["error"].as_str().unwrap_or("");
        assert!(e.contains(&format!("`{permission}`")), "{permission}: {v}");
    };

    // Publishing.
    let (status, mine) = a
        .api_post_as(
            &author,
            "/api/v1/communities/commons/articles",
            &json!({"title": "Ann's", "body": "Text."}),
        )
        .await;
    assert_eq!(status, 201, "{mine}");
    let (status, v) = a
        .api_post_as(
            &member,
            "/api/v1/communities/commons/articles",
            &json!({"title": "Mem's", "body": "Text."}),
        )
        .await;
    assert_eq!(status, 403);
    refused(&v, "publish");

    // Editing others' work.
    let theirs = a.publish("Admin's", "Text.").await;
    let path = format!("/api/v1/articles/{}", theirs["uuid"].as_str().unwrap());
    let (status, v) = a
        .call(
            Method::PATCH,
            &path,
            &author,
            Some(json!({"title": "Mine now"})),
        )
        .await;
    assert_eq!(status, 403);
    refused(&v, "edit_others");
    let (status, v) = a
        .call(
            Method::PATCH,
            &path,
            &editor,
            Some(json!({"title": "Edited"})),
        )
        .await;
    assert_eq!(status, 200, "{v}");

    // Moderating.
    let (status, c) = a
        .api_post(
            &format!(
                "/api/v1/articles/{}/comments",
                theirs["uuid"].as_str().unwrap()
            ),
            &json!({"body": "A comment."}),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    let decision = json!({"action": "remove", "object": c["id"], "reason": "test"});
    let (status, v) = a
        .api_post_as(&editor, "/api/v1/communities/commons/moderation", &decision)
        .await;
    assert_eq!(status, 403);
    refused(&v, "moderate");
    let (status, v) = a
        .api_post_as(
            &moderator,
            "/api/v1/communities/commons/moderation",
            &decision,
        )
        .await;
    assert_eq!(status, 200, "{v}");

    // Managing members.
    a.person("newbie", None).await;
    let add = json!({"user": "newbie", "role": "author"});
    let (status, v) = a
        .api_post_as(&moderator, "/api/v1/communities/commons/members", &add)
        .await;
    assert_eq!(status, 403);
    refused(&v, "manage_members");
    let (status, v) = a
        .api_post("/api/v1/communities/commons/members", &add)
        .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["role"], "author");
    let (status, _) = a
        .api_post("/api/v1/communities/commons/members", &add)
        .await;
    assert_eq!(status, 409);
    let (status, v) = a
        .call(
            Method::PATCH,
            "/api/v1/communities/commons/members/newbie",
            &a.token,
            Some(json!({"role": "editor"})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = a
        .call(
            Method::GET,
            "/api/v1/communities/commons/members",
            &member,
            None,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["user"] == "newbie" && m["role"] == "editor"),
        "{v}"
    );
    let (status, _) = a
        .call(
            Method::DELETE,
            "/api/v1/communities/commons/members/newbie",
            &a.token,
            Some(json!({"reason": "left"})),
        )
        .await;
    assert_eq!(status, 204);

    // Setting the policy.
    let (status, v) = a
        .call(
            Method::PATCH,
            "/api/v1/communities/commons",
            &moderator,
            Some(json!({"comment_policy": "held"})),
        )
        .await;
    assert_eq!(status, 403);
    refused(&v, "set_policy");

    // Re-sharing.
    let (status, v) = a
        .api_post_as(
            &author,
            "/api/v1/communities/commons/shares",
            &json!({"object": "https://elsewhere.example/articles/1"}),
        )
        .await;
    assert_eq!(status, 403);
    refused(&v, "share");

    // The last steward can be neither demoted nor removed.
    let (status, v) = a
        .call(
            Method::PATCH,
            "/api/v1/communities/commons/members/admin",
            &a.token,
            Some(json!({"role": "member"})),
        )
        .await;
    assert_eq!(status, 409, "{v}");
    let (status, _) = a
        .call(
            Method::DELETE,
            "/api/v1/communities/commons/members/admin",
            &a.token,
            None,
        )
        .await;
    assert_eq!(status, 409);
    // With a second steward, the first may step down.
    let (status, _) = a
        .call(
            Method::PATCH,
            "/api/v1/communities/commons/members/ed",
            &a.token,
            Some(json!({"role": "steward"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, v) = a
        .call(
            Method::PATCH,
            "/api/v1/communities/commons/members/admin",
            &editor,
            Some(json!({"role": "editor"})),
        )
        .await;
    assert_eq!(status, 200, "{v}");

    // Every role change is in the log.
    let (_, log) = a.api_get("/api/v1/communities/commons/moderation").await;
    let granted = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["action"] == "role_granted")
        .count();
    assert!(granted >= 4, "{log}");
    assert!(log.to_string().contains("role_removed"), "{log}");
}
db_test!(roles, roles_decide);

/// The last two stewards demoted at the same moment: one demotion wins,
/// the other gets 409, and the community keeps a steward.
async fn the_last_steward_stays_under_concurrency(backend: Backend) {
    use reqwest::Method;
    let a = TestInstance::start(backend).await;
    a.person("ed", Some("steward")).await;
    let a = &a;
    let set = |user: &'static str, role: &'static str| async move {
        a.call(
            Method::PATCH,
            &format!("/api/v1/communities/commons/members/{user}"),
            &a.token,
            Some(json!({ "role": role })),
        )
        .await
    };
    for round in 0..20 {
        let (x, y) = tokio::join!(set("admin", "member"), set("ed", "member"));
        let mut statuses = [x.0, y.0];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "round {round}: {} {}", x.1, y.1);
        for user in ["admin", "ed"] {
            assert_eq!(set(user, "steward").await.0, 200);
        }
    }
}
db_test!(last_steward_race, the_last_steward_stays_under_concurrency);

/// A domain block cuts a Fedify peer off: its follow is gone, its pending
/// deliveries are cancelled, its next delivery gets 403, its comments are
/// hidden (and come back on unblock), and the log says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_domain_block_cuts_fedify_off() {
    use entity::delivery;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let Some(peer) = FedifyPeer::start() else {
        return;
    };
    let a = TestInstance::start(Backend::Sqlite).await;
    peer.follow_commons(&a).await;
    a.drain().await;
    let article = a.publish("Before", "Text.").await;
    a.drain().await;
    peer.control(
        "reply",
        json!({"inReplyTo": article["id"], "content": "<p>Hello from Fedify</p>", "target": a.url("/u/admin")}),
    )
    .await;
    eventually("the reply to arrive", 30, || async {
        comment_total(&a, &article).await == 1
    })
    .await;
    // Pending: an article not yet delivered.
    a.publish("Pending", "Not delivered yet.").await;
    let host = authority(&peer.base);

    let (status, v) = a
        .api_post(
            "/api/v1/admin/federation/blocks",
            &json!({"domain": host, "reason": "Harassment of members"}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    // The follower is gone.
    assert_eq!(a.get_as("/c/commons/followers").await.2["totalItems"], 0);
    // Pending deliveries are cancelled.
    let waiting = delivery::Entity::find()
        .filter(delivery::Column::Host.eq(host.as_str()))
        .filter(delivery::Column::State.eq(delivery::DeliveryState::Pending))
        .all(&a.ctx().db)
        .await
        .unwrap();
    assert!(waiting.is_empty(), "{waiting:?}");
    // Its comment is hidden.
    assert_eq!(comment_total(&a, &article).await, 0);
    // Its next delivery is refused with 403.
    let r = peer
        .control(
            "reply",
            json!({"inReplyTo": article["id"], "content": "<p>Again</p>", "target": a.url("/u/admin")}),
        )
        .await;
    let create_id = r["createId"].as_str().unwrap().to_string();
    eventually("Fedify to see the 403", 30, || async {
        let errors: Value = client()
            .get(format!("{}/_control/errors", peer.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        errors["send"].as_array().unwrap().iter().any(|e| {
            e["activityId"] == create_id.as_str() && e["error"].as_str().unwrap().contains("403")
        })
    })
    .await;
    // The log, in all three forms.
    let (_, log) = a.api_get("/api/v1/moderation").await;
    let entry = &log["items"][0];
    assert_eq!(entry["action"], "domain_blocked", "{log}");
    assert_eq!(entry["reason"], "Harassment of members");
    assert_eq!(entry["title"], host.as_str());
    assert_eq!(entry["role"], "admin");
    let html = a.page(&a.url("/moderation")).await;
    assert!(
        html.contains("Harassment of members") && html.contains(&host),
        "{html}"
    );
    let atom = a.page(&a.url("/moderation.atom")).await;
    assert!(
        atom.contains("Harassment of members") && atom.contains("Domain blocked"),
        "{atom}"
    );

    // Unblocking restores the hidden comment.
    let (status, _) = a
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/admin/federation/blocks/{host}"),
            &a.token,
            Some(json!({"reason": "Apologised"})),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(comment_total(&a, &article).await, 1);
    let (_, log) = a.api_get("/api/v1/moderation").await;
    assert_eq!(log["items"][0]["action"], "domain_unblocked", "{log}");
}

/// In allowlist mode a Follow from an unlisted Fedify peer is answered with
/// Reject; once allowed, it is accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowlist_mode_rejects_unlisted_follows() {
    let Some(peer) = FedifyPeer::start() else {
        return;
    };
    let a = TestInstance::start(Backend::Sqlite).await;
    let (status, v) = a
        .call(
            reqwest::Method::PUT,
            "/api/v1/admin/federation",
            &a.token,
            Some(json!({"mode": "allowlist", "reason": "Closed while we settle in"})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    peer.control("follow", json!({"target": a.url("/c/commons")}))
        .await;
    eventually("a Reject", 30, || async {
        a.drain().await;
        peer.inbox().await.iter().any(|v| v["type"] == "Reject")
    })
    .await;
    assert_eq!(a.get_as("/c/commons/followers").await.2["totalItems"], 0);
    // An unlisted FakePeer's other activities get 403.
    let fake = FakePeer::start().await;
    let article = a.publish("Closed", "Text.").await;
    let (status, _) = fake
        .post(
            &a.url("/inbox"),
            &fake.reply(false, "r1", article["id"].as_str().unwrap(), "hi"),
        )
        .await;
    assert_eq!(status, 403);
    // Allowed: the next Follow is accepted.
    let (status, v) = a
        .api_post(
            "/api/v1/admin/federation/allows",
            &json!({"domain": authority(&peer.base)}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    peer.follow_commons(&a).await;
}

/// Mastodon's domain-block CSV round-trips; a malformed line is a 422 that
/// names it, and nothing of that file is imported.
async fn block_csv(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let csv = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
               spam.example,suspend,true,true,\"Spam, lots\",false\n\
               loud.example,silence,false,false,Too loud,false\n";
    let post = |body: &'static str| {
        client()
            .post(a.url("/api/v1/admin/federation/blocks.csv"))
            .bearer_auth(&a.token)
            .header("content-type", "text/csv")
            .body(body)
            .send()
    };
    let res = post(csv).await.unwrap();
    assert_eq!(res.status(), 200);
    let exported = client()
        .get(a.url("/api/v1/admin/federation/blocks.csv"))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut lines: Vec<&str> = exported.lines().collect();
    assert_eq!(
        lines.remove(0),
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate"
    );
    lines.sort();
    assert_eq!(
        lines,
        [
            "loud.example,silence,false,false,Too loud,false",
            "spam.example,suspend,true,true,\"Spam, lots\",false"
        ]
    );
    // Bad lines are named; the good line of that file is not imported.
    let res = post(
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
         good.example,suspend,false,false,,false\n\
         bad example,suspend,false,false,,false\n\
         other.example,obliterate,false,false,,false\n",
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 422);
    let v: Value = res.json().await.unwrap();
    assert!(
        v["fields"]["line 3"].is_string() && v["fields"]["line 4"].is_string(),
        "{v}"
    );
    let (_, blocks) = a.api_get("/api/v1/admin/federation/blocks").await;
    assert!(!blocks.to_string().contains("good.example"), "{blocks}");
    // Config-managed blocks are listed too.
    let b = TestInstance::start_with(
        backend,
        vec![(
            "PEERPRESS__FEDERATION__BLOCKED_DOMAINS".into(),
            "bad.example".into(),
        )],
    )
    .await;
    let (_, blocks) = b.api_get("/api/v1/admin/federation/blocks").await;
    let item = blocks["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["domain"] == "bad.example")
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(item["managed_by"], "config", "{blocks}");
    // Not an admin: 403.
    let bob = a.person("bob", Some("steward")).await;
    let (status, _) = a
        .call(
            reqwest::Method::GET,
            "/api/v1/admin/federation/blocks",
            &bob,
            None,
        )
        .await;
    assert_eq!(status, 403);
}
db_test!(csv, block_csv);

/// A Flag from Fedify lands in the moderators' queue; a member's report of
/// Fedify's comment, resolved with `forward`, reaches Fedify as a Flag from
/// our instance actor; the log has the resolution.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_flow_both_ways_with_fedify() {
    let Some(peer) = FedifyPeer::start() else {
        return;
    };
    let a = TestInstance::start(Backend::Sqlite).await;
    let article = a.publish("Reported", "Text.").await;
    peer.control(
        "flag",
        json!({"target": a.url("/c/commons"), "objects": [a.url("/c/commons"), article["id"]], "content": "Off-topic advertising"}),
    )
    .await;
    eventually("the Flag in the queue", 30, || async {
        a.api_get("/api/v1/communities/commons/reports").await.1["total"] == 1
    })
    .await;
    let (_, queue) = a.api_get("/api/v1/communities/commons/reports").await;
    let flagged = &queue["items"][0];
    assert_eq!(flagged["object"], article["id"], "{queue}");
    assert_eq!(flagged["title"], "Reported");
    assert_eq!(flagged["reason"], "Off-topic advertising");
    assert_eq!(flagged["remote"], true);

    // Fedify's comment, reported by a member and forwarded.
    let r = peer
        .control(
            "reply",
            json!({"inReplyTo": article["id"], "content": "<p>Buy cheap stuff</p>", "target": a.url("/u/admin")}),
        )
        .await;
    eventually("the reply", 30, || async {
        comment_total(&a, &article).await == 1
    })
    .await;
    let member = a.person("mem", Some("member")).await;
    let (status, v) = a
        .api_post_as(
            &member,
            "/api/v1/reports",
            &json!({"object": r["noteId"], "reason": "Spam"}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    // A member cannot resolve it.
    let (status, _) = a
        .api_post_as(
            &member,
            &format!("/api/v1/reports/{id}/resolve"),
            &json!({"action": "dismiss"}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, v) = a
        .api_post(
            &format!("/api/v1/reports/{id}/resolve"),
            &json!({"action": "remove", "reason": "Advertising", "forward": true}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "resolved");
    assert_eq!(comment_total(&a, &article).await, 0);
    a.drain().await;
    let flag = peer.wait_for("our Flag", |v| v["type"] == "Flag").await;
    assert_eq!(flag["actor"], a.url("/actor"), "{flag}");
    assert!(
        flag.to_string().contains(r["noteId"].as_str().unwrap()),
        "{flag}"
    );
    let (_, log) = a.api_get("/api/v1/communities/commons/moderation").await;
    let resolved = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["action"] == "report_resolved")
        .unwrap_or_else(|| panic!("{log}"));
    assert!(
        resolved["reason"].as_str().unwrap().contains("forwarded"),
        "{log}"
    );
}

/// No page, JSON or feed of the log names a moderator (unless the instance
/// says so) or a domain blocked privately.
async fn log_privacy(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start().await;
    let moderator = a.person("carol_mod", Some("moderator")).await;
    let article = a.publish("Private log", "Text.").await;
    let create = peer.reply(false, "p1", article["id"].as_str().unwrap(), "rude");
    assert_eq!(peer.post(&a.url("/inbox"), &create).await.0, 202);
    let (status, v) = a
        .api_post_as(
            &moderator,
            "/api/v1/communities/commons/moderation",
            &json!({"action": "remove", "object": create["object"]["id"], "reason": "Rude"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = a
        .api_post(
            "/api/v1/admin/federation/blocks",
            &json!({"domain": "secret-spammer.example", "reason": "Spam waves", "public": false}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    // An actor block, by the moderator.
    let (status, v) = a
        .api_post_as(
            &moderator,
            "/api/v1/communities/commons/blocks",
            &json!({"actor": peer.actor_id, "reason": "Repeated rudeness"}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let forms = [
        a.page(&a.url("/moderation")).await,
        a.page(&a.url("/moderation.atom")).await,
        a.api_get("/api/v1/moderation").await.1.to_string(),
        a.page(&a.url("/c/commons/moderation")).await,
        a.page(&a.url("/c/commons/moderation.atom")).await,
        a.api_get("/api/v1/communities/commons/moderation")
            .await
            .1
            .to_string(),
    ];
    for (i, f) in forms.iter().enumerate() {
        assert!(
            !f.contains("carol_mod"),
            "form {i} names the moderator: {f}"
        );
        assert!(!f.contains("/u/admin"), "form {i} names the admin: {f}");
        assert!(
            !f.contains("secret-spammer"),
            "form {i} names the private domain: {f}"
        );
    }
    // What is shown instead: roles, "a domain" and the reasons.
    for f in &forms[..3] {
        assert!(f.contains("a domain") && f.contains("Spam waves"), "{f}");
    }
    for f in &forms[3..] {
        assert!(f.contains("moderator") && f.contains("Rude"), "{f}");
        assert!(f.contains("Repeated rudeness"), "{f}");
    }
    // The blocked actor's follow is refused and its replies dropped.
    assert_eq!(
        peer.post(&a.url("/inbox"), &peer.follow(&a.url("/c/commons")))
            .await
            .0,
        202
    );
    a.drain().await;
    assert!(
        peer.received().iter().any(|r| r.body["type"] == "Reject"),
        "{:?}",
        peer.received()
    );
    assert_eq!(a.get_as("/c/commons/followers").await.2["totalItems"], 0);
    let again = peer.reply(false, "p2", article["id"].as_str().unwrap(), "still rude");
    assert_eq!(peer.post(&a.url("/inbox"), &again).await.0, 202);
    assert_eq!(comment_total(&a, &article).await, 0);

    // An instance that chooses to show names shows them.
    let b = TestInstance::start_with(
        backend,
        vec![(
            "PEERPRESS__MODERATION__SHOW_MODERATOR_NAMES".into(),
            "true".into(),
        )],
    )
    .await;
    let (status, _) = b
        .call(
            reqwest::Method::PATCH,
            "/api/v1/communities/commons",
            &b.token,
            Some(json!({"comment_policy": "held"})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, log) = b.api_get("/api/v1/communities/commons/moderation").await;
    assert!(
        log["items"][0]["moderator"]
            .as_str()
            .unwrap_or("")
            .starts_with("admin@"),
        "{log}"
    );
}
db_test!(privacy, log_privacy);

/// A silenced domain is not refused: its activities are accepted, but what
/// it writes is hidden, and shown again when the silence is lifted.
async fn silence_hides_without_refusing(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start().await;
    let article = a.publish("Silence", "Text.").await;
    let host = authority(&peer.base);
    let (status, v) = a
        .api_post(
            "/api/v1/admin/federation/blocks",
            &json!({"domain": host, "severity": "silence", "reason": "Too loud"}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let create = peer.reply(false, "s1", article["id"].as_str().unwrap(), "loud words");
    assert_eq!(peer.post(&a.url("/inbox"), &create).await.0, 202);
    assert_eq!(comment_total(&a, &article).await, 0);
    let (_, log) = a.api_get("/api/v1/moderation").await;
    assert_eq!(log["items"][0]["action"], "domain_silenced", "{log}");
    let (status, _) = a
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/admin/federation/blocks/{host}"),
            &a.token,
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(comment_total(&a, &article).await, 1);
}
db_test!(silence, silence_hides_without_refusing);
