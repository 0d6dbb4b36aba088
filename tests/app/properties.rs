//! The train's rules under any sequence of operations: a model-based property test. Random
//! sequences of what people, CI and time do are driven through the services on a temporary
//! SQLite file with a manual clock, publishing to the fake GitHub with random faults; after every
//! step the invariants are checked. proptest shrinks a failure to a short sequence and prints it.
//!
//! `make test` runs 500 cases from a fixed seed. A longer run, from another seed:
//! `PROPTEST_CASES=5000 TRAINYARD_PROPERTY_SEED=7 cargo test --features ssr --test app properties`.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, OnceLock},
    time::Duration,
};

use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use proptest::{
    prelude::*,
    test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner},
};
use trainyard::{
    domain::{
        access::{Principal, Role},
        catalog::{ReleaseKind, ReleaseStatus},
        patch_request::{Decision, PatchRequestForm, RequestStatus},
        plan::Plan,
        policy::EolOverride,
        policy_form::PolicyForm,
        train::NewBuild,
        version::{LineId, Version},
    },
    error::AppError,
    features::{
        admin::service as admin,
        auth::{service as auth, store::find_credentials},
        calendar::{rest::render_ics, service as calendar},
        catalog::service::{self as catalog, ShippedRelease},
        patch_requests::service::{self as requests, Decide},
        publishing::service as publishing,
        releases::service as releases,
        shipping::service as shipping,
        train::service as train,
    },
    platform::{clock::ManualClock, db::Db, settings::Settings, state::AppState},
};

use crate::fake_github::{FakeGitHub, Fault, REPO, TOKEN};

/// Something that happens to the train. Indices pick among what exists when it runs.
#[derive(Debug, Clone)]
enum Op {
    /// Time passes: this many days (to the next morning) or hours.
    Days(u8),
    Hours(u8),
    File {
        category: u8,
        severity: u8,
        lines: u8,
        embargoed: bool,
    },
    Decide {
        request: u8,
        line: u8,
        decision: u8,
        out_of_band_in: Option<u8>,
    },
    Defer {
        request: u8,
    },
    /// The requester edits a request: a new severity and lines, maybe a new category.
    Edit {
        request: u8,
        category: Option<u8>,
        severity: u8,
        lines: u8,
    },
    Withdraw {
        request: u8,
    },
    Reclassify {
        request: u8,
        category: u8,
        severity: u8,
    },
    LiftEmbargo {
        request: u8,
    },
    MarkDuplicate {
        request: u8,
        original: u8,
    },
    /// A cherry-pick pull request for an approved line is opened on GitHub and recorded.
    CherryPick {
        request: u8,
        line: u8,
    },
    /// An open cherry-pick merges on GitHub, now.
    Merge {
        pick: u8,
    },
    Daily {
        functional: bool,
    },
    WeeklyResults {
        stability: bool,
        performance: bool,
    },
    BranchBuild {
        line: u8,
        passed: bool,
    },
    Tick,
    Promote,
    Approve {
        pick: u8,
    },
    ShipNow {
        pick: u8,
    },
    Publish {
        pick: u8,
        fault: Option<u8>,
    },
    Cancel {
        pick: u8,
    },
    Move {
        pick: u8,
        days: u8,
    },
    OutOfBand {
        line: u8,
        days: u8,
    },
    MoveFix {
        request: u8,
        line: u8,
    },
    Blackout {
        days: u8,
    },
    Policy {
        shift: bool,
        support_weeks: u8,
    },
    Override {
        line: u8,
        weeks: Option<u8>,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let small = || 0u8..16;
    prop_oneof![
        4 => (1u8..6).prop_map(Op::Days),
        1 => (1u8..12).prop_map(Op::Hours),
        3 => (0u8..4, 0u8..4, any::<u8>(), prop::bool::weighted(0.2))
            .prop_map(|(category, severity, lines, embargoed)| Op::File { category, severity, lines, embargoed }),
        4 => (small(), small(), 0u8..4, prop::option::weighted(0.2, 0u8..5))
            .prop_map(|(request, line, decision, out_of_band_in)| Op::Decide { request, line, decision, out_of_band_in }),
        1 => small().prop_map(|request| Op::Defer { request }),
        1 => (small(), prop::option::weighted(0.3, 0u8..4), 0u8..4, any::<u8>())
            .prop_map(|(request, category, severity, lines)| Op::Edit { request, category, severity, lines }),
        1 => small().prop_map(|request| Op::Withdraw { request }),
        1 => (small(), 0u8..4, 0u8..4).prop_map(|(request, category, severity)| Op::Reclassify { request, category, severity }),
        1 => small().prop_map(|request| Op::LiftEmbargo { request }),
        1 => (small(), small()).prop_map(|(request, original)| Op::MarkDuplicate { request, original }),
        3 => (small(), small()).prop_map(|(request, line)| Op::CherryPick { request, line }),
        3 => small().prop_map(|pick| Op::Merge { pick }),
        3 => any::<bool>().prop_map(|functional| Op::Daily { functional }),
        2 => (prop::bool::weighted(0.8), prop::bool::weighted(0.8))
            .prop_map(|(stability, performance)| Op::WeeklyResults { stability, performance }),
        3 => (small(), prop::bool::weighted(0.8)).prop_map(|(line, passed)| Op::BranchBuild { line, passed }),
        4 => Just(Op::Tick),
        2 => Just(Op::Promote),
        3 => small().prop_map(|pick| Op::Approve { pick }),
        1 => small().prop_map(|pick| Op::ShipNow { pick }),
        3 => (small(), prop::option::weighted(0.4, 0u8..4)).prop_map(|(pick, fault)| Op::Publish { pick, fault }),
        1 => small().prop_map(|pick| Op::Cancel { pick }),
        1 => (small(), 0u8..40).prop_map(|(pick, days)| Op::Move { pick, days }),
        1 => (small(), 0u8..20).prop_map(|(line, days)| Op::OutOfBand { line, days }),
        1 => (small(), small()).prop_map(|(request, line)| Op::MoveFix { request, line }),
        1 => (0u8..60).prop_map(|days| Op::Blackout { days }),
        1 => (any::<bool>(), 4u8..10).prop_map(|(shift, support_weeks)| Op::Policy { shift, support_weeks }),
        1 => (small(), prop::option::of(0u8..12)).prop_map(|(line, weeks)| Op::Override { line, weeks }),
    ]
}

const CATEGORIES: [&str; 4] = ["stability", "security", "minor_problem", "feature"];

/// The lines whose bits are set in `mask`.
fn chosen(lines: &[LineId], mask: u8) -> Vec<String> {
    lines.iter().enumerate().filter(|(i, _)| mask & (1 << (i % 8)) != 0).map(|(_, l)| l.to_string()).collect()
}

/// The world every case starts from: a project a few months into its train, on Thursday
/// 26 November 2026, with a developer and a release manager. Made once, copied per case.
struct Template {
    _dir: tempfile::TempDir,
    file: std::path::PathBuf,
}

const START: &str = "2026-11-26T10:00:00Z";

fn settings(url: &str, fake: &FakeGitHub) -> Settings {
    let mut s = Settings::for_database(url);
    s.github.repo = Some(REPO.split_once('/').map(|(o, r)| (o.to_owned(), r.to_owned())).unwrap());
    s.github.token = Some(trainyard::platform::settings::Secret::new(TOKEN.into()));
    s.github.api_url = fake.url();
    s.github_timeouts = trainyard::platform::github::GitHubTimeouts {
        connect: Duration::from_secs(1),
        read: Duration::from_secs(1),
        total: Duration::from_millis(1500),
        secondary_wait: Duration::from_secs(60),
    };
    s.publish_backoff.mutation_gap = Duration::ZERO;
    s
}

async fn template(fake: &FakeGitHub) -> Template {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("template.db");
    let url = format!("sqlite://{}", dir.path().join("source.db").display());
    let db = Db::open(&url).await.unwrap();
    let clock = ManualClock::new(START.parse().unwrap());
    let state = AppState::new(db.clone(), settings(&url, fake), Arc::new(clock));
    let system = Principal::System("command line");
    for (name, role) in [("dev", Role::Developer), ("manager", Role::ReleaseManager)] {
        auth::create_user(&state, &system, name, role, format!("{name}'s long password"), false).await.unwrap();
    }
    for (version, date) in crate::world::PROJECT_HISTORY {
        let shipped = ShippedRelease {
            version: Version::parse(version).unwrap(),
            date: date.parse().unwrap(),
            commit: None,
            notes: String::new(),
        };
        catalog::record_shipped(&state, &system, &shipped).await.unwrap();
    }
    // One self-contained file: copying the source could miss what is still in its WAL.
    sqlx::query(&format!("VACUUM INTO '{}'", file.display())).execute(db.reader()).await.unwrap();
    db.close().await;
    Template { _dir: dir, file }
}

/// One case's world: its own copy of the template database, clock and fake GitHub state.
struct Case {
    state: AppState,
    clock: ManualClock,
    fake: FakeGitHub,
    dev: Principal,
    manager: Principal,
    requests: Vec<i64>,
    /// Open cherry-picks: (pull number, request, line).
    pulls: Vec<(u64, i64, LineId)>,
    next_pull: u64,
    builds: u32,
    /// Each stored release's slot the first time it was seen: it must never change.
    slots: HashMap<i64, String>,
    _dir: tempfile::TempDir,
}

impl Case {
    async fn new(template: &Template, fake: &FakeGitHub) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("case.db");
        std::fs::copy(&template.file, &file).unwrap();
        let url = format!("sqlite://{}", file.display());
        let db = Db::open(&url).await.unwrap();
        let clock = ManualClock::new(START.parse().unwrap());
        let state = AppState::new(db, settings(&url, fake), Arc::new(clock.clone()));
        let person = |name: &'static str| {
            let state = state.clone();
            async move { Principal::User(find_credentials(state.db.reader(), name).await.unwrap().unwrap().viewer) }
        };
        fake.reset();
        Self {
            dev: person("dev").await,
            manager: person("manager").await,
            state,
            clock,
            fake: fake.clone(),
            requests: Vec::new(),
            pulls: Vec::new(),
            next_pull: 1,
            builds: 0,
            slots: HashMap::new(),
            _dir: dir,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.state.clock.now()
    }

    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    async fn plan(&self) -> std::sync::Arc<Plan> {
        catalog::plan(&self.state, Months::new(8)).await.unwrap().1
    }

    fn request(&self, i: u8) -> Option<i64> {
        (!self.requests.is_empty()).then(|| self.requests[usize::from(i) % self.requests.len()])
    }

    /// A line people can act on: supported, or the branched one.
    async fn line(&self, i: u8) -> Option<LineId> {
        let plan = self.plan().await;
        let lines: Vec<LineId> =
            plan.lines.iter().filter(|l| l.status.is_supported() || !l.released()).map(|l| l.line).collect();
        (!lines.is_empty()).then(|| lines[usize::from(i) % lines.len()])
    }

    /// A live release with a version, by its name.
    async fn release(&self, i: u8) -> Option<String> {
        let plan = self.plan().await;
        let live: Vec<String> = plan
            .releases()
            .filter(|s| s.state.is_live() && s.date <= plan.today + Days::new(70))
            .filter_map(|s| s.version.as_ref().map(ToString::to_string))
            .collect();
        (!live.is_empty()).then(|| live[usize::from(i) % live.len()].clone())
    }

    fn build_name(&mut self, branch: &str) -> String {
        // One build per minute at most: the name carries its cut time.
        self.builds += 1;
        let cut = self.now() - chrono::Duration::minutes(i64::from(self.builds % 50) + 1);
        format!("{branch}-{}", cut.format("%Y%m%d-%H%M"))
    }

    async fn report(&mut self, branch: &str, functional: bool) -> Result<(), AppError> {
        let name = self.build_name(branch);
        let commit = format!("{:040x}", self.builds);
        let build = NewBuild { name: name.clone(), branch: None, commit, cut_at: None };
        train::report_build(&self.state, &self.manager, &build).await?;
        let status = if functional { "passed" } else { "failed" };
        train::report_result(&self.state, &self.manager, &name, "functional", status, None).await.map(drop)
    }

    /// Runs one operation. Refusals are part of the game; only what they leave behind counts.
    async fn run(&mut self, op: &Op) -> Result<(), AppError> {
        let (dev, manager) = (self.dev.clone(), self.manager.clone());
        let state = self.state.clone();
        let today = self.today();
        match *op {
            Op::Days(n) => {
                let next = (today + Days::new(u64::from(n))).and_hms_opt(10, 0, 0).unwrap().and_utc();
                self.clock.set(next);
                Ok(())
            }
            Op::Hours(n) => {
                self.clock.advance(chrono::Duration::hours(i64::from(n)));
                Ok(())
            }
            Op::File { category, severity, lines, embargoed } => {
                let plan = self.plan().await;
                let targetable = requests::targetable_lines(&state).await?;
                let chosen = chosen(&targetable, lines);
                let category = CATEGORIES[usize::from(category)];
                let form = PatchRequestForm {
                    title: format!("Bug {} on {}", self.requests.len() + 1, plan.today),
                    category: category.into(),
                    severity: format!("S{}", severity + 1),
                    bug_link: format!("https://github.com/example/trainyard/issues/{}", self.requests.len() + 1),
                    risk: "low".into(),
                    impact: "something breaks".into(),
                    testing: "a test".into(),
                    embargoed: if embargoed && category == "security" { "on".into() } else { String::new() },
                    targets: chosen.join(","),
                    ..PatchRequestForm::default()
                };
                let id = requests::file_request(&state, &dev, &form).await?;
                if !self.requests.contains(&id) {
                    self.requests.push(id);
                }
                Ok(())
            }
            Op::Decide { request, line, decision, out_of_band_in } => {
                let Some(request) = self.request(request) else { return Ok(()) };
                let found = requests::find(&state, &manager, request).await?;
                let Some(target) = found.targets.get(usize::from(line) % found.targets.len().max(1)) else {
                    return Ok(());
                };
                let decision = [Decision::Approved, Decision::Approved, Decision::Rejected, Decision::NotAffected]
                    [usize::from(decision)];
                let decide = Decide {
                    request,
                    line: Some(target.line),
                    decision,
                    reason: "because".into(),
                    out_of_band_on: out_of_band_in.map(|d| today + Days::new(u64::from(d))),
                    seen: Some(target.revision),
                };
                requests::decide(&state, &manager, decide).await
            }
            Op::Defer { request } => {
                let Some(request) = self.request(request) else { return Ok(()) };
                requests::defer_to_monthly(&state, &manager, request).await.map(drop)
            }
            Op::Edit { request, category, severity, lines } => {
                let Some(request) = self.request(request) else { return Ok(()) };
                let found = requests::find(&state, &dev, request).await?;
                let targetable = requests::targetable_lines(&state).await?;
                let mut form = requests::form_of(&found);
                if let Some(category) = category {
                    form.category = CATEGORIES[usize::from(category)].into();
                }
                form.severity = format!("S{}", severity + 1);
                form.targets = chosen(&targetable, lines).join(",");
                if form.category != "security" {
                    form.embargoed.clear();
                    form.cve_id.clear();
                }
                requests::edit_request(&state, &dev, request, &form).await
            }
            Op::Withdraw { request } => {
                let Some(request) = self.request(request) else { return Ok(()) };
                requests::withdraw(&state, &dev, request, "fixed another way").await
            }
            Op::Reclassify { request, category, severity } => {
                let Some(request) = self.request(request) else { return Ok(()) };
                let category = CATEGORIES[usize::from(category)];
                requests::reclassify(
                    &state,
                    &manager,
                    request,
                    category,
                    &format!("S{}", severity + 1),
                    "triaged again",
                )
                .await
            }
            Op::LiftEmbargo { request } => {
                let Some(request) = self.request(request) else { return Ok(()) };
                requests::lift_embargo(&state, &manager, request, "CVE-2026-1000").await
            }
            Op::MarkDuplicate { request, original } => {
                let (Some(request), Some(original)) = (self.request(request), self.request(original)) else {
                    return Ok(());
                };
                requests::mark_duplicate(&state, &manager, request, &original.to_string()).await.map(drop)
            }
            Op::CherryPick { request, line } => {
                let Some(request) = self.request(request) else { return Ok(()) };
                let found = requests::find(&state, &dev, request).await?;
                let Some(target) = found.targets.get(usize::from(line) % found.targets.len().max(1)) else {
                    return Ok(());
                };
                let number = self.next_pull;
                self.next_pull += 1;
                let url = self.fake.open_pull(number, &format!("release-{}", target.line));
                requests::set_cherry_pick(&state, &dev, request, target.line, &url).await?;
                self.pulls.push((number, request, target.line));
                Ok(())
            }
            Op::Merge { pick } => {
                if self.pulls.is_empty() {
                    return Ok(());
                }
                let (number, ..) = self.pulls.remove(usize::from(pick) % self.pulls.len());
                self.fake.merge_pull(number, &self.now().to_rfc3339(), &format!("{number:040x}"));
                Ok(())
            }
            Op::Daily { functional } => self.report("main", functional).await,
            Op::WeeklyResults { stability, performance } => {
                let view = train::view(&state, &manager).await?;
                let Some(weekly) = view.weeklies.first() else { return Ok(()) };
                let name = weekly.name.clone();
                for (suite, passed) in [("stability", stability), ("performance", performance)] {
                    let status = if passed { "passed" } else { "failed" };
                    train::report_result(&state, &manager, &name, suite, status, None).await?;
                }
                Ok(())
            }
            Op::BranchBuild { line, passed } => {
                let Some(line) = self.line(line).await else { return Ok(()) };
                self.report(&format!("release-{line}"), passed).await
            }
            Op::Tick => shipping::run_train(&state).await.map(drop),
            Op::Promote => {
                let Some(build) = train::current_candidate(&state).await?.and_then(|c| c.build) else { return Ok(()) };
                train::promote(&state, &manager, &build.name).await.map(drop)
            }
            Op::Approve { pick } => {
                let queue = shipping::patch_queue(&state, &manager).await?;
                if queue.is_empty() {
                    return Ok(());
                }
                let name = queue[usize::from(pick) % queue.len()].slot.clone();
                shipping::approve_patch(&state, &manager, &name).await.map(drop)
            }
            Op::ShipNow { pick } => {
                let Some(name) = self.release(pick).await else { return Ok(()) };
                shipping::ship_now(&state, &manager, &name).await
            }
            Op::Publish { pick, fault } => {
                let Some(name) = self.release(pick).await else { return Ok(()) };
                let published = publishing::publish(&state, &manager, &name).await;
                if let Some(fault) = fault {
                    let fault = [
                        Fault::Json5xx(502),
                        Fault::Html(504),
                        Fault::LostAck,
                        Fault::SecondaryLimit { status: 429, retry_after: Some(1) },
                    ][usize::from(fault)]
                    .clone();
                    self.fake.fail_next("create_release", fault);
                }
                published?;
                // The worker runs the outbox until it is done; retries come due an hour later.
                for _ in 0..4 {
                    publishing::process_due(&state).await?;
                    self.clock.advance(chrono::Duration::hours(1));
                }
                Ok(())
            }
            Op::Cancel { pick } => {
                let Some(name) = self.release(pick).await else { return Ok(()) };
                shipping::cancel(&state, &manager, &name, "not this time").await
            }
            Op::Move { pick, days } => {
                let Some(name) = self.release(pick).await else { return Ok(()) };
                let date = (today + Days::new(u64::from(days))).to_string();
                shipping::move_release(&state, &manager, &name, &date, "moved").await
            }
            Op::OutOfBand { line, days } => {
                let Some(line) = self.line(line).await else { return Ok(()) };
                let date = (today + Days::new(u64::from(days))).to_string();
                shipping::add_out_of_band(&state, &manager, &line.to_string(), &date, "urgent").await.map(drop)
            }
            Op::MoveFix { request, line } => {
                let Some(request) = self.request(request) else { return Ok(()) };
                let found = requests::find(&state, &manager, request).await?;
                let Some(target) = found.targets.get(usize::from(line) % found.targets.len().max(1)) else {
                    return Ok(());
                };
                shipping::move_fix(&state, &manager, request, target.line).await
            }
            Op::Blackout { days } => {
                let date = (today + Days::new(u64::from(days))).to_string();
                calendar::add_blackout(&state, &manager, &date, "holiday").await
            }
            Op::Policy { shift, support_weeks } => {
                let admin_user = Principal::System("admin");
                let form = PolicyForm {
                    minor_release: "4th Tuesday".into(),
                    patch_deadline: "1st Friday".into(),
                    patch_target: "2nd Tuesday".into(),
                    weekly_qualification: "Wednesday".into(),
                    daily_cut_hour: "2".into(),
                    branch_cut_days: "14".into(),
                    code_freeze_days: "7".into(),
                    support_weeks: support_weeks.to_string(),
                    support_successor: "2".into(),
                    main_branch: String::new(),
                    release_branch: String::new(),
                    patch_suites: String::new(),
                    cadence: if shift { "shift".into() } else { "fixed".into() },
                };
                admin::save_policy(&state, &admin_user, &form).await
            }
            Op::Override { line, weeks } => {
                let Some(line) = self.line(line).await else { return Ok(()) };
                let value =
                    weeks.map(|w| EolOverride { date: today + Days::new(7 * u64::from(w)), note: "decided".into() });
                shipping::set_eol_override(&state, &manager, line, value).await
            }
        }
    }
}

/// Everything stored that an operation may change, to tell whether a refused one changed any.
async fn stored(state: &AppState) -> String {
    let mut out = String::new();
    for table in ["release", "patch_target", "patch_request", "blackout", "release_line", "policy", "publication"] {
        let columns: Vec<String> = sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .fetch_all(state.db.reader())
            .await
            .unwrap();
        let row = columns.iter().map(|c| format!("quote({c})")).collect::<Vec<_>>().join(" || ',' || ");
        let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT {row} FROM {table} ORDER BY rowid"))
            .fetch_all(state.db.reader())
            .await
            .unwrap();
        out.push_str(&rows.join("\n"));
    }
    out
}

async fn audit_count(state: &AppState) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM event").fetch_one(state.db.reader()).await.unwrap()
}

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// The invariants, each named by what it promises.
async fn check(case: &mut Case) -> Result<(), String> {
    let state = &case.state;
    let (catalog, plan) = catalog::plan(state, Months::new(8)).await.map_err(|e| e.to_string())?;
    let today = plan.today;

    // 1. Per line, versions strictly increase with release dates; no version twice.
    let mut seen = HashSet::new();
    for s in plan.releases().filter(|s| !s.state.is_dropped()) {
        if let Some(v) = &s.version {
            ensure!(seen.insert(v.clone()), "1: {v} is in the plan twice");
        }
    }
    for line in &plan.lines {
        let mut dated: Vec<(NaiveDate, bool, &Version)> = std::iter::once(&line.minor)
            .chain(&line.patches)
            .filter(|s| !s.state.is_dropped())
            .filter_map(|s| Some((s.due(today), s.state.is_live(), s.version.as_ref()?)))
            .collect();
        dated.sort_by_key(|(date, live, v)| (*live, *date, (*v).clone()));
        for pair in dated.windows(2) {
            ensure!(
                pair[0].2 < pair[1].2,
                "1: in {}, {} comes before {} but is not lower",
                line.line,
                pair[0].2,
                pair[1].2
            );
            ensure!(pair[0].0 <= pair[1].0, "1: in {}, {} ships after {}", line.line, pair[0].2, pair[1].2);
        }
    }

    // 2. Every calendar UID is unique, and a stored release keeps its slot (its UID) forever.
    let (from, to) = (today - Days::new(60), today + Days::new(240));
    let events = calendar::schedule(state, from, to).await.map_err(|e| e.to_string())?;
    let mut uids = HashSet::new();
    for e in &events {
        ensure!(uids.insert(e.uid.clone()), "2: the UID {} is on the calendar twice", e.uid);
    }
    for r in &catalog.releases {
        let key = r.slot.key();
        let first = case.slots.entry(r.id).or_insert_with(|| key.clone());
        ensure!(*first == key, "2: release {} was {first}, is now {key}", r.id);
    }
    let ics = render_ics(&events, "https://yard.example", "yard.example", case.now());
    ensure!(ics.matches("BEGIN:VEVENT").count() == events.len(), "2: the ICS has a different number of events");

    // 3. The matrix, the calendar and the APIs agree on each line.
    let matrix = releases::matrix(state).await.map_err(|e| e.to_string())?;
    for row in &matrix.rows {
        let line = plan.line(row.line).ok_or(format!("3: {} is in the matrix, not in the plan", row.line))?;
        ensure!(
            row.status == line.status,
            "3: {} is {:?} in the matrix, {:?} in the plan",
            row.line,
            row.status,
            line.status
        );
        if let Some(eol) = &row.eol
            && eol.date >= from
            && eol.date <= to
        {
            let event = events.iter().find(|e| e.uid == format!("end-of-life-{}", row.line));
            ensure!(
                event.is_some_and(|e| e.date == eol.date),
                "3: {} ends {} in the matrix, not on the calendar",
                row.line,
                eol.date
            );
        }
        if let Some(next) = &row.next_patch {
            use trainyard::domain::schedule::{EventKind, EventStatus};
            let first = events
                .iter()
                .filter(|e| e.line == Some(row.line) && e.kind == EventKind::Patch && e.version.is_some())
                .filter(|e| matches!(e.status, EventStatus::Planned | EventStatus::Projected | EventStatus::Late))
                .min_by_key(|e| (e.date.max(today), e.version.clone()));
            if next.target_date <= to {
                ensure!(
                    first.is_some_and(
                        |e| e.version.as_ref() == Some(&next.version) && e.date.max(today) == next.target_date
                    ),
                    "3: {}'s next patch is {} on {} in the matrix, {:?} on the calendar",
                    row.line,
                    next.version,
                    next.target_date,
                    first.map(|e| (&e.version, e.date))
                );
            }
        }
    }

    // 4. Every approved line has one live carrier before its end of life, has shipped, or says why not.
    for &id in &case.requests {
        let request = requests::find(state, &case.manager, id).await.map_err(|e| e.to_string())?;
        for t in request.targets.iter().filter(|t| t.decision == Decision::Approved) {
            let line = plan.line(t.line);
            match &t.carrier {
                Some(c) if c.shipped => {}
                Some(c) => {
                    ensure!(
                        c.state.is_live(),
                        "4: #{id} {} rides {:?}, which is {}",
                        t.line,
                        c.version,
                        c.state.as_str()
                    );
                    if let Some(l) = line {
                        ensure!(
                            c.date < l.eol.date,
                            "4: #{id} {} rides a release on {} after its end of life {}",
                            t.line,
                            c.date,
                            l.eol.date
                        );
                    }
                }
                None => {
                    ensure!(t.carry_note.is_some(), "4: #{id} {} is approved with no release and no reason", t.line)
                }
            }
        }
        // 9. A withdrawn request travels in no release, has no line approved and waits for no
        //    monthly; a request that does not qualify has no line approved either.
        ensure!(
            request.status != RequestStatus::Withdrawn || request.deferred_to.is_none(),
            "9: #{id} is withdrawn but waits for {:?}",
            request.deferred_to
        );
        if request.status == RequestStatus::Withdrawn || !request.category.qualifies() {
            for t in &request.targets {
                ensure!(
                    t.decision != Decision::Approved && t.carrier.is_none(),
                    "9: #{id} is {} ({}) but {} is {} in {:?}",
                    request.status.as_str(),
                    request.category.short(),
                    t.line,
                    t.decision.label(),
                    t.carrier.as_ref().map(|c| &c.version)
                );
            }
        }
        // 10. A duplicate follows a request that is itself no duplicate, so everyone follows the
        //     one that is decided; only a security request is under embargo.
        if let Some(original) = request.duplicate_of {
            let followed = requests::find(state, &case.manager, original).await.map_err(|e| e.to_string())?;
            ensure!(
                original != id && followed.duplicate_of.is_none(),
                "10: #{id} duplicates #{original}, which duplicates {:?}",
                followed.duplicate_of
            );
        }
        ensure!(
            !request.embargoed || request.category == trainyard::domain::patch_request::Category::Security,
            "10: #{id} is under embargo as a {}",
            request.category.short()
        );
        // 6. A deferred request names a live (or shipped) monthly.
        if let Some(monthly) = &request.deferred_to {
            let version = Version::parse(monthly).map_err(|e| e.to_string())?;
            let named = plan.by_version(&version);
            ensure!(
                named.is_some_and(|m| m.kind == ReleaseKind::Minor && !m.state.is_dropped()),
                "6: #{id} waits for {monthly}, which is not a live monthly"
            );
        }
    }

    // 5. Releases approved, promoted or published were so by a person; promoted monthlies came
    //    from a qualified weekly of main.
    let events_log: Vec<(String, String, String)> = sqlx::query_as("SELECT actor, action, summary FROM event")
        .fetch_all(state.db.reader())
        .await
        .map_err(|e| e.to_string())?;
    for r in catalog.releases.iter().filter(|r| {
        matches!(r.status, ReleaseStatus::Approved | ReleaseStatus::Publishing)
            || (r.status == ReleaseStatus::Released && r.source_build.is_some())
    }) {
        // A monthly is stored under its version only once it publishes: the plan names it before.
        let version = r.version.clone().or_else(|| plan.by_release(r.id).and_then(|s| s.version.clone()));
        let name = version.as_ref().map(ToString::to_string).unwrap_or_else(|| r.slot.key());
        let by_person = events_log.iter().any(|(actor, action, summary)| {
            matches!(action.as_str(), "release.promoted" | "release.approved")
                && summary.contains(&name)
                && actor.contains("manager")
        });
        ensure!(by_person, "5: {name} is {:?} without a manager approving it", r.status);
        if r.kind == ReleaseKind::Minor {
            let build = r.source_build.clone().unwrap_or_default();
            let facts: Option<(Option<String>, String)> =
                sqlx::query_as("SELECT weekly_of, branch FROM build WHERE name = ?")
                    .bind(&build)
                    .fetch_optional(state.db.reader())
                    .await
                    .map_err(|e| e.to_string())?;
            ensure!(
                facts.as_ref().is_some_and(|(weekly, branch)| weekly.is_some() && branch == "main"),
                "5: {name} came from {build}, not a weekly of main"
            );
        }
    }

    // 7. At most one GitHub release per tag; the newest "latest" is the highest version.
    let published = case.fake.all_releases();
    let mut tags = HashSet::new();
    for r in &published {
        let tag = r["tag_name"].as_str().unwrap_or_default().to_owned();
        ensure!(tags.insert(tag.clone()), "7: two GitHub releases for {tag}");
    }
    let versions: Vec<Version> =
        published.iter().filter_map(|r| Version::parse(r["tag_name"].as_str()?).ok()).collect();
    if let Some(latest) = published.iter().filter(|r| r["make_latest"] == "true").max_by_key(|r| r["id"].as_i64())
        && let Some(highest) = versions.iter().max()
    {
        ensure!(
            latest["tag_name"] == highest.to_string(),
            "7: {} is latest on GitHub, but {highest} is higher",
            latest["tag_name"]
        );
    }
    Ok(())
}

fn fake() -> &'static (tokio::runtime::Runtime, FakeGitHub, Template) {
    static WORLD: OnceLock<(tokio::runtime::Runtime, FakeGitHub, Template)> = OnceLock::new();
    WORLD.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let (fake, template) = rt.block_on(async {
            let fake = FakeGitHub::start().await;
            let template = template(&fake).await;
            (fake, template)
        });
        (rt, fake, template)
    })
}

/// Runs `ops` from the template world, checking every invariant after each step.
async fn run_case(ops: &[Op], fake: &FakeGitHub, template: &Template) -> Result<(), String> {
    let mut case = Case::new(template, fake).await;
    check(&mut case).await.map_err(|e| format!("at the start: {e}"))?;
    for (i, op) in ops.iter().enumerate() {
        let before = (stored(&case.state).await, audit_count(&case.state).await);
        let result = case.run(op).await;
        let after = (stored(&case.state).await, audit_count(&case.state).await);
        match &result {
            Err(AppError::Internal) => return Err(format!("step {i} {op:?} failed inside: {result:?}")),
            // 8. A refusal changes nothing and records nothing.
            Err(e) if before != after => {
                return Err(format!("step {i} {op:?} was refused ({e}) but changed what is stored"));
            }
            // 8. Every change a person makes is recorded.
            Ok(()) if before.0 != after.0 && after.1 <= before.1 => {
                return Err(format!("step {i} {op:?} changed what is stored without an audit event"));
            }
            _ => {}
        }
        check(&mut case).await.map_err(|e| format!("after step {i} {op:?}: {e}"))?;
    }
    Ok(())
}

#[test]
fn the_trains_rules_hold_under_any_sequence_of_operations() {
    let (rt, fake, template) = fake();
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(500);
    let seed: u64 = std::env::var("TRAINYARD_PROPERTY_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261130);
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    let started = std::time::Instant::now();
    // A panic inside a service is a defect too: say where it happened, then let proptest shrink.
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| eprintln!("panic: {info}")));
    let result = runner.run(&prop::collection::vec(op(), 1..24), |ops| {
        rt.block_on(run_case(&ops, fake, template)).map_err(TestCaseError::fail)
    });
    std::panic::set_hook(quiet);
    eprintln!("{cases} cases from seed {seed} in {:.1?}", started.elapsed());
    if let Err(e) = result {
        panic!("{e}\nReplay with TRAINYARD_PROPERTY_SEED={seed}; the shrunk sequence is above.");
    }
}
