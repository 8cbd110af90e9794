//! Who is looking at a page, and in which language: what every HTML
//! handler needs besides the data it shows.

use super::i18n::Lang;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::convert::Infallible;

/// The reader of a page: the interface language and the address they are
/// at (for the language switch).
#[derive(Clone, Debug)]
pub struct Viewer {
    pub lang: Lang,
    /// The path and query of the page, without `lang=`.
    pub path: String,
}

impl Viewer {
    pub fn of_parts(parts: &Parts) -> Viewer {
        let lang = parts
            .extensions
            .get::<Lang>()
            .copied()
            .unwrap_or_else(|| Lang::of_request(parts.uri.query(), &parts.headers));
        Viewer {
            lang,
            path: without_lang(parts.uri.path(), parts.uri.query()),
        }
    }
}

/// `path?query` without its `lang=` parameters.
fn without_lang(path: &str, query: Option<&str>) -> String {
    let rest: Vec<&str> = query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang="))
        .collect();
    if rest.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", rest.join("&"))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Viewer::of_parts(parts))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_switch_keeps_the_rest_of_the_query() {
        assert_eq!(
            super::without_lang("/c/x", Some("lang=fr&comments=2")),
            "/c/x?comments=2"
        );
        assert_eq!(super::without_lang("/c/x", Some("lang=fr")), "/c/x");
        assert_eq!(super::without_lang("/", None), "/");
    }
}
