//! The licence catalogue of DESIGN.md. Federated as a URL under
//! `schema:license`, with the SPDX id where one exists.

pub struct Licence {
    /// What the API accepts and stores: the SPDX id, or our own key.
    pub key: &'static str,
    pub name: &'static str,
    pub url: Option<&'static str>,
    pub spdx: bool,
    /// Lets others republish the work (with attribution).
    pub open: bool,
}

/// The IRI we federate for "all rights reserved". No vocabulary defines
/// one, so we use the stable page that explains the notice; every peerpress
/// reads it back as the catalogue's `all-rights-reserved`, and other servers
/// get a link a reader can follow.
pub const ALL_RIGHTS_RESERVED_URL: &str = "https://en.wikipedia.org/wiki/All_rights_reserved";

pub const CATALOGUE: &[Licence] = &[
    Licence {
        key: "CC0-1.0",
        name: "CC0 1.0 Universal",
        url: Some("https://creativecommons.org/publicdomain/zero/1.0/"),
        spdx: true,
        open: true,
    },
    Licence {
        key: "CC-BY-4.0",
        name: "Creative Commons Attribution 4.0",
        url: Some("https://creativecommons.org/licenses/by/4.0/"),
        spdx: true,
        open: true,
    },
    Licence {
        key: "CC-BY-SA-4.0",
        name: "Creative Commons Attribution-ShareAlike 4.0",
        url: Some("https://creativecommons.org/licenses/by-sa/4.0/"),
        spdx: true,
        open: true,
    },
    Licence {
        key: "CC-BY-NC-SA-4.0",
        name: "Creative Commons Attribution-NonCommercial-ShareAlike 4.0",
        url: Some("https://creativecommons.org/licenses/by-nc-sa/4.0/"),
        spdx: true,
        open: true,
    },
    Licence {
        key: "GPL-3.0-or-later",
        name: "GNU General Public License v3.0 or later",
        url: Some("https://www.gnu.org/licenses/gpl-3.0.html"),
        spdx: true,
        open: true,
    },
    Licence {
        key: "peer-production",
        name: "Peer Production License",
        url: Some("https://wiki.p2pfoundation.net/Peer_Production_License"),
        spdx: false,
        open: true,
    },
    Licence {
        key: "all-rights-reserved",
        name: "All rights reserved",
        url: Some(ALL_RIGHTS_RESERVED_URL),
        spdx: false,
        open: false,
    },
];

/// The licence of a community that has not chosen one.
pub const DEFAULT: &str = "CC-BY-SA-4.0";

pub fn find(key: &str) -> Option<&'static Licence> {
    CATALOGUE.iter().find(|l| l.key.eq_ignore_ascii_case(key))
}

pub fn keys() -> String {
    CATALOGUE
        .iter()
        .map(|l| l.key)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A licence named by its key or by its URL (as received from other
/// servers: `http`/`https`, with or without a trailing slash, `legalcode` or
/// a `deed.xx` page).
pub fn from_key_or_url(s: &str) -> Option<&'static Licence> {
    find(s).or_else(|| {
        let norm = |u: &str| {
            let u = u
                .trim()
                .trim_start_matches("https://")
                .trim_start_matches("http://");
            let u = u.split(['?', '#']).next().unwrap_or(u);
            let u = match u.rfind("/legalcode").or_else(|| u.rfind("/deed.")) {
                Some(i) => &u[..i],
                None => u,
            };
            u.trim_end_matches('/').to_ascii_lowercase()
        };
        let wanted = norm(s);
        CATALOGUE
            .iter()
            .find(|l| l.url.is_some_and(|u| norm(u) == wanted))
    })
}

/// May an article under this licence (key or URL) be shown in full here,
/// with attribution? Known open licences and any Creative Commons licence
/// yes; all rights reserved, no licence or an unknown one: no (title,
/// summary and a link only).
pub fn allows_republishing(licence: Option<&str>) -> bool {
    let Some(s) = licence else {
        return false;
    };
    match from_key_or_url(s) {
        Some(l) => l.open,
        None => {
            let s = s.trim().to_ascii_lowercase();
            s.starts_with("https://creativecommons.org/licenses/")
                || s.starts_with("http://creativecommons.org/licenses/")
                || s.starts_with("https://creativecommons.org/publicdomain/")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licences_are_found_by_key_or_any_form_of_their_url() {
        assert_eq!(
            from_key_or_url("cc-by-4.0").map(|l| l.key),
            Some("CC-BY-4.0")
        );
        for u in [
            "https://creativecommons.org/licenses/by-sa/4.0/",
            "http://creativecommons.org/licenses/by-sa/4.0",
            "https://creativecommons.org/licenses/by-sa/4.0/legalcode",
            "https://creativecommons.org/licenses/by-sa/4.0/deed.de",
        ] {
            assert_eq!(
                from_key_or_url(u).map(|l| l.key),
                Some("CC-BY-SA-4.0"),
                "{u}"
            );
        }
        assert!(from_key_or_url("https://example.com/licence").is_none());
        assert_eq!(
            from_key_or_url(ALL_RIGHTS_RESERVED_URL).map(|l| l.key),
            Some("all-rights-reserved")
        );
    }

    #[test]
    fn only_open_licences_allow_republishing() {
        assert!(allows_republishing(Some(
            "https://creativecommons.org/licenses/by/4.0/"
        )));
        assert!(allows_republishing(Some(
            "https://creativecommons.org/licenses/by-nd/4.0/"
        )));
        assert!(allows_republishing(Some("GPL-3.0-or-later")));
        assert!(!allows_republishing(Some("all-rights-reserved")));
        assert!(!allows_republishing(Some(ALL_RIGHTS_RESERVED_URL)));
        assert!(!allows_republishing(Some("https://example.com/terms")));
        assert!(!allows_republishing(None));
    }
}
