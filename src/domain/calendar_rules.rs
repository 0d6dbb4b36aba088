//! Calendar arithmetic the train's rules are written in: "the 2nd Tuesday", "two months on".

use std::{fmt, str::FromStr};

use chrono::{Datelike, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The years any date people type or ask about may lie in: wide enough for any history and
/// plan, narrow enough that every date computed from one stays valid and cheap.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A day written `YYYY-MM-DD` within [`YEARS`]; the error says what is wrong.
pub fn parse_day(text: &str) -> Result<NaiveDate, String> {
    let text = text.trim();
    let well_formed = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    let day = well_formed
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| format!("“{}” is not a date like 2026-12-08", shown(text)))?;
    if !YEARS.contains(&day.year()) {
        return Err(format!("choose a date between {} and {}", YEARS.start(), YEARS.end()));
    }
    Ok(day)
}

/// At most the first 40 characters of what someone typed, for a message that quotes it.
pub fn shown(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// Which occurrence of a weekday in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nth {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

/// A day that recurs monthly, such as "the 2nd Tuesday".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyDay {
    pub nth: Nth,
    #[serde(with = "weekday_name")]
    pub weekday: Weekday,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not a monthly day like “2nd Tuesday” or “last Friday”")]
pub struct MonthlyDayError(pub String);

impl MonthlyDay {
    pub const fn new(nth: Nth, weekday: Weekday) -> Self {
        Self { nth, weekday }
    }

    /// The date of this day in the given month.
    pub fn in_month(&self, year: i32, month: u32) -> NaiveDate {
        let n = match self.nth {
            Nth::First => 1,
            Nth::Second => 2,
            Nth::Third => 3,
            Nth::Fourth => 4,
            Nth::Last => {
                let last = last_day_of_month(year, month);
                let back = (7 + last.weekday().num_days_from_monday() - self.weekday.num_days_from_monday()) % 7;
                return last - chrono::Days::new(u64::from(back));
            }
        };
        NaiveDate::from_weekday_of_month_opt(year, month, self.weekday, n)
            .expect("the first four weekdays exist in every month")
    }

    /// The first occurrence on or after `date`.
    pub fn on_or_after(&self, date: NaiveDate) -> NaiveDate {
        let this_month = self.in_month(date.year(), date.month());
        if this_month >= date {
            this_month
        } else {
            let next = first_of_month(date) + Months::new(1);
            self.in_month(next.year(), next.month())
        }
    }
}

impl fmt::Display for MonthlyDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nth = match self.nth {
            Nth::First => "1st",
            Nth::Second => "2nd",
            Nth::Third => "3rd",
            Nth::Fourth => "4th",
            Nth::Last => "last",
        };
        write!(f, "{nth} {}", weekday_name::long(self.weekday))
    }
}

impl FromStr for MonthlyDay {
    type Err = MonthlyDayError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || MonthlyDayError(s.trim().to_owned());
        let lower = s.trim().to_ascii_lowercase();
        let (nth, day) = lower.split_once(char::is_whitespace).ok_or_else(bad)?;
        let nth = match nth {
            "1st" | "first" => Nth::First,
            "2nd" | "second" => Nth::Second,
            "3rd" | "third" => Nth::Third,
            "4th" | "fourth" => Nth::Fourth,
            "last" => Nth::Last,
            _ => return Err(bad()),
        };
        let weekday = day.trim().parse::<Weekday>().map_err(|_| bad())?;
        Ok(Self { nth, weekday })
    }
}

pub fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).expect("day 1 exists")
}

pub fn last_day_of_month(year: i32, month: u32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("valid month");
    first + Months::new(1) - chrono::Days::new(1)
}

/// The last moment of `day` (UTC): deadlines are kept until the end of their day.
pub fn end_of_day(day: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    day.and_hms_opt(23, 59, 59).expect("a valid time").and_utc()
}

/// The Monday of `day`'s week.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// The first day of the month `n` months after `date`'s month.
pub fn months_after(date: NaiveDate, n: u32) -> NaiveDate {
    first_of_month(date) + Months::new(n)
}

/// Weekdays travel as English names in JSON and the database.
pub mod weekday_name {
    use chrono::Weekday;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn long(day: Weekday) -> &'static str {
        match day {
            Weekday::Mon => "Monday",
            Weekday::Tue => "Tuesday",
            Weekday::Wed => "Wednesday",
            Weekday::Thu => "Thursday",
            Weekday::Fri => "Friday",
            Weekday::Sat => "Saturday",
            Weekday::Sun => "Sunday",
        }
    }

    pub fn serialize<S: Serializer>(day: &Weekday, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(long(*day))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Weekday, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(|_| serde::de::Error::custom(format!("“{s}” is not a weekday")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn nth_weekdays_land_on_the_right_dates() {
        let second_tuesday = MonthlyDay::new(Nth::Second, Weekday::Tue);
        assert_eq!(second_tuesday.in_month(2026, 12), d("2026-12-08"));
        assert_eq!(second_tuesday.in_month(2027, 2), d("2027-02-09"));
        let first_friday = MonthlyDay::new(Nth::First, Weekday::Fri);
        assert_eq!(first_friday.in_month(2026, 1), d("2026-01-02"));
        assert_eq!(first_friday.in_month(2026, 5), d("2026-05-01"));
    }

    #[test]
    fn last_weekday_handles_month_ends_and_leap_years() {
        let last_friday = MonthlyDay::new(Nth::Last, Weekday::Fri);
        assert_eq!(last_friday.in_month(2028, 2), d("2028-02-25"));
        let last_tuesday = MonthlyDay::new(Nth::Last, Weekday::Tue);
        assert_eq!(last_tuesday.in_month(2028, 2), d("2028-02-29"));
        assert_eq!(last_tuesday.in_month(2026, 12), d("2026-12-29"));
        assert_eq!(last_day_of_month(2028, 2), d("2028-02-29"));
        assert_eq!(last_day_of_month(2027, 2), d("2027-02-28"));
    }

    #[test]
    fn on_or_after_rolls_into_the_next_month() {
        let second_tuesday = MonthlyDay::new(Nth::Second, Weekday::Tue);
        assert_eq!(second_tuesday.on_or_after(d("2026-12-08")), d("2026-12-08"));
        assert_eq!(second_tuesday.on_or_after(d("2026-12-09")), d("2027-01-12"));
        assert_eq!(second_tuesday.on_or_after(d("2026-12-31")), d("2027-01-12"));
    }

    #[test]
    fn monthly_days_parse_and_print() {
        let day: MonthlyDay = "2nd Tuesday".parse().unwrap();
        assert_eq!(day, MonthlyDay::new(Nth::Second, Weekday::Tue));
        assert_eq!(day.to_string(), "2nd Tuesday");
        assert_eq!("last fri".parse::<MonthlyDay>().unwrap().to_string(), "last Friday");
        assert!("5th Monday".parse::<MonthlyDay>().is_err());
        assert!("Tuesday".parse::<MonthlyDay>().is_err());
    }
}
