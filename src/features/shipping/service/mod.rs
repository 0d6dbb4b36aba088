//! The use cases of a release's life that involve its fixes.

mod tick;
mod transitions;
mod view;

use chrono::{DateTime, Months, Utc};
pub use tick::{TickReport, TrainRun, run_train, run_train_now, tick};
pub use transitions::{
    add_out_of_band, approve_patch, cancel, mark_released, move_fix, move_release, reconcile, record_published,
    set_eol_override, ship_now,
};
pub use view::{flags_of, patch_queue, queue, release_control};

use crate::{
    domain::{
        access::Principal,
        catalog::{Release, ReleaseKind},
        plan::{Plan, Scheduled},
    },
    error::AppError,
    features::{
        audit::store::{Change, record},
        catalog::store::{NewRelease, ensure_release},
        patch_requests::store::{CarriedTarget, refresh_status, update_carrier},
    },
    platform::db::WriteTx,
};

/// How far ahead shipping looks for the slots fixes move to.
pub const AHEAD: Months = Months::new(8);

/// How people name a release in messages: its version, or its slot when it has none.
pub fn name_of(s: &Scheduled) -> String {
    s.version.as_ref().map(ToString::to_string).unwrap_or_else(|| s.slot.key())
}

/// The stored release in a planned slot, created (as planned) when it is only projected.
async fn stored(
    tx: &mut WriteTx,
    s: &Scheduled,
    today: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    if let Some(id) = s.release {
        return Ok(id);
    }
    let new = NewRelease {
        cherry_pick_deadline: s.cherry_pick_deadline,
        date_note: s.note.clone(),
        ..NewRelease::planned(s.line, s.kind, s.slot, s.due(today))
    };
    ensure_release(tx, &new, now).await
}

/// Moves fixes off `from` (a release that will not carry them: missed deadline, cancelled,
/// skipped) to their line's next regular slot, each with a note; a fix whose line reaches end of
/// life before any slot says so and is left without a release.
async fn carry(
    tx: &mut WriteTx,
    actor: &Principal,
    plan: &Plan,
    from: &Scheduled,
    fixes: &[CarriedTarget],
    why: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let today = plan.today;
    let line = plan.line(from.line);
    let next = line.and_then(|l| match from.kind {
        ReleaseKind::Patch => l.slot_after(&from.slot, today),
        // A monthly's fixes go to its line's first patch, or the next monthly of the same line.
        ReleaseKind::Minor => l.open_slot(today),
    });
    let next_id = match next {
        Some(n) => Some(stored(tx, n, today, now).await?),
        None => None,
    };
    for fix in fixes {
        let note = match next {
            Some(n) => format!("{why}: moved to {} on {}", n.slot.describe(), n.due(today).format("%-d %b %Y")),
            None => format!(
                "{why}: {} reaches end of life before another patch slot, so this fix will not ship there",
                from.line
            ),
        };
        update_carrier(tx, fix.request, fix.line, next_id, &note).await?;
        refresh_status(tx, fix.request, now).await?;
        let change =
            Change::new("patch_request.carried", "patch_request", fix.request, format!("{}: {note}", fix.line));
        record(tx, actor, change, now).await?;
    }
    Ok(())
}

/// Records a change to a release in the audit trail, under its version (or slot).
async fn audit(
    tx: &mut WriteTx,
    actor: &Principal,
    action: &str,
    release: &str,
    summary: String,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    record(tx, actor, Change::new(action, "release", release, summary), now).await
}

/// The stored release of a planned one.
fn row<'a>(catalog: &'a crate::domain::catalog::Catalog, s: &Scheduled) -> Option<&'a Release> {
    s.release.and_then(|id| catalog.release_by_id(id))
}
