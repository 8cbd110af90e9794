//! The interface language: which one a request gets, and the words, dates,
//! numbers and language names in it.
//!
//! Messages are Fluent files under `locales/{en,fr}/`, compiled into the
//! binary. A request's language comes from `?lang=` (which the answer also
//! remembers in the `lang` cookie), else that cookie, else
//! `Accept-Language`, else English. HTML answers say which one they are in
//! (`Content-Language`) and what chose it (`Vary`).
//!
//! Only the interface is translated here: content (articles, comments,
//! names) keeps its own language and is marked with it in the pages.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Datelike, Timelike, Utc};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};
use std::borrow::Cow;
use std::collections::HashMap;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around arguments: names in pages are
        // already isolated with <bdi>, and the marks would end up in
        // attributes and titles.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The cookie that remembers a chosen language.
pub const COOKIE: &str = "lang";

/// An interface language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Fr,
}

static EN: LanguageIdentifier = langid!("en");
static FR: LanguageIdentifier = langid!("fr");

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::En => &EN,
            Lang::Fr => &FR,
        }
    }

    /// `fr`, `fr-CA`, `FR_be`… → French; a language we have no interface
    /// in → `None`.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The best of our languages for an `Accept-Language` value (RFC 9110
    /// §12.5.4: by quality, then in order), or `None`.
    pub fn from_accept_language(value: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for item in value.split(',').take(32) {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q <= 0.0 {
                continue;
            }
            if let Some(lang) = Lang::parse(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }

    /// The language of a request: `?lang=`, the `lang` cookie,
    /// `Accept-Language`, English.
    pub fn of_request(query: Option<&str>, headers: &HeaderMap) -> Lang {
        query_lang(query)
            .or_else(|| cookie(headers, COOKIE).and_then(Lang::parse))
            .or_else(|| {
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(Lang::from_accept_language)
            })
            .unwrap_or(Lang::En)
    }

    /// The message `id`.
    pub fn t(self, id: &str) -> String {
        LOCALES.lookup(self.id(), id)
    }

    /// The message `id` with arguments.
    pub fn args(self, id: &str, args: &[(&'static str, FluentValue<'_>)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), v.clone().into_owned()))
            .collect();
        LOCALES.lookup_with_args(self.id(), id, &map)
    }

    /// The message `id` for `count` things (its plural forms choose on
    /// `$count`).
    pub fn count(self, id: &str, count: u64) -> String {
        self.args(id, &[("count", FluentValue::from(count))])
    }

    /// A day, in words: "1 December 2026", "1 décembre 2026".
    pub fn date(self, t: DateTime<Utc>) -> String {
        self.args(
            "date",
            &[
                ("day", FluentValue::from(t.day())),
                ("month", self.t(&format!("month-{}", t.month())).into()),
                ("year", FluentValue::from(t.year())),
            ],
        )
    }

    /// A day and time (UTC), in words.
    pub fn date_time(self, t: DateTime<Utc>) -> String {
        self.args(
            "date-time",
            &[
                ("date", self.date(t).into()),
                ("time", format!("{:02}:{:02}", t.hour(), t.minute()).into()),
            ],
        )
    }

    /// A language code as a name in this language ("fr" → "French" or
    /// "français"); a code we have no name for is shown as it is.
    pub fn language_name(self, code: &str) -> String {
        let code = code.trim();
        let lower = code.to_ascii_lowercase();
        let primary = lower.split(['-', '_']).next().unwrap_or("");
        for key in [format!("language-{lower}"), format!("language-{primary}")] {
            if let Ok(name) = LOCALES.lookup_single_language::<&str>(self.id(), &key, None) {
                return if key.len() - "language-".len() == lower.len() || primary == lower {
                    name
                } else {
                    // A region or script we have no name for: the
                    // language's name and the rest of the tag.
                    format!("{name} ({})", &code[primary.len() + 1..])
                };
            }
        }
        code.to_string()
    }

    /// The message `id`, HTML-escaped, with each `(name, html)` argument
    /// put in as the (already safe) HTML it is: for sentences around a
    /// link.
    pub fn html(self, id: &str, args: &[(&'static str, &str)]) -> String {
        let markers: Vec<(&'static str, FluentValue)> = args
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (*name, FluentValue::from(format!("\u{E000}{i}\u{E001}"))))
            .collect();
        let mut out = html_escape::encode_text(&self.args(id, &markers)).into_owned();
        for (i, (_, html)) in args.iter().enumerate() {
            out = out.replace(&format!("\u{E000}{i}\u{E001}"), html);
        }
        out
    }

    /// Does this language have its own message `id` (not English's)?
    pub fn has(self, id: &str) -> bool {
        // A message that needs arguments fails to format without them but
        // exists; only a retrieval error means it is missing (the error
        // type is not exported, so its variant is read from its Debug).
        match LOCALES.lookup_single_language::<&str>(self.id(), id, None) {
            Ok(_) => true,
            Err(e) => !format!("{e:?}").starts_with("MessageRetrieval"),
        }
    }
}

/// A valid `lang` in a query string.
fn query_lang(query: Option<&str>) -> Option<Lang> {
    query?
        .split('&')
        .find_map(|p| p.strip_prefix("lang="))
        .and_then(Lang::parse)
}

/// A cookie's value.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then_some(v.trim())
        })
}

/// The middleware: the request gets its [`Lang`] (as an extension, read by
/// [`super::ui::Viewer`] and the response cache); HTML answers get
/// `Content-Language` and `Vary`, and a `?lang=` choice is remembered.
pub async fn layer(mut req: Request, next: Next) -> Response {
    let chosen = query_lang(req.uri().query());
    let lang = Lang::of_request(req.uri().query(), req.headers());
    req.extensions_mut().insert(lang);
    let mut res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html {
        return res;
    }
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.code()),
    );
    add_vary(h, "Accept-Language");
    add_vary(h, "Cookie");
    if let Some(l) = chosen
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            l.code()
        ))
    {
        h.append(header::SET_COOKIE, v);
        // The cookie is this visitor's: no shared cache may keep it.
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        );
    }
    res
}

/// Add `name` to the response's `Vary` (one header, its names
/// comma-separated) unless it is there.
pub fn add_vary(h: &mut HeaderMap, name: &str) {
    let mut names: Vec<String> = h
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if names.iter().any(|v| v.eq_ignore_ascii_case(name)) {
        return;
    }
    names.push(name.to_string());
    if let Ok(v) = HeaderValue::from_str(&names.join(", ")) {
        h.insert(header::VARY, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn negotiation() {
        assert_eq!(
            Lang::from_accept_language("fr-CH, fr;q=0.9, en;q=0.8"),
            Some(Lang::Fr)
        );
        assert_eq!(
            Lang::from_accept_language("de, en;q=0.5, fr;q=0.7"),
            Some(Lang::Fr)
        );
        assert_eq!(Lang::from_accept_language("de, es"), None);
        assert_eq!(Lang::from_accept_language("fr;q=0, en"), Some(Lang::En));
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("fr-FR"));
        assert_eq!(Lang::of_request(None, &h), Lang::Fr);
        h.insert(header::COOKIE, HeaderValue::from_static("a=b; lang=en"));
        assert_eq!(Lang::of_request(None, &h), Lang::En);
        assert_eq!(Lang::of_request(Some("x=1&lang=fr"), &h), Lang::Fr);
        assert_eq!(Lang::of_request(Some("lang=xx"), &h), Lang::En);
        assert_eq!(Lang::of_request(None, &HeaderMap::new()), Lang::En);
    }

    #[test]
    fn words_dates_and_names() {
        let t = Utc.with_ymd_and_hms(2026, 12, 1, 14, 5, 0).unwrap();
        assert_eq!(Lang::Fr.date(t), "1 décembre 2026");
        assert_eq!(Lang::En.date(t), "December 1, 2026");
        assert_eq!(Lang::Fr.date_time(t), "1 décembre 2026 à 14:05 UTC");
        assert_eq!(Lang::Fr.language_name("fr"), "français");
        assert_eq!(Lang::En.language_name("fr"), "French");
        assert_eq!(Lang::Fr.language_name("pt-BR"), "portugais (BR)");
        assert_eq!(Lang::En.language_name("x-klingon"), "x-klingon");
        // Plural rules: French counts 0 and 1 as one.
        assert_eq!(Lang::Fr.count("comments-count", 0), "0 commentaire");
        assert_eq!(Lang::En.count("comments-count", 0), "0 comments");
        assert_eq!(Lang::En.count("comments-count", 1), "1 comment");
        assert_eq!(Lang::Fr.count("comments-count", 2), "2 commentaires");
        // Markup stays out of messages; arguments go in as given.
        let html = Lang::En.html(
            "community-licence",
            &[("licence", "<a href=\"/x\">CC0</a>")],
        );
        assert!(html.contains("<a href=\"/x\">CC0</a>"), "{html}");
    }
}
