//! Demo data for an empty database (`TRAINYARD_DEMO`): a believable year of the train,
//! relative to today, so every page has something true to show.

use chrono::{Days, NaiveDate};
use sha2::Digest;

pub mod ci;
pub mod users;

use crate::{
    domain::{calendar_rules::months_after, catalog::ReleaseStatus, policy::Policy, version::Version},
    error::AppError,
    features::catalog::{
        service::catalog,
        store::{NewRelease, insert_release},
    },
    platform::state::AppState,
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

/// Seeds the demo history when the database holds no release yet.
pub async fn seed_if_empty(state: &AppState) -> Result<(), AppError> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM release").fetch_one(state.db.reader()).await?;
    if existing > 0 {
        return Ok(());
    }
    let catalog = catalog(state).await?;
    let now = state.clock.now();
    let releases = history(&catalog.policy, state.today(), state.settings.demo_scale);
    let mut tx = state.db.begin_write().await?;
    for r in &releases {
        let notes = if r.version.is_minor() {
            format!(
                "Monthly minor release {}: promoted from the weekly build that passed functional, stability and performance tests.",
                r.version
            )
        } else if r.out_of_band {
            format!("Out-of-band security release for {}.", r.version.line())
        } else {
            format!("Patch release with the stability and security fixes approved for {}.", r.version.line())
        };
        let new = NewRelease {
            version: r.version.clone(),
            status: if r.shipped { ReleaseStatus::Published } else { ReleaseStatus::Planned },
            planned_date: Some(r.date),
            actual_date: r.shipped.then_some(r.date),
            out_of_band: r.out_of_band,
            source_build: None,
            source_commit: None,
            notes,
            date_note: None,
        };
        insert_release(&mut tx, &new, now).await?;
    }
    // The newest shipped patch of the newest supported older line waits for a release manager
    // to publish it to GitHub.
    if let Some(pending) = releases
        .iter()
        .filter(|r| r.shipped && !r.version.is_minor() && !r.out_of_band)
        .max_by_key(|r| (r.date, r.version.clone()))
    {
        sqlx::query("UPDATE release SET status = 'approved', source_commit = ? WHERE version = ?")
            .bind(hex::encode(sha2::Sha256::digest(pending.version.to_string().as_bytes()))[..40].to_owned())
            .bind(pending.version.to_string())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    seed_requests(state).await?;
    ci::advance(state, 28 * u64::from(state.settings.demo_scale)).await?;
    tracing::info!(releases = releases.len(), "seeded the demo history");
    Ok(())
}

/// A few requests in every state, filed and triaged through the same rules as the pages.
async fn seed_requests(state: &AppState) -> Result<(), AppError> {
    use crate::{
        domain::{
            access::Principal,
            patch_request::{Decision, PatchRequestForm},
        },
        features::{auth::store::find_credentials, patch_requests::service},
    };
    let person = |name: &'static str| async move {
        find_credentials(state.db.reader(), name).await.map(|c| c.map(|c| Principal::User(c.viewer)))
    };
    let (Some(dev), Some(manager)) = (person("dev").await?, person("manager").await?) else {
        return Ok(());
    };
    let supported = catalog(state).await?.supported_lines(state.today());
    let all: Vec<String> = supported.iter().map(|s| s.id.to_string()).collect();
    let form = |title: &str, category: &str, severity: &str, issue: u32| PatchRequestForm {
        title: title.into(),
        category: category.into(),
        severity: severity.into(),
        bug_link: format!("https://github.com/example/trainyard-demo/issues/{issue}"),
        fix_link: format!("https://github.com/example/trainyard-demo/pull/{}", issue + 1),
        impact: "Users of the affected lines hit this in production until the next monthly release.".into(),
        risk: "low".into(),
        testing: "Unit test added; verified on the daily build.".into(),
        verified_on_daily: "yes".into(),
        targets: all.join(","),
        ..PatchRequestForm::default()
    };
    for round in 0..state.settings.demo_scale {
        let n = 1000 + round * 10;
        let crash = service::file_request(
            state,
            &dev,
            &form("Sidecar crashes when a header value is empty", "stability", "S2", n),
        )
        .await?;
        let (slots, _) = service::line_slots(state).await?;
        for slot in &slots {
            // A line past its last patch slot cannot take a regular patch any more.
            let (decision, reason) = match slot.next {
                Some(_) => (Decision::Approved, String::new()),
                None => (
                    Decision::Rejected,
                    format!("{} reaches end of life before its next patch slot; upgrade.", slot.line),
                ),
            };
            service::decide(
                state,
                &manager,
                service::Decide { request: crash, line: Some(slot.line), decision, reason, out_of_band_on: None },
            )
            .await?;
        }
        let mut cve = form("Token validation accepts expired JWTs", "security", "S1", n + 2);
        cve.cve_id = "CVE-2026-41234".into();
        service::file_request(state, &dev, &cve).await?;
        let leak = service::file_request(
            state,
            &dev,
            &form("Memory grows when watching many namespaces", "stability", "S3", n + 4),
        )
        .await?;
        if let Some(oldest) = supported.first() {
            service::decide(
                state,
                &manager,
                service::Decide {
                    request: leak,
                    line: Some(oldest.id),
                    decision: Decision::Rejected,
                    reason: "Too risky this late in the line's support; upgrade instead.".into(),
                    out_of_band_on: None,
                },
            )
            .await?;
        }
        service::file_request(state, &dev, &form("Add a flag to tune the retry budget", "feature", "S4", n + 6))
            .await?;
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
