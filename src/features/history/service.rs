//! Recording an imported history: only what is not recorded yet, all in one transaction, so
//! a failed import leaves nothing half done and a second run finds nothing to change.

use std::collections::BTreeSet;

use crate::{
    domain::{
        access::{Permission, Principal},
        catalog::ShippedRelease,
        history::{FileError, History, Skipped, from_endoflife, from_github},
        policy::EolOverride,
        version::{LineId, Version},
    },
    error::AppError,
    features::{
        audit::store::{Change, record},
        catalog::{
            service::{catalog, record_shipped_in},
            store::update_eol_override,
        },
    },
    platform::{github::GitHub, state::AppState},
};

/// What an import changed (or, in a dry run, would change).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub added: Vec<ShippedRelease>,
    pub ends: Vec<(LineId, EolOverride)>,
    pub skipped: Vec<Skipped>,
    /// Entries that were recorded already.
    pub unchanged: usize,
    pub dry_run: bool,
}

impl Outcome {
    pub fn changes(&self) -> usize {
        self.added.len() + self.ends.len()
    }
}

/// The versions recorded as released or publishing.
async fn known_versions(state: &AppState) -> Result<BTreeSet<Version>, AppError> {
    Ok(catalog(state).await?.releases.iter().filter_map(|r| r.version.clone()).collect())
}

/// Imports the releases and tags of the repository `github` reads.
pub async fn import_github(
    state: &AppState,
    actor: &Principal,
    github: &GitHub,
    dry_run: bool,
) -> Result<Outcome, AppError> {
    actor.require(Permission::Administer)?;
    let known = known_versions(state).await?;
    let entries = super::github::read_history(github, &known).await?;
    let total = entries.len();
    let history = from_github(entries, state.today(), &known);
    apply(state, actor, history, total, dry_run).await
}

/// Why an import of a file failed: the file itself, or recording what it holds.
#[derive(Debug, thiserror::Error)]
pub enum FileImportError {
    #[error("is wrong at {0}")]
    File(#[from] FileError),
    #[error(transparent)]
    App(#[from] AppError),
}

/// Imports an endoflife.date product file; a malformed one changes nothing and says where.
pub async fn import_endoflife(
    state: &AppState,
    actor: &Principal,
    json: &[u8],
    dry_run: bool,
) -> Result<Outcome, FileImportError> {
    actor.require(Permission::Administer).map_err(AppError::from)?;
    let known = known_versions(state).await?;
    let history = from_endoflife(json, state.today())?;
    let total = history.releases.len() + history.ends.len() + history.skipped.len();
    let history =
        History { releases: history.releases.into_iter().filter(|r| !known.contains(&r.version)).collect(), ..history };
    Ok(apply(state, actor, history, total, dry_run).await?)
}

async fn apply(
    state: &AppState,
    actor: &Principal,
    history: History,
    total: usize,
    dry_run: bool,
) -> Result<Outcome, AppError> {
    let catalog = catalog(state).await?;
    let mut skipped = history.skipped;
    let mut ends = Vec::new();
    for (line, end) in history.ends {
        match catalog.line(line).and_then(|l| l.eol_override.as_ref()) {
            Some(stored) if *stored == end => {}
            // A date a manager set by hand is theirs; only what this source set is updated.
            Some(stored) if stored.note != end.note => skipped.push(Skipped {
                what: format!("{line}'s end of life"),
                why: format!("set by hand to {} ({}): kept", stored.date, stored.note),
            }),
            _ => ends.push((line, end)),
        }
    }
    let mut outcome = Outcome {
        unchanged: total.saturating_sub(history.releases.len() + ends.len() + skipped.len()),
        added: history.releases,
        ends,
        skipped,
        dry_run,
    };
    if dry_run || outcome.changes() == 0 {
        return Ok(outcome);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    for release in &outcome.added {
        record_shipped_in(&mut tx, actor, release, now).await?;
    }
    let mut set = Vec::new();
    for (line, end) in outcome.ends.drain(..) {
        if !update_eol_override(&mut tx, line, Some(&end)).await? {
            outcome
                .skipped
                .push(Skipped { what: format!("{line}'s end of life"), why: "the line has no release".into() });
            continue;
        }
        let before = catalog.line(line).and_then(|l| l.eol_override.clone());
        let summary = format!("set {line}'s end of life to {}: {}", end.date, end.note);
        let change = Change::new("line.eol_override", "release_line", line, summary).before(&before).after(&end);
        record(&mut tx, actor, change, now).await?;
        set.push((line, end));
    }
    outcome.ends = set;
    tx.commit().await?;
    Ok(outcome)
}
