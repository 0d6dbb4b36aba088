//! The `trainyard` command: serve (the default) and maintenance subcommands.

use std::{
    io::{BufRead, IsTerminal},
    process::ExitCode,
};

use clap::{Parser, Subcommand};

use super::serve::serve;
use crate::{
    domain::access::{Principal, Role},
    features::{auth::service, history::service as history},
    platform::{
        clock::clock_of,
        db::Db,
        github::GitHub,
        settings::{Settings, parse_repository},
        state::AppState,
    },
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
    /// Bring a project's release history in; running it again changes nothing.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Every release and tag of a GitHub repository (TRAINYARD_GITHUB_TOKEN; GitHub Enterprise
    /// through TRAINYARD_GITHUB_API_URL).
    Github {
        /// owner/name
        repository: String,
        /// Print what would change, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// An endoflife.date product file, as its API v1 answers /api/v1/products/{product}.
    Endoflife {
        file: std::path::PathBuf,
        /// Print what would change, and change nothing.
        #[arg(long)]
        dry_run: bool,
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
            Command::Import { command } => import(settings, command).await,
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
    let clock = clock_of(settings.pinned_now);
    let state = AppState::new(db.clone(), settings, clock);
    let result = service::create_user(&state, &Principal::System("command line"), name, role, password, false).await;
    db.close().await;
    result.map_err(|e| e.to_string())?;
    tracing::info!(name, role = role.label(), "user added");
    Ok(())
}

async fn train_tick(settings: Settings) -> Result<(), String> {
    let db = Db::open(&settings.database_url).await.map_err(|e| e.to_string())?;
    let clock = clock_of(settings.pinned_now);
    let state = AppState::new(db.clone(), settings, clock);
    let done = super::worker::tick(&state).await;
    db.close().await;
    done.map_err(|e| e.to_string())?;
    tracing::info!("train tick done");
    Ok(())
}

async fn import(mut settings: Settings, command: ImportCommand) -> Result<(), String> {
    let json = match &command {
        ImportCommand::Endoflife { file, .. } => {
            Some(std::fs::read(file).map_err(|e| format!("could not read {}: {e}", file.display()))?)
        }
        ImportCommand::Github { repository, .. } => {
            let repo = parse_repository(repository)
                .ok_or_else(|| format!("“{repository}” is not a repository: write it owner/name"))?;
            if settings.github.token.is_none() {
                return Err("set TRAINYARD_GITHUB_TOKEN to a token that can read the repository".into());
            }
            settings.github.repo = Some(repo);
            None
        }
    };
    let github = GitHub::new(&settings.github, settings.github_timeouts)?;
    let db = Db::open(&settings.database_url).await.map_err(|e| e.to_string())?;
    let clock = clock_of(settings.pinned_now);
    let state = AppState::new(db.clone(), settings, clock);
    let actor = Principal::System("import");
    let outcome = match (command, json) {
        (ImportCommand::Github { dry_run, .. }, _) => {
            history::import_github(&state, &actor, &github, dry_run).await.map_err(|e| e.to_string())
        }
        (ImportCommand::Endoflife { file, dry_run }, Some(json)) => {
            history::import_endoflife(&state, &actor, &json, dry_run).await.map_err(|e| match e {
                history::FileImportError::File(wrong) => format!("{} is wrong at {wrong}", file.display()),
                other => other.to_string(),
            })
        }
        (ImportCommand::Endoflife { .. }, None) => unreachable!("the file was read above"),
    };
    db.close().await;
    print!("{}", report(&outcome?));
    Ok(())
}

/// What an import did, one line per change and per thing left out, then the totals.
fn report(outcome: &history::Outcome) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let verb = if outcome.dry_run { "would add" } else { "added" };
    for r in &outcome.added {
        let commit = r.commit.as_deref().map(|c| format!(" at {}", &c[..12.min(c.len())])).unwrap_or_default();
        let _ = writeln!(out, "{verb} {} released {}{commit}", r.version, r.date);
    }
    let verb = if outcome.dry_run { "would set" } else { "set" };
    for (line, end) in &outcome.ends {
        let _ = writeln!(out, "{verb} {line}'s end of life to {} ({})", end.date, end.note);
    }
    for s in &outcome.skipped {
        let _ = writeln!(out, "skipped {}: {}", s.what, s.why);
    }
    let _ = writeln!(
        out,
        "{} releases and {} ends of life {}, {} skipped, {} recorded already{}",
        outcome.added.len(),
        outcome.ends.len(),
        if outcome.dry_run { "to record" } else { "recorded" },
        outcome.skipped.len(),
        outcome.unchanged,
        if outcome.dry_run { " (dry run: nothing changed)" } else { "" },
    );
    out
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
