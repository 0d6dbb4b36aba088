//! The schedule engine: projects every event of the train from the policy, and lets what
//! actually happened (and what a manager corrected) replace the projections
//! (DESIGN §2 rules 2, 3, 5, 9, 10).
//!
//! Pure: it takes what is stored, the policy and `today`, and returns dated events.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{
    calendar_rules::{first_of_month, months_after},
    policy::{Certainty, EolOverride, Policy},
    version::{LineId, Version},
};

/// A monthly patch slot: cherry-picks merged by the deadline ship on the target date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchSlot {
    pub cherry_pick_deadline: NaiveDate,
    pub target: NaiveDate,
}

impl Policy {
    /// The patch slot of `date`'s month.
    pub fn patch_slot_in_month_of(&self, date: NaiveDate) -> PatchSlot {
        PatchSlot {
            cherry_pick_deadline: self.patch_deadline.in_month(date.year(), date.month()),
            target: self.patch_target.in_month(date.year(), date.month()),
        }
    }

    /// The first slot a fix ready on `day` can still make (its deadline is `day` or later).
    pub fn next_patch_slot(&self, day: NaiveDate) -> PatchSlot {
        (0..2)
            .map(|m| self.patch_slot_in_month_of(months_after(day, m)))
            .find(|slot| slot.cherry_pick_deadline >= day)
            .expect("next month's deadline is always after today")
    }
}

/// The kinds of event on the calendar; also the `kinds=` filter values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    Daily,
    Weekly,
    BranchCut,
    CodeFreeze,
    Minor,
    Deadline,
    Patch,
    EndOfLife,
}

impl EventKind {
    pub const ALL: [EventKind; 8] = [
        Self::Minor,
        Self::Patch,
        Self::Deadline,
        Self::EndOfLife,
        Self::BranchCut,
        Self::CodeFreeze,
        Self::Weekly,
        Self::Daily,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::BranchCut => "branch-cut",
            Self::CodeFreeze => "code-freeze",
            Self::Minor => "minor",
            Self::Deadline => "deadline",
            Self::Patch => "patch",
            Self::EndOfLife => "end-of-life",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Daily => "daily build",
            Self::Weekly => "weekly qualification",
            Self::BranchCut => "branch cut",
            Self::CodeFreeze => "code freeze",
            Self::Minor => "monthly release",
            Self::Deadline => "cherry-pick deadline",
            Self::Patch => "patch release",
            Self::EndOfLife => "end of life",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// Whether an event happened, is planned (stored), or only projected by the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    Done,
    Planned,
    Projected,
    Missed,
    Cancelled,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Planned => "planned",
            Self::Projected => "projected",
            Self::Missed => "missed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// One dated item of the train.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleEvent {
    /// Stable across recomputation, so a moved date updates the same calendar entry.
    pub uid: String,
    pub kind: EventKind,
    pub date: NaiveDate,
    pub title: String,
    pub line: Option<LineId>,
    pub version: Option<Version>,
    pub status: EventStatus,
    /// Why it is where it is ("moved for a holiday", "out of band").
    pub note: Option<String>,
    /// Where the event is explained: its release, line or the train.
    pub link: String,
    /// Bumped on every change of a stored release (the ICS `SEQUENCE`).
    pub revision: u32,
}

/// A stored release as the engine needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownRelease {
    pub version: Version,
    pub planned: Option<NaiveDate>,
    pub actual: Option<NaiveDate>,
    pub cancelled: bool,
    pub out_of_band: bool,
    pub note: Option<String>,
    pub revision: u32,
}

impl KnownRelease {
    fn date(&self) -> Option<NaiveDate> {
        self.actual.or(self.planned)
    }
}

/// A build as the engine needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownBuild {
    pub name: String,
    pub cut_on: NaiveDate,
    pub weekly: bool,
    /// "passed", "failed", "pending" of its functional suite.
    pub summary: String,
}

/// A day on which no release or deadline is scheduled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blackout {
    pub date: NaiveDate,
    pub reason: String,
}

/// Everything the engine reads.
pub struct ScheduleInput<'a> {
    pub policy: &'a Policy,
    pub releases: &'a [KnownRelease],
    pub builds: &'a [KnownBuild],
    pub blackouts: &'a [Blackout],
    pub eol_overrides: &'a [(LineId, EolOverride)],
    pub today: NaiveDate,
}

/// A line's minor release: shipped, planned, or projected on the monthly cadence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MinorDate {
    line: LineId,
    date: NaiveDate,
    shipped: bool,
}

/// The most days a schedule query may span.
pub const MAX_RANGE_DAYS: i64 = 400;

impl ScheduleInput<'_> {
    fn blackout(&self, date: NaiveDate) -> Option<&Blackout> {
        self.blackouts.iter().find(|b| b.date == date)
    }

    /// Moves a release off blackout days (later) and says why.
    fn release_day(&self, date: NaiveDate) -> (NaiveDate, Option<String>) {
        self.skip_blackouts(date, true)
    }

    /// Moves a deadline off blackout days (earlier, so nobody loses time) and says why.
    fn deadline_day(&self, date: NaiveDate) -> (NaiveDate, Option<String>) {
        self.skip_blackouts(date, false)
    }

    fn skip_blackouts(&self, mut date: NaiveDate, later: bool) -> (NaiveDate, Option<String>) {
        let mut reason = None;
        for _ in 0..31 {
            let Some(b) = self.blackout(date) else { break };
            reason.get_or_insert_with(|| format!("moved from {}: {}", b.date, b.reason));
            date = if later { date + Days::new(1) } else { date - Days::new(1) };
        }
        (date, reason)
    }

    /// Every minor from the first stored one to `until`, stored dates first, then projected
    /// one a month after the newest.
    fn minors(&self, until: NaiveDate) -> Vec<MinorDate> {
        let mut minors: Vec<MinorDate> = self
            .releases
            .iter()
            .filter(|r| r.version.is_minor() && !r.cancelled)
            .filter_map(|r| Some(MinorDate { line: r.version.line(), date: r.date()?, shipped: r.actual.is_some() }))
            .collect();
        minors.sort_by_key(|m| m.line);
        let mut next = match minors.last() {
            Some(last) => (last.line.next_minor(), months_after(last.date, 1)),
            None => return minors,
        };
        while next.1 <= until {
            let (date, _) = self.release_day(self.policy.minor_date_in_month_of(next.1));
            minors.push(MinorDate { line: next.0, date, shipped: false });
            next = (next.0.next_minor(), months_after(next.1, 1));
        }
        minors
    }

    /// The end of support of each line that has a minor date, as the policy projects it.
    fn ends_of_support(&self, minors: &[MinorDate]) -> BTreeMap<LineId, (NaiveDate, Certainty)> {
        let successor = self.policy.support_successor as usize;
        minors
            .iter()
            .enumerate()
            .map(|(i, m)| {
                if let Some((_, o)) = self.eol_overrides.iter().find(|(l, _)| *l == m.line) {
                    return (m.line, (o.date, Certainty::Confirmed));
                }
                let (ships, certainty) = match minors.get(i + successor) {
                    Some(next) if next.shipped => (next.date, Certainty::Confirmed),
                    Some(next) => (next.date.max(self.today), Certainty::Expected),
                    None => {
                        let last = minors.last().expect("non-empty");
                        let extra = (i + successor + 1 - minors.len()) as u32;
                        (self.policy.minor_date_in_month_of(months_after(last.date, extra)), Certainty::Expected)
                    }
                };
                (m.line, (self.policy.eol_after(ships), certainty))
            })
            .collect()
    }
}

/// Every event dated `from..=to`, sorted by date then kind.
pub fn project(input: &ScheduleInput<'_>, from: NaiveDate, to: NaiveDate) -> Vec<ScheduleEvent> {
    let mut events = Vec::new();
    // Projections reach past `to`: N+2 minors decide end-of-life dates inside the range.
    let horizon = months_after(to, input.policy.support_successor + 2);
    let minors = input.minors(horizon);
    let ends = input.ends_of_support(&minors);

    minor_events(input, &minors, from, to, &mut events);
    patch_events(input, &minors, &ends, from, to, &mut events);
    eol_events(&ends, input.today, from, to, &mut events);
    build_events(input, from, to, &mut events);

    events.retain(|e| e.date >= from && e.date <= to);
    events.sort_by(|a, b| (a.date, a.kind, &a.version, &a.uid).cmp(&(b.date, b.kind, &b.version, &b.uid)));
    events
}

fn minor_events(
    input: &ScheduleInput<'_>,
    minors: &[MinorDate],
    from: NaiveDate,
    to: NaiveDate,
    out: &mut Vec<ScheduleEvent>,
) {
    let stored = |v: &Version| input.releases.iter().find(|r| &r.version == v);
    let cancelled = input.releases.iter().filter(|r| r.version.is_minor() && r.cancelled);
    for m in minors.iter().filter(|m| m.date >= from && m.date - Days::new(30) <= to) {
        let version = m.line.first_release();
        let known = stored(&version);
        let status = match known {
            Some(k) if k.actual.is_some() => EventStatus::Done,
            Some(_) => EventStatus::Planned,
            None => EventStatus::Projected,
        };
        let (note, revision) = known.map(|k| (k.note.clone(), k.revision)).unwrap_or((None, 0));
        out.push(ScheduleEvent {
            uid: format!("minor-{version}"),
            kind: EventKind::Minor,
            date: m.date,
            title: format!("{version} monthly release"),
            line: Some(m.line),
            version: Some(version.clone()),
            status,
            note,
            link: format!("/releases/{version}"),
            revision,
        });
        if m.shipped {
            continue;
        }
        for (kind, days, what) in [
            (EventKind::BranchCut, input.policy.branch_cut_days, "branch cut"),
            (EventKind::CodeFreeze, input.policy.code_freeze_days, "code freeze"),
        ] {
            let (date, note) = input.deadline_day(m.date - Days::new(u64::from(days)));
            out.push(ScheduleEvent {
                uid: format!("{}-{}", kind.as_str(), m.line),
                kind,
                date,
                title: format!("{} {what}", m.line),
                line: Some(m.line),
                version: Some(version.clone()),
                status: if date < input.today { EventStatus::Done } else { EventStatus::Projected },
                note,
                link: format!("/releases/{}", m.line),
                revision: 0,
            });
        }
    }
    for c in cancelled {
        if let Some(date) = c.date().filter(|d| *d >= from && *d <= to) {
            out.push(cancelled_event(c, date));
        }
    }
}

fn cancelled_event(r: &KnownRelease, date: NaiveDate) -> ScheduleEvent {
    let kind = if r.version.is_minor() { EventKind::Minor } else { EventKind::Patch };
    ScheduleEvent {
        uid: format!("{}-{}", kind.as_str(), r.version),
        kind,
        date,
        title: format!("{} {} (cancelled)", r.version, kind.label()),
        line: Some(r.version.line()),
        version: Some(r.version.clone()),
        status: EventStatus::Cancelled,
        note: r.note.clone(),
        link: format!("/releases/{}", r.version),
        revision: r.revision,
    }
}

/// Patch releases: stored ones as they are, and one projected per supported line in every
/// monthly slot no stored release already fills.
fn patch_events(
    input: &ScheduleInput<'_>,
    minors: &[MinorDate],
    ends: &BTreeMap<LineId, (NaiveDate, Certainty)>,
    from: NaiveDate,
    to: NaiveDate,
    out: &mut Vec<ScheduleEvent>,
) {
    let mut filled: BTreeSet<(LineId, (i32, u32))> = BTreeSet::new();
    let mut highest: BTreeMap<LineId, Version> = BTreeMap::new();
    // Cancelled versions count too: a number is never reused.
    for r in input.releases {
        let line = r.version.line();
        if highest.get(&line).is_none_or(|h| &r.version > h) {
            highest.insert(line, r.version.clone());
        }
    }
    for r in input.releases.iter().filter(|r| !r.version.is_minor()) {
        let Some(date) = r.date() else { continue };
        // A cancelled regular patch still fills its slot: that month ships nothing for the line.
        if !r.out_of_band {
            filled.insert((r.version.line(), (date.year(), date.month())));
        }
        if r.cancelled {
            if date >= from && date <= to {
                out.push(cancelled_event(r, date));
            }
            continue;
        }
        let status = if r.actual.is_some() { EventStatus::Done } else { EventStatus::Planned };
        let note = r.note.clone().or_else(|| r.out_of_band.then(|| "out of band".to_owned()));
        out.push(ScheduleEvent {
            uid: format!("patch-{}", r.version),
            kind: EventKind::Patch,
            date,
            title: format!("{} patch release", r.version),
            line: Some(r.version.line()),
            version: Some(r.version.clone()),
            status,
            note,
            link: format!("/releases/{}", r.version),
            revision: r.revision,
        });
        if !r.out_of_band && r.actual.is_none() {
            let slot = input.policy.patch_slot_in_month_of(date);
            let (deadline, moved) = input.deadline_day(slot.cherry_pick_deadline);
            out.push(deadline_event(&r.version, deadline, moved, input.today));
        }
    }
    // Projected slots from this month on (earlier ones either happened or did not).
    let start = first_of_month(from.max(input.today));
    let mut month = start;
    while month <= to {
        let slot = input.policy.patch_slot_in_month_of(month);
        let (target, target_note) = input.release_day(slot.target);
        let (deadline, deadline_note) = input.deadline_day(slot.cherry_pick_deadline);
        for m in minors.iter().filter(|m| m.date < slot.cherry_pick_deadline) {
            let Some((end, _)) = ends.get(&m.line) else { continue };
            let key = (m.line, (month.year(), month.month()));
            if target >= *end || target < input.today || filled.contains(&key) {
                continue;
            }
            filled.insert(key);
            let version =
                highest.get(&m.line).map(Version::next_patch).unwrap_or_else(|| m.line.first_release().next_patch());
            highest.insert(m.line, version.clone());
            out.push(ScheduleEvent {
                uid: format!("patch-{version}"),
                kind: EventKind::Patch,
                date: target,
                title: format!("{version} patch release"),
                line: Some(m.line),
                version: Some(version.clone()),
                status: EventStatus::Projected,
                note: target_note.clone(),
                link: format!("/releases/{}", m.line),
                revision: 0,
            });
            if deadline >= input.today {
                out.push(deadline_event(&version, deadline, deadline_note.clone(), input.today));
            }
        }
        month = months_after(month, 1);
    }
}

fn deadline_event(version: &Version, date: NaiveDate, note: Option<String>, today: NaiveDate) -> ScheduleEvent {
    ScheduleEvent {
        uid: format!("deadline-{version}"),
        kind: EventKind::Deadline,
        date,
        title: format!("{version} cherry-pick deadline"),
        line: Some(version.line()),
        version: Some(version.clone()),
        status: if date < today { EventStatus::Done } else { EventStatus::Projected },
        note,
        link: format!("/releases/{}", version.line()),
        revision: 0,
    }
}

fn eol_events(
    ends: &BTreeMap<LineId, (NaiveDate, Certainty)>,
    today: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
    out: &mut Vec<ScheduleEvent>,
) {
    for (line, (date, certainty)) in ends.iter().filter(|(_, (d, _))| *d >= from && *d <= to) {
        let status = match (certainty, *date <= today) {
            (_, true) => EventStatus::Done,
            (Certainty::Confirmed, false) => EventStatus::Planned,
            (Certainty::Expected, false) => EventStatus::Projected,
        };
        out.push(ScheduleEvent {
            uid: format!("end-of-life-{line}"),
            kind: EventKind::EndOfLife,
            date: *date,
            title: format!("{line} end of life"),
            line: Some(*line),
            version: None,
            status,
            note: (*certainty == Certainty::Expected)
                .then(|| "expected: moves if the deciding release moves".to_owned()),
            link: format!("/releases/{line}"),
            revision: 0,
        });
    }
}

/// Daily cuts and weekly qualifications: builds that exist, projections for days to come,
/// and a "missed" marker for a past day without a build.
fn build_events(input: &ScheduleInput<'_>, from: NaiveDate, to: NaiveDate, out: &mut Vec<ScheduleEvent>) {
    let mut day = from;
    while day <= to {
        let builds: Vec<&KnownBuild> = input.builds.iter().filter(|b| b.cut_on == day).collect();
        let (status, title, note) = match builds.first() {
            Some(b) => {
                (EventStatus::Done, format!("daily build {}", b.name), Some(format!("functional {}", b.summary)))
            }
            None if day < input.today => (EventStatus::Missed, "no daily build".to_owned(), None),
            None => (EventStatus::Projected, format!("daily build at {:02}:00 UTC", input.policy.daily_cut_hour), None),
        };
        out.push(ScheduleEvent {
            uid: format!("daily-{day}"),
            kind: EventKind::Daily,
            date: day,
            title,
            line: None,
            version: None,
            status,
            note,
            link: "/train".into(),
            revision: 0,
        });
        if day.weekday() == input.policy.weekly_qualification {
            let week = day.iso_week();
            let weekly = input.builds.iter().find(|b| b.weekly && b.cut_on.iso_week() == week);
            let (status, title) = match weekly {
                Some(b) => (EventStatus::Done, format!("weekly qualification of {}", b.name)),
                None if day < input.today => (EventStatus::Missed, "weekly qualification (no weekly build)".to_owned()),
                None => (EventStatus::Projected, "weekly qualification".to_owned()),
            };
            out.push(ScheduleEvent {
                uid: format!("weekly-{}-W{:02}", week.year(), week.week()),
                kind: EventKind::Weekly,
                date: day,
                title,
                line: None,
                version: None,
                status,
                note: Some("stability and performance tests of the week's build".into()),
                link: "/train".into(),
                revision: 0,
            });
        }
        day = day + Days::new(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn shipped(version: &str, on: &str) -> KnownRelease {
        KnownRelease {
            version: v(version),
            planned: Some(d(on)),
            actual: Some(d(on)),
            cancelled: false,
            out_of_band: false,
            note: None,
            revision: 0,
        }
    }

    fn planned(version: &str, on: &str) -> KnownRelease {
        KnownRelease { actual: None, ..shipped(version, on) }
    }

    /// 1.10–1.12 shipped on the 4th Tuesdays of Sep–Nov 2026; 1.13 planned for Dec 22.
    fn releases() -> Vec<KnownRelease> {
        vec![
            shipped("1.10.0", "2026-09-22"),
            shipped("1.10.1", "2026-10-13"),
            shipped("1.11.0", "2026-10-27"),
            shipped("1.11.1", "2026-11-10"),
            shipped("1.12.0", "2026-11-24"),
            planned("1.13.0", "2026-12-22"),
        ]
    }

    fn run(releases: &[KnownRelease], blackouts: &[Blackout], today: &str, from: &str, to: &str) -> Vec<ScheduleEvent> {
        let policy = Policy::default();
        let input =
            ScheduleInput { policy: &policy, releases, builds: &[], blackouts, eol_overrides: &[], today: d(today) };
        project(&input, d(from), d(to))
    }

    fn of(events: &[ScheduleEvent], kind: EventKind) -> Vec<(String, NaiveDate, EventStatus)> {
        events
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| {
                (
                    e.version.as_ref().map(|v| v.to_string()).or(e.line.map(|l| l.to_string())).unwrap_or_default(),
                    e.date,
                    e.status,
                )
            })
            .collect()
    }

    #[test]
    fn december_2026_has_the_minor_its_freeze_and_a_patch_per_supported_line() {
        let events = run(&releases(), &[], "2026-11-26", "2026-12-01", "2026-12-31");
        assert_eq!(of(&events, EventKind::Minor), [("1.13.0".to_owned(), d("2026-12-22"), EventStatus::Planned)]);
        assert_eq!(
            of(&events, EventKind::CodeFreeze),
            [("1.13.0".to_owned(), d("2026-12-15"), EventStatus::Projected)]
        );
        assert_eq!(of(&events, EventKind::BranchCut), [("1.13.0".to_owned(), d("2026-12-08"), EventStatus::Projected)]);
        // 2nd Tuesday is the 8th; 1st Friday the 4th. 1.10 is supported until 2027-01-05.
        let patches = of(&events, EventKind::Patch);
        assert_eq!(
            patches,
            [
                ("1.10.2".to_owned(), d("2026-12-08"), EventStatus::Projected),
                ("1.11.2".to_owned(), d("2026-12-08"), EventStatus::Projected),
                ("1.12.1".to_owned(), d("2026-12-08"), EventStatus::Projected),
            ]
        );
        assert!(of(&events, EventKind::Deadline).iter().all(|(_, date, _)| *date == d("2026-12-04")));
    }

    #[test]
    fn projected_minors_continue_monthly_and_lines_reach_end_of_life() {
        let events = run(&releases(), &[], "2026-11-26", "2027-01-01", "2027-03-31");
        let minors: Vec<String> = of(&events, EventKind::Minor).into_iter().map(|(v, ..)| v).collect();
        assert_eq!(minors, ["1.14.0", "1.15.0", "1.16.0"]);
        let eols = of(&events, EventKind::EndOfLife);
        // 1.10: six weeks after 1.12 (Nov 24) is Jan 5, confirmed; 1.11 after 1.13 (Dec 22).
        assert_eq!(eols[0], ("1.10".to_owned(), d("2027-01-05"), EventStatus::Planned));
        assert_eq!(eols[1], ("1.11".to_owned(), d("2027-02-02"), EventStatus::Projected));
        // 1.10 gets no January patch: its slot (Jan 12) falls after its end of life.
        let january: Vec<String> = of(&events, EventKind::Patch)
            .into_iter()
            .filter(|(_, date, _)| date.month() == 1)
            .map(|(v, ..)| v)
            .collect();
        assert!(!january.iter().any(|v| v.starts_with("1.10.")), "{january:?}");
        assert!(january.iter().any(|v| v.starts_with("1.13.")), "1.13 ships Dec 22 and gets January's slot");
    }

    #[test]
    fn stored_releases_replace_projections_and_keep_their_note() {
        let mut stored = releases();
        let mut moved = planned("1.12.1", "2026-12-10");
        moved.note = Some("moved for KubeCon".into());
        moved.revision = 2;
        stored.push(moved);
        let events = run(&stored, &[], "2026-11-26", "2026-12-01", "2026-12-31");
        let p = events.iter().find(|e| e.uid == "patch-1.12.1").unwrap();
        assert_eq!((p.date, p.status, p.revision), (d("2026-12-10"), EventStatus::Planned, 2));
        assert_eq!(p.note.as_deref(), Some("moved for KubeCon"));
        assert_eq!(
            events.iter().filter(|e| e.kind == EventKind::Patch && e.line == Some(LineId::new(1, 12))).count(),
            1
        );
    }

    #[test]
    fn blackouts_move_releases_later_and_deadlines_earlier() {
        let blackouts = [
            Blackout { date: d("2026-12-08"), reason: "company holiday".into() },
            Blackout { date: d("2026-12-04"), reason: "company holiday".into() },
        ];
        let events = run(&releases(), &blackouts, "2026-11-26", "2026-12-01", "2026-12-31");
        let patch = events.iter().find(|e| e.uid == "patch-1.12.1").unwrap();
        assert_eq!(patch.date, d("2026-12-09"));
        assert!(patch.note.as_deref().unwrap().contains("company holiday"));
        let deadline = events.iter().find(|e| e.uid == "deadline-1.12.1").unwrap();
        assert_eq!(deadline.date, d("2026-12-03"));
    }

    #[test]
    fn uids_are_stable_when_dates_move() {
        let before = run(&releases(), &[], "2026-11-26", "2026-12-01", "2026-12-31");
        let mut stored = releases();
        stored.push(planned("1.12.1", "2026-12-10"));
        let after = run(&stored, &[], "2026-11-26", "2026-12-01", "2026-12-31");
        let uid = |events: &[ScheduleEvent]| {
            events.iter().find(|e| e.version == Some(v("1.12.1")) && e.kind == EventKind::Patch).unwrap().uid.clone()
        };
        assert_eq!(uid(&before), uid(&after));
    }

    #[test]
    fn cancelled_releases_stay_on_the_calendar_as_cancelled() {
        let mut stored = releases();
        let mut c = planned("1.12.1", "2026-12-08");
        c.cancelled = true;
        stored.push(c);
        let events = run(&stored, &[], "2026-11-26", "2026-12-01", "2026-12-31");
        let e = events.iter().find(|e| e.uid == "patch-1.12.1").unwrap();
        assert_eq!(e.status, EventStatus::Cancelled);
        // Its slot is not re-projected, under this number or the next.
        assert_eq!(events.iter().filter(|e| e.uid == "patch-1.12.1").count(), 1);
        assert!(!events.iter().any(|e| e.version == Some(v("1.12.2"))));
        // The next month's patch takes the next number; the cancelled one is not reused.
        let january = run(&stored, &[], "2026-11-26", "2027-01-01", "2027-01-31");
        assert!(january.iter().any(|e| e.uid == "patch-1.12.2"));
    }

    #[test]
    fn daily_and_weekly_events_fill_the_days_and_flag_missed_ones() {
        let builds = [KnownBuild {
            name: "main-20261125-0200".into(),
            cut_on: d("2026-11-25"),
            weekly: true,
            summary: "passed".into(),
        }];
        let policy = Policy::default();
        let input = ScheduleInput {
            policy: &policy,
            releases: &[],
            builds: &builds,
            blackouts: &[],
            eol_overrides: &[],
            today: d("2026-11-26"),
        };
        let events = project(&input, d("2026-11-23"), d("2026-12-06"));
        let dailies = of(&events, EventKind::Daily);
        assert_eq!(dailies.len(), 14);
        assert_eq!(dailies[0].2, EventStatus::Missed, "the 23rd had no build");
        assert_eq!(dailies[2].2, EventStatus::Done);
        assert_eq!(dailies[3].2, EventStatus::Projected, "today's build is still to come");
        let weeklies = of(&events, EventKind::Weekly);
        assert_eq!(weeklies.len(), 2, "two Wednesdays");
        assert_eq!(weeklies[0].2, EventStatus::Done);
        assert_eq!(weeklies[1].2, EventStatus::Projected);
    }

    #[test]
    fn month_ends_and_leap_years_are_handled() {
        // A policy on the last Friday in February of a leap year.
        let policy = Policy { minor_release: "last Friday".parse().unwrap(), ..Policy::default() };
        let stored = [shipped("2.0.0", "2028-01-28")];
        let input = ScheduleInput {
            policy: &policy,
            releases: &stored,
            builds: &[],
            blackouts: &[],
            eol_overrides: &[],
            today: d("2028-01-30"),
        };
        let events = project(&input, d("2028-02-01"), d("2028-03-31"));
        let minors = of(&events, EventKind::Minor);
        assert_eq!(minors[0], ("2.1.0".to_owned(), d("2028-02-25"), EventStatus::Projected));
        assert_eq!(minors[1], ("2.2.0".to_owned(), d("2028-03-31"), EventStatus::Projected));
    }

    #[test]
    fn a_slot_is_open_until_its_deadline_day() {
        let policy = Policy::default();
        let dec = PatchSlot { cherry_pick_deadline: d("2026-12-04"), target: d("2026-12-08") };
        assert_eq!(policy.next_patch_slot(d("2026-11-26")), dec);
        assert_eq!(policy.next_patch_slot(d("2026-12-04")), dec);
        let jan = PatchSlot { cherry_pick_deadline: d("2027-01-01"), target: d("2027-01-12") };
        assert_eq!(policy.next_patch_slot(d("2026-12-05")), jan);
    }

    #[test]
    fn kinds_parse_from_their_filter_names() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EventKind::parse("holiday"), None);
    }
}
