//! How dates read on every page: "22 Sep 2026", "~Feb 2027", "in 3 days".

use chrono::{Datelike, NaiveDate};

use crate::domain::policy::{Certainty, EndOfLife, Precision};

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "22 Sep 2026"
pub fn short_date(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

/// "22 September 2026"
pub fn long_date(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), LONG_MONTHS[d.month0() as usize], d.year())
}

/// "Sep 2026"
pub fn month_year(d: NaiveDate) -> String {
    format!("{} {}", MONTHS[d.month0() as usize], d.year())
}

/// "September 2026"
pub fn long_month_year(d: NaiveDate) -> String {
    format!("{} {}", LONG_MONTHS[d.month0() as usize], d.year())
}

/// "Tue 22 Sep"
pub fn weekday_date(d: NaiveDate) -> String {
    format!("{} {} {}", d.weekday(), d.day(), MONTHS[d.month0() as usize])
}

/// "today", "tomorrow", "in 3 days", "2 weeks ago"…
pub fn relative(d: NaiveDate, today: NaiveDate) -> String {
    let days = (d - today).num_days();
    match days {
        0 => "today".into(),
        1 => "tomorrow".into(),
        -1 => "yesterday".into(),
        2..=13 => format!("in {days} days"),
        -13..=-2 => format!("{} days ago", -days),
        14..=59 => format!("in {} weeks", days / 7),
        -59..=-14 => format!("{} weeks ago", -days / 7),
        60.. => format!("in {} months", days / 30),
        _ => format!("{} months ago", -days / 30),
    }
}

/// An end of life as people should read it: month-precise projections get a tilde.
pub fn eol_date(eol: &EndOfLife) -> String {
    match eol.precision {
        Precision::Day => short_date(eol.date),
        Precision::Month => format!("~{}", month_year(eol.date)),
    }
}

pub fn certainty_label(c: Certainty) -> &'static str {
    match c {
        Certainty::Expected => "expected",
        Certainty::Confirmed => "confirmed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn dates_read_naturally() {
        assert_eq!(short_date(d("2026-09-22")), "22 Sep 2026");
        assert_eq!(long_date(d("2026-09-22")), "22 September 2026");
        assert_eq!(weekday_date(d("2026-09-22")), "Tue 22 Sep");
    }

    #[test]
    fn relative_times_round_sensibly() {
        let today = d("2026-11-26");
        assert_eq!(relative(today, today), "today");
        assert_eq!(relative(d("2026-11-29"), today), "in 3 days");
        assert_eq!(relative(d("2026-12-22"), today), "in 3 weeks");
        assert_eq!(relative(d("2026-11-12"), today), "2 weeks ago");
        assert_eq!(relative(d("2027-03-01"), today), "in 3 months");
    }

    #[test]
    fn month_precise_eol_dates_say_so() {
        let eol = EndOfLife {
            date: d("2027-03-09"),
            certainty: Certainty::Expected,
            precision: Precision::Month,
            override_note: None,
        };
        assert_eq!(eol_date(&eol), "~Mar 2027");
    }
}
