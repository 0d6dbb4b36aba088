//! What the releases pages show.

use super::{LineDetail, ReleaseDetail, ReleasePageData};
use crate::{
    domain::{
        access::{Permission, Principal},
        calendar_rules::parse_day,
        lookup::{LookupError, Support, lookup},
        matrix::Matrix,
        security::SecurityLedger,
        version::{ReleaseRef, Version},
    },
    error::AppError,
    features::{
        catalog::service::{NEAR, plan},
        patch_requests::store::list_security_fixes,
    },
    platform::state::AppState,
};

/// The matrix as of today, every line with its unfixed public CVEs.
pub async fn full_matrix(state: &AppState) -> Result<Matrix, AppError> {
    let (catalog, plan) = plan(state, NEAR).await?;
    Ok(Matrix::build(&plan, &catalog).with_security(&security_ledger(state).await?))
}

/// The matrix as of today: every line that is not at end of life, and the newest that are.
pub async fn matrix(state: &AppState) -> Result<Matrix, AppError> {
    Ok(full_matrix(state).await?.bounded())
}

/// What is known about security fixes, from the patch requests.
pub async fn security_ledger(state: &AppState) -> Result<SecurityLedger, AppError> {
    Ok(SecurityLedger::new(list_security_fixes(state.db.reader()).await?))
}

/// The answer to "is `version` supported on `on` (today when empty)?"; a malformed version
/// or day names its field, an unknown line is not found.
pub async fn support(state: &AppState, version: &str, on: Option<&str>) -> Result<Support, AppError> {
    let version = Version::parse(version).map_err(|e| AppError::invalid("version", e.to_string()))?;
    let on = match on.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => parse_day(text).map_err(|m| AppError::invalid("on", m))?,
        None => state.today(),
    };
    let (catalog, plan) = plan(state, NEAR).await?;
    let ledger = security_ledger(state).await?;
    let matrix = Matrix::build(&plan, &catalog);
    lookup(&plan, &matrix, &ledger, &version, on)
        .map_err(|LookupError::UnknownLine(line)| AppError::not_found(format!("release line {line}")))
}

/// A line or a release by its path segment; anything malformed or unknown is "not found",
/// since to a reader of the page both mean the same.
pub async fn release_page(state: &AppState, actor: &Principal, reference: &str) -> Result<ReleasePageData, AppError> {
    let (catalog, plan) = plan(state, NEAR).await?;
    let today = state.today();
    let unknown = || AppError::not_found(format!("Release “{reference}”"));
    match ReleaseRef::parse(reference).map_err(|_| unknown())? {
        ReleaseRef::Line(id) => {
            let planned = plan.line(id).ok_or_else(unknown)?;
            let matrix = Matrix::build(&plan, &catalog);
            let mut releases: Vec<_> =
                std::iter::once(planned.minor.clone()).chain(planned.patches.iter().cloned()).collect();
            releases.extend(plan.cancelled_minors.iter().filter(|m| m.line == id).cloned());
            releases.sort_by_key(|r| std::cmp::Reverse((r.date, r.slot)));
            Ok(ReleasePageData::Line(Box::new(LineDetail {
                support: planned.support(),
                eol: planned.eol.clone(),
                compatibility_notes: catalog.line(id).map(|l| l.compatibility_notes.clone()).unwrap_or_default(),
                releases,
                next_patch: matrix.row(id).and_then(|r| r.next_patch.clone()),
                security: security_ledger(state).await?.by_release(id),
                can_manage: actor.can(Permission::EditSchedule),
                today,
            })))
        }
        ReleaseRef::Release(version) => {
            let planned = plan.by_version(&version).ok_or_else(unknown)?.clone();
            let line = plan.line(version.line()).ok_or_else(unknown)?;
            let previous = std::iter::once(&line.minor)
                .chain(&line.patches)
                .filter(|s| s.state == crate::domain::plan::PlanState::Released)
                .filter_map(|s| s.version.clone())
                .filter(|v| *v < version)
                .max();
            Ok(ReleasePageData::Release(Box::new(ReleaseDetail {
                stored: planned.release.and_then(|id| catalog.release_by_id(id)).cloned(),
                planned,
                line: line.support(),
                previous,
                today,
            })))
        }
    }
}
