//! The on-call rotation: who triages new requests each week.

use chrono::NaiveDate;

use super::parse_date;
use crate::{
    domain::{
        access::{Permission, Principal, Triager},
        calendar_rules::monday_of,
    },
    error::AppError,
    features::{
        audit::store::{Change, record},
        auth::store::find_credentials,
        patch_requests::store,
    },
    platform::{db::WriteTx, state::AppState},
};

/// Puts a user on call for the week containing `week`.
pub async fn assign_oncall(state: &AppState, actor: &Principal, week: &str, user_name: &str) -> Result<(), AppError> {
    actor.require(Permission::Triage)?;
    let day = parse_date("week", week)?;
    let user = find_credentials(state.db.reader(), user_name)
        .await?
        .ok_or_else(|| AppError::invalid("user", format!("no user is called “{}”", user_name.trim())))?;
    let monday = monday_of(day);
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    store::upsert_oncall(&mut tx, monday, user.viewer.id).await?;
    let summary = format!("{} triages the week of {monday}", user.viewer.name);
    record(&mut tx, actor, Change::new("oncall.assigned", "oncall", monday, summary), now).await?;
    if monday == monday_of(state.today()) {
        hand_over(&mut tx, actor, monday, (user.viewer.id, &user.viewer.name), now).await?;
    }
    tx.commit().await
}

/// Gives the open requests to this week's on-call developer, when the week changed hands since
/// they were filed (or assigned); the train runs it. Returns how many moved; writes nothing
/// when none has to.
pub async fn follow_rotation(state: &AppState, actor: &Principal) -> Result<u64, AppError> {
    let monday = monday_of(state.today());
    let Some((owner, name)) = store::find_oncall(state.db.reader(), monday).await? else { return Ok(0) };
    if store::count_owned_by_others(state.db.reader(), owner).await? == 0 {
        return Ok(0);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let moved = hand_over(&mut tx, actor, monday, (owner, &name), now).await?;
    tx.commit().await?;
    Ok(moved)
}

async fn hand_over(
    tx: &mut WriteTx,
    actor: &Principal,
    monday: NaiveDate,
    (owner, name): (i64, &str),
    now: chrono::DateTime<chrono::Utc>,
) -> Result<u64, AppError> {
    let moved = store::hand_over_open(tx, owner).await?;
    if moved > 0 {
        let summary = format!("{moved} open request(s) go to {name}, on call the week of {monday}");
        record(tx, actor, Change::new("oncall.handover", "oncall", monday, summary), now).await?;
    }
    Ok(moved)
}

/// How `actor` may decide request `request`: a release manager any; the developer on call
/// this week the requests they own.
pub async fn triager_of(state: &AppState, actor: &Principal, request: i64) -> Result<Triager, AppError> {
    if actor.can(Permission::Triage) {
        return Ok(Triager::Manager);
    }
    let owns_on_call = match actor.user_id() {
        Some(me) => {
            let owner = store::find_triage_owner(state.db.reader(), request).await?;
            let on_call = store::find_oncall(state.db.reader(), monday_of(state.today())).await?.map(|(id, _)| id);
            owner == Some(me) && on_call == Some(me)
        }
        None => false,
    };
    Ok(actor.triager(owns_on_call)?)
}

pub async fn rotation(state: &AppState) -> Result<Vec<(NaiveDate, String)>, AppError> {
    store::list_oncall(state.db.reader(), monday_of(state.today())).await
}
