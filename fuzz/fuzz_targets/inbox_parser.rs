//! Fuzz the inbox's parsing of untrusted bodies: JSON, shape bounds, the
//! activity envelope, embedded objects and their HTML sanitizing. Any
//! panic is a bug: bad input must come back as an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = peerpress::federation::inbox::parse_body(data);
});
