//! Request bodies: [`Body<T>`] reads `application/json` into a serde DTO and
//! answers 422 listing every wrong field at once: unknown fields, fields of
//! the wrong type (serde's own words), and what the DTO's [`Input::check`]
//! finds (required fields, lengths, known values).

use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::de::{self, DeserializeOwned, Visitor};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Field name → what is wrong with it.
pub type Problems = BTreeMap<String, String>;

/// A request body. Every field of the DTO has a default
/// (`#[serde(default)]`) so that each one can be judged on its own;
/// `check` names the required ones that are missing.
pub trait Input: DeserializeOwned + Default {
    /// Problems serde cannot see. A field already found wrong keeps its
    /// first message.
    fn check(&self, _problems: &mut Problems) {}
}

/// A JSON request body decoded into `T`, or a 415/400/413/422 that says what
/// is wrong.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: Input> FromRequest<S> for Body<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|ct| ct.split(';').next())
            .is_some_and(|ct| ct.trim().eq_ignore_ascii_case("application/json"));
        let delete = req.method() == axum::http::Method::DELETE;
        // Over the body limit: axum's own 413.
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        // A DELETE may come without a body: all its fields are optional.
        if delete && bytes.is_empty() {
            return decode(b"{}").map(Body).map_err(IntoResponse::into_response);
        }
        if !json {
            return Err(
                AppError::UnsupportedMediaType("send the body as application/json".into())
                    .into_response(),
            );
        }
        decode(&bytes)
            .map(Body)
            .map_err(IntoResponse::into_response)
    }
}

/// `bytes` as a `T`, judged field by field.
pub fn decode<T: Input>(bytes: &[u8]) -> Result<T, AppError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| AppError::BadRequest(format!("body is not valid JSON: {e}")))?;
    let Value::Object(mut object) = value else {
        return Err(AppError::BadRequest(
            "the body must be a JSON object".into(),
        ));
    };
    let mut problems = Problems::new();
    let fields = field_names::<T>();
    object.retain(|key, value| {
        if !fields.contains(&key.as_str()) {
            problems.insert(
                key.clone(),
                format!("unknown field; fields are: {}", fields.join(", ")),
            );
            return false;
        }
        let alone = Value::Object(Map::from_iter([(key.clone(), value.clone())]));
        match serde_json::from_value::<T>(alone) {
            Ok(_) => true,
            Err(e) => {
                problems.insert(key.clone(), e.to_string());
                false
            }
        }
    });
    // What is left is well-typed field by field.
    let input: T = serde_json::from_value(Value::Object(object))
        .map_err(|e| AppError::unprocessable("body", e.to_string()))?;
    let mut more = Problems::new();
    input.check(&mut more);
    for (field, why) in more {
        problems.entry(field).or_insert(why);
    }
    if problems.is_empty() {
        Ok(input)
    } else {
        Err(AppError::Unprocessable(problems))
    }
}

/// The field names of a struct `T`, as serde sees them.
fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut names: &'static [&'static str] = &[];
    let _ = T::deserialize(Probe(&mut names));
    names
}

/// A deserializer that only records the fields a struct asks for.
struct Probe<'a>(&'a mut &'static [&'static str]);

impl<'de> de::Deserializer<'de> for Probe<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("only structs are probed"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = fields;
        Err(de::Error::custom("probed"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

/// A required text field: present and not blank.
pub fn require(problems: &mut Problems, field: &str, value: &Option<String>, what: &str) {
    if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
        problems
            .entry(field.to_string())
            .or_insert_with(|| format!("required: {what}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default, serde::Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct Sample {
        name: Option<String>,
        count: Option<u32>,
        flag: Option<bool>,
    }

    impl Input for Sample {
        fn check(&self, problems: &mut Problems) {
            require(problems, "name", &self.name, "a name");
        }
    }

    #[test]
    fn every_wrong_field_is_named() {
        let Err(AppError::Unprocessable(p)) =
            decode::<Sample>(br#"{"count": "x", "flag": 3, "colour": "red"}"#)
        else {
            panic!("accepted");
        };
        assert_eq!(
            p.keys().map(String::as_str).collect::<Vec<_>>(),
            ["colour", "count", "flag", "name"]
        );
        assert!(p["count"].contains("expected u32"), "{p:?}");
        assert!(p["colour"].contains("name, count, flag"), "{p:?}");
        assert_eq!(p["name"], "required: a name");
    }

    #[test]
    fn a_good_body_decodes() {
        let s = decode::<Sample>(br#"{"name": "x", "count": 2}"#).unwrap();
        assert_eq!(
            (s.name.as_deref(), s.count, s.flag),
            (Some("x"), Some(2), None)
        );
        assert!(matches!(
            decode::<Sample>(b"[1]"),
            Err(AppError::BadRequest(_))
        ));
        assert!(matches!(
            decode::<Sample>(b"{"),
            Err(AppError::BadRequest(_))
        ));
    }
}
