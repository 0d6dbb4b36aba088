//! Every server function that changes something, with well-formed arguments and the least
//! role allowed to call it: the refusal tests and the hostile-input tests share this list.

use crate::harness::{policy_form, url};

/// Who may call an endpoint at the least.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Least {
    Developer,
    Manager,
    Admin,
}

pub fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// A server function's path, well-formed form fields for it, and the least role that may call it.
pub type Endpoint = (&'static str, Vec<(String, String)>, Least);

/// Every state-changing server function (and the admin read), with well-formed arguments, and
/// the least role that may call it.
pub fn mutating_endpoints() -> Vec<Endpoint> {
    use trainyard::features::{
        admin::api as admin, calendar::api as cal, notifications::api as notify, patch_requests::api as pr,
        publishing::api as publish, shipping::api as ship, train::api as train,
    };
    let policy = policy_form(&[]);
    let request: Vec<(String, String)> = [
        ("title", "t"),
        ("category", "stability"),
        ("severity", "S2"),
        ("bug_link", "https://x.org/1"),
        ("fix_link", ""),
        ("impact", ""),
        ("risk", "low"),
        ("risk_reason", ""),
        ("testing", ""),
        ("verified_on_daily", "no"),
        ("workaround", ""),
        ("cve_id", ""),
        ("embargoed", ""),
        ("targets", "1.12"),
    ]
    .iter()
    .map(|(k, v)| (format!("form[{k}]"), (*v).to_owned()))
    .collect();
    vec![
        (
            url::<admin::CreateUser>(),
            owned(&[("name", "eve"), ("role", "developer"), ("password", "long enough password")]),
            Least::Admin,
        ),
        (url::<admin::CreateToken>(), owned(&[("name", "ci-x"), ("scope", "ci")]), Least::Admin),
        (url::<admin::RevokeToken>(), owned(&[("id", "1")]), Least::Admin),
        (url::<admin::LoadAdmin>(), vec![], Least::Admin),
        (url::<admin::SavePolicy>(), policy, Least::Admin),
        (
            url::<cal::MoveRelease>(),
            owned(&[("version", "1.12.1"), ("date", "2026-12-10"), ("note", "x")]),
            Least::Manager,
        ),
        (url::<cal::CancelRelease>(), owned(&[("version", "1.12.1"), ("note", "x")]), Least::Manager),
        (url::<cal::AddOutOfBand>(), owned(&[("line", "1.12"), ("date", "2026-12-10"), ("note", "x")]), Least::Manager),
        (url::<cal::AddBlackout>(), owned(&[("date", "2026-12-24"), ("reason", "x")]), Least::Manager),
        (url::<cal::RemoveBlackout>(), owned(&[("date", "2026-12-24")]), Least::Manager),
        (url::<pr::FilePatchRequest>(), request.clone(), Least::Developer),
        (url::<pr::EditPatchRequest>(), [owned(&[("id", "1")]), request].concat(), Least::Developer),
        (url::<pr::WithdrawPatchRequest>(), owned(&[("id", "1"), ("reason", "not needed")]), Least::Developer),
        (
            url::<pr::ReclassifyPatchRequest>(),
            owned(&[("id", "1"), ("category", "security"), ("severity", "S1"), ("reason", "worse")]),
            Least::Manager,
        ),
        (
            url::<pr::DecidePatchRequest>(),
            owned(&[("id", "1"), ("line", "1.12"), ("decision", "approved"), ("reason", ""), ("out_of_band_on", "")]),
            Least::Manager,
        ),
        (url::<pr::AssignOncall>(), owned(&[("week", "2026-11-30"), ("user", "dev")]), Least::Manager),
        (
            url::<pr::DecideSeveral>(),
            owned(&[("ids", "1,2"), ("line", "1.12"), ("decision", "approved"), ("reason", "")]),
            Least::Manager,
        ),
        (url::<pr::MarkDuplicate>(), owned(&[("id", "2"), ("original", "1")]), Least::Manager),
        (
            url::<notify::SaveNotifications>(),
            owned(&[("email", "me@example.com"), ("kinds[]", "line_decided"), ("lines[]", "1.12")]),
            Least::Developer,
        ),
        (url::<notify::CreateFeed>(), vec![], Least::Developer),
        (url::<notify::RevokeFeed>(), vec![], Least::Developer),
        (
            url::<notify::AddWebhook>(),
            owned(&[("url", "https://chat.example/hook"), ("kinds[]", "request_filed")]),
            Least::Admin,
        ),
        (url::<notify::RevokeWebhook>(), owned(&[("id", "1")]), Least::Admin),
        (url::<train::PromoteBuild>(), owned(&[("build", "main-20261125-0200")]), Least::Manager),
        (url::<publish::PublishRelease>(), owned(&[("version", "1.11.1")]), Least::Manager),
        (url::<publish::RetryPublication>(), owned(&[("version", "1.11.1")]), Least::Manager),
        (
            url::<admin::RecordRelease>(),
            owned(&[("version", "1.9.9"), ("date", "2026-11-20"), ("commit", "")]),
            Least::Admin,
        ),
        (url::<pr::DeferPatchRequest>(), owned(&[("id", "1")]), Least::Manager),
        (url::<pr::LiftEmbargo>(), owned(&[("id", "1"), ("cve", "")]), Least::Manager),
        (url::<ship::ApprovePatchRelease>(), owned(&[("name", "1.12.1")]), Least::Manager),
        (url::<ship::RunTrainNow>(), vec![], Least::Manager),
        (url::<ship::ShipReleaseNow>(), owned(&[("name", "1.12.1")]), Least::Manager),
        (url::<ship::MarkReleaseReleased>(), owned(&[("name", "1.12.1")]), Least::Manager),
        (url::<ship::MoveFixOn>(), owned(&[("request", "1"), ("line", "1.12")]), Least::Manager),
        (
            url::<ship::SetLineEol>(),
            owned(&[("line", "1.10"), ("date", "2026-12-20"), ("note", "ends early")]),
            Least::Manager,
        ),
    ]
}
