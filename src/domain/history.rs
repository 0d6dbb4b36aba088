//! Bringing a project's earlier releases in. What another system lists (GitHub's releases and
//! tags, an endoflife.date product file) becomes the releases and end-of-life dates Trainyard
//! would have recorded; whatever cannot be used is named with the reason, never dropped
//! silently.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Deserialize;

use super::{
    calendar_rules::{YEARS, shown},
    catalog::ShippedRelease,
    patch_request::parse_full_sha,
    policy::EolOverride,
    version::{LineId, Version},
};

/// Something left out of an import, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub what: String,
    pub why: String,
}

/// What an import would record: releases oldest first, and end-of-life dates by line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    pub releases: Vec<ShippedRelease>,
    pub ends: Vec<(LineId, EolOverride)>,
    pub skipped: Vec<Skipped>,
}

impl History {
    fn skip(&mut self, what: impl Into<String>, why: impl Into<String>) {
        self.skipped.push(Skipped { what: what.into(), why: why.into() });
    }

    /// Oldest first, so each month's minors take their slots in order.
    fn sorted(mut self) -> Self {
        self.releases.sort_by(|a, b| (a.date, &a.version).cmp(&(b.date, &b.version)));
        self
    }
}

/// A release or a tag as GitHub lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHubEntry {
    pub tag: String,
    /// When it was published (a release) or committed (a tag without one).
    pub date: Option<NaiveDate>,
    pub commit: Option<String>,
    pub draft: bool,
    pub prerelease: bool,
}

/// The releases GitHub's entries stand for, as of `today`. `known` are the versions already
/// recorded: a patch needs its line's `X.Y.0`, recorded already or among the entries.
pub fn from_github(entries: Vec<GitHubEntry>, today: NaiveDate, known: &BTreeSet<Version>) -> History {
    let mut history = History::default();
    let mut found: BTreeMap<Version, (String, ShippedRelease)> = BTreeMap::new();
    for entry in entries {
        let tag = shown(&entry.tag);
        if entry.draft {
            history.skip(tag, "a draft, never released");
            continue;
        }
        let version = match Version::parse(&entry.tag) {
            Ok(v) => v,
            Err(e) => {
                history.skip(tag, format!("not a version: {e}"));
                continue;
            }
        };
        if entry.prerelease || version.is_prerelease() {
            history.skip(tag, "a pre-release: the train records releases only");
            continue;
        }
        if known.contains(&version) {
            continue;
        }
        let Some(date) = entry.date else {
            history.skip(tag, "GitHub gives no date for it");
            continue;
        };
        if date > today || !YEARS.contains(&chrono::Datelike::year(&date)) {
            history.skip(tag, format!("dated {date}, which is not a day in the past"));
            continue;
        }
        let commit = entry.commit.as_deref().and_then(|c| parse_full_sha(c).ok());
        let notes = format!("Imported from GitHub (tag {}).", entry.tag);
        let shipped = ShippedRelease { version: version.clone(), date, commit, notes };
        match found.get(&version) {
            // Two tags for one version (`v1.2.3` and `1.2.3`): the first published counts.
            Some((other, earlier)) if earlier.date <= date => {
                history.skip(tag, format!("the same version as {other}"));
            }
            Some((other, _)) => {
                history.skip(other.clone(), format!("the same version as {tag}"));
                found.insert(version, (tag, shipped));
            }
            None => {
                found.insert(version, (tag, shipped));
            }
        }
    }
    let opened: BTreeSet<LineId> = found.keys().chain(known).filter(|v| v.is_minor()).map(Version::line).collect();
    for (version, (tag, shipped)) in found {
        if !opened.contains(&version.line()) {
            history.skip(
                tag,
                format!("its line's {} is neither recorded nor among the releases", version.line().first_release()),
            );
        } else {
            history.releases.push(shipped);
        }
    }
    history.sorted()
}

/// Where an endoflife.date file is wrong, as a path into it (`result.releases[2].name`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct FileError {
    pub at: String,
    pub message: String,
}

/// endoflife.date's API v1 product answer (`/api/v1/products/{product}`), the fields used.
#[derive(Debug, Deserialize)]
struct ProductFile {
    result: Product,
}

#[derive(Debug, Deserialize)]
struct Product {
    name: String,
    releases: Vec<Cycle>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cycle {
    name: String,
    release_date: Option<String>,
    #[serde(default)]
    is_eol: bool,
    eol_from: Option<String>,
    latest: Option<Latest>,
}

#[derive(Debug, Deserialize)]
struct Latest {
    name: String,
    date: Option<String>,
}

/// The releases and end-of-life dates in an endoflife.date product file, as of `today`; the
/// first thing wrong in it is an error naming where, and then nothing is imported.
pub fn from_endoflife(json: &[u8], today: NaiveDate) -> Result<History, FileError> {
    let mut reader = serde_json::Deserializer::from_slice(json);
    let file: ProductFile = serde_path_to_error::deserialize(&mut reader).map_err(|e| {
        let at = e.path().to_string();
        FileError { at: if at == "." { "the file".into() } else { at }, message: e.into_inner().to_string() }
    })?;
    let product = file.result.name;
    let source = format!("endoflife.date ({})", shown(&product));
    let mut history = History::default();
    for (i, cycle) in file.result.releases.into_iter().enumerate() {
        let at = |field: &str| format!("result.releases[{i}].{field}");
        let wrong = |field: &str, message: String| FileError { at: at(field), message };
        let line = LineId::parse(&cycle.name).map_err(|e| wrong("name", e.to_string()))?;
        let day = |field: &str, text: &str| super::calendar_rules::parse_day(text).map_err(|m| wrong(field, m));
        let release_date = cycle.release_date.as_deref().map(|t| day("releaseDate", t)).transpose()?;
        let eol_from = cycle.eol_from.as_deref().map(|t| day("eolFrom", t)).transpose()?;
        let latest = match &cycle.latest {
            Some(latest) => {
                let version = Version::parse(&latest.name).map_err(|e| wrong("latest.name", e.to_string()))?;
                if version.line() != line {
                    return Err(wrong("latest.name", format!("{version} is not a release of {line}")));
                }
                Some((version, latest.date.as_deref().map(|t| day("latest.date", t)).transpose()?))
            }
            None => None,
        };
        let Some(released) = release_date.filter(|d| *d <= today) else {
            history.skip(line.to_string(), "not released yet, so nothing to record");
            continue;
        };
        let notes = format!("Imported from {source}.");
        let first = line.first_release();
        history.releases.push(ShippedRelease {
            version: first.clone(),
            date: released,
            commit: None,
            notes: notes.clone(),
        });
        match latest {
            Some((version, _)) if version == first => {}
            Some((version, _)) if version.is_prerelease() => {
                history.skip(version.to_string(), "a pre-release: the train records releases only");
            }
            Some((version, Some(date))) if date <= today => {
                history.releases.push(ShippedRelease { version, date, commit: None, notes });
            }
            Some((version, Some(date))) => {
                history.skip(version.to_string(), format!("dated {date}, which is not a day in the past"));
            }
            Some((version, None)) => history.skip(version.to_string(), "the file gives no date for it"),
            None => {}
        }
        match eol_from {
            Some(date) => {
                history.ends.push((line, EolOverride { date, note: format!("{source} lists it") }));
            }
            None if cycle.is_eol => history.skip(format!("{line}'s end of life"), "ended, but the file gives no date"),
            None => {}
        }
    }
    Ok(history.sorted())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn entry(tag: &str, date: &str) -> GitHubEntry {
        GitHubEntry { tag: tag.into(), date: Some(d(date)), commit: None, draft: false, prerelease: false }
    }

    fn versions(h: &History) -> Vec<String> {
        h.releases.iter().map(|r| r.version.to_string()).collect()
    }

    #[test]
    fn github_releases_become_releases_and_the_rest_is_named_with_a_reason() {
        let mut draft = entry("v1.3.0", "2026-03-01");
        draft.draft = true;
        let mut flagged = entry("v1.2.2", "2026-02-20");
        flagged.prerelease = true;
        let entries = vec![
            entry("v1.2.1", "2026-02-10"),
            entry("v1.2.0", "2026-02-01"),
            entry("1.2.0", "2026-02-02"),
            entry("v1.3.0-rc.1", "2026-02-25"),
            entry("nightly-2026-02-03", "2026-02-03"),
            entry("v0.9.4", "2025-12-01"),
            entry("v1.4.0", "2027-01-01"),
            draft,
            flagged,
        ];
        let history = from_github(entries, d("2026-11-30"), &BTreeSet::new());
        assert_eq!(versions(&history), ["1.2.0", "1.2.1"]);
        let why: BTreeMap<&str, &str> = history.skipped.iter().map(|s| (s.what.as_str(), s.why.as_str())).collect();
        assert_eq!(why["1.2.0"], "the same version as v1.2.0");
        assert!(why["v1.3.0-rc.1"].starts_with("a pre-release"));
        assert!(why["v1.2.2"].starts_with("a pre-release"));
        assert!(why["nightly-2026-02-03"].starts_with("not a version"));
        assert!(why["v0.9.4"].contains("0.9.0"));
        assert!(why["v1.4.0"].contains("not a day in the past"));
        assert_eq!(why["v1.3.0"], "a draft, never released");
    }

    #[test]
    fn what_is_recorded_already_is_not_imported_again_but_opens_its_line() {
        let known: BTreeSet<Version> = [Version::parse("1.2.0").unwrap()].into();
        let history =
            from_github(vec![entry("v1.2.0", "2026-02-01"), entry("v1.2.1", "2026-02-10")], d("2026-11-30"), &known);
        assert_eq!(versions(&history), ["1.2.1"]);
        assert!(history.skipped.is_empty());
    }

    const FILE: &str = r#"{"schema_version": "1.2.0", "result": {"name": "istio", "releases": [
        {"name": "1.24", "releaseDate": "2024-11-07", "isEol": false, "eolFrom": "2025-06-19",
         "latest": {"name": "1.24.3", "date": "2025-02-13", "link": null}},
        {"name": "1.23", "releaseDate": "2024-08-14", "isEol": true, "eolFrom": null,
         "latest": {"name": "1.23.0", "date": "2024-08-14"}}
    ]}}"#;

    #[test]
    fn an_endoflife_file_gives_lines_latest_patches_and_confirmed_ends() {
        let history = from_endoflife(FILE.as_bytes(), d("2026-11-30")).unwrap();
        assert_eq!(versions(&history), ["1.23.0", "1.24.0", "1.24.3"]);
        assert_eq!(history.ends.len(), 1);
        assert_eq!(history.ends[0].1.date, d("2025-06-19"));
        assert_eq!(history.ends[0].1.note, "endoflife.date (istio) lists it");
        assert_eq!(history.skipped[0].what, "1.23's end of life");
    }

    #[test]
    fn a_latest_patch_that_is_a_pre_release_or_in_the_future_is_named_not_imported() {
        let odd = FILE.replace("\"1.24.3\"", "\"1.24.4-rc.1\"");
        let history = from_endoflife(odd.as_bytes(), d("2026-11-30")).unwrap();
        assert_eq!(versions(&history), ["1.23.0", "1.24.0"]);
        assert_eq!(history.skipped[0].what, "1.24.4-rc.1");
        let later = FILE.replace("\"2025-02-13\"", "\"2027-02-13\"");
        let history = from_endoflife(later.as_bytes(), d("2026-11-30")).unwrap();
        assert!(history.skipped[0].why.contains("not a day in the past"), "{:?}", history.skipped);
    }

    #[test]
    fn a_malformed_file_says_where_it_is_wrong() {
        let bad_line = FILE.replace("\"1.24\"", "\"1.24.x\"");
        let e = from_endoflife(bad_line.as_bytes(), d("2026-11-30")).unwrap_err();
        assert_eq!(e.at, "result.releases[0].name");
        let bad_date = FILE.replace("2024-08-14\", \"isEol", "14/08/2024\", \"isEol");
        let e = from_endoflife(bad_date.as_bytes(), d("2026-11-30")).unwrap_err();
        assert_eq!(e.at, "result.releases[1].releaseDate");
        let wrong_type = FILE.replace("\"isEol\": false", "\"isEol\": \"no\"");
        let e = from_endoflife(wrong_type.as_bytes(), d("2026-11-30")).unwrap_err();
        assert_eq!(e.at, "result.releases[0].isEol");
        let e = from_endoflife(b"[]", d("2026-11-30")).unwrap_err();
        assert_eq!(e.at, "the file");
    }
}
