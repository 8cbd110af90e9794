//! The `peerpress` binary: parse the command line, read the settings, start
//! logging in the configured format, dispatch.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = peerpress::cli::Cli::parse();
    let settings = match peerpress::cli::load_settings(&cli) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("PEERPRESS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let logs = peerpress::app::log_subscriber(settings.log.format, filter, std::io::stderr);
    if let Err(e) = tracing::subscriber::set_global_default(logs) {
        eprintln!("error: cannot start logging: {e}");
        return std::process::ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(peerpress::cli::run(cli, settings)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
