//! Demo data for an empty database (`TRAINYARD_DEMO`): a believable year of the train,
//! relative to today, so every page has something true to show, made by the same services a
//! person's actions go through.

use chrono::{Days, NaiveDate};

pub mod ci;
pub mod people;
pub mod users;

use std::sync::Arc;

use crate::{
    domain::{access::Principal, calendar_rules::months_after, policy::Policy, version::Version},
    error::AppError,
    features::{
        catalog::service::{ShippedRelease, catalog, record_shipped},
        notifications::service::skip_past_news,
    },
    platform::{clock::ManualClock, state::AppState},
};

/// How many monthly minors of history the demo has at scale 1.
const HISTORY_MONTHS: u32 = 12;

/// One release of the demo history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoRelease {
    pub version: Version,
    pub date: NaiveDate,
    pub shipped: bool,
    pub out_of_band: bool,
}

/// The demo history as of `today`: `12 × scale` monthly minors ending with the current one
/// (numbered so that 1.9 and 1.10 both appear at scale 1), the next minor planned, and for
/// every line the monthly patches it received while supported, plus its next planned one.
pub fn history(policy: &Policy, today: NaiveDate, scale: u32) -> Vec<DemoRelease> {
    let months = HISTORY_MONTHS * scale;
    // The newest minor date on or before today.
    let this_month = policy.minor_date_in_month_of(today);
    let current = if this_month <= today {
        this_month
    } else {
        policy.minor_date_in_month_of(months_after(today, 0) - Days::new(1))
    };
    let first_month = chrono::Months::new(months - 1);
    let first = crate::domain::calendar_rules::first_of_month(current) - first_month;
    // Minors 1.1 … 1.N shipped, 1.(N+1) planned.
    let minor_dates: Vec<NaiveDate> =
        (0..=months).map(|i| policy.minor_date_in_month_of(months_after(first, i))).collect();
    let mut out = Vec::new();
    for (i, &date) in minor_dates.iter().enumerate() {
        let minor = i as u64 + 1;
        let shipped = date <= today;
        out.push(DemoRelease { version: Version::new(1, minor, 0), date, shipped, out_of_band: false });
        if !shipped {
            continue;
        }
        // Support ends six weeks (per policy) after the minor two lines later.
        let successor = minor_dates
            .get(i + policy.support_successor as usize)
            .copied()
            .unwrap_or_else(|| policy.minor_date_in_month_of(months_after(date, policy.support_successor)));
        let eol = policy.eol_after(successor);
        let mut patch = 0;
        for m in 1.. {
            let slot = policy.patch_slot_in_month_of(months_after(date, m));
            if slot.target >= eol {
                break;
            }
            patch += 1;
            let shipped = slot.target <= today;
            out.push(DemoRelease {
                version: Version::new(1, minor, patch),
                date: slot.target,
                shipped,
                out_of_band: false,
            });
            if !shipped {
                break;
            }
            // A security fix that could not wait for the slot, once in a while.
            if minor % 4 == 2 && m == 1 {
                patch += 1;
                let date = slot.target + Days::new(9);
                if date < eol && date <= today {
                    out.push(DemoRelease {
                        version: Version::new(1, minor, patch),
                        date,
                        shipped: true,
                        out_of_band: true,
                    });
                }
            }
        }
    }
    out
}

/// How many days up to today the demo runs the train itself, day by day.
pub const WINDOW_DAYS: u64 = 40;

/// Seeds the demo when the database holds no release yet: the older history is recorded as an
/// adopting team imports it, then the last weeks run day by day through the services with a
/// manual clock (publishing a dry run), so every release, request and decision in them was
/// made the way a person makes it.
pub async fn seed_if_empty(state: &AppState) -> Result<(), AppError> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM release").fetch_one(state.db.reader()).await?;
    if existing > 0 {
        return Ok(());
    }
    let today = state.today();
    let start = today - Days::new(WINDOW_DAYS);
    let policy = catalog(state).await?.policy.clone();
    let importer = Principal::System("demo history");
    // The history as it will stand today; what shipped before the window is imported, the
    // window's releases are made by the train itself (and number the same way).
    let releases = history(&policy, today, state.settings.demo_scale);
    for r in releases.iter().filter(|r| r.shipped && r.date < start) {
        let shipped = ShippedRelease {
            version: r.version.clone(),
            date: r.date,
            commit: Some(ci::commit_of("history", r.date)),
            notes: notes_of(r),
        };
        record_shipped(state, &importer, &shipped).await?;
    }
    let Some(people) = people::People::find(state).await? else { return Ok(()) };
    run_window(state, &people, start, today).await?;
    skip_past_news(state).await?;
    tracing::info!(imported = releases.len(), days = WINDOW_DAYS, "seeded the demo");
    Ok(())
}

fn notes_of(r: &DemoRelease) -> String {
    if r.version.is_minor() {
        format!(
            "Monthly minor release {}: promoted from the weekly build that passed functional, stability and performance tests.",
            r.version
        )
    } else if r.out_of_band {
        format!("Out-of-band security release for {}.", r.version.line())
    } else {
        format!("Patch release with the stability and security fixes approved for {}.", r.version.line())
    }
}

/// Runs the train from `start` to `today`: each day CI reports, people act, the automation
/// ticks, and the release manager does the day's work.
async fn run_window(
    state: &AppState,
    people: &people::People,
    start: NaiveDate,
    today: NaiveDate,
) -> Result<(), AppError> {
    let clock = ManualClock::new(start.and_hms_opt(4, 0, 0).expect("time").and_utc());
    let mut settings = state.settings.clone();
    settings.github.token = None;
    let sim = AppState::new(state.db.clone(), settings, Arc::new(clock.clone()));
    let missed = today - Days::new(ci::MISSED_DAY);
    let now = state.clock.now();
    for n in 0..=WINDOW_DAYS {
        let day = start + Days::new(n);
        let morning = day.and_hms_opt(4, 0, 0).expect("time").and_utc();
        clock.set(morning.min(now));
        ci::report_day(&sim, day, Some(missed)).await?;
        for round in 0..state.settings.demo_scale {
            people::file_requests(&sim, people, n, round).await?;
            people::merge_late(&sim, people, round).await?;
        }
        super::worker::tick(&sim).await?;
        clock.set(day.and_hms_opt(12, 0, 0).expect("time").and_utc().min(now));
        people::manage(&sim, people).await?;
    }
    Ok(())
}

/// The last day the demo's release manager did the day's work in this process.
static MANAGED_ON: std::sync::Mutex<Option<NaiveDate>> = std::sync::Mutex::new(None);

/// Demo mode keeps the train moving: today's builds and the automation every tick, and the
/// manager's day once a day (so a person trying the app finds candidates waiting for them,
/// not approved under their hands).
pub async fn keep_moving(state: &AppState) -> Result<(), AppError> {
    let today = state.today();
    ci::report_day(state, today, None).await?;
    super::worker::tick(state).await?;
    let first_today = {
        let mut managed = MANAGED_ON.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        managed.replace(today) != Some(today)
    };
    if first_today && let Some(people) = people::People::find(state).await? {
        people::manage(state, &people).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_demo_year_ends_with_the_current_minor_and_plans_the_next() {
        let h = history(&Policy::default(), d("2026-11-26"), 1);
        let minors: Vec<&DemoRelease> = h.iter().filter(|r| r.version.is_minor()).collect();
        assert_eq!(minors.len(), 13);
        assert_eq!(minors[11].version.to_string(), "1.12.0");
        assert_eq!(minors[11].date, d("2026-11-24"));
        assert!(minors[11].shipped);
        assert_eq!(minors[12].version.to_string(), "1.13.0");
        assert!(!minors[12].shipped);
        assert_eq!(minors[0].date, d("2025-12-23"));
    }

    #[test]
    fn shipped_lines_have_patches_and_supported_lines_a_planned_one() {
        let h = history(&Policy::default(), d("2026-11-26"), 1);
        let of = |line: &str| h.iter().filter(|r| r.version.line().to_string() == line).collect::<Vec<_>>();
        // 1.9 shipped in August: patches in Sep, Oct, Nov, and Dec planned before its EOL.
        let line_19 = of("1.9");
        assert!(line_19.iter().filter(|r| !r.version.is_minor() && r.shipped).count() >= 2);
        // 1.12 shipped two days ago: its first patch is planned for December's slot.
        let line_112 = of("1.12");
        assert_eq!(line_112.len(), 2);
        assert_eq!(line_112[1].version.to_string(), "1.12.1");
        assert_eq!(line_112[1].date, d("2026-12-08"));
        assert!(!line_112[1].shipped);
        // Nothing planned is in the past, nothing shipped in the future.
        assert!(h.iter().all(|r| r.shipped == (r.date <= d("2026-11-26"))));
    }

    #[test]
    fn a_minor_day_later_in_the_month_counts_from_last_month() {
        // On 2026-11-20 November's minor (the 24th) has not shipped: 1.12 is October's.
        let h = history(&Policy::default(), d("2026-11-20"), 1);
        let last_shipped = h.iter().rfind(|r| r.version.is_minor() && r.shipped).unwrap();
        assert_eq!(last_shipped.date, d("2026-10-27"));
    }
}
