//! `/calendar`: the month grid, the agenda, the filters and (for release managers) corrections.

use chrono::{Datelike, Days, NaiveDate};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};

use super::{
    CalendarData,
    api::{AddBlackout, AddOutOfBand, CancelRelease, MoveRelease, RemoveBlackout, load_calendar},
    grid_weeks, month_key,
};
use crate::{
    components::{
        Loaded,
        dates::{long_date, long_month_year, month_year, relative, weekday_date},
        form::{Control, Field, FormError, message_for},
        reload_when,
        status::Pill,
        succeeded,
    },
    domain::{
        calendar_rules::months_after,
        schedule::{Blackout, EventKind, ScheduleEvent},
    },
    features::auth::page::use_viewer,
};

/// The query values of a list parameter, whether sent as `kinds=a,b` or `kinds=a&kinds=b`.
fn joined(query: &leptos_router::params::ParamsMap, key: &str) -> String {
    query.get_all(key).unwrap_or_default().join(",")
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let q = query.read();
            (q.get("month"), joined(&q, "kinds"), joined(&q, "lines"))
        },
        |(month, kinds, lines)| load_calendar(month, kinds, lines),
    );
    view! {
        <Title text="Calendar · Trainyard" />
        <h1>"Release calendar"</h1>
        <Loaded data=data content=move |d| view! { <CalendarView data=d /> } />
    }
}

fn month_href(month: NaiveDate, filter_query: &str) -> String {
    if filter_query.is_empty() {
        format!("/calendar?month={}", month_key(month))
    } else {
        format!("/calendar?month={}&{filter_query}", month_key(month))
    }
}

#[component]
fn CalendarView(data: CalendarData) -> impl IntoView {
    let filter_query = data.filter.query();
    let prev = month_href(data.month - chrono::Months::new(1), &filter_query);
    let next = month_href(months_after(data.month, 1), &filter_query);
    let today_href = month_href(crate::domain::calendar_rules::first_of_month(data.today), &filter_query);
    let ics_path =
        if filter_query.is_empty() { "/calendar.ics".to_owned() } else { format!("/calendar.ics?{filter_query}") };
    let webcal = format!("webcal://{}{}", data.host, ics_path);
    let kinds = data.filter.effective_kinds();
    let month = data.month;
    let today = data.today;
    let lines = data.lines.clone();
    let chosen_lines = data.filter.lines.clone();
    let grid_events = data.grid_events.clone();
    let agenda = data.agenda.clone();
    let corrections = use_viewer().is_manager().then(|| {
        let lines = data.lines.iter().rev().map(ToString::to_string).collect();
        view! { <CorrectionForms today movable=data.movable.clone() lines blackouts=data.blackouts.clone() /> }
    });
    view! {
        <nav class="month-nav" aria-label="Months">
            <a href=prev rel="prev">"← " {month_year(month - chrono::Months::new(1))}</a>
            <h2 class="month-title">{long_month_year(month)}</h2>
            <a href=next rel="next">{month_year(months_after(month, 1))} " →"</a>
            <a href=today_href class="button secondary">"Today"</a>
        </nav>
        <Form method="GET" action="/calendar" attr:class="filters">
            <input type="hidden" name="month" value=month_key(month) />
            <fieldset>
                <legend>"Show"</legend>
                {EventKind::ALL.into_iter().map(|k| {
                    let id = format!("kind-{}", k.as_str());
                    let label_for = id.clone();
                    view! {
                        <label class="choice" for=label_for>
                            <input type="checkbox" id=id name="kinds" value=k.as_str() checked=kinds.contains(&k) />
                            <span class=format!("kind kind-{}", k.as_str())>{k.label()}</span>
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <fieldset>
                <legend>"Lines"</legend>
                {lines.iter().rev().map(|l| {
                    let id = format!("line-{l}");
                    let label_for = id.clone();
                    let checked = chosen_lines.contains(l);
                    view! {
                        <label class="choice" for=label_for>
                            <input type="checkbox" id=id name="lines" value=l.to_string() checked=checked />
                            {l.to_string()}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <p><button type="submit">"Apply filters"</button></p>
        </Form>
        <p class="subscribe">
            "Subscribe: " <a href=webcal>"calendar app (webcal)"</a> " · " <a href=ics_path.clone()>".ics file"</a>
            " · " <a href="/feed.atom">"Atom feed"</a> " · " <a href="/api/v1/schedule">"JSON"</a>
        </p>
        <MonthGrid month today events=grid_events />
        <h2>"Agenda: the next six weeks"</h2>
        <Agenda events=agenda today />
        {corrections}
    }
}

#[component]
fn MonthGrid(month: NaiveDate, today: NaiveDate, events: Vec<ScheduleEvent>) -> impl IntoView {
    let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    view! {
        <table class="month-grid">
            <caption class="visually-hidden">{format!("Events in {}", long_month_year(month))}</caption>
            <thead>
                <tr>{weekdays.map(|d| view! { <th scope="col">{d}</th> }).collect_view()}</tr>
            </thead>
            <tbody>
                {grid_weeks(month).into_iter().map(|week| view! {
                    <tr>
                        {(0..7).map(|i| {
                            let day = week + Days::new(i);
                            let todays: Vec<ScheduleEvent> = events.iter().filter(|e| e.date == day).cloned().collect();
                            let mut class = String::from("day");
                            if day.month() != month.month() { class.push_str(" other-month"); }
                            if day == today { class.push_str(" today"); }
                            if todays.is_empty() { class.push_str(" empty"); }
                            view! {
                                <td class=class aria-current=(day == today).then_some("date")>
                                    <time class="day-number" datetime=day.to_string()>
                                        <span class="weekday-name">{weekday_date(day)}</span>
                                        <span class="day-of-month">{day.day()}</span>
                                    </time>
                                    {(!todays.is_empty()).then(|| view! {
                                        <ul class="events">{todays.into_iter().map(|e| view! { <li><EventChip event=e /></li> }).collect_view()}</ul>
                                    })}
                                </td>
                            }
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// An event as a link with its kind in words and colour.
#[component]
fn EventChip(event: ScheduleEvent) -> impl IntoView {
    let class = format!("chip kind-{} status-{}", event.kind.as_str(), event.status.as_str());
    let title = event.note.clone().map(|n| format!("{} — {n}", event.status.as_str()));
    view! {
        <a class=class href=event.link.clone() title=title>
            <span class="chip-kind">{event.kind.label()}</span>
            " "
            <span class="chip-title">{event.title.clone()}</span>
            {event.note.clone().map(|n| view! { <span class="chip-note">" — " {n}</span> })}
        </a>
    }
}

#[component]
fn Agenda(events: Vec<ScheduleEvent>, today: NaiveDate) -> impl IntoView {
    if events.is_empty() {
        return view! { <p>"Nothing scheduled in the next six weeks for these filters."</p> }.into_any();
    }
    let mut days: Vec<(NaiveDate, Vec<ScheduleEvent>)> = Vec::new();
    for e in events {
        match days.last_mut() {
            Some((d, list)) if *d == e.date => list.push(e),
            _ => days.push((e.date, vec![e])),
        }
    }
    view! {
        <ol class="agenda">
            {days.into_iter().map(|(day, list)| view! {
                <li>
                    <h3><time datetime=day.to_string()>{long_date(day)}</time> <span class="muted">" · " {relative(day, today)}</span></h3>
                    <ul>
                        {list.into_iter().map(|e| view! {
                            <li>
                                <EventChip event=e.clone() />
                                " "
                                <Pill kind=e.status.as_str() label=e.status.as_str() />
                            </li>
                        }).collect_view()}
                    </ul>
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// Release managers' corrections. Each change shows on the whole page (grid, agenda, feeds), so
/// a success loads the page again, as the same form posted without JavaScript does.
#[island]
fn CorrectionForms(
    today: NaiveDate,
    movable: Vec<String>,
    lines: Vec<String>,
    blackouts: Vec<Blackout>,
) -> impl IntoView {
    let move_action = ServerAction::<MoveRelease>::new();
    let cancel_action = ServerAction::<CancelRelease>::new();
    let oob_action = ServerAction::<AddOutOfBand>::new();
    let blackout_action = ServerAction::<AddBlackout>::new();
    let unblackout_action = ServerAction::<RemoveBlackout>::new();
    reload_when(move || {
        succeeded(move_action)
            || succeeded(cancel_action)
            || succeeded(oob_action)
            || succeeded(blackout_action)
            || succeeded(unblackout_action)
    });
    let move_error = Signal::derive(move || move_action.value().get().and_then(Result::err));
    let cancel_error = Signal::derive(move || cancel_action.value().get().and_then(Result::err));
    let oob_error = Signal::derive(move || oob_action.value().get().and_then(Result::err));
    let blackout_error = Signal::derive(move || blackout_action.value().get().and_then(Result::err));
    let unblackout_error = Signal::derive(move || unblackout_action.value().get().and_then(Result::err));
    let today = today.to_string();
    let choices = |values: &[String]| Control::Select(values.iter().map(|v| (v.clone(), v.clone())).collect());
    let (move_choices, cancel_choices, line_choices) = (choices(&movable), choices(&movable), choices(&lines));
    let (move_min, oob_min) = (today.clone(), today);
    let blackouts = blackouts
        .into_iter()
        .map(|b| {
            view! {
                <li>
                    {long_date(b.date)} ": " {b.reason.clone()} " "
                    <ActionForm action=unblackout_action attr:class="inline">
                        <input type="hidden" name="date" value=b.date.to_string() />
                        <button type="submit" class="link" aria-label=format!("Remove the blackout on {}", b.date)>
                            "remove"
                        </button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="corrections" aria-labelledby="corrections-heading">
            <h2 id="corrections-heading">"Corrections"</h2>
            <p class="hint">"Every change is recorded in the audit trail and updates the calendar feeds."</p>
            <div class="cards">
                <ActionForm action=move_action attr:class="card stack" attr:aria-label="Move a release">
                    <h3>"Move a release"</h3>
                    <Field name="version" id="move-version" label="Release" control=move_choices
                        message=message_for(move_error, "version") />
                    <Field name="date" id="move-date" label="New date" control=Control::Date required=true
                        min=move_min message=message_for(move_error, "date") />
                    <Field name="note" id="move-note" label="Why" required=true max_length=200
                        placeholder="moved for a holiday" message=message_for(move_error, "note") />
                    <FormError error=move_error fields=&["version", "date", "note"] />
                    <p><button type="submit">"Move"</button></p>
                </ActionForm>
                <ActionForm action=cancel_action attr:class="card stack" attr:aria-label="Cancel a release">
                    <h3>"Cancel a release"</h3>
                    <Field name="version" id="cancel-version" label="Release" control=cancel_choices
                        message=message_for(cancel_error, "version") />
                    <Field name="note" id="cancel-note" label="Why" required=true max_length=200
                        message=message_for(cancel_error, "note") />
                    <FormError error=cancel_error fields=&["version", "note"] />
                    <p><button type="submit" class="danger">"Cancel release"</button></p>
                </ActionForm>
                <ActionForm action=oob_action attr:class="card stack" attr:aria-label="Add an out-of-band patch">
                    <h3>"Out-of-band patch"</h3>
                    <Field name="line" id="oob-line" label="Line" control=line_choices
                        message=message_for(oob_error, "line") />
                    <Field name="date" id="oob-date" label="Date" control=Control::Date required=true
                        min=oob_min message=message_for(oob_error, "date") />
                    <Field name="note" id="oob-note" label="Why" required=true max_length=200
                        placeholder="CVE fix that cannot wait" message=message_for(oob_error, "note") />
                    <FormError error=oob_error fields=&["line", "date", "note"] />
                    <p><button type="submit">"Plan patch"</button></p>
                </ActionForm>
                <div class="card">
                    <h3>"Blackout days"</h3>
                    <ul>{blackouts}</ul>
                    <FormError error=unblackout_error fields=&[] />
                    <ActionForm action=blackout_action attr:class="stack" attr:aria-label="Add a blackout day">
                        <Field name="date" id="blackout-date" label="Date" control=Control::Date required=true
                            message=message_for(blackout_error, "date") />
                        <Field name="reason" id="blackout-reason" label="Reason" required=true max_length=200
                            placeholder="company holiday" message=message_for(blackout_error, "reason") />
                        <FormError error=blackout_error fields=&["date", "reason"] />
                        <p><button type="submit">"Add blackout"</button></p>
                    </ActionForm>
                </div>
            </div>
        </section>
    }
}
