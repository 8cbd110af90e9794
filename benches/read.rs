//! Read benchmark: the article JSON, the article page and the actor JSON
//! served by peerpress, against a bare axum handler returning the same bytes,
//! measured with `wrk` in the same run.
//!
//! ```sh
//! apt-get install wrk        # once
//! cargo bench --bench read
//! ```
//! `PEERPRESS_BENCH_SECONDS` (default 5) sets each run's length,
//! `PEERPRESS_BENCH_CONNECTIONS` (default 32) the connections.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::header;
use axum::response::IntoResponse;
use peerpress::config::Settings;
use std::process::Command;

fn wrk(url: &str, accept: &str, seconds: u64, connections: u64) -> f64 {
    let out = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "-H",
            &format!("Accept: {accept}"),
            url,
        ])
        .output()
        .expect("wrk is not installed: apt-get install wrk");
    let text = String::from_utf8_lossy(&out.stdout);
    let non_2xx = text.lines().find(|l| l.contains("Non-2xx"));
    assert!(non_2xx.is_none(), "{url}: {text}");
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Requests/sec in wrk output: {text}"))
}

fn main() {
    let seconds: u64 = std::env::var("PEERPRESS_BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let connections: u64 = std::env::var("PEERPRESS_BENCH_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let settings = Settings::load(
            None,
            vec![
                ("PEERPRESS__SERVER__DOMAIN".into(), format!("localhost:{port}")),
                ("PEERPRESS__DATABASE__URL".into(), format!("sqlite://{}/read.db?mode=rwc", dir.path().display())),
                ("PEERPRESS__MEDIA__DIR".into(), dir.path().join("media").display().to_string()),
            ],
        )
        .unwrap();
        let opened = peerpress::app::open(settings).await.unwrap();
        let ctx = opened.ctx.clone();
        let running = peerpress::app::start(ctx.clone(), listener, false).await.unwrap();
        let community = peerpress::domain::actors::find_local(&ctx.db, "commons").await.unwrap().unwrap();
        let admin = peerpress::domain::actors::find_local(&ctx.db, "admin").await.unwrap().unwrap();
        let input = serde_json::from_value::<peerpress::domain::articles::ArticleInput>(serde_json::json!({
            "title": "A benchmark article",
            "body": "A paragraph with *emphasis* and a [link](https://example.org).\n\n".repeat(30),
            "tags": ["bench", "read"],
            "language": "en",
        }))
        .unwrap();
        let view = peerpress::domain::articles::publish(&ctx, &community, &admin, input).await.unwrap();
        let base = format!("http://localhost:{port}");
        let cases = [
            ("article JSON", view.article.ap_id.clone(), "application/activity+json"),
            ("article page", view.article.url.clone().unwrap(), "text/html"),
            ("actor JSON", format!("{base}/c/commons"), "application/activity+json"),
        ];

        // The bare server: the same bytes and content type, nothing else.
        let client = reqwest::Client::new();
        let mut bare = axum::Router::new();
        for (i, (_, url, accept)) in cases.iter().enumerate() {
            let res = client.get(url).header("accept", *accept).send().await.unwrap();
            assert!(res.status().is_success(), "{url}: {}", res.status());
            let ct = res.headers()[header::CONTENT_TYPE].clone();
            let body = res.bytes().await.unwrap();
            bare = bare.route(
                &format!("/{i}"),
                axum::routing::get(move || {
                    let (ct, body) = (ct.clone(), body.clone());
                    async move { ([(header::CONTENT_TYPE, ct)], body).into_response() }
                }),
            );
        }
        let bare_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let bare_port = bare_listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(bare_listener, bare).await.unwrap() });

        println!("read benchmark: wrk -t2 -c{connections} -d{seconds}s, 2 cores shared by wrk and the server");
        println!("{:<14} {:>12} {:>12} {:>8}", "", "peerpress/s", "bare/s", "ratio");
        let mut all_met = true;
        for (i, (name, url, accept)) in cases.iter().enumerate() {
            let (url, accept) = (url.clone(), accept.to_string());
            let ours = tokio::task::spawn_blocking(move || wrk(&url, &accept, seconds, connections)).await.unwrap();
            let bare_url = format!("http://localhost:{bare_port}/{i}");
            let accept = cases[i].2.to_string();
            let theirs = tokio::task::spawn_blocking(move || wrk(&bare_url, &accept, seconds, connections)).await.unwrap();
            let ratio = ours / theirs;
            all_met &= ratio >= 0.5;
            println!("{name:<14} {ours:>12.0} {theirs:>12.0} {ratio:>8.2}");
        }
        println!("target (each ≥ 0.5 of bare): {}", if all_met { "met" } else { "NOT met" });
        running.stop().await;
    });
}
