//! Text handling: Markdown to sanitized HTML, plain-text summaries, the
//! licence catalogue and language tags. Pure functions, no I/O.

pub mod licences;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The most characters a summary may have.
pub const SUMMARY_MAX: usize = 500;

/// Markdown → HTML, then sanitized to an allow-list: no script, style, event
/// attributes or `javascript:`/`data:` links survive.
pub fn markdown_to_html(md: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TABLES);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(md, opts));
    sanitize_html(&html)
}

/// Sanitize HTML from anywhere to what an article page may show.
pub fn sanitize_html(html: &str) -> String {
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("nofollow noopener noreferrer"))
        .clean(html)
        .to_string()
}

/// Sanitize HTML received from another server to what Mastodon keeps:
/// `p br span a del s pre blockquote code b strong u i em ul ol li`, plus
/// headings; links are http(s)/mailto only and get `rel="nofollow noopener
/// noreferrer"`. Everything else (scripts, styles, images, event attributes,
/// classes, inline styles) is dropped.
pub fn sanitize_remote_html(html: &str) -> String {
    let tags = [
        "p",
        "br",
        "span",
        "a",
        "del",
        "s",
        "pre",
        "blockquote",
        "code",
        "b",
        "strong",
        "u",
        "i",
        "em",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    ];
    ammonia::Builder::empty()
        .add_tags(tags)
        .add_tag_attributes("a", ["href"])
        .add_tag_attributes("ol", ["start", "reversed"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("nofollow noopener noreferrer"))
        .clean(html)
        .to_string()
}

/// The plain text of the first paragraph, cut at a word boundary to at most
/// `SUMMARY_MAX` characters.
pub fn summary_from_markdown(md: &str) -> String {
    let mut text = String::new();
    let mut in_para = false;
    for event in Parser::new(md) {
        match event {
            Event::Start(Tag::Paragraph) => in_para = true,
            Event::End(TagEnd::Paragraph) if !text.trim().is_empty() => break,
            Event::End(TagEnd::Paragraph) => in_para = false,
            Event::Text(t) | Event::Code(t) if in_para => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak if in_para => text.push(' '),
            _ => {}
        }
    }
    truncate_words(text.trim(), SUMMARY_MAX)
}

/// The plain text of some Markdown, paragraphs joined by spaces.
pub fn plain_text(md: &str) -> String {
    let mut text = String::new();
    for event in Parser::new(md) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` characters, cut at a word boundary with an ellipsis.
pub fn truncate_words(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > max / 2 => cut[..i].to_string(),
        _ => cut,
    };
    format!("{}…", cut.trim_end())
}

/// A BCP 47 tag, checked for shape: a 2–3 letter language, then subtags of
/// 1–8 letters or digits (`en`, `pt-BR`, `zh-Hant-TW`).
pub fn valid_language(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let lang_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_alphabetic()));
    lang_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes() {
        let html = markdown_to_html(
            "Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }

    #[test]
    fn remote_html_keeps_what_mastodon_keeps() {
        let html = sanitize_remote_html(
            "<p class=\"x\" style=\"color:red\" onclick=\"a()\">Hi <a href=\"javascript:x\">j</a> <a href=\"https://e.org\">ok</a>\
<img src=x><script>s()</script><iframe></iframe><b>b</b></p><table><tr><td>t</td></tr></table>",
        );
        assert!(
            !html.contains("class") && !html.contains("style") && !html.contains("onclick"),
            "{html}"
        );
        assert!(
            !html.contains("javascript")
                && !html.contains("<img")
                && !html.contains("<script")
                && !html.contains("iframe"),
            "{html}"
        );
        assert!(!html.contains("<table"), "{html}");
        assert!(
            html.contains("<a href=\"https://e.org\" rel=\"nofollow noopener noreferrer\">ok</a>"),
            "{html}"
        );
        assert!(html.contains("<b>b</b>"), "{html}");
    }

    #[test]
    fn summaries() {
        assert_eq!(
            summary_from_markdown("# T\n\nFirst *para*.\n\nSecond."),
            "First para."
        );
        let long = "word ".repeat(200);
        let s = summary_from_markdown(&long);
        assert!(s.chars().count() <= SUMMARY_MAX && s.ends_with('…'));
    }

    #[test]
    fn languages() {
        assert!(valid_language("en") && valid_language("pt-BR") && valid_language("zh-Hant-TW"));
        assert!(!valid_language("english") && !valid_language("") && !valid_language("en_US"));
    }
}
