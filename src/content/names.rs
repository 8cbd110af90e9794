//! Names of local communities and people: one namespace per instance.

use std::fmt;

/// A valid local name: 1–64 of `a-z 0-9 _`, starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalName(String);

impl LocalName {
    pub fn parse(raw: &str) -> Result<LocalName, String> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !raw.starts_with('_');
        if ok {
            Ok(LocalName(raw.to_string()))
        } else {
            Err(format!(
                "`{raw}` is not a valid name: use 1 to 64 lowercase letters, digits or _, not starting with _"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LocalName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn names() {
        assert!(LocalName::parse("commons").is_ok());
        assert!(LocalName::parse("a_1").is_ok());
        assert!(LocalName::parse("").is_err());
        assert!(LocalName::parse("Caps").is_err());
        assert!(LocalName::parse("_x").is_err());
        assert!(LocalName::parse("a/b").is_err());
    }
}
