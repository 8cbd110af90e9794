//! Uploaded images, made safe to store and serve: the format is read from
//! the bytes (JPEG, PNG, WebP, GIF and nothing else), the size from the
//! header *before* anything is decoded (a 20,000 × 20,000 "bomb" of a few
//! kilobytes is refused without allocating its gigabytes, and the decoder
//! gets a memory ceiling too), the pixels are decoded, turned upright and
//! encoded again, which leaves every EXIF field (GPS position, camera,
//! time) and text chunk behind, and two sizes are made: one to show in a
//! page and a thumbnail. Pure: bytes in, bytes out.

use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{
    AnimationDecoder, DynamicImage, Frame, ImageDecoder, ImageEncoder, ImageFormat, ImageReader,
};
use std::io::Cursor;

/// The longest side of the size shown in pages.
pub const DISPLAY_MAX: u32 = 1920;
/// The longest side of a thumbnail.
pub const THUMBNAIL_MAX: u32 = 400;
/// The longest side accepted, whatever the pixel budget.
pub const SIDE_MAX: u32 = 16_384;
/// The most frames of an animated GIF.
pub const FRAMES_MAX: usize = 500;

/// What an upload may be.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_pixels: u64,
}

/// Why an upload is refused, in words for the person who sent it.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Over the byte limit (413).
    TooLarge(String),
    /// Not an image we take, too many pixels, or broken (422).
    Invalid(String),
}

/// One stored size of an image.
#[derive(Debug)]
pub struct Variant {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub mime: &'static str,
    pub ext: &'static str,
}

/// An upload, cleaned and in two sizes.
#[derive(Debug)]
pub struct Processed {
    pub display: Variant,
    pub thumbnail: Variant,
}

/// Check, decode, clean and resize an upload.
pub fn process(bytes: &[u8], limits: Limits) -> Result<Processed, Refusal> {
    if bytes.len() > limits.max_bytes {
        return Err(Refusal::TooLarge(format!(
            "the file has {} bytes; at most {} are accepted",
            bytes.len(),
            limits.max_bytes
        )));
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Refusal::Invalid(format!("the file could not be read: {e}")))?;
    let format = match reader.format() {
        Some(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif)) => {
            f
        }
        _ => {
            return Err(Refusal::Invalid(
                "not a JPEG, PNG, WebP or GIF image".into(),
            ));
        }
    };
    // The header alone, nothing decoded yet: the size is judged here, in
    // words, before any decoder sees its limits.
    let mut header = ImageReader::with_format(Cursor::new(bytes), format);
    header.no_limits();
    let (width, height) = header.into_dimensions().map_err(|e| refused(&e))?;
    check_size(width, height, limits)?;
    let mut reader = reader;
    reader.limits(decoder_limits(limits));
    let mut decoder = reader.into_decoder().map_err(|e| refused(&e))?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let icc = decoder.icc_profile().ok().flatten();
    if format == ImageFormat::Gif {
        drop(decoder);
        if let Some(animated) = animation(bytes, limits)? {
            return Ok(animated);
        }
        // A still GIF: kept as a PNG (no palette is lost, nothing to animate).
        let mut reader = ImageReader::with_format(Cursor::new(bytes), ImageFormat::Gif);
        reader.limits(decoder_limits(limits));
        let img = reader.decode().map_err(|e| refused(&e))?;
        return stills(&img, ImageFormat::Png, None);
    }
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| refused(&e))?;
    // EXIF goes, so its orientation must be applied to the pixels first.
    img.apply_orientation(orientation);
    stills(&img, format, icc)
}

fn decoder_limits(limits: Limits) -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(SIDE_MAX);
    l.max_image_height = Some(SIDE_MAX);
    // 16-bit RGBA is 8 bytes a pixel: the decoder may not take more.
    l.max_alloc = Some(limits.max_pixels.saturating_mul(8));
    l
}

fn check_size(width: u32, height: u32, limits: Limits) -> Result<(), Refusal> {
    let pixels = u64::from(width) * u64::from(height);
    if width == 0 || height == 0 {
        return Err(Refusal::Invalid("the image has no pixels".into()));
    }
    if width > SIDE_MAX || height > SIDE_MAX || pixels > limits.max_pixels {
        return Err(Refusal::Invalid(format!(
            "the image is {width} × {height} pixels; at most {} pixels in all and {SIDE_MAX} a side are accepted",
            limits.max_pixels
        )));
    }
    Ok(())
}

fn refused(e: &image::ImageError) -> Refusal {
    match e {
        image::ImageError::Limits(_) => Refusal::Invalid(format!(
            "the image needs more memory to decode than an upload may take ({e})"
        )),
        image::ImageError::Unsupported(_) => {
            Refusal::Invalid(format!("this kind of image is not supported: {e}"))
        }
        _ => Refusal::Invalid(format!("the image is damaged or incomplete: {e}")),
    }
}

/// A display size and a thumbnail of a still image, encoded in the format
/// it came in (WebP lossless, since that is what the encoder writes).
fn stills(
    img: &DynamicImage,
    format: ImageFormat,
    icc: Option<Vec<u8>>,
) -> Result<Processed, Refusal> {
    let display = fit(img, DISPLAY_MAX);
    let thumbnail = fit(&display, THUMBNAIL_MAX);
    Ok(Processed {
        display: encode(&display, format, icc.clone())?,
        thumbnail: encode(&thumbnail, format, icc)?,
    })
}

/// `img`, no larger than `max` on its longest side.
fn fit(img: &DynamicImage, max: u32) -> DynamicImage {
    if img.width() <= max && img.height() <= max {
        img.clone()
    } else if max <= THUMBNAIL_MAX {
        img.thumbnail(max, max)
    } else {
        img.resize(max, max, image::imageops::FilterType::CatmullRom)
    }
}

fn encode(
    img: &DynamicImage,
    format: ImageFormat,
    icc: Option<Vec<u8>>,
) -> Result<Variant, Refusal> {
    let mut out = Vec::new();
    let failed = |e: image::ImageError| {
        Refusal::Invalid(format!("the image could not be encoded again: {e}"))
    };
    let (mime, ext) = match format {
        ImageFormat::Jpeg => {
            let mut enc = JpegEncoder::new_with_quality(&mut out, 85);
            if let Some(p) = icc {
                let _ = enc.set_icc_profile(p);
            }
            match img {
                DynamicImage::ImageLuma8(_) => img.write_with_encoder(enc),
                _ => DynamicImage::ImageRgb8(img.to_rgb8()).write_with_encoder(enc),
            }
            .map_err(failed)?;
            ("image/jpeg", "jpg")
        }
        ImageFormat::WebP => {
            let mut enc = WebPEncoder::new_lossless(&mut out);
            if let Some(p) = icc {
                let _ = enc.set_icc_profile(p);
            }
            if img.color().has_alpha() {
                DynamicImage::ImageRgba8(img.to_rgba8()).write_with_encoder(enc)
            } else {
                DynamicImage::ImageRgb8(img.to_rgb8()).write_with_encoder(enc)
            }
            .map_err(failed)?;
            ("image/webp", "webp")
        }
        _ => {
            let mut enc = PngEncoder::new(&mut out);
            if let Some(p) = icc {
                let _ = enc.set_icc_profile(p);
            }
            img.write_with_encoder(enc).map_err(failed)?;
            ("image/png", "png")
        }
    };
    Ok(Variant {
        bytes: out,
        width: img.width(),
        height: img.height(),
        mime,
        ext,
    })
}

/// An animated GIF stays animated (each frame decoded within the pixel
/// budget, resized, and encoded again); its thumbnail is its first frame.
/// `None` for a GIF of one frame.
fn animation(bytes: &[u8], limits: Limits) -> Result<Option<Processed>, Refusal> {
    let mut decoder = GifDecoder::new(Cursor::new(bytes)).map_err(|e| refused(&e))?;
    decoder
        .set_limits(decoder_limits(limits))
        .map_err(|e| refused(&e))?;
    let (width, height) = decoder.dimensions();
    let per_frame = u64::from(width) * u64::from(height);
    let mut frames: Vec<Frame> = Vec::new();
    for frame in decoder.into_frames() {
        let frame = frame.map_err(|e| refused(&e))?;
        frames.push(frame);
        if frames.len() > FRAMES_MAX || per_frame * frames.len() as u64 > limits.max_pixels {
            return Err(Refusal::Invalid(format!(
                "the animation has too many frames for its size: at most {} pixels in all frames and {FRAMES_MAX} frames are accepted",
                limits.max_pixels
            )));
        }
    }
    if frames.len() < 2 {
        return Ok(None);
    }
    let Some(first) = frames
        .first()
        .map(|f| DynamicImage::ImageRgba8(f.buffer().clone()))
    else {
        return Ok(None);
    };
    let shown: Vec<Frame> = frames
        .into_iter()
        .map(|f| {
            let delay = f.delay();
            let buffer = fit(&DynamicImage::ImageRgba8(f.into_buffer()), DISPLAY_MAX).to_rgba8();
            Frame::from_parts(buffer, 0, 0, delay)
        })
        .collect();
    let (w, h) = shown
        .first()
        .map(|f| f.buffer().dimensions())
        .unwrap_or((width, height));
    let mut out = Vec::new();
    {
        let mut enc = GifEncoder::new_with_speed(&mut out, 10);
        enc.set_repeat(Repeat::Infinite)
            .and_then(|_| enc.encode_frames(shown))
            .map_err(|e| {
                Refusal::Invalid(format!("the animation could not be encoded again: {e}"))
            })?;
    }
    let thumbnail = encode(&fit(&first, THUMBNAIL_MAX), ImageFormat::Png, None)?;
    Ok(Some(Processed {
        display: Variant {
            bytes: out,
            width: w,
            height: h,
            mime: "image/gif",
            ext: "gif",
        },
        thumbnail,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_bytes: 1 << 20,
        max_pixels: 4_000_000,
    };

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 7])
        }));
        let mut out = Vec::new();
        img.write_with_encoder(PngEncoder::new(&mut out)).unwrap();
        out
    }

    #[test]
    fn two_sizes_in_the_same_format() {
        let p = process(&png(2400, 1200), LIMITS).unwrap();
        assert_eq!((p.display.width, p.display.height), (1920, 960));
        assert_eq!((p.thumbnail.width, p.thumbnail.height), (400, 200));
        assert_eq!(p.display.mime, "image/png");
        // A small one keeps its size.
        let p = process(&png(30, 20), LIMITS).unwrap();
        assert_eq!((p.display.width, p.thumbnail.width), (30, 30));
    }

    #[test]
    fn what_is_refused_says_why() {
        let too_big = process(
            &png(10, 10),
            Limits {
                max_bytes: 10,
                ..LIMITS
            },
        );
        assert!(matches!(too_big, Err(Refusal::TooLarge(_))), "{too_big:?}");
        let Err(Refusal::Invalid(why)) = process(&png(40, 40)[..100], LIMITS) else {
            panic!("a broken PNG was accepted")
        };
        assert!(why.contains("damaged"), "{why}");
        let Err(Refusal::Invalid(why)) = process(b"%PDF-1.7 hello", LIMITS) else {
            panic!("a PDF was accepted")
        };
        assert!(why.contains("JPEG, PNG, WebP or GIF"), "{why}");
        let Err(Refusal::Invalid(why)) = process(&png(2100, 2000), LIMITS) else {
            panic!("too many pixels were accepted")
        };
        assert!(why.contains("2100 × 2000"), "{why}");
    }
}
