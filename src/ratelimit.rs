//! Request rates: in-memory token buckets per key (client address, remote
//! host), per process.

use crate::error::AppError;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Token buckets: `per_minute` requests per key, refilled continuously.
#[derive(Default)]
pub struct RateLimiter(Mutex<HashMap<String, (f64, Instant)>>);

impl RateLimiter {
    /// Take one token for `key`; on refusal, the seconds until one is free.
    pub fn check(&self, key: &str, per_minute: u32) -> Result<(), u64> {
        if per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(per_minute);
        let rate = capacity / 60.0;
        let now = Instant::now();
        let Ok(mut map) = self.0.lock() else {
            return Ok(());
        };
        if map.len() > 100_000 {
            map.retain(|_, (_, at)| now.duration_since(*at).as_secs() < 120);
        }
        let (tokens, at) = map.entry(key.to_string()).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / rate).ceil().max(1.0) as u64)
        }
    }
}

/// Too many requests: 429 with Retry-After.
pub fn too_many(what: &str, retry_after: u64) -> AppError {
    AppError::TooManyRequests(
        format!("too many requests from {what}; retry in {retry_after} s"),
        retry_after,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets() {
        let r = RateLimiter::default();
        for _ in 0..3 {
            assert!(r.check("a", 3).is_ok());
        }
        assert!(r.check("a", 3).is_err());
        assert!(r.check("b", 3).is_ok());
    }
}
