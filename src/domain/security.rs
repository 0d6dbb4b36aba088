//! What is known about security fixes: which requests of the security category target a
//! line, which release shipped each, and what of it may be shown. A fix under embargo is
//! counted but never named, wherever it appears.

use serde::{Deserialize, Serialize};

use super::version::{LineId, Version};

/// A security request's target on one line, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityFix {
    pub request: i64,
    pub title: String,
    pub line: LineId,
    pub cve: Option<String>,
    pub embargoed: bool,
    /// False once triage found the line not affected.
    pub affected: bool,
    /// The released version that carries the fix, once it shipped.
    pub shipped_in: Option<Version>,
}

impl SecurityFix {
    /// The CVE everyone may read about, if any.
    pub fn public_cve(&self) -> Option<&str> {
        self.cve.as_deref().filter(|_| !self.embargoed)
    }

    /// How the fix may be shown to anyone.
    pub fn public(&self) -> PublicFix {
        if self.embargoed {
            PublicFix { request: None, title: None, cve: None }
        } else {
            PublicFix { request: Some(self.request), title: Some(self.title.clone()), cve: self.cve.clone() }
        }
    }
}

/// A shipped security fix as a public page or API shows it: all `None` under embargo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicFix {
    pub request: Option<i64>,
    pub title: Option<String>,
    pub cve: Option<String>,
}

/// The security fixes one release shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseFixes {
    pub version: Version,
    pub fixes: Vec<PublicFix>,
}

/// Every fix known, with questions about a line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecurityLedger {
    fixes: Vec<SecurityFix>,
}

impl SecurityLedger {
    pub fn new(mut fixes: Vec<SecurityFix>) -> Self {
        fixes.sort_by_key(|f| f.request);
        Self { fixes }
    }

    /// Public CVEs that affect `line` and no release of it has shipped a fix for yet: every
    /// release of the line is taken to carry them.
    pub fn unfixed_cves(&self, line: LineId) -> Vec<String> {
        let mut cves: Vec<String> = self
            .fixes
            .iter()
            .filter(|f| f.line == line && f.affected && f.shipped_in.is_none())
            .filter_map(|f| f.public_cve().map(str::to_owned))
            .collect();
        cves.sort();
        cves.dedup();
        cves
    }

    /// The released versions of `line` that shipped security fixes, newest first.
    pub fn by_release(&self, line: LineId) -> Vec<ReleaseFixes> {
        let mut out: Vec<ReleaseFixes> = Vec::new();
        for fix in self.fixes.iter().filter(|f| f.line == line) {
            let Some(version) = &fix.shipped_in else { continue };
            match out.iter_mut().find(|r| &r.version == version) {
                Some(r) => r.fixes.push(fix.public()),
                None => out.push(ReleaseFixes { version: version.clone(), fixes: vec![fix.public()] }),
            }
        }
        out.sort_by(|a, b| b.version.cmp(&a.version));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(request: i64, line: &str, cve: Option<&str>, embargoed: bool, shipped: Option<&str>) -> SecurityFix {
        SecurityFix {
            request,
            title: format!("fix {request}"),
            line: LineId::parse(line).unwrap(),
            cve: cve.map(str::to_owned),
            embargoed,
            affected: true,
            shipped_in: shipped.map(|v| Version::parse(v).unwrap()),
        }
    }

    #[test]
    fn an_embargoed_fix_is_counted_but_never_named() {
        let ledger = SecurityLedger::new(vec![
            fix(1, "1.11", Some("CVE-2026-0001"), false, Some("1.11.2")),
            fix(2, "1.11", Some("CVE-2026-0002"), true, Some("1.11.2")),
        ]);
        let shipped = ledger.by_release(LineId::parse("1.11").unwrap());
        assert_eq!(shipped.len(), 1);
        assert_eq!(shipped[0].fixes[0].cve.as_deref(), Some("CVE-2026-0001"));
        assert_eq!(shipped[0].fixes[1], PublicFix { request: None, title: None, cve: None });
    }

    #[test]
    fn a_cve_is_unfixed_on_a_line_until_a_release_of_that_line_ships_it() {
        let mut not_affected = fix(3, "1.10", Some("CVE-2026-0003"), false, None);
        not_affected.affected = false;
        let ledger = SecurityLedger::new(vec![
            fix(1, "1.11", Some("CVE-2026-0001"), false, Some("1.11.2")),
            fix(1, "1.10", Some("CVE-2026-0001"), false, None),
            fix(2, "1.10", Some("CVE-2026-0002"), true, None),
            not_affected,
        ]);
        assert!(ledger.unfixed_cves(LineId::parse("1.11").unwrap()).is_empty());
        // The embargoed one is not known to the public yet; the unaffected one never applies.
        assert_eq!(ledger.unfixed_cves(LineId::parse("1.10").unwrap()), ["CVE-2026-0001"]);
    }
}
