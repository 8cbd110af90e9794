//! Text handling: Markdown to sanitized HTML, plain-text summaries, the
//! licence catalogue and language tags. Pure functions, no I/O.

pub mod licences;
pub mod names;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The most characters a summary may have.
pub const SUMMARY_MAX: usize = 500;

/// Markdown → HTML, then sanitized to an allow-list: no script, style, event
/// attributes or `javascript:`/`data:` links survive. Long reads get
/// tables (with alignment), footnotes, task lists, strikethrough and
/// anchors on headings (`h-<slug>`, linkable as `#h-<slug>`).
pub fn markdown_to_html(md: &str) -> String {
    markdown_to_html_with_images(md, &[])
}

fn markdown_events(md: &str) -> Vec<Event<'_>> {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_TASKLISTS);
    Parser::new_ext(md, opts).collect()
}

/// An image written in Markdown: `![alt](url)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkdownImage {
    pub url: String,
    pub alt: String,
}

/// The images of some Markdown, in order, and whether it also has images
/// in raw HTML (`<img>`), which cannot be checked like the others.
pub fn markdown_images(md: &str) -> (Vec<MarkdownImage>, bool) {
    let mut images = Vec::new();
    let mut raw = false;
    let mut current: Option<MarkdownImage> = None;
    for e in markdown_events(md) {
        match e {
            Event::Start(Tag::Image { dest_url, .. }) => {
                current = Some(MarkdownImage {
                    url: dest_url.to_string(),
                    alt: String::new(),
                })
            }
            Event::End(TagEnd::Image) => images.extend(current.take()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = current.as_mut() {
                    c.alt.push_str(&t);
                }
            }
            Event::Html(h) | Event::InlineHtml(h) if h.to_ascii_lowercase().contains("<img") => {
                raw = true
            }
            _ => {}
        }
    }
    for i in &mut images {
        i.alt = i.alt.trim().to_string();
    }
    (images, raw)
}

/// How an image of the text is shown: where, described how, and its size
/// (so the page does not jump as it loads).
#[derive(Debug, Clone)]
pub struct ShownImage {
    pub src: String,
    pub alt: String,
    pub width: u32,
    pub height: u32,
}

/// [`markdown_to_html`], the n-th image of the text shown as `images[n]`
/// (images past the list keep what the Markdown says).
pub fn markdown_to_html_with_images(md: &str, images: &[ShownImage]) -> String {
    let mut events = Vec::new();
    let mut shown = images.iter();
    let mut skipping = false;
    for e in with_heading_anchors(markdown_events(md)) {
        match e {
            Event::Start(Tag::Image { .. }) if !skipping => match shown.next() {
                Some(i) => {
                    skipping = true;
                    events.push(Event::InlineHtml(
                        format!(
                            "<img src=\"{}\" alt=\"{}\" width=\"{}\" height=\"{}\" loading=\"lazy\">",
                            html_escape::encode_double_quoted_attribute(&i.src),
                            html_escape::encode_double_quoted_attribute(&i.alt),
                            i.width,
                            i.height
                        )
                        .into(),
                    ));
                }
                None => events.push(e),
            },
            Event::End(TagEnd::Image) if skipping => skipping = false,
            _ if skipping => {}
            e => events.push(e),
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    sanitize_html(&html)
}

/// Give each heading an id from its text (`h-` and a slug; repeats get
/// `-2`, `-3`…), unless it has one.
fn with_heading_anchors(mut events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id: None, .. }) = &events[i] {
            let mut text = String::new();
            for e in &events[i + 1..] {
                match e {
                    Event::End(TagEnd::Heading(_)) => break,
                    Event::Text(t) | Event::Code(t) => text.push_str(t),
                    _ => {}
                }
            }
            let base: String = text
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() {
                        c.to_lowercase().next().unwrap_or(c)
                    } else {
                        '-'
                    }
                })
                .collect::<String>()
                .split('-')
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join("-")
                .chars()
                .take(60)
                .collect();
            let base = if base.is_empty() {
                "section".to_string()
            } else {
                base
            };
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            let anchor = if *n == 1 {
                format!("h-{base}")
            } else {
                format!("h-{base}-{n}")
            };
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                *id = Some(anchor.into());
            }
        }
        i += 1;
    }
    events
}

/// Sanitize HTML from anywhere to what an article page may show.
/// Images given over `http:` are asked for over `https:` (the pages' CSP
/// would block them silently otherwise). Kept for long reads: table cell
/// alignment, footnotes (ids under `fn-`), heading anchors (`h-`), and
/// task-list checkboxes (always disabled).
pub fn sanitize_html(html: &str) -> String {
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("nofollow noopener noreferrer"))
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("img", ["loading"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .add_tag_attributes("div", ["id"])
        .add_tag_attributes("li", ["id"])
        .add_tag_attributes("sup", ["id"])
        .add_tag_attributes("h1", ["id"])
        .add_tag_attributes("h2", ["id"])
        .add_tag_attributes("h3", ["id"])
        .add_tag_attributes("h4", ["id"])
        .add_tag_attributes("h5", ["id"])
        .add_tag_attributes("h6", ["id"])
        .add_allowed_classes("div", ["footnote-definition"])
        .add_allowed_classes("sup", ["footnote-reference", "footnote-definition-label"])
        .add_allowed_classes("ul", ["contains-task-list"])
        .add_allowed_classes("li", ["task-list-item"])
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("img", "src") => Some(upgrade_http(value).into()),
            ("th" | "td", "style") => matches!(
                value.trim().trim_end_matches(';'),
                "text-align: left" | "text-align: center" | "text-align: right"
            )
            .then(|| value.into()),
            ("input", "type") => (value == "checkbox").then(|| value.into()),
            ("img", "loading") => (value == "lazy").then(|| value.into()),
            ("input", "disabled") => Some("".into()),
            (h, "id") if h.len() == 2 && h.starts_with('h') => {
                value.starts_with("h-").then(|| value.into())
            }
            (_, "id") if value.starts_with("fn-") => Some(value.into()),
            (_, "id") => Some(format!("fn-{value}").into()),
            ("a", "href")
                if value.starts_with('#')
                    && !value.starts_with("#h-")
                    && !value.starts_with("#fn-") =>
            {
                Some(format!("#fn-{}", &value[1..]).into())
            }
            _ => Some(value.into()),
        })
        .clean(html)
        .to_string()
}

/// `http://x` → `https://x`; anything else as it is. `localhost` is left
/// alone: it is a local test instance, whose pages allow their own origin.
pub fn upgrade_http(url: &str) -> String {
    match url.strip_prefix("http://") {
        Some(rest) if rest.starts_with("localhost:") || rest.starts_with("localhost/") => {
            url.to_string()
        }
        Some(rest) => format!("https://{rest}"),
        None => url.to_string(),
    }
}

/// The content type of an image file we serve, by the extension of its
/// name or URL.
pub fn image_type(name: &str) -> Option<&'static str> {
    match name.rsplit_once('.')?.1 {
        "jpg" => Some("image/jpeg"),
        "png" => Some("image/png"),
        "webp" => Some("image/webp"),
        "gif" => Some("image/gif"),
        _ => None,
    }
}

/// The most bytes of HTML we keep of one remote comment or post (Mastodon
/// keeps about 100 kB of text); longer ones are cut, with a link to the
/// original.
pub const REMOTE_HTML_MAX: usize = 100 * 1024;

/// Sanitize HTML received from another server to what Mastodon keeps:
/// `p br span a del s pre blockquote code b strong u i em ul ol li`, plus
/// headings; links are http(s)/mailto only and get `rel="nofollow noopener
/// noreferrer"`. Everything else (scripts, styles, images, event attributes,
/// classes, inline styles) is dropped. Relative and protocol-relative links
/// are made absolute against `origin`, the object's own id, so that a remote
/// post can never link into our own site's paths.
pub fn sanitize_remote_html(html: &str, origin: &url::Url) -> String {
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
        .url_relative(ammonia::UrlRelative::RewriteWithBase(origin.clone()))
        .link_rel(Some("nofollow noopener noreferrer"))
        .clean(html)
        .to_string()
}

/// Remote HTML, sanitized and cut to `REMOTE_HTML_MAX` bytes: a longer text
/// keeps its first paragraphs (sanitized again, so every tag is closed) and
/// ends with a link to `original`.
pub fn sanitize_remote_html_bounded(html: &str, origin: &url::Url, original: &str) -> String {
    bounded(&sanitize_remote_html(html, origin), original, |h| {
        sanitize_remote_html(h, origin)
    })
}

/// Sanitized HTML `clean` cut to `REMOTE_HTML_MAX` bytes before a tag,
/// sanitized again by `again` (so every tag is closed), ending with a link
/// to `original`.
fn bounded(clean: &str, original: &str, again: impl Fn(&str) -> String) -> String {
    if clean.len() <= REMOTE_HTML_MAX {
        return clean.to_string();
    }
    let mut cut = REMOTE_HTML_MAX - 512;
    while !clean.is_char_boundary(cut) {
        cut -= 1;
    }
    // Cut before a tag starts, so no tag is split in half.
    let cut = clean[..cut].rfind('<').unwrap_or(cut);
    let head = again(&clean[..cut]);
    format!(
        "{head}<p>… <a href=\"{}\" rel=\"nofollow noopener noreferrer\">Read the whole text at its origin</a></p>",
        html_escape::encode_double_quoted_attribute(original)
    )
}

/// Sanitize a remote article or post for the network page: what
/// [`sanitize_remote_html`] keeps, and what long reads need too — tables
/// (cell alignment kept), images with their alt text, figures, rules,
/// definition lists, super- and subscripts. An image over `http:` is asked
/// for over `https:`; one that cannot be (no usable address) is replaced by
/// its alt text, so nothing disappears silently. Cut to `REMOTE_HTML_MAX`
/// like the rest, with a link to `original`.
pub fn sanitize_remote_article(html: &str, origin: &url::Url, original: &str) -> String {
    let clean = bounded(
        &remote_article_builder(origin).clean(html).to_string(),
        original,
        |h| remote_article_builder(origin).clean(h).to_string(),
    );
    images_or_their_alt(&clean)
}

fn remote_article_builder(origin: &url::Url) -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::empty();
    b.add_tags([
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
        "table",
        "caption",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "img",
        "figure",
        "figcaption",
        "hr",
        "dl",
        "dt",
        "dd",
        "sup",
        "sub",
        "mark",
        "abbr",
        "kbd",
    ])
    .add_tag_attributes("a", ["href"])
    .add_tag_attributes("ol", ["start", "reversed"])
    .add_tag_attributes("img", ["src", "alt", "width", "height"])
    .add_tag_attributes("th", ["style", "colspan", "rowspan"])
    .add_tag_attributes("td", ["style", "colspan", "rowspan"])
    .add_tag_attributes("abbr", ["title"])
    .url_schemes(["http", "https", "mailto"].into_iter().collect())
    .url_relative(ammonia::UrlRelative::RewriteWithBase(origin.clone()))
    .link_rel(Some("nofollow noopener noreferrer"))
    .attribute_filter(|element, attribute, value| match (element, attribute) {
        ("img", "src") => Some(upgrade_http(value).into()),
        ("img", "width" | "height") | ("th" | "td", "colspan" | "rowspan") => {
            (value.len() <= 5 && value.bytes().all(|b| b.is_ascii_digit())).then(|| value.into())
        }
        ("th" | "td", "style") => matches!(
            value.trim().trim_end_matches(';'),
            "text-align: left" | "text-align: center" | "text-align: right"
        )
        .then(|| value.into()),
        _ => Some(value.into()),
    });
    b
}

/// In sanitized HTML (every attribute quoted, `"` escaped), an `<img>`
/// whose address is not https becomes its alt text, and one without alt
/// text gets an empty one.
fn images_or_their_alt(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<img") {
        out.push_str(&rest[..i]);
        let Some(end) = rest[i..].find('>') else {
            break;
        };
        let tag = &rest[i..i + end + 1];
        rest = &rest[i + end + 1..];
        let attr = |name: &str| {
            let key = format!(" {name}=\"");
            tag.find(&key).and_then(|s| {
                let v = &tag[s + key.len()..];
                v.find('"').map(|e| &v[..e])
            })
        };
        match (attr("src"), attr("alt")) {
            (Some(src), Some(_)) if src.starts_with("https://") => out.push_str(tag),
            (Some(src), None) if src.starts_with("https://") => {
                out.push_str(&tag.replacen("<img", "<img alt=\"\"", 1))
            }
            (_, Some(alt)) if !alt.trim().is_empty() => {
                out.push_str(&format!("<span class=\"missing-image\">[{alt}]</span>"))
            }
            _ => {}
        }
    }
    out.push_str(rest);
    out
}

/// Headings of sanitized HTML moved `by` levels down (at most `<h6>`), so
/// that a post shown under a heading of ours stays below it.
pub fn shift_headings(html: &str, by: u8) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<h").into_iter().chain(rest.find("</h")).min() {
        let close = rest[i..].starts_with("</h");
        let digit_at = i + if close { 3 } else { 2 };
        out.push_str(&rest[..digit_at]);
        match rest.as_bytes().get(digit_at) {
            Some(d @ b'1'..=b'6')
                if matches!(rest.as_bytes().get(digit_at + 1), Some(b'>' | b' ')) =>
            {
                let level = (d - b'0').saturating_add(by).min(6);
                out.push(char::from(b'0' + level));
                rest = &rest[digit_at + 1..];
            }
            _ => rest = &rest[digit_at..],
        }
    }
    out.push_str(rest);
    out
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

/// The text of some HTML, without its tags (entities kept escaped).
pub fn plain_text_of_html(html: &str) -> String {
    ammonia::Builder::empty().clean(html).to_string()
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

/// A name or handle from another server, safe to store and show: bidi
/// controls (which can reverse the text after them, U+202A–U+202E,
/// U+2066–U+2069, marks), zero-width and other invisible characters (which
/// make `@trudy\u{200B}@host` look like `@trudy@host`) and control
/// characters are removed, and white space is folded.
pub fn clean_name(name: &str) -> String {
    let kept: String = name
        .chars()
        .filter(|c| !is_invisible_or_bidi(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_invisible_or_bidi(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' // zero-width space, joiners, LRM, RLM
        | '\u{202A}'..='\u{202E}' // embeddings and overrides
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}' // isolates
        | '\u{061C}' // Arabic letter mark
        | '\u{180E}' // Mongolian vowel separator
        | '\u{FEFF}' // zero-width no-break space
        | '\u{00AD}' // soft hyphen
        | '\u{034F}' // combining grapheme joiner
        | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' // Hangul fillers
    )
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
    fn long_reads_survive_the_sanitizer() {
        let md = "# Intro\n\n| Seed | Count |\n|:-----|------:|\n| Bean | 12 |\n\n\
                  Beans.[^1]\n\n- [x] sow\n- [ ] water\n\n~~old~~\n\n[^1]: Heirloom.\n\n# Intro\n";
        let html = markdown_to_html(md);
        assert!(
            html.contains("<table>") && html.contains("style=\"text-align: right\""),
            "{html}"
        );
        assert!(
            html.contains("<h1 id=\"h-intro\">") && html.contains("id=\"h-intro-2\""),
            "{html}"
        );
        assert!(
            html.contains("href=\"#fn-1\"") && html.contains("id=\"fn-1\""),
            "{html}"
        );
        assert!(
            html.contains("type=\"checkbox\"") && html.contains("checked"),
            "{html}"
        );
        assert!(html.contains("disabled"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        // What is not allowed still goes.
        let bad =
            markdown_to_html("<input type=\"text\" onfocus=\"x()\"><td style=\"color:red\">x</td>");
        assert!(
            !bad.contains("onfocus") && !bad.contains("text\"") && !bad.contains("color"),
            "{bad}"
        );
        // Sanitizing twice changes nothing.
        assert_eq!(sanitize_html(&html), html);
    }

    #[test]
    fn images_of_the_text() {
        let md = "![A *seed* tray](/media/a.png) and ![](http://x.example/b.png)\n\n<img src=x>";
        let (images, raw) = markdown_images(md);
        assert_eq!(
            images,
            vec![
                MarkdownImage {
                    url: "/media/a.png".into(),
                    alt: "A seed tray".into()
                },
                MarkdownImage {
                    url: "http://x.example/b.png".into(),
                    alt: String::new()
                }
            ]
        );
        assert!(raw);
        let html = markdown_to_html_with_images(
            "![x](/m.png) ![y](http://x.example/b.png)",
            &[ShownImage {
                src: "https://here.example/media/m.png".into(),
                alt: "Seeds \"drying\"".into(),
                width: 640,
                height: 480,
            }],
        );
        assert!(
            html.contains("<img src=\"https://here.example/media/m.png\" alt=\"Seeds &quot;drying&quot;\" width=\"640\" height=\"480\" loading=\"lazy\">"),
            "{html}"
        );
        // Past the list: as written, over https.
        assert!(
            html.contains("src=\"https://x.example/b.png\" alt=\"y\""),
            "{html}"
        );
        assert_eq!(sanitize_html(&html), html);
    }

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
        let origin = url::Url::parse("https://peer.example/notes/1").unwrap();
        let html = sanitize_remote_html(
            "<p class=\"x\" style=\"color:red\" onclick=\"a()\">Hi <a href=\"javascript:x\">j</a> <a href=\"https://e.org\">ok</a>\
<img src=x><script>s()</script><iframe></iframe><b>b</b></p><table><tr><td>t</td></tr></table>",
            &origin,
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
    fn remote_articles_keep_what_long_reads_need() {
        let origin = url::Url::parse("https://blog.example/2026/seeds").unwrap();
        let html = sanitize_remote_article(
            "<h2>Yield</h2><table><thead><tr><th style=\"text-align: right\" onclick=\"x()\">Kg</th></tr></thead>\
<tbody><tr><td colspan=\"2\" style=\"color:red\">12</td></tr></tbody></table>\
<figure><img src=\"http://blog.example/a.jpg\" alt=\"Beans\" width=\"640\"><figcaption>Beans</figcaption></figure>\
<img src=\"/b.png\"><img src=\"data:image/png;base64,AAAA\" alt=\"A chart of yields\"><img src=\"javascript:x\">\
<ul><li>one</li></ul><script>x()</script>",
            &origin,
            "https://blog.example/2026/seeds",
        );
        assert!(
            html.contains("<th style=\"text-align: right\">Kg</th>"),
            "{html}"
        );
        assert!(html.contains("<td colspan=\"2\">12</td>"), "{html}");
        assert!(
            html.contains("<img src=\"https://blog.example/a.jpg\" alt=\"Beans\" width=\"640\">"),
            "{html}"
        );
        assert!(
            html.contains("<img alt=\"\" src=\"https://blog.example/b.png\">"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"missing-image\">[A chart of yields]</span>"),
            "{html}"
        );
        assert!(
            !html.contains("data:") && !html.contains("javascript") && !html.contains("script")
        );
        assert!(html.contains("<figcaption>Beans</figcaption>") && html.contains("<li>one</li>"));
        assert_eq!(
            shift_headings("<h1>a</h1><h2 id=\"x\">b</h2><h5>c</h5><hr><header>", 3),
            "<h4>a</h4><h5 id=\"x\">b</h5><h6>c</h6><hr><header>"
        );
    }

    #[test]
    fn names_lose_bidi_and_invisible_characters() {
        assert_eq!(clean_name("tru\u{200B}dy\u{202E}evil\u{2066}"), "trudyevil");
        assert_eq!(clean_name(" Ann\u{FEFF}\n  Lee "), "Ann Lee");
        assert_eq!(clean_name("Zoë Ñ 日本"), "Zoë Ñ 日本");
    }

    #[test]
    fn relative_links_point_at_the_origin_and_long_html_is_cut() {
        let origin = url::Url::parse("https://peer.example/notes/1").unwrap();
        let html = sanitize_remote_html(
            "<p><a href=\"/admin\">a</a> <a href=\"//evil.example/x\">b</a> <a href=\"x\">c</a></p>",
            &origin,
        );
        assert!(
            html.contains("href=\"https://peer.example/admin\""),
            "{html}"
        );
        assert!(html.contains("href=\"https://evil.example/x\""), "{html}");
        assert!(
            html.contains("href=\"https://peer.example/notes/x\""),
            "{html}"
        );
        let long = format!("<p>{}</p>", "<b>word</b> ".repeat(30_000));
        let cut = sanitize_remote_html_bounded(&long, &origin, "https://peer.example/notes/1");
        assert!(cut.len() < REMOTE_HTML_MAX + 400, "{}", cut.len());
        assert!(
            cut.ends_with("Read the whole text at its origin</a></p>"),
            "{cut}"
        );
        assert_eq!(cut.matches("<b>").count(), cut.matches("</b>").count());
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
