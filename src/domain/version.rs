//! Release versions and release-line ids: ordered by semver, never as strings (`1.10` after
//! `1.9`).

use std::{cmp::Ordering, fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a version or line id was refused, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("a version is required")]
    Empty,
    #[error("“{input}” is not a version like 1.10.2: {reason}")]
    Invalid { input: String, reason: String },
    #[error("“{input}” is not a release line like 1.10: {reason}")]
    InvalidLine { input: String, reason: &'static str },
}

/// A semantic version (`MAJOR.MINOR.PATCH[-PRE]`), ordered by semver precedence.
///
/// A leading `v` is accepted because tags are usually written that way.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version(semver::Version);

impl Version {
    /// Parses `1.10.2`, `v1.10.2` or `1.11.0-rc.1`.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(VersionError::Empty);
        }
        let bare = trimmed.strip_prefix('v').unwrap_or(trimmed);
        let invalid = |reason: String| VersionError::Invalid { input: trimmed.to_owned(), reason };
        // semver's own messages blame the wrong part for a missing patch, so check the
        // three numbers first and name the one that is wrong.
        let core = bare.split(['-', '+']).next().unwrap_or("");
        let parts: Vec<&str> = core.split('.').collect();
        for (part, name) in parts.iter().zip(["major", "minor", "patch"]) {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(format!("the {name} number “{part}” is not a number")));
            }
            if part.len() > 1 && part.starts_with('0') {
                return Err(invalid(format!("the {name} number has a leading zero")));
            }
        }
        match parts.len() {
            1 => return Err(invalid("the minor and patch numbers are missing".into())),
            2 => return Err(invalid("the patch number is missing".into())),
            3 => {}
            _ => return Err(invalid("a version has three numbers".into())),
        }
        semver::Version::parse(bare).map(Self).map_err(|e| invalid(e.to_string()))
    }

    /// Builds `major.minor.patch` without a pre-release.
    pub fn new(major: u64, minor: u64, patch: u64) -> Self {
        Self(semver::Version::new(major, minor, patch))
    }

    pub fn major(&self) -> u64 {
        self.0.major
    }

    pub fn minor(&self) -> u64 {
        self.0.minor
    }

    pub fn patch(&self) -> u64 {
        self.0.patch
    }

    /// The release line this version belongs to (`1.10.2` → `1.10`).
    pub fn line(&self) -> LineId {
        LineId::new(self.0.major, self.0.minor)
    }

    /// `X.Y.0` without a pre-release starts a line; every other version patches one.
    pub fn is_minor(&self) -> bool {
        self.0.patch == 0 && self.0.pre.is_empty()
    }

    pub fn is_prerelease(&self) -> bool {
        !self.0.pre.is_empty()
    }

    /// The next patch in the same line (`1.10.2` → `1.10.3`).
    pub fn next_patch(&self) -> Self {
        Self::new(self.0.major, self.0.minor, self.0.patch + 1)
    }

    /// The tag this version is published under on GitHub.
    pub fn tag(&self) -> String {
        self.0.to_string()
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for Version {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A release line, `MAJOR.MINOR`, ordered numerically (`1.10` after `1.9`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineId {
    major: u64,
    minor: u64,
}

impl LineId {
    pub fn new(major: u64, minor: u64) -> Self {
        Self { major, minor }
    }

    /// Parses `1.10` (a leading `v` is accepted).
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(VersionError::Empty);
        }
        let bad = |reason| VersionError::InvalidLine { input: trimmed.to_owned(), reason };
        let bare = trimmed.strip_prefix('v').unwrap_or(trimmed);
        let (major, minor) = bare.split_once('.').ok_or_else(|| bad("expected MAJOR.MINOR"))?;
        if minor.contains('.') {
            return Err(bad("a line has two numbers; a version with a patch names a release"));
        }
        Ok(Self {
            major: number(major).ok_or_else(|| bad("the major number is not a number"))?,
            minor: number(minor).ok_or_else(|| bad("the minor number is not a number"))?,
        })
    }

    pub fn major(&self) -> u64 {
        self.major
    }

    pub fn minor(&self) -> u64 {
        self.minor
    }

    /// The version that opens this line, `X.Y.0`.
    pub fn first_release(&self) -> Version {
        Version::new(self.major, self.minor, 0)
    }

    /// The next minor line (`1.12` → `1.13`); majors are opened by hand.
    pub fn next_minor(&self) -> Self {
        Self::new(self.major, self.minor + 1)
    }
}

/// A decimal number without sign or leading zeros, as semver requires.
fn number(s: &str) -> Option<u64> {
    let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = s.len() > 1 && s.starts_with('0');
    (digits && !leading_zero).then(|| s.parse().ok()).flatten()
}

impl fmt::Display for LineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for LineId {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for LineId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LineId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Either a line (`1.10`) or a release (`1.10.2`), as the `/releases/{…}` path takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseRef {
    Line(LineId),
    Release(Version),
}

impl ReleaseRef {
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let dots = input.trim().split('-').next().unwrap_or("").matches('.').count();
        if dots == 1 { LineId::parse(input).map(Self::Line) } else { Version::parse(input).map(Self::Release) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn versions_order_by_semver_not_by_text() {
        let mut versions = [v("1.10.0"), v("1.9.3"), v("1.9.10"), v("1.10.0-rc.1"), v("2.0.0")];
        versions.sort();
        let shown: Vec<String> = versions.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["1.9.3", "1.9.10", "1.10.0-rc.1", "1.10.0", "2.0.0"]);
    }

    #[test]
    fn lines_order_numerically() {
        let mut lines = [LineId::parse("1.10").unwrap(), LineId::parse("1.9").unwrap(), LineId::parse("0.12").unwrap()];
        lines.sort();
        let shown: Vec<String> = lines.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["0.12", "1.9", "1.10"]);
    }

    #[test]
    fn a_leading_v_is_accepted_and_display_is_canonical() {
        assert_eq!(v("v1.2.3").to_string(), "1.2.3");
        assert_eq!(v(" 1.2.3 ").tag(), "1.2.3");
    }

    #[test]
    fn bad_versions_name_what_is_wrong() {
        assert_eq!(Version::parse("  "), Err(VersionError::Empty));
        let missing = Version::parse("1.2").unwrap_err().to_string();
        assert!(missing.contains("“1.2”") && missing.contains("patch"), "{missing}");
        let letters = Version::parse("1.x.0").unwrap_err().to_string();
        assert!(letters.contains("minor"), "{letters}");
        let zero = Version::parse("01.2.3").unwrap_err().to_string();
        assert!(zero.contains("leading zero"), "{zero}");
    }

    #[test]
    fn bad_lines_name_what_is_wrong() {
        let too_long = LineId::parse("1.2.3").unwrap_err().to_string();
        assert!(too_long.contains("names a release"), "{too_long}");
        let not_number = LineId::parse("1.y").unwrap_err().to_string();
        assert!(not_number.contains("minor number"), "{not_number}");
        assert!(LineId::parse("01.2").is_err());
        assert!(LineId::parse("12").is_err());
    }

    #[test]
    fn versions_know_their_line_and_kind() {
        assert_eq!(v("1.10.2").line().to_string(), "1.10");
        assert!(v("1.10.0").is_minor());
        assert!(!v("1.10.1").is_minor());
        assert!(!v("1.10.0-rc.1").is_minor());
        assert!(v("1.10.0-rc.1").is_prerelease());
        assert_eq!(v("1.10.2").next_patch(), v("1.10.3"));
        assert_eq!(LineId::parse("1.9").unwrap().next_minor().to_string(), "1.10");
    }

    #[test]
    fn release_refs_tell_lines_from_releases() {
        assert_eq!(ReleaseRef::parse("1.10"), Ok(ReleaseRef::Line(LineId::new(1, 10))));
        assert_eq!(ReleaseRef::parse("1.10.1"), Ok(ReleaseRef::Release(v("1.10.1"))));
        assert!(ReleaseRef::parse("banana").is_err());
    }

    #[test]
    fn serde_round_trips_as_strings() {
        let json = serde_json::to_string(&v("1.10.2")).unwrap();
        assert_eq!(json, "\"1.10.2\"");
        let back: Version = serde_json::from_str(&json).unwrap();
        assert_eq!(back, v("1.10.2"));
        assert!(serde_json::from_str::<LineId>("\"1.x\"").is_err());
    }
}
