//! The release calendar: month grid and agenda, corrections by release managers, and the
//! feeds (`.ics`, Atom, JSON) — all drawn from the one schedule engine in `domain::schedule`.

pub mod api;
pub mod page;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{
    domain::{
        schedule::{EventKind, ScheduleEvent},
        version::LineId,
    },
    error::AppError,
};

/// Which events to show: kinds and lines, as kept in the URL (`?kinds=patch,minor&lines=1.12`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarFilter {
    /// Empty means the default: every kind but daily builds.
    pub kinds: Vec<EventKind>,
    /// Empty means every line.
    pub lines: Vec<LineId>,
}

impl CalendarFilter {
    /// Parses comma-separated lists; an unknown kind or a malformed line names the field.
    pub fn parse(kinds: &str, lines: &str) -> Result<Self, AppError> {
        let mut filter = Self::default();
        for k in split(kinds) {
            let kind = EventKind::parse(k).ok_or_else(|| {
                let known: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
                AppError::invalid("kinds", format!("“{k}” is not an event kind; use {}", known.join(", ")))
            })?;
            if !filter.kinds.contains(&kind) {
                filter.kinds.push(kind);
            }
        }
        for l in split(lines) {
            let line = LineId::parse(l).map_err(|e| AppError::invalid("lines", e.to_string()))?;
            if !filter.lines.contains(&line) {
                filter.lines.push(line);
            }
        }
        Ok(filter)
    }

    /// The kinds in effect.
    pub fn effective_kinds(&self) -> Vec<EventKind> {
        if self.kinds.is_empty() {
            EventKind::ALL.into_iter().filter(|k| *k != EventKind::Daily).collect()
        } else {
            self.kinds.clone()
        }
    }

    pub fn matches(&self, event: &ScheduleEvent) -> bool {
        let kind_ok =
            if self.kinds.is_empty() { event.kind != EventKind::Daily } else { self.kinds.contains(&event.kind) };
        let line_ok = self.lines.is_empty() || event.line.is_some_and(|l| self.lines.contains(&l));
        kind_ok && line_ok
    }

    /// `kinds=…&lines=…` for links that keep the filter.
    pub fn query(&self) -> String {
        let kinds: Vec<&str> = self.kinds.iter().map(|k| k.as_str()).collect();
        let lines: Vec<String> = self.lines.iter().map(ToString::to_string).collect();
        let mut parts = Vec::new();
        if !kinds.is_empty() {
            parts.push(format!("kinds={}", kinds.join(",")));
        }
        if !lines.is_empty() {
            parts.push(format!("lines={}", lines.join(",")));
        }
        parts.join("&")
    }
}

fn split(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Parses `YYYY-MM` into the first day of that month.
pub fn parse_month(text: &str) -> Result<NaiveDate, AppError> {
    let bad = || AppError::invalid("month", format!("“{text}” is not a month like 2026-12"));
    let (year, month) = text.trim().split_once('-').ok_or_else(bad)?;
    if year.len() != 4 || month.len() != 2 {
        return Err(bad());
    }
    let year: i32 = year.parse().map_err(|_| bad())?;
    let month: u32 = month.parse().map_err(|_| bad())?;
    if !(2000..=2100).contains(&year) {
        return Err(AppError::invalid("month", "choose a month between 2000 and 2100"));
    }
    NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(bad)
}

/// `2026-12`
pub fn month_key(first: NaiveDate) -> String {
    format!("{:04}-{:02}", first.year(), first.month())
}

/// The Monday-first weeks that cover a month, as their first days.
pub fn grid_weeks(first: NaiveDate) -> Vec<NaiveDate> {
    let start = first - Days::new(u64::from(first.weekday().num_days_from_monday()));
    let next_month = crate::domain::calendar_rules::months_after(first, 1);
    (0..6).map(|w| start + Days::new(7 * w)).take_while(|week| *week < next_month).collect()
}

/// What the calendar page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarData {
    pub month: NaiveDate,
    pub today: NaiveDate,
    pub filter: CalendarFilter,
    /// Events of the grid's weeks, filtered.
    pub grid_events: Vec<ScheduleEvent>,
    /// Events of the coming six weeks, filtered.
    pub agenda: Vec<ScheduleEvent>,
    /// Lines a filter can name (not end of life for long).
    pub lines: Vec<LineId>,
    /// The host the page was served from, for `webcal://` links.
    pub host: String,
    /// Planned or projected releases a manager may move or cancel.
    pub movable: Vec<String>,
    pub blackouts: Vec<crate::domain::schedule::Blackout>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_lists_and_name_the_bad_field() {
        let f = CalendarFilter::parse("patch, minor,patch", "1.12").unwrap();
        assert_eq!(f.kinds, [EventKind::Patch, EventKind::Minor]);
        assert_eq!(f.lines, [LineId::new(1, 12)]);
        assert_eq!(f.query(), "kinds=patch,minor&lines=1.12");
        assert_eq!(CalendarFilter::parse("holiday", "").unwrap_err().field(), Some("kinds"));
        assert_eq!(CalendarFilter::parse("", "1.x").unwrap_err().field(), Some("lines"));
        assert!(CalendarFilter::parse("", "").unwrap().effective_kinds().len() == EventKind::ALL.len() - 1);
    }

    #[test]
    fn months_parse_strictly() {
        assert_eq!(parse_month("2026-12").unwrap(), NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        for bad in ["2026-13", "2026-1", "december", "26-12", "1800-01", ""] {
            assert_eq!(parse_month(bad).unwrap_err().field(), Some("month"), "{bad}");
        }
    }

    #[test]
    fn the_grid_covers_the_month_in_monday_weeks() {
        // December 2026 starts on a Tuesday and ends on a Thursday: five weeks.
        let weeks = grid_weeks(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(weeks.first().unwrap().to_string(), "2026-11-30");
        assert_eq!(weeks.len(), 5);
        // February 2027 starts on a Monday: four weeks exactly.
        assert_eq!(grid_weeks(NaiveDate::from_ymd_opt(2027, 2, 1).unwrap()).len(), 4);
    }
}
