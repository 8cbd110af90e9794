//! Signing by hand and raw POSTs, for the attack tests.

use peerpress::wire::signatures::GeneratedKeys;

use super::*;

/// A draft-cavage `Signature` header made by hand: `parts` are (header name
/// or `(request-target)`, value) in `headers=` order.
pub fn manual_sign(keys: &GeneratedKeys, key_id: &str, parts: &[(&str, String)]) -> String {
    let signing: Vec<String> = parts.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let names: Vec<&str> = parts.iter().map(|(k, _)| *k).collect();
    format!(
        "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{}\"",
        names.join(" "),
        rsa_sign(keys, &signing.join("\n"))
    )
}

/// RSA-SHA256 (PKCS#1 v1.5) of `text`, base64.
pub fn rsa_sign(keys: &GeneratedKeys, text: &str) -> String {
    let der = peerpress::wire::signatures::pem_to_der(&keys.private_pem).unwrap();
    let key = aws_lc_rs::rsa::KeyPair::from_pkcs8(&der).unwrap();
    let mut sig = vec![0u8; key.public_modulus_len()];
    key.sign(
        &aws_lc_rs::signature::RSA_PKCS1_SHA256,
        &aws_lc_rs::rand::SystemRandom::new(),
        text.as_bytes(),
        &mut sig,
    )
    .unwrap();
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, sig)
}

/// POST with exactly these headers.
pub async fn raw_post(url: &str, headers: &[(&str, String)], body: Vec<u8>) -> (u16, String) {
    let mut req = client().post(url);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let res = req.body(body).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}
