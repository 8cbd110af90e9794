//! The retry schedule: exponential with jitter, over more than three days.
//! Pure: the tests pin it down.

use chrono::Duration;

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: u32 = 16;

/// The wait before attempt `attempts + 1`, or `None` when it is time to give
/// up. `seed` (0..1000) spreads retries of many deliveries apart.
pub fn delay(attempts: u32, seed: u32) -> Option<Duration> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    // 30 s, 1 min, 2 min … doubling, capped at 12 h: 16 attempts span ~4 days.
    let base = 30i64 * (1i64 << attempts.min(20));
    let capped = base.min(12 * 3600);
    let jitter = capped * i64::from(seed % 1000) / 4000; // up to +25 %
    Some(Duration::seconds(capped + jitter))
}

/// A cheap per-call jitter seed.
pub fn jitter_seed() -> u32 {
    let mut b = [0u8; 4];
    let _ = aws_lc_rs::rand::fill(&mut b);
    u32::from_le_bytes(b) % 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_and_stops() {
        assert_eq!(delay(0, 0), Some(Duration::seconds(30)));
        assert_eq!(delay(1, 0), Some(Duration::seconds(60)));
        assert!(delay(3, 999).unwrap() > delay(3, 0).unwrap());
        assert_eq!(delay(MAX_ATTEMPTS, 0), None);
        let total: i64 = (0..MAX_ATTEMPTS)
            .map(|a| delay(a, 0).unwrap().num_seconds())
            .sum();
        assert!(total > 3 * 24 * 3600, "retries span only {total} s");
    }
}
