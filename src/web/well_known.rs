//! WebFinger, host-meta and NodeInfo.

use crate::domain::actors::{find_local, instance_actor};
use crate::error::{AppError, AppResult};
use crate::federation::Data;
use axum::Router;
use axum::extract::Query;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use entity::{actor, article};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Router {
    Router::new()
        .route("/.well-known/webfinger", get(webfinger))
        .route("/.well-known/host-meta", get(host_meta))
        .route("/.well-known/nodeinfo", get(nodeinfo_links))
        .route("/nodeinfo/2.0", get(nodeinfo_20))
        .route("/nodeinfo/2.1", get(nodeinfo_21))
}

#[derive(Deserialize)]
pub struct WebfingerQuery {
    resource: Option<String>,
}

fn json_with_type(body: serde_json::Value, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ],
        body.to_string(),
    )
        .into_response()
}

/// `acct:name@domain` (the domain with or without port: Mastodon drops the
/// port when it rebuilds the handle) or an actor URL.
pub async fn webfinger(data: Data, Query(q): Query<WebfingerQuery>) -> AppResult<Response> {
    let resource = q.resource.ok_or_else(|| {
        AppError::BadRequest(
            "the `resource` parameter is required, e.g. acct:commons@example.org".into(),
        )
    })?;
    let domain = data.settings.server.domain.clone();
    let actor = if let Some(acct) = resource.strip_prefix("acct:") {
        let (name, host) = acct
            .trim_start_matches('@')
            .rsplit_once('@')
            .ok_or_else(|| AppError::BadRequest(format!("`{resource}` is not acct:name@host")))?;
        if !host.eq_ignore_ascii_case(&domain) && !host.eq_ignore_ascii_case(data.settings.host()) {
            return Err(AppError::NotFound(format!(
                "{host} is not this server ({domain})"
            )));
        }
        let name = name.to_lowercase();
        if name == domain || name == data.settings.host() {
            instance_actor(&data).await?
        } else {
            find_local(&data.db, &name).await?.ok_or_else(|| {
                AppError::NotFound(format!("no community or person named `{name}` here"))
            })?
        }
    } else if resource.starts_with("http://") || resource.starts_with("https://") {
        actor::Entity::find()
            .filter(actor::Column::ApId.eq(resource.as_str()))
            .filter(actor::Column::Local.eq(true))
            .one(&data.db)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no actor {resource} here")))?
    } else {
        return Err(AppError::BadRequest(format!(
            "unsupported resource `{resource}`: use acct:name@host or an actor URL"
        )));
    };
    let body = json!({
        "subject": format!("acct:{}@{}", actor.username, domain),
        "aliases": [actor.ap_id],
        "links": [
            {"rel": "self", "type": "application/activity+json", "href": actor.ap_id},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": actor.ap_id},
        ]
    });
    Ok(json_with_type(body, "application/jrd+json"))
}

pub async fn host_meta(data: Data) -> Response {
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">
  <Link rel="lrdd" template="{}/.well-known/webfinger?resource={{uri}}"/>
</XRD>
"#,
        data.base_url()
    );
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xrd+xml; charset=utf-8"),
        )],
        xml,
    )
        .into_response()
}

pub async fn nodeinfo_links(data: Data) -> Response {
    json_with_type(
        json!({"links": [
            {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": data.url("/nodeinfo/2.0")},
            {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": data.url("/nodeinfo/2.1")},
        ]}),
        "application/json",
    )
}

async fn nodeinfo(data: &Data, version: &str) -> AppResult<serde_json::Value> {
    let users = actor::Entity::find()
        .filter(actor::Column::Local.eq(true))
        .filter(actor::Column::Kind.eq("person"))
        .count(&data.db)
        .await?;
    let posts = article::Entity::find()
        .filter(article::Column::Local.eq(true))
        .filter(article::Column::Draft.eq(false))
        .filter(article::Column::DeletedAt.is_null())
        .count(&data.db)
        .await?;
    let mut software = json!({"name": "peerpress", "version": env!("CARGO_PKG_VERSION")});
    if version == "2.1"
        && let Some(o) = software.as_object_mut()
    {
        let source = &data.settings.server.source_url;
        if !source.is_empty() {
            o.insert("repository".into(), json!(source));
        }
        o.insert("homepage".into(), json!(data.url("/source")));
    }
    Ok(json!({
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": false,
        "usage": {"users": {"total": users, "activeHalfyear": users, "activeMonth": users}, "localPosts": posts},
        "metadata": {"nodeName": data.settings.server.domain},
    }))
}

pub async fn nodeinfo_20(data: Data) -> AppResult<Response> {
    Ok(json_with_type(
        nodeinfo(&data, "2.0").await?,
        "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.0#\"",
    ))
}

pub async fn nodeinfo_21(data: Data) -> AppResult<Response> {
    Ok(json_with_type(
        nodeinfo(&data, "2.1").await?,
        "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"",
    ))
}
