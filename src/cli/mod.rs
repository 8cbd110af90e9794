//! The command line: one clap enum, a function per command; command groups
//! of their own live in the files beside this one.

pub mod backup;
pub mod doctor;

use crate::config::Settings;
use crate::domain::actors::{LocalKind, create_local, find_local, set_role};
use crate::domain::names::LocalName;
use anyhow::{Context, anyhow};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "peerpress",
    version,
    about = "Federated ActivityPub publishing for commons communities"
)]
pub struct Cli {
    /// Configuration file (TOML) layered over the built-in defaults.
    #[arg(long, global = true, env = "PEERPRESS_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve HTTP and run delivery workers (the default).
    Serve,
    /// Run delivery workers only, no HTTP (scale delivery out on other machines).
    Worker,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage communities.
    Community {
        #[command(subcommand)]
        command: CommunityCommand,
    },
    /// Manage local people.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Inspect and nudge the delivery outbox.
    Deliveries {
        #[command(subcommand)]
        command: DeliveriesCommand,
    },
    /// Check the configuration, database, clock, keys, media folder and (in
    /// production) the public https address; each finding says how to fix it.
    Doctor,
    /// Write a consistent copy of the database (SQLite, while serving) and
    /// the media into FILE (a tar archive, gzip when FILE ends in .gz);
    /// for PostgreSQL, print the pg_dump command.
    Backup { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum DeliveriesCommand {
    /// Counts by state and by host, with parked hosts.
    Status {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Unpark HOST (host[:port]) and make its pending deliveries due now.
    Retry { host: String },
}

#[derive(Debug, Subcommand)]
pub enum CommunityCommand {
    /// Create a community.
    Create {
        /// Lowercase letters, digits and _; shares a namespace with people.
        name: String,
        /// Display title (defaults to the name).
        #[arg(long)]
        title: Option<String>,
        /// A local person to make its steward.
        #[arg(long)]
        steward: Option<String>,
    },
    /// Change a community's title, summary, charter, licence or comment
    /// policy (as the operator's admin account); its followers get
    /// Update{Group}, and the change is in the moderation log.
    Set {
        name: String,
        #[arg(long)]
        title: Option<String>,
        /// Plain text; an empty string clears it.
        #[arg(long)]
        summary: Option<String>,
        /// A Markdown file holding the charter.
        #[arg(long)]
        charter_file: Option<std::path::PathBuf>,
        /// The default licence of new articles (e.g. CC-BY-SA-4.0).
        #[arg(long)]
        licence: Option<String>,
        /// open, held or followers.
        #[arg(long)]
        comment_policy: Option<String>,
        /// Articles by authors wait for an editor's review.
        #[arg(long)]
        review_required: Option<bool>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a local person.
    Create {
        name: String,
        /// Give the person a role in this community…
        #[arg(long, requires = "role")]
        community: Option<String>,
        /// …namely: steward, editor, moderator, author or member.
        #[arg(long, requires = "community")]
        role: Option<String>,
        /// Make the person an instance admin (admin API and commands).
        #[arg(long)]
        admin: bool,
    },
    /// Set a person's password for signing in from a browser: read from
    /// stdin when it is not a terminal (one line), asked twice otherwise.
    /// Their other sessions end.
    Password { name: String },
    /// Print a new one-time sign-in link (valid 24 hours) where the person
    /// chooses a password: the first sign-in, or a forgotten password.
    LoginLink { name: String },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a local person; prints the token alone.
    Create { user: String },
}

/// The settings: defaults ← `--config` ← environment.
pub fn load_settings(cli: &Cli) -> anyhow::Result<Settings> {
    Ok(Settings::load(cli.config.as_deref(), std::env::vars())?)
}

pub async fn run(cli: Cli, settings: Settings) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings, true).await,
        Command::Worker => worker(settings).await,
        Command::Migrate => {
            let db = crate::db::connect(&settings.database.url, 2).await?;
            crate::db::migrate(&db).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Community {
            command:
                CommunityCommand::Create {
                    name,
                    title,
                    steward,
                },
        } => {
            let opened = crate::app::open(settings).await?;
            let ctx = opened.ctx;
            let name = LocalName::parse(&name).map_err(|e| anyhow!("{e}"))?;
            let community = create_local(&ctx, &ctx.db, LocalKind::Community, &name, title).await?;
            if let Some(s) = steward {
                let person = find_local(&ctx.db, &s)
                    .await?
                    .filter(|p| p.kind == "person")
                    .ok_or_else(|| {
                        anyhow!(
                            "no person named `{s}`; create one with `peerpress user create {s}`"
                        )
                    })?;
                set_role(&ctx.db, &community, &person, "steward").await?;
            }
            println!("created community {}", community.ap_id);
            Ok(())
        }
        Command::Community {
            command:
                CommunityCommand::Set {
                    name,
                    title,
                    summary,
                    charter_file,
                    licence,
                    comment_policy,
                    review_required,
                },
        } => {
            let charter =
                match charter_file {
                    Some(path) => Some(std::fs::read_to_string(&path).with_context(|| {
                        format!("cannot read the charter file {}", path.display())
                    })?),
                    None => None,
                };
            let opened = crate::app::open(settings).await?;
            let ctx = opened.ctx;
            let community = find_local(&ctx.db, &name)
                .await?
                .filter(|p| p.kind == "group")
                .ok_or_else(|| {
                    anyhow!("no community named `{name}`; see `peerpress community create`")
                })?;
            let operator = find_local(&ctx.db, &ctx.settings.admin.username)
                .await?
                .filter(|p| p.admin)
                .ok_or_else(|| {
                    anyhow!(
                        "the operator account `{}` (admin.username) is missing or not an instance admin",
                        ctx.settings.admin.username
                    )
                })?;
            let changes = crate::domain::governance::settings::CommunityChanges {
                title,
                summary: summary.map(|s| Some(s).filter(|s| !s.trim().is_empty())),
                charter: charter.map(Some),
                default_licence: licence,
                comment_policy,
                review_required,
                ..Default::default()
            };
            match crate::domain::governance::settings::update_community(
                &ctx, &community, &operator, changes,
            )
            .await
            {
                Ok(saved) => {
                    println!(
                        "updated community {} ({})",
                        saved.ap_id,
                        saved.display_name.as_deref().unwrap_or(&saved.username)
                    );
                    Ok(())
                }
                Err(crate::error::AppError::Unprocessable(fields)) => Err(anyhow!(
                    "nothing changed: {}",
                    fields
                        .iter()
                        .map(|(f, why)| match f.as_str() {
                            "body" => why.clone(),
                            "default_licence" => format!("--licence: {why}"),
                            f => format!("--{}: {why}", f.replace('_', "-")),
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
                Err(e) => Err(e.into()),
            }
        }
        Command::Deliveries { command } => deliveries(settings, command).await,
        Command::Doctor => doctor::run(&settings).await,
        Command::Backup { file } => backup::run(&settings, &file).await,
        Command::User {
            command:
                UserCommand::Create {
                    name,
                    community,
                    role,
                    admin,
                },
        } => {
            let opened = crate::app::open(settings).await?;
            let ctx = opened.ctx;
            let name = LocalName::parse(&name).map_err(|e| anyhow!("{e}"))?;
            let mut person = create_local(&ctx, &ctx.db, LocalKind::Person, &name, None).await?;
            if admin {
                person = crate::domain::actors::make_admin(&ctx.db, person).await?;
            }
            if let (Some(c), Some(r)) = (community, role) {
                let community = find_local(&ctx.db, &c)
                    .await?
                    .filter(|p| p.kind == "group")
                    .ok_or_else(|| anyhow!("no community named `{c}`"))?;
                set_role(&ctx.db, &community, &person, &r).await?;
            }
            println!("created person {}", person.ap_id);
            Ok(())
        }
        Command::User {
            command: UserCommand::Password { name },
        } => {
            let pw = read_password()?;
            if let Some(problem) = crate::domain::accounts::password_problem(&pw) {
                return Err(anyhow!("password not set: {problem}"));
            }
            let ctx = crate::app::open(settings).await?.ctx;
            let person = local_person(&ctx, &name).await?;
            crate::domain::accounts::set_password(&ctx.db, &person, &pw, None).await?;
            println!(
                "password set for {}; their other sessions ended",
                person.username
            );
            Ok(())
        }
        Command::User {
            command: UserCommand::LoginLink { name },
        } => {
            let ctx = crate::app::open(settings).await?.ctx;
            let person = local_person(&ctx, &name).await?;
            let token = crate::domain::accounts::create_login_link(&ctx.db, &person).await?;
            println!("{}", ctx.url(&format!("/login/once/{token}")));
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Create { user },
        } => {
            let opened = crate::app::open(settings).await?;
            let ctx = opened.ctx;
            let person = find_local(&ctx.db, &user)
                .await?
                .filter(|p| p.kind == "person")
                .ok_or_else(|| {
                    anyhow!(
                        "no person named `{user}`; create one with `peerpress user create {user}`"
                    )
                })?;
            let token = crate::domain::auth::create_token(&ctx.db, &person).await?;
            println!("{token}");
            Ok(())
        }
    }
}

/// A local person by name, or a message saying how to create one.
async fn local_person(
    ctx: &crate::context::AppContext,
    name: &str,
) -> anyhow::Result<entity::actor::Model> {
    find_local(&ctx.db, name)
        .await?
        .filter(|p| p.kind == "person")
        .ok_or_else(|| {
            anyhow!("no person named `{name}`; create one with `peerpress user create {name}`")
        })
}

/// A new password: one line of stdin when it is piped, else asked twice
/// on the terminal without echo.
fn read_password() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    if !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let pw = rpassword::prompt_password("New password: ")?;
    let again = rpassword::prompt_password("Once more: ")?;
    if pw != again {
        return Err(anyhow!("the two passwords differ; nothing changed"));
    }
    Ok(pw)
}

async fn serve(settings: Settings, with_workers: bool) -> anyhow::Result<()> {
    let bind = settings.server.bind;
    let opened = crate::app::open(settings).await?;
    let ctx = opened.ctx;
    let listener = tokio::net::TcpListener::bind(bind).await.with_context(|| {
        format!("cannot listen on {bind} (server.bind); is another process using it?")
    })?;
    let running = crate::app::start(ctx.clone(), listener, with_workers).await?;
    let s = &ctx.settings;
    if let Some(first) = opened.first_start {
        let token = first.token;
        println!(
            "First start: created the community `{}` and its steward `{}`.",
            s.community.name, s.admin.username
        );
        println!(
            "Sign in from a browser: open this one-time link within 24 hours and choose a password:"
        );
        println!("  {}", first.login_link);
        println!(
            "(a new link: `peerpress user login-link {}`)",
            s.admin.username
        );
        println!(
            "API token for {} (shown once; make more with `peerpress token create {}`):",
            s.admin.username, s.admin.username
        );
        println!("  {token}");
        println!(
            "Publish: curl -X POST -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' \\"
        );
        println!(
            "  -d '{{\"title\":\"Hello\",\"body\":\"First post\"}}' {}/api/v1/communities/{}/articles",
            ctx.base_url(),
            s.community.name
        );
    }
    println!(
        "peerpress serving {} on http://{} — follow @{}@{} from Mastodon",
        ctx.base_url(),
        running.addr,
        s.community.name,
        s.server.domain
    );
    let stopper = async {
        crate::app::shutdown_signal().await;
        tracing::info!("shutting down");
    };
    tokio::select! {
        _ = stopper => running.stop().await,
    }
    Ok(())
}

async fn worker(settings: Settings) -> anyhow::Result<()> {
    let opened = crate::app::open(settings).await?;
    let ctx = opened.ctx;
    let (tx, rx) = tokio::sync::watch::channel(false);
    let handle = tokio::spawn(crate::delivery::worker_loop(ctx, rx));
    println!("peerpress delivery worker running");
    crate::app::shutdown_signal().await;
    let _ = tx.send(true);
    let _ = handle.await;
    Ok(())
}

async fn deliveries(settings: Settings, command: DeliveriesCommand) -> anyhow::Result<()> {
    let db = crate::db::connect(&settings.database.url, 2).await?;
    crate::db::migrate(&db).await?;
    let ctx = crate::context::AppContext::new(db, settings)?;
    match command {
        DeliveriesCommand::Status { json } => {
            let s = crate::delivery::status::status(&ctx).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
                return Ok(());
            }
            println!(
                "pending {}  done {}  failed {}",
                s.pending, s.done, s.failed
            );
            if !s.hosts.is_empty() {
                println!(
                    "{:<40} {:>8} {:>8} {:>8}  health",
                    "host", "pending", "done", "failed"
                );
                for h in &s.hosts {
                    let health = if h.parked {
                        format!("PARKED after {} failure days", h.failure_days)
                    } else if h.failure_days > 0 {
                        format!("failing on {} day(s)", h.failure_days)
                    } else {
                        "ok".to_string()
                    };
                    println!(
                        "{:<40} {:>8} {:>8} {:>8}  {health}",
                        h.host, h.pending, h.done, h.failed
                    );
                }
            }
            Ok(())
        }
        DeliveriesCommand::Retry { host } => {
            let n = crate::delivery::health::retry_now(&ctx, host.trim()).await?;
            println!("{n} pending deliveries to {host} are due now");
            Ok(())
        }
    }
}
