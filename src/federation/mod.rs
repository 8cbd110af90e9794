//! ActivityPub inbound and remote fetching: verifying and handling what
//! reaches our inboxes (`inbox`, `activities`), reading wire objects as
//! domain inputs (`convert`), our actors as the federation crate sees them
//! (`objects`), and fetching remote objects (`import`). The wire shapes,
//! outgoing builders and signatures are in `crate::wire`.

pub mod activities;
pub mod convert;
pub mod guard;
pub mod import;
pub mod inbox;
pub mod objects;

use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use activitypub_federation::config::FederationConfig;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::fetch::webfinger::webfinger_resolve_actor;
use objects::actor::ApubActor;

pub type Data = activitypub_federation::config::Data<AppContext>;

/// The federation crate's configuration for this instance: our domain, signed
/// fetches as the instance actor, and local-testing rules when insecure.
pub async fn config(ctx: &AppContext) -> anyhow::Result<FederationConfig<AppContext>> {
    let instance = crate::domain::actors::instance_actor(ctx)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let instance = ApubActor::new(instance)?;
    let insecure = ctx.settings.insecure();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .connect_timeout(std::time::Duration::from_secs(5))
        .user_agent(crate::context::user_agent(&ctx.settings))
        .dns_resolver(
            activitypub_federation::resolver::ValidatingDnsResolver::new(Vec::new(), !insecure),
        )
        .build()?;
    Ok(FederationConfig::builder()
        .domain(ctx.settings.server.domain.clone())
        .app_data(ctx.clone())
        .debug(insecure)
        .http_signature_compat(true)
        .client(client.into())
        .signed_fetch_actor(&instance)
        .url_verifier(Box::new(guard::BlockedDomains(ctx.settings.clone())))
        .build()
        .await?)
}

/// An actor named by a URL or by `name@host` (leading `@` allowed).
pub async fn resolve_actor(data: &Data, target: &str) -> AppResult<ApubActor> {
    let target = target.trim();
    if target.starts_with("http://") || target.starts_with("https://") {
        let url = url::Url::parse(target)
            .map_err(|e| AppError::unprocessable("target", format!("not a URL: {e}")))?;
        crate::wire::guard::check_outgoing(&data.settings, &url)
            .map_err(|e| AppError::unprocessable("target", e))?;
        return ObjectId::<ApubActor>::from(url).dereference(data).await;
    }
    let handle = target.trim_start_matches('@').to_lowercase();
    match handle.split_once('@') {
        Some((name, host))
            if !name.is_empty() && !host.is_empty() && !host.contains(['/', '@', '?', '#']) =>
        {
            Ok(webfinger_resolve_actor::<AppContext, ApubActor>(&handle, data).await?)
        }
        _ => Err(AppError::unprocessable(
            "target",
            "expected name@host or an actor URL (http:// or https://)",
        )),
    }
}
