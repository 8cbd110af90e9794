//! The OpenAPI document, generated from the handlers' `#[utoipa::path]`
//! annotations and the DTOs' schemas. A route missing here fails
//! `openapi_describes_every_api_route`.

use super::*;
use std::collections::BTreeMap;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{Modify, OpenApi};

/// Every error: `{"error": "what is wrong"}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorOut {
    error: String,
}

/// An invalid body: every wrong field, with what is wrong with it.
#[derive(Serialize, ToSchema)]
pub struct InvalidOut {
    error: String,
    fields: BTreeMap<String, String>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "peerpress API",
        version = "1",
        description = "Publish articles and announcements, comment on them, moderate comments, follow other communities, re-share their articles, and watch deliveries. Authenticate with `Authorization: Bearer <token>` (`peerpress token create USER`). Errors are `{\"error\": \"…\"}`; invalid bodies are 422 `{\"error\", \"fields\": {field: problem}}`, every wrong field at once.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    servers((url = "/api/v1")),
    security(("bearer" = [])),
    paths(
        create_article, create_announcement, get_article, patch_article, delete_article,
        follow, followers, following, network, community_settings, patch_community, share,
        article_comments, post_comment, delete_comment, community_comments, moderate,
        moderation_log, inbox, deliveries_status, deliveries_retry,
        list_members, add_member, patch_member, remove_member, list_actor_blocks, block_actor,
        unblock_actor, community_reports, patch_user, create_report, resolve_report,
        instance_log, get_federation, put_federation, list_blocks, create_block, delete_block,
        export_blocks, import_blocks, list_allows, create_allow, delete_allow, instance_reports,
        upload_media, new_preview, delete_preview,
    ),
    components(schemas(ErrorOut, InvalidOut)),
    modifiers(&Bearer, &Licences),
)]
struct ApiDoc;

/// The document served at `/api/v1/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `Authorization: Bearer <token>`.
struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = doc.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some("A token from `peerpress token create USER`"))
                        .build(),
                ),
            );
        }
    }
}

/// The licences an article may take, from the catalogue the API checks.
struct Licences;

impl Modify for Licences {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let Some(RefOr::T(Schema::Object(input))) = doc
            .components
            .as_mut()
            .and_then(|c| c.schemas.get_mut("ArticleInput"))
        else {
            return;
        };
        if let Some(RefOr::T(Schema::Object(licence))) = input.properties.get_mut("licence") {
            licence.enum_values = Some(
                crate::content::licences::CATALOGUE
                    .iter()
                    .map(|l| serde_json::Value::from(l.key))
                    .collect(),
            );
        }
    }
}
