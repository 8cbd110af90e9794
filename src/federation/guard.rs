//! The federation crate's view of our blocklist.

use crate::config::Settings;
use activitypub_federation::config::UrlVerifier;
use url::Url;

/// Refuses URLs on blocked domains (for the federation crate's fetches).
#[derive(Clone)]
pub struct BlockedDomains(pub Settings);

#[async_trait::async_trait]
impl UrlVerifier for BlockedDomains {
    async fn verify(&self, url: &Url) -> Result<(), activitypub_federation::error::Error> {
        if self.0.is_blocked_url(url) {
            return Err(activitypub_federation::error::Error::UrlVerificationError(
                "domain is blocked",
            ));
        }
        Ok(())
    }
}
