//! Publishing: articles and announcements, their authors, tags, slugs and
//! licence; edits and deletion. Each change and the activities it federates
//! (Create + Announce, Update, Delete) are written in one transaction.
//!
//! `input` reads what a client asks for, `slug` makes and reserves page
//! names, `publish` holds the writes, `query` the read models and listings.

mod input;
mod publish;
mod query;
mod slug;

pub use input::{ArticleInput, NewArticle};
pub use publish::{
    announce, by_preview_token, delete, edit, preview_link, publish, publish_due, revoke_preview,
};
pub use query::{
    ArticleView, Listing, by_slug, find_local, listing, load_view, load_views, public_pages,
};
pub use slug::slugify;

pub const TITLE_MAX: usize = 300;

pub const BODY_MAX: usize = 500_000;

pub const ANNOUNCEMENT_MAX: usize = 5_000;

pub const TAGS_MAX: usize = 30;

pub const CO_AUTHORS_MAX: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Seed library opens!"), "seed-library-opens");
        assert_eq!(slugify("  Café — à la carte  "), "café-à-la-carte");
        assert_eq!(slugify("!!!"), "");
        assert!(slugify(&"long ".repeat(50)).chars().count() <= 80);
    }
}
