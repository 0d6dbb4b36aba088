//! What a release sends to GitHub: its generated notes, and whether it is marked latest.

use serde::{Deserialize, Serialize};

use super::{
    catalog::{Release, ReleaseKind},
    version::Version,
};

/// A fix a release carries, as its notes name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarriedFix {
    pub request: i64,
    pub title: String,
    pub bug_link: String,
    pub fix_link: Option<String>,
    pub cve_id: Option<String>,
    pub embargoed: bool,
}

/// Notes generated from what the release ships: its kind and line, the release before it, the
/// build it came from, and the fixes it carries with their links.
pub fn release_notes(
    release: &Release,
    version: &Version,
    previous: Option<&Version>,
    carried: &[CarriedFix],
) -> String {
    let line = version.line();
    let kind = match release.kind {
        ReleaseKind::Minor => "Monthly minor release",
        ReleaseKind::Patch if release.out_of_band() => "Out-of-band patch release",
        ReleaseKind::Patch => "Patch release",
    };
    let mut body = format!("{kind} {version} of the {line} line.\n\n");
    match previous {
        Some(p) => body.push_str(&format!("Previous release of {line}: {p}.\n")),
        None => body.push_str(&format!("This is the first release of {line}.\n")),
    }
    match (&release.source_build, &release.source_commit) {
        (Some(build), Some(commit)) => body.push_str(&format!("Built from {build} (commit {commit}).\n")),
        (None, Some(commit)) => body.push_str(&format!("Built from commit {commit}.\n")),
        _ => {}
    }
    if !carried.is_empty() {
        body.push_str("\n### Fixes\n\n");
        for fix in carried {
            body.push_str(&format!("- {} (<{}>)", escape_markdown(&fix.title), fix.bug_link));
            if let Some(link) = &fix.fix_link {
                body.push_str(&format!(", fixed by <{link}>"));
            }
            if let Some(cve) = &fix.cve_id {
                body.push_str(&format!(", {cve}"));
            }
            body.push_str(&format!(" — patch request #{}\n", fix.request));
        }
    }
    body
}

/// A title as literal text in GitHub Markdown: no links, images, HTML, emphasis or mentions
/// of its own (anyone may file a request; its title goes out under the project's name).
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|c| !c.is_control()) {
        if "\\`*_{}[]()<>#+!|~@&".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Whether `version` is GitHub's "latest": only the highest non-prerelease version published,
/// so a patch to an older line never takes it from the newest minor.
pub fn makes_latest<'a>(version: &Version, published: impl IntoIterator<Item = &'a Version>) -> bool {
    let highest = published.into_iter().filter(|v| !v.is_prerelease() && *v != version).max();
    !version.is_prerelease() && highest.is_none_or(|h| version > h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::{ReleaseStatus, Slot};

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn release(version: &str) -> Release {
        let version = v(version);
        let date = "2026-12-08".parse().unwrap();
        Release {
            id: 1,
            line: version.line(),
            kind: ReleaseKind::of(&version),
            slot: Slot::patch_of(version.line(), date),
            version: None,
            status: ReleaseStatus::Approved,
            planned_date: date,
            cherry_pick_deadline: None,
            actual_date: None,
            source_build: Some("release-1.12-20261207-0200".into()),
            source_commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            notes: String::new(),
            github_url: None,
            date_note: None,
            revision: 0,
            updated_at: "2026-11-26T10:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn patch_notes_name_the_previous_release_the_build_and_each_fix() {
        let fixes = [
            CarriedFix {
                request: 7,
                title: "Sidecar crashes when a header value is empty".into(),
                bug_link: "https://github.com/example/trainyard/issues/1000".into(),
                fix_link: Some("https://github.com/example/trainyard/pull/1001".into()),
                cve_id: Some("CVE-2026-41234".into()),
                embargoed: false,
            },
            CarriedFix {
                request: 9,
                title: "Memory grows when watching many namespaces".into(),
                bug_link: "https://github.com/example/trainyard/issues/1004".into(),
                fix_link: None,
                cve_id: None,
                embargoed: false,
            },
        ];
        insta::assert_snapshot!(release_notes(&release("1.12.1"), &v("1.12.1"), Some(&v("1.12.0")), &fixes));
    }

    #[test]
    fn a_minor_without_a_predecessor_says_it_opens_the_line() {
        insta::assert_snapshot!(release_notes(&release("1.13.0"), &v("1.13.0"), None, &[]));
    }

    #[test]
    fn a_title_cannot_add_markup_links_or_mentions_to_the_notes() {
        let fix = CarriedFix {
            request: 3,
            title: "Crash in [login](https://evil.example) <img src=x> @everyone **now**".into(),
            bug_link: "https://github.com/example/trainyard/issues/3".into(),
            fix_link: None,
            cve_id: None,
            embargoed: false,
        };
        let notes = release_notes(&release("1.12.1"), &v("1.12.1"), None, &[fix]);
        assert!(
            notes.contains(r"Crash in \[login\]\(https://evil.example\) \<img src=x\> \@everyone \*\*now\*\*"),
            "{notes}"
        );
    }

    #[test]
    fn only_the_highest_release_is_latest() {
        let published = [v("1.12.0"), v("1.11.3"), v("1.13.0-rc.1")];
        assert!(makes_latest(&v("1.12.1"), &published));
        assert!(!makes_latest(&v("1.11.4"), &published), "a patch to an older line");
        assert!(!makes_latest(&v("1.13.0-rc.2"), &published), "a pre-release");
        assert!(makes_latest(&v("1.12.0"), &published), "republishing the highest itself");
    }
}
