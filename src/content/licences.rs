//! The licence catalogue of DESIGN.md. Federated as a URL under
//! `schema:license`, with the SPDX id where one exists.

pub struct Licence {
    /// What the API accepts and stores: the SPDX id, or our own key.
    pub key: &'static str,
    pub name: &'static str,
    pub url: Option<&'static str>,
    pub spdx: bool,
}

pub const CATALOGUE: &[Licence] = &[
    Licence {
        key: "CC0-1.0",
        name: "CC0 1.0 Universal",
        url: Some("https://creativecommons.org/publicdomain/zero/1.0/"),
        spdx: true,
    },
    Licence {
        key: "CC-BY-4.0",
        name: "Creative Commons Attribution 4.0",
        url: Some("https://creativecommons.org/licenses/by/4.0/"),
        spdx: true,
    },
    Licence {
        key: "CC-BY-SA-4.0",
        name: "Creative Commons Attribution-ShareAlike 4.0",
        url: Some("https://creativecommons.org/licenses/by-sa/4.0/"),
        spdx: true,
    },
    Licence {
        key: "CC-BY-NC-SA-4.0",
        name: "Creative Commons Attribution-NonCommercial-ShareAlike 4.0",
        url: Some("https://creativecommons.org/licenses/by-nc-sa/4.0/"),
        spdx: true,
    },
    Licence {
        key: "GPL-3.0-or-later",
        name: "GNU General Public License v3.0 or later",
        url: Some("https://www.gnu.org/licenses/gpl-3.0.html"),
        spdx: true,
    },
    Licence {
        key: "peer-production",
        name: "Peer Production License",
        url: Some("https://wiki.p2pfoundation.net/Peer_Production_License"),
        spdx: false,
    },
    Licence {
        key: "all-rights-reserved",
        name: "All rights reserved",
        url: None,
        spdx: false,
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
