//! The interface in French and English: every message exists in both,
//! every string of the templates is a message, and pages come in the
//! reader's language while content keeps its own.

use crate::harness::{Backend, TestInstance, client};
use peerpress::web::i18n::Lang;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const LOCALES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/locales");
const TEMPLATES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");

/// Message ids per file of one locale; a file that does not parse fails.
fn messages(locale: &str) -> BTreeMap<String, BTreeSet<String>> {
    use fluent_syntax::ast::Entry;
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(Path::new(LOCALES).join(locale)).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let resource = fluent_syntax::parser::parse(text.as_str())
            .unwrap_or_else(|(_, errors)| panic!("{} does not parse: {errors:?}", path.display()));
        let mut ids = BTreeSet::new();
        for e in resource.body {
            if let Entry::Message(m) = e {
                assert!(
                    m.value.is_some(),
                    "{}: {} has no text",
                    path.display(),
                    m.id.name
                );
                assert!(
                    ids.insert(m.id.name.to_string()),
                    "{}: {} twice",
                    path.display(),
                    m.id.name
                );
            }
        }
        out.insert(path.file_name().unwrap().to_string_lossy().to_string(), ids);
    }
    out
}

#[test]
fn every_message_is_in_french_and_english() {
    let en = messages("en");
    let fr = messages("fr");
    assert_eq!(
        en.keys().collect::<Vec<_>>(),
        fr.keys().collect::<Vec<_>>(),
        "locales/en and locales/fr must hold the same files"
    );
    let mut problems = Vec::new();
    for (file, ids) in &en {
        for id in ids.difference(&fr[file]) {
            problems.push(format!("{file}: `{id}` has no French translation"));
        }
        for id in fr[file].difference(ids) {
            problems.push(format!("{file}: `{id}` is only in French"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The message ids named in code and templates: the first argument of the
/// message helpers.
fn used_ids(text: &str, out: &mut BTreeSet<String>) {
    for call in [
        ".t(\"",
        ".n(\"",
        ".a(\"",
        ".h(\"",
        ".hc(\"",
        ".hl(\"",
        ".args(\"",
        ".count(\"",
        ".html(\"",
    ] {
        for (i, _) in text.match_indices(call) {
            let rest = &text[i + call.len()..];
            if let Some(end) = rest.find('"') {
                out.insert(rest[..end].to_string());
            }
        }
    }
}

fn files(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

#[test]
fn every_message_used_exists_in_both_languages() {
    let mut paths = Vec::new();
    files(Path::new(TEMPLATES), "html", &mut paths);
    files(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        "rs",
        &mut paths,
    );
    let mut ids = BTreeSet::new();
    for p in &paths {
        used_ids(&std::fs::read_to_string(p).unwrap(), &mut ids);
    }
    assert!(ids.len() > 50, "the scan found only {ids:?}");
    // Messages named by a key computed at run time.
    for m in 1..=12 {
        ids.insert(format!("month-{m}"));
    }
    for code in [400, 401, 403, 404, 409, 410, 413, 415, 422, 429, 500, 502] {
        ids.insert(format!("error-{code}-title"));
        ids.insert(format!("error-{code}-text"));
    }
    for l in peerpress::content::licences::CATALOGUE {
        ids.insert(format!("licence-{}", l.key.replace('.', "_")));
    }
    for r in [
        "steward",
        "editor",
        "moderator",
        "author",
        "member",
        "admin",
    ] {
        ids.insert(format!("role-{r}"));
    }
    for p in ["held", "followers", "open"] {
        ids.insert(format!("policy-{p}"));
    }
    let missing: Vec<String> = ids
        .iter()
        .flat_map(|id| {
            Lang::ALL
                .into_iter()
                .filter(|l| !l.has(id))
                .map(move |l| format!("`{id}` is missing in {}", l.code()))
        })
        .collect();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Text a template shows that is not a message: words outside `{{ }}` and
/// `{% %}`, in text or in the attributes people read.
fn untranslated(template: &str) -> Vec<String> {
    // Drop template code, keeping a placeholder so "a {{ x }} b" stays two words.
    let mut plain = String::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{']) {
        plain.push_str(&rest[..i]);
        let after = &rest[i..];
        let close = match &after[..2.min(after.len())] {
            "{{" => "}}",
            "{%" => "%}",
            "{#" => "#}",
            _ => {
                plain.push('{');
                rest = &after[1..];
                continue;
            }
        };
        let end = after.find(close).map_or(after.len(), |e| e + 2);
        plain.push(' ');
        rest = &after[end..];
    }
    plain.push_str(rest);
    // Names of formats and brands are not translated.
    const KEPT: [&str; 4] = ["Atom", "RSS", "JSON", "Feed"];
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty() && !KEPT.contains(w))
            .map(str::to_string)
            .collect()
    };
    let mut found = Vec::new();
    let mut rest = plain.as_str();
    while !rest.is_empty() {
        match rest.find('<') {
            Some(i) => {
                found.extend(words(&rest[..i]));
                let tag_end = rest[i..].find('>').map_or(rest.len(), |e| i + e + 1);
                let tag = &rest[i..tag_end];
                for attr in [
                    "alt",
                    "title",
                    "aria-label",
                    "placeholder",
                    "value",
                    "data-copied",
                ] {
                    let needle = format!(" {attr}=\"");
                    for (j, _) in tag.match_indices(&needle) {
                        let v = &tag[j + needle.len()..];
                        found.extend(words(&v[..v.find('"').unwrap_or(v.len())]));
                    }
                }
                rest = &rest[tag_end..];
            }
            None => {
                found.extend(words(rest));
                break;
            }
        }
    }
    found
}

#[test]
fn every_template_string_is_a_message() {
    let mut paths = Vec::new();
    files(Path::new(TEMPLATES), "html", &mut paths);
    let mut problems = Vec::new();
    for p in paths {
        let words = untranslated(&std::fs::read_to_string(&p).unwrap());
        if !words.is_empty() {
            problems.push(format!("{}: {words:?}", p.display()));
        }
    }
    assert!(
        problems.is_empty(),
        "untranslated text in templates (make each a message in locales/en and locales/fr):\n{}",
        problems.join("\n")
    );
    // The scan itself sees text and readable attributes.
    assert_eq!(
        untranslated("<p title=\"Hello\">{{ x }} Comments <b>{% if y %}</b>"),
        vec!["Hello", "Comments"]
    );
}

async fn get(url: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = client().get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

async fn pages_follow_the_readers_language(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let (status, article) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Gardens in common", "body": "How we share *tools*.",
                    "tags": ["garden"], "language": "en", "licence": "CC-BY-SA-4.0"}),
        )
        .await;
    assert_eq!(status, 201, "{article}");
    let url = article["url"].as_str().unwrap().to_string();
    let published = chrono::Utc::now();

    // Accept-Language chooses; the article keeps its own language.
    let res = get(&url, &[("accept-language", "fr-CH, fr;q=0.9, en;q=0.8")]).await;
    assert_eq!(res.headers()["content-language"], "fr");
    let vary = res
        .headers()
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join(",");
    assert!(
        vary.contains("Accept-Language") && vary.contains("Accept"),
        "{vary}"
    );
    let page = res.text().await.unwrap();
    assert!(page.contains("<html lang=\"fr\">"), "{page}");
    assert!(
        page.contains("<article class=\"article\" lang=\"en\">"),
        "{page}"
    );
    assert!(page.contains("Langue\u{a0}: anglais"), "{page}");
    assert!(page.contains("0 commentaire<"), "{page}");
    assert!(page.contains("Partage dans les mêmes conditions"), "{page}");
    assert!(page.contains(&Lang::Fr.date(published)), "{page}");
    // Machine-readable dates stay in attributes; people read words.
    assert!(
        !page.contains(&published.format(">%Y-%m-%d").to_string()),
        "{page}"
    );

    // The same page in English, even right after (the cache keeps both).
    let page = get(&url, &[("accept-language", "en-GB")])
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<html lang=\"en\">") && page.contains("0 comments<"),
        "{page}"
    );
    assert!(page.contains("Language: English"), "{page}");

    // `?lang=` wins and is remembered in a cookie, which then wins over
    // Accept-Language.
    let res = get(&a.url("/c/commons?lang=fr"), &[("accept-language", "en")]).await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("lang=fr;") && cookie.contains("Path=/"),
        "{cookie}"
    );
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Annonces") && page.contains("Suivre depuis Mastodon"),
        "{page}"
    );
    // The switch links to this page in the other language.
    assert!(
        page.contains("href=\"/c/commons?lang=en\" hreflang=\"en\""),
        "{page}"
    );
    let page = get(
        &a.url("/c/commons"),
        &[("accept-language", "en"), ("cookie", "lang=fr")],
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(
        page.contains("<html lang=\"fr\">") && !page.contains("Rien"),
        "{page}"
    );
    assert!(page.contains("Gardens in common"), "{page}");

    // Machine documents are not pages.
    let res = get(&a.url("/c/commons.atom"), &[("accept-language", "fr")]).await;
    assert!(res.headers().get("content-language").is_none());
}
crate::db_test!(pages_in_french, pages_follow_the_readers_language);

async fn browsers_get_error_pages(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let browser = [("accept", "text/html,application/xhtml+xml,*/*;q=0.8")];
    for path in [
        "/c/nope",
        "/no/such/page",
        "/articles/0190a2c0-0000-7000-8000-000000000000",
    ] {
        let res = get(&a.url(path), &browser).await;
        assert_eq!(res.status(), 404, "{path}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let page = res.text().await.unwrap();
        assert!(page.contains("<h1>Page not found</h1>"), "{page}");
        assert!(
            page.contains("href=\"/\"") && page.contains("/static/style.css"),
            "{page}"
        );
    }
    let mut fr = browser.to_vec();
    fr.push(("accept-language", "fr"));
    let page = get(&a.url("/c/nope"), &fr).await.text().await.unwrap();
    assert!(
        page.contains("Page introuvable") && page.contains("Retour à l"),
        "{page}"
    );
    // curl's */* is a reader too.
    let res = get(&a.url("/c/nope"), &[]).await;
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );

    // API and ActivityStreams clients keep JSON.
    let res = get(
        &a.url("/c/nope"),
        &[("accept", "application/activity+json")],
    )
    .await;
    assert_eq!(res.status(), 404);
    let v: serde_json::Value = res.json().await.unwrap();
    assert!(v["error"].as_str().unwrap().contains("nope"), "{v}");
    let res = get(&a.url("/api/v1/articles/nope"), &browser).await;
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );

    // 410 says why.
    let article = a.publish("Short-lived", "Soon gone.").await;
    let uuid = article["id"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let res = client()
        .delete(a.url(&format!("/api/v1/articles/{uuid}")))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let res = get(article["id"].as_str().unwrap(), &fr).await;
    assert_eq!(res.status(), 410);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("<h1>Supprimé</h1>") && page.contains("supprimé par ses auteurs"),
        "{page}"
    );
}
crate::db_test!(error_pages, browsers_get_error_pages);
