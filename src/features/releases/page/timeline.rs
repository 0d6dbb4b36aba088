//! Geometry of the support timeline: one row per line, bars for its phases, a today line.
//! Computed here so the SVG component only draws, and so the text alternative says the same.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::matrix::{Matrix, MatrixRow};
use crate::{
    components::dates::{long_date, month_year},
    domain::{
        calendar_rules::first_of_month,
        policy::{Certainty, LineStatus},
    },
};

pub const WIDTH: f64 = 960.0;
const LABEL: f64 = 56.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 24.0;
const ROW: f64 = 26.0;
const BAR: f64 = 16.0;

/// What a bar stands for; also its CSS class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    Development,
    Current,
    Supported,
    ExpectedSupport,
}

impl Phase {
    pub fn class(self) -> &'static str {
        match self {
            Self::Development => "phase-development",
            Self::Current => "phase-current",
            Self::Supported => "phase-supported",
            Self::ExpectedSupport => "phase-expected",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    pub x: f64,
    pub width: f64,
    pub phase: Phase,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub y: f64,
    pub label: String,
    pub bars: Vec<Bar>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    pub height: f64,
    pub months: Vec<(f64, String)>,
    pub today_x: f64,
    pub rows: Vec<Row>,
    /// One sentence per line: the accessible text alternative.
    pub summary: Vec<String>,
}

/// Lays out the lines visible in the window of 11 months back to 6 months ahead.
pub fn layout(matrix: &Matrix, rows: &[&MatrixRow]) -> Timeline {
    let start = first_of_month(matrix.today) - Months::new(11);
    let end = first_of_month(matrix.today) + Months::new(6);
    let span = (end - start).num_days() as f64;
    let x = |d: NaiveDate| {
        let clamped = d.clamp(start, end);
        LABEL + (clamped - start).num_days() as f64 / span * (WIDTH - LABEL - RIGHT)
    };
    let months =
        (0..17).map(|m| start + Months::new(m)).filter(|d| d.month() % 2 == 1).map(|d| (x(d), month_year(d))).collect();

    let mut out_rows = Vec::new();
    let mut summary = Vec::new();
    for row in rows.iter().filter(|r| r.status != LineStatus::Planned) {
        let bars = bars_of(row, matrix.today);
        let visible: Vec<Bar> = bars
            .into_iter()
            .filter(|(from, to, ..)| *to > start && *from < end)
            .map(|(from, to, phase, title)| Bar { x: x(from), width: (x(to) - x(from)).max(2.0), phase, title })
            .collect();
        summary.push(sentence(row));
        if visible.is_empty() {
            continue;
        }
        out_rows.push(Row { y: TOP + out_rows.len() as f64 * ROW, label: row.line.to_string(), bars: visible });
    }
    Timeline {
        height: TOP + out_rows.len() as f64 * ROW + 4.0,
        months,
        today_x: x(matrix.today),
        rows: out_rows,
        summary,
    }
}

pub const BAR_HEIGHT: f64 = BAR;
pub const LABEL_WIDTH: f64 = LABEL;

type Span = (NaiveDate, NaiveDate, Phase, String);

fn bars_of(row: &MatrixRow, today: NaiveDate) -> Vec<Span> {
    let Some(released) = row.release_date else { return Vec::new() };
    if row.status == LineStatus::InDevelopment {
        let from = released.checked_sub_days(Days::new(28)).unwrap_or(released);
        return vec![(
            from,
            released,
            Phase::Development,
            format!("{} in development, planned for {}", row.line, long_date(released)),
        )];
    }
    let Some(eol) = &row.eol else { return Vec::new() };
    let current_until = row.superseded_on.unwrap_or(eol.date.max(today)).min(eol.date);
    let mut spans =
        vec![(released, current_until, Phase::Current, format!("{} current from {}", row.line, long_date(released)))];
    if current_until < eol.date {
        let phase = match eol.certainty {
            Certainty::Confirmed => Phase::Supported,
            Certainty::Expected => Phase::ExpectedSupport,
        };
        spans.push((current_until, eol.date, phase, format!("{} supported until {}", row.line, long_date(eol.date))));
    }
    spans
}

/// "1.10 (supported): released 22 September 2026, supported until 5 January 2027 (confirmed)."
pub fn sentence(row: &MatrixRow) -> String {
    let released = row.release_date.map(long_date).unwrap_or_else(|| "not yet dated".into());
    match (&row.eol, row.status) {
        (_, LineStatus::InDevelopment | LineStatus::Planned) => {
            format!("{} ({}): planned for {released}.", row.line, row.status.label())
        }
        (Some(eol), LineStatus::EndOfLife) => {
            format!("{} (end of life): released {released}, support ended {}.", row.line, long_date(eol.date))
        }
        (Some(eol), status) => format!(
            "{} ({}): released {released}, supported until {} ({}).",
            row.line,
            status.label(),
            long_date(eol.date),
            match eol.certainty {
                Certainty::Expected => "expected",
                Certainty::Confirmed => "confirmed",
            }
        ),
        (None, status) => format!("{} ({}): released {released}.", row.line, status.label()),
    }
}
