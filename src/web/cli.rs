//! The `trainyard` command: serve (the default) and maintenance subcommands.

use std::{
    io::{BufRead, IsTerminal},
    process::ExitCode,
    sync::Arc,
};

use clap::{Parser, Subcommand};

use super::serve::serve;
use crate::{
    domain::access::{Principal, Role},
    features::auth::service,
    platform::{clock::SystemClock, db::Db, settings::Settings, state::AppState},
};

#[derive(Parser)]
#[command(name = "trainyard", version, about = "Runs a project's release train")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app (the default).
    Serve,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Run the release train's automation.
    Train {
        #[command(subcommand)]
        command: TrainCommand,
    },
}

#[derive(Subcommand)]
enum TrainCommand {
    /// One step of the automation: weeklies, the monthly candidate, patch deadlines and candidates.
    Tick,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is prompted for, or read from stdin when it is not a terminal.
    Add {
        name: String,
        /// developer, release_manager or admin
        #[arg(long)]
        role: String,
    },
}

/// Parses the command line, starts logging and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(settings).await.map_err(|e| e.to_string()),
            Command::User { command: UserCommand::Add { name, role } } => add_user(settings, &name, &role).await,
            Command::Train { command: TrainCommand::Tick } => train_tick(settings).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn add_user(settings: Settings, name: &str, role: &str) -> Result<(), String> {
    let role =
        Role::parse(role).ok_or_else(|| format!("“{role}” is not a role: use developer, release_manager or admin"))?;
    let password = read_password()?;
    let db = Db::open(&settings.database_url).await.map_err(|e| e.to_string())?;
    let state = AppState::new(db.clone(), settings, Arc::new(SystemClock));
    let result = service::create_user(&state, &Principal::System("command line"), name, role, password, false).await;
    db.close().await;
    result.map_err(|e| e.to_string())?;
    tracing::info!(name, role = role.label(), "user added");
    Ok(())
}

async fn train_tick(settings: Settings) -> Result<(), String> {
    let db = Db::open(&settings.database_url).await.map_err(|e| e.to_string())?;
    let state = AppState::new(db.clone(), settings, Arc::new(SystemClock));
    let done = super::worker::tick(&state).await;
    db.close().await;
    done.map_err(|e| e.to_string())?;
    tracing::info!("train tick done");
    Ok(())
}

fn read_password() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the passwords differ".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

fn init_tracing() {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter =
        EnvFilter::try_from_env("TRAINYARD_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    fmt().with_env_filter(filter).with_target(false).with_writer(std::io::stderr).init();
}
