//! Publishing quality: long reads that survive the sanitizer, previews
//! with every author, feeds that readers and parsers accept, and HTTP done
//! properly (validators, compression, encoded redirects, crawlers),
//! scheduled publishing.

use crate::db_test;
use crate::harness::{Backend, TestInstance, client};
use serde_json::{Value, json};

async fn get(url: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = client().get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

/// A table, a footnote and a task list render on the page and in the
/// Article, after the sanitizer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_reads_render() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let body = "## Harvest\n\n| Crop | Kg |\n|:--|--:|\n| Beans | 12 |\n\nSee the note.[^n]\n\n- [x] sow\n- [ ] weed\n\n[^n]: Weighed on Sunday.\n";
    let art = a.publish("Harvest log", body).await;
    let page = a.page(art["url"].as_str().unwrap()).await;
    assert!(
        page.contains("<table>") && page.contains("text-align: right"),
        "{page}"
    );
    assert!(page.contains("id=\"h-harvest\""), "{page}");
    assert!(
        page.contains("href=\"#fn-n\"") && page.contains("id=\"fn-n\""),
        "{page}"
    );
    assert!(
        page.contains("type=\"checkbox\"") && page.contains("disabled"),
        "{page}"
    );
    assert!(page.contains("1 minute to read"), "{page}");
    let long = a.publish("Long", &"word ".repeat(1000)).await;
    let page = a.page(long["url"].as_str().unwrap()).await;
    assert!(page.contains("5 minutes to read"), "{page}");
    let (_, _, doc) = a.get_as(art["id"].as_str().unwrap()).await;
    assert!(
        doc["content"]
            .as_str()
            .unwrap()
            .contains("<td style=\"text-align: right\">12</td>"),
        "{doc}"
    );
}

/// Every author is a `fediverse:creator`, people carry
/// `attributionDomains`, and the page says its locale and icon.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn previews_name_every_author() {
    let a = TestInstance::start(Backend::Sqlite).await;
    a.person("bea", Some("author")).await;
    a.person("cai", Some("author")).await;
    let (status, art) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Three voices", "body": "Together.", "co_authors": ["bea", "cai"], "language": "pt-BR"}),
        )
        .await;
    assert_eq!(status, 201, "{art}");
    let page = a.page(art["url"].as_str().unwrap()).await;
    assert_eq!(
        page.matches("name=\"fediverse:creator\"").count(),
        3,
        "{page}"
    );
    assert!(
        page.contains("<meta property=\"og:locale\" content=\"pt_BR\">"),
        "{page}"
    );
    assert!(page.contains("rel=\"icon\""), "{page}");
    let (_, _, person) = a.get_as("/u/bea").await;
    assert_eq!(
        person["attributionDomains"],
        json!(["localhost"]),
        "{person}"
    );
    let res = get(&a.url("/favicon.ico"), &[]).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("image/")
    );
}

/// Feeds and pages answer 304 to their validators, send `Vary: Accept`
/// where they negotiate, and compress on request.
async fn validators_and_compression(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let art = a.publish("Cached", "Text.").await;
    for path in ["/c/commons.atom", "/c/commons.rss", "/c/commons.json"] {
        let first = get(&a.url(path), &[]).await;
        assert_eq!(first.status(), 200, "{path}");
        let etag = first.headers()["etag"].to_str().unwrap().to_string();
        let modified = first.headers()["last-modified"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            first.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("public")
        );
        let again = get(&a.url(path), &[("if-none-match", &etag)]).await;
        assert_eq!(again.status(), 304, "{path}");
        assert!(again.bytes().await.unwrap().is_empty());
        let since = get(&a.url(path), &[("if-modified-since", &modified)]).await;
        assert_eq!(since.status(), 304, "{path}");
        let changed = get(&a.url(path), &[("if-none-match", "\"other\"")]).await;
        assert_eq!(changed.status(), 200, "{path}");
    }
    // Pages and documents too, and both negotiate.
    let url = art["url"].as_str().unwrap();
    let page = get(url, &[]).await;
    // A page also depends on the reader's language.
    assert_eq!(page.headers()["vary"], "Accept-Language, Cookie, Accept");
    let etag = page.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(get(url, &[("if-none-match", &etag)]).await.status(), 304);
    let doc = get(
        art["id"].as_str().unwrap(),
        &[("accept", "application/activity+json")],
    )
    .await;
    assert_eq!(doc.headers()["vary"], "Accept");
    assert!(doc.headers().contains_key("etag"));
    // gzip and brotli when asked for.
    for enc in ["gzip", "br"] {
        let res = get(url, &[("accept-encoding", enc)]).await;
        assert_eq!(res.headers()["content-encoding"], enc);
    }
    assert!(
        !get(url, &[])
            .await
            .headers()
            .contains_key("content-encoding")
    );
}
db_test!(validators, validators_and_compression);

/// RSS names every author with `dc:creator` (no `noreply@`), says its
/// language, licence and own address; JSON Feed has no nulls; every feed
/// parses with feed-rs and with Python's feedparser (bozo = 0).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_are_complete() {
    let a = TestInstance::start(Backend::Sqlite).await;
    a.person("bea", Some("author")).await;
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Orchard", "body": "Apples.", "co_authors": ["bea"], "language": "fr", "licence": "CC-BY-SA-4.0"}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let rss = a.page(&a.url("/c/commons.rss")).await;
    assert_eq!(rss.matches("<dc:creator>").count(), 2, "{rss}");
    assert!(!rss.contains("noreply"), "{rss}");
    assert!(rss.contains("<language>fr</language>"), "{rss}");
    assert!(rss.contains("creativeCommons:license"), "{rss}");
    assert!(rss.contains("rel=\"self\""), "{rss}");
    assert!(
        !rss.contains("<p>By "),
        "no boilerplate in the content: {rss}"
    );
    let atom = a.page(&a.url("/c/commons.atom")).await;
    assert!(
        atom.contains("rel=\"license\"") && atom.contains("xml:lang=\"fr\""),
        "{atom}"
    );
    assert!(atom.contains("<icon>") && atom.contains("<logo>"), "{atom}");
    let jf: Value = serde_json::from_str(&a.page(&a.url("/c/commons.json")).await).unwrap();
    assert!(!jf.to_string().contains("null"), "{jf}");
    assert_eq!(jf["language"], "fr");
    assert_eq!(jf["authors"].as_array().unwrap().len(), 2, "{jf}");
    for path in [
        "/c/commons.rss",
        "/c/commons.atom",
        "/c/commons.json",
        "/moderation.atom",
    ] {
        let body = a.page(&a.url(path)).await;
        feed_rs::parser::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{path}: {e}"));
        if !path.ends_with(".json") {
            feedparser_accepts(path, &body);
        }
    }
}

/// Python's feedparser reads `body` without complaint (bozo = 0).
fn feedparser_accepts(path: &str, body: &str) {
    let python =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/feedparser/bin/python");
    if !python.exists() {
        assert!(
            std::env::var_os("PEERPRESS_REQUIRE_INTEROP").is_none(),
            "feedparser is not installed: run tests/interop/feeds/install.sh"
        );
        eprintln!("feedparser not installed (tests/interop/feeds/install.sh): not checked");
        return;
    }
    use std::io::Write;
    let mut child = std::process::Command::new(python)
        .args([
            "-c",
            "import sys, feedparser; d = feedparser.parse(sys.stdin.buffer.read()); \
             print(int(d.bozo), len(d.entries), d.get('bozo_exception', ''))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.starts_with("0 "), "{path}: feedparser says {said}");
}

/// Redirects from an old accented slug carry a percent-encoded Location;
/// robots.txt names the sitemap, which lists the article.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_and_crawlers() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let art = a.publish("Café à la carte", "Text.").await;
    let old = art["url"].as_str().unwrap().to_string();
    let res = client()
        .patch(a.url(&format!(
            "/api/v1/articles/{}",
            art["uuid"].as_str().unwrap()
        )))
        .bearer_auth(&a.token)
        .json(&json!({"title": "Thé à la menthe"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = no_redirects.get(&old).send().await.unwrap();
    assert_eq!(res.status(), 301);
    let location = res.headers()["location"].to_str().unwrap();
    assert!(
        location.is_ascii() && location.contains("th%C3%A9"),
        "{location}"
    );
    let robots = a.page(&a.url("/robots.txt")).await;
    assert!(
        robots.contains(&format!("Sitemap: {}", a.url("/sitemap.xml"))),
        "{robots}"
    );
    let sitemap = a.page(&a.url("/sitemap.xml")).await;
    assert!(
        sitemap.contains("th%C3%A9") && sitemap.contains("<lastmod>"),
        "{sitemap}"
    );
    assert!(sitemap.contains(&a.url("/c/commons")), "{sitemap}");
}

/// A scheduled article stays a draft until its time, then is published and
/// federated by the scheduler, which reads the database (so a restart
/// loses nothing).
async fn scheduled_publishing(backend: Backend) {
    use entity::article;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let a = TestInstance::start(backend).await;
    let at = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Tomorrow", "body": "Soon.", "publish_at": at}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["draft"], true);
    assert!(v["publish_at"].is_string(), "{v}");
    let page = v["url"].as_str().unwrap().to_string();
    assert_eq!(get(&page, &[]).await.status(), 404);
    // Not yet due: nothing happens.
    assert_eq!(
        peerpress::domain::articles::publish_due(a.ctx())
            .await
            .unwrap(),
        0
    );
    // The time comes (moved into the past rather than waited for).
    let row = article::Entity::find()
        .all(&a.ctx().db)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.title == "Tomorrow")
        .unwrap();
    let mut row: article::ActiveModel = row.into();
    row.publish_at = Set(Some(chrono::Utc::now() - chrono::Duration::seconds(1)));
    row.update(&a.ctx().db).await.unwrap();
    // The scheduler reads only the database, so this is what happens after
    // a restart too.
    assert_eq!(
        peerpress::domain::articles::publish_due(a.ctx())
            .await
            .unwrap(),
        1
    );
    assert_eq!(get(&page, &[]).await.status(), 200);
    let (_, now) = a
        .api_get(&format!("/api/v1/articles/{}", v["uuid"].as_str().unwrap()))
        .await;
    assert_eq!(now["draft"], false, "{now}");
    assert!(now["publish_at"].is_null(), "{now}");
    // Federated at that moment: its Create is in the author's outbox.
    let (_, _, outbox) = a.get_as("/u/admin/outbox").await;
    assert_eq!(outbox["totalItems"], 1, "{outbox}");
    // A bad time is named.
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Bad", "body": "x", "publish_at": "next tuesday"}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(v["fields"]["publish_at"].is_string(), "{v}");
}
db_test!(scheduled, scheduled_publishing);

/// `/source.tar.gz` is the source of the running commit: every file
/// tracked in that commit, byte for byte (git's own blob hashes), and
/// nothing else; `/source` names the version and the commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_offer() {
    let commit = peerpress::web::pages::COMMIT;
    let repo = env!("CARGO_MANIFEST_DIR");
    let tree = std::process::Command::new("git")
        .args(["-C", repo, "ls-tree", "-r", "-z", commit])
        .output()
        .ok()
        .filter(|o| o.status.success() && !commit.is_empty());
    let a = TestInstance::start(Backend::Sqlite).await;
    let page = a.page(&a.url("/source")).await;
    assert!(
        page.contains(env!("CARGO_PKG_VERSION")) && page.contains("href=\"/source.tar.gz\""),
        "{page}"
    );
    let res = get(&a.url("/source.tar.gz"), &[("accept-encoding", "gzip")]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/gzip");
    assert!(!res.headers().contains_key("content-encoding"));
    let archive = res.bytes().await.unwrap();
    let Some(tree) = tree else {
        eprintln!("not a git checkout: the archive's content is not compared");
        assert!(archive.len() > 1000);
        return;
    };
    assert!(page.contains(commit), "{page}");
    let dir = tempfile::tempdir().unwrap();
    let mut tar = std::process::Command::new("tar")
        .args(["-xzf", "-", "-C"])
        .arg(dir.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    tar.stdin.take().unwrap().write_all(&archive).unwrap();
    assert!(tar.wait().unwrap().success());
    let top: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(top.len(), 1, "one top directory");
    let root = top.into_iter().next().unwrap().unwrap().path();
    // `<mode> blob <sha1>\t<path>\0` for each file of the commit.
    let mut expected = 0;
    for entry in tree.stdout.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8(entry.to_vec()).unwrap();
        let (meta, path) = entry.split_once('\t').unwrap();
        let fields: Vec<&str> = meta.split(' ').collect();
        if fields[1] != "blob" {
            continue;
        }
        let file = root.join(path);
        let bytes = if fields[0] == "120000" {
            std::fs::read_link(&file)
                .unwrap()
                .to_str()
                .unwrap()
                .as_bytes()
                .to_vec()
        } else {
            std::fs::read(&file).unwrap_or_else(|e| panic!("{path}: {e}"))
        };
        let mut blob = format!("blob {}\0", bytes.len()).into_bytes();
        blob.extend(&bytes);
        let sha = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &blob);
        assert_eq!(hex::encode(sha.as_ref()), fields[2], "{path} differs");
        expected += 1;
    }
    let mut found = 0;
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() && !p.is_symlink() {
                stack.push(p);
            } else {
                found += 1;
            }
        }
    }
    assert_eq!(found, expected, "files in the archive beyond the commit's");
    assert!(root.join("Cargo.toml").exists() && root.join("src/lib.rs").exists());
}

/// Remote articles on the network page keep what long reads need: the
/// tables, lists, figures and images (with alt text) of a real WordPress
/// article and of a table-heavy post; http images are asked for over https,
/// images without a usable address become their alt text; headings sit
/// below the card's own `<h3>`.
async fn network_pages_keep_long_reads(backend: Backend) {
    use crate::harness::FakePeer;
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start().await;
    peer.be_followed_by(&a, "commons").await;
    let wordpress: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/real/wordpress/objects/page.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let posts = [
        ("wp", wordpress["content"].clone()),
        (
            "table",
            json!(
                "<h1>Harvest</h1><table><tr><th style=\"text-align: right\">Crop</th></tr><tr><td>Beans</td></tr></table>\
<p><img src=\"http://garden.example/beans.jpg\" alt=\"Beans on the vine\"></p>\
<p><img src=\"data:image/png;base64,AAAA\" alt=\"A chart of the yields\"></p><ul><li>sow</li><li>weed</li></ul>"
            ),
        ),
    ];
    for (n, content) in posts {
        let object = json!({
            "id": format!("{}/articles/{n}", peer.base),
            "type": "Article",
            "name": format!("Post {n}"),
            "attributedTo": peer.actor_id,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "content": content,
            "license": "https://creativecommons.org/licenses/by-sa/4.0/",
        });
        let create = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/activities/{n}", peer.base),
            "type": "Create",
            "actor": peer.actor_id,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": object,
        });
        assert_eq!(peer.post(&a.url("/inbox"), &create).await.0, 202);
    }
    let page = a.page(&a.url("/c/commons/network")).await;
    for kept in [
        "<figure>",
        "<figcaption>",
        "<ol>",
        "<img width=\"696\" height=\"1024\" src=\"https://i0.wp.com/dbzer0.com/wp-content/uploads/2025/12/Splash-Art.jpg?resize=696%2C1024&amp;ssl=1\" alt=\"\">",
        "<th style=\"text-align: right\">Crop</th>",
        "<td>Beans</td>",
        "<img src=\"https://garden.example/beans.jpg\" alt=\"Beans on the vine\">",
        "<span class=\"missing-image\">[A chart of the yields]</span>",
        "<li>weed</li>",
        "<h4>Harvest</h4>",
        "<h5>",
    ] {
        assert!(page.contains(kept), "{kept} not in {page}");
    }
    assert!(
        !page.contains("<h1>Harvest") && !page.contains("<h2>"),
        "{page}"
    );
    assert!(!page.contains("data:image"), "{page}");
}
db_test!(network_long_reads, network_pages_keep_long_reads);

/// A draft's secret preview link lets anyone who has it read the draft
/// (marked as such, kept out of caches and search engines); a new link
/// retires the old one; once published the link leads to the page; others
/// cannot make links.
async fn draft_previews(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let (status, draft) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Not yet", "body": "Half *written*.", "draft": true}),
        )
        .await;
    assert_eq!(status, 201, "{draft}");
    let link = draft["preview_url"].as_str().unwrap().to_string();
    assert_eq!(get(draft["url"].as_str().unwrap(), &[]).await.status(), 404);
    let res = get(&link, &[]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    assert!(
        res.headers()["x-robots-tag"]
            .to_str()
            .unwrap()
            .contains("noindex")
    );
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Half <em>written</em>.") && page.contains("preview-note"),
        "{page}"
    );
    assert!(page.contains("<meta name=\"robots\" content=\"noindex, nofollow\">"));
    // A new link retires the old one.
    let uuid = draft["uuid"].as_str().unwrap();
    let (status, renewed) = a
        .api_post(&format!("/api/v1/articles/{uuid}/preview"), &json!({}))
        .await;
    assert_eq!(status, 201, "{renewed}");
    let new_link = renewed["url"].as_str().unwrap().to_string();
    assert_ne!(new_link, link);
    assert_eq!(get(&link, &[]).await.status(), 404);
    assert_eq!(get(&new_link, &[]).await.status(), 200);
    assert_eq!(get(&a.url("/preview/not-a-token"), &[]).await.status(), 404);
    // Someone who may not edit it cannot make one.
    let reader = a.person("reader", Some("member")).await;
    let (status, _) = a
        .api_post_as(
            &reader,
            &format!("/api/v1/articles/{uuid}/preview"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 403);
    // Published: the link leads to the page.
    let res = client()
        .patch(a.url(&format!("/api/v1/articles/{uuid}")))
        .bearer_auth(&a.token)
        .json(&json!({"draft": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = get(&new_link, &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], draft["url"].as_str().unwrap());
    // Withdrawn links stop working.
    let (_, other) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Later", "body": "x", "draft": true}),
        )
        .await;
    let res = client()
        .delete(a.url(&format!(
            "/api/v1/articles/{}/preview",
            other["uuid"].as_str().unwrap()
        )))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        get(other["preview_url"].as_str().unwrap(), &[])
            .await
            .status(),
        404
    );
}
db_test!(previews, draft_previews);

/// A community's announcements are in its feeds beside its articles,
/// newest first, named by the start of their text; the feeds still parse.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn announcements_are_in_the_community_feeds() {
    let a = TestInstance::start(Backend::Sqlite).await;
    a.publish("Orchard", "Apples.").await;
    let (status, note) = a
        .api_post(
            "/api/v1/communities/commons/announcements",
            &json!({"body": "The seed swap moves to **Saturday** at ten."}),
        )
        .await;
    assert_eq!(status, 201, "{note}");
    let id = note["id"].as_str().unwrap();
    for path in ["/c/commons.rss", "/c/commons.atom", "/c/commons.json"] {
        let body = a.page(&a.url(path)).await;
        let feed =
            feed_rs::parser::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(feed.entries.len(), 2, "{path}: {body}");
        let first = &feed.entries[0];
        assert!(
            first.links.iter().any(|l| l.href == id) || first.id.contains(id),
            "{path}: the announcement first: {body}"
        );
        let title = first
            .title
            .as_ref()
            .map(|t| t.content.clone())
            .unwrap_or_default();
        assert!(
            title.starts_with("The seed swap moves to Saturday"),
            "{path}: {title}"
        );
        assert!(
            body.contains("<strong>Saturday</strong>") || body.contains("&lt;strong&gt;Saturday"),
            "{path}: {body}"
        );
        if !path.ends_with(".json") {
            feedparser_accepts(path, &body);
        }
    }
    // A person's feed stays their articles.
    let person = a.page(&a.url("/u/admin.atom")).await;
    assert!(!person.contains(id), "{person}");
}
