//! The dashboard's data: one server function that gathers what is next.

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    domain::{policy::LineStatus, schedule::ScheduleEvent, version::LineId},
    error::AppError,
    features::matrix::NextPatch,
};

/// A supported line at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineGlance {
    pub line: LineId,
    pub status: LineStatus,
    pub next_patch: Option<NextPatch>,
    pub eol: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub today: NaiveDate,
    pub daily: Option<ScheduleEvent>,
    pub weekly: Option<ScheduleEvent>,
    pub next_minor: Option<ScheduleEvent>,
    pub lines: Vec<LineGlance>,
    /// Lines ending within the next eight weeks.
    pub ending: Vec<ScheduleEvent>,
    /// What the train needs attention for (missing dailies, failed or late qualification).
    pub flags: Vec<crate::features::train::Flag>,
    /// The proposed build of the next monthly release, with why.
    pub candidate: Option<crate::features::train::Candidate>,
}

#[server]
pub async fn load_dashboard() -> Result<Dashboard, AppError> {
    use chrono::{Datelike, Days};

    use crate::{
        domain::schedule::EventKind,
        features::{calendar::service::schedule, matrix::Matrix},
    };
    let state = crate::server::state::app_state()?;
    let today = state.today();
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let events = schedule(&state, monday, today + Days::new(70)).await?;
    let first = |kind: EventKind, from: NaiveDate| events.iter().find(|e| e.kind == kind && e.date >= from).cloned();
    let catalog = state.catalog().await?;
    let matrix = Matrix::build(&catalog, today);
    let lines = matrix
        .rows
        .iter()
        .filter(|r| r.status.is_supported() || r.status == LineStatus::InDevelopment)
        .map(|r| LineGlance {
            line: r.line,
            status: r.status,
            next_patch: r.next_patch.clone(),
            eol: r.eol.as_ref().map(|e| e.date),
        })
        .collect();
    Ok(Dashboard {
        today,
        daily: first(EventKind::Daily, today),
        weekly: first(EventKind::Weekly, monday).filter(|w| w.date < monday + Days::new(7)),
        next_minor: first(EventKind::Minor, today),
        lines,
        ending: events
            .iter()
            .filter(|e| e.kind == EventKind::EndOfLife && e.date >= today && e.date <= today + Days::new(56))
            .cloned()
            .collect(),
        flags: crate::features::train::service::current_flags(&state).await?,
        candidate: crate::features::train::service::current_candidate(&state).await?,
    })
}
