//! Who may do what: roles, API token scopes, the caller of a request, and the one place that
//! decides what each may do ([`Principal::require`]).

use serde::{Deserialize, Serialize};

/// Why a caller may not do something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("sign in to do this")]
    Unauthenticated,
    #[error("only {who} may do this")]
    Forbidden { who: &'static str },
}

/// A person's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Developer,
    ReleaseManager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Developer, Role::ReleaseManager, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Developer => "developer",
            Self::ReleaseManager => "release_manager",
            Self::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Developer => "developer",
            Self::ReleaseManager => "release manager",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
            "developer" => Self::Developer,
            "release_manager" | "manager" => Self::ReleaseManager,
            "admin" => Self::Admin,
            _ => return None,
        })
    }
}

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Report builds and test results.
    Ci,
    /// Also read everything a release manager reads (embargoed requests).
    ReleaseManager,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ci => "ci",
            Self::ReleaseManager => "release_manager",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ci" => Some(Self::Ci),
            "release_manager" => Some(Self::ReleaseManager),
            _ => None,
        }
    }
}

/// Something a caller may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    FilePatchRequest,
    Triage,
    EditSchedule,
    Promote,
    Publish,
    ReportBuilds,
    ReadEmbargoed,
    Administer,
}

impl Permission {
    /// Who may, for the 403 message.
    fn who(self) -> &'static str {
        match self {
            Self::FilePatchRequest => "signed-in developers",
            Self::Triage | Self::EditSchedule | Self::Promote | Self::Publish | Self::ReadEmbargoed => {
                "release managers"
            }
            Self::ReportBuilds => "CI tokens and release managers",
            Self::Administer => "admins",
        }
    }
}

/// How someone may decide the lines of a patch request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Triager {
    /// A release manager or admin: any request, into any release.
    Manager,
    /// The developer on call this week, for the requests they own: into the regular release
    /// slots only; an out-of-band release stays with the release managers.
    OnCall,
}

/// A signed-in user as the pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// A signed-in browser: whose it is, and the times its expiry is counted from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub viewer: Viewer,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
}

/// A live API token as a request meets it: whose it is, what it may do, and when it was last
/// used (its use is recorded at most every few minutes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub scope: TokenScope,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Who made a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Anonymous,
    User(Viewer),
    Token {
        id: i64,
        name: String,
        scope: TokenScope,
    },
    /// The server itself (background automation, demo seeding, CLI).
    System(&'static str),
}

impl Principal {
    /// The part of the page-cache key that depends on who is looking.
    pub fn cache_key(&self) -> String {
        match self {
            Self::Anonymous | Self::System(_) => "anon".into(),
            Self::User(v) => format!("u{}:{}", v.id, v.role.as_str()),
            Self::Token { id, .. } => format!("t{id}"),
        }
    }

    pub fn viewer(&self) -> Option<&Viewer> {
        match self {
            Self::User(v) => Some(v),
            _ => None,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        self.viewer().map(|v| v.id)
    }

    pub fn can(&self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Self::Anonymous => false,
            Self::System(_) => true,
            Self::User(v) => match v.role {
                Role::Admin => true,
                Role::ReleaseManager => permission != Administer,
                Role::Developer => permission == FilePatchRequest,
            },
            Self::Token { scope, .. } => match scope {
                TokenScope::Ci => permission == ReportBuilds,
                TokenScope::ReleaseManager => matches!(permission, ReportBuilds | ReadEmbargoed),
            },
        }
    }

    /// Refuses when nobody is signed in, or when the role does not allow it.
    pub fn require(&self, permission: Permission) -> Result<(), AccessError> {
        if self.can(permission) {
            Ok(())
        } else if *self == Self::Anonymous {
            Err(AccessError::Unauthenticated)
        } else {
            Err(AccessError::Forbidden { who: permission.who() })
        }
    }

    /// How this caller may decide a request's lines; `owns_on_call`: they own the request and
    /// are on call this week.
    pub fn triager(&self, owns_on_call: bool) -> Result<Triager, AccessError> {
        match self {
            _ if self.can(Permission::Triage) => Ok(Triager::Manager),
            Self::User(_) if owns_on_call => Ok(Triager::OnCall),
            Self::User(_) => Err(AccessError::Forbidden {
                who: "release managers, and the developer on call this week for the requests they own,",
            }),
            _ => self.require(Permission::Triage).map(|()| Triager::Manager),
        }
    }

    /// How the audit trail names this caller.
    pub fn actor(&self) -> String {
        match self {
            Self::Anonymous => "anonymous".into(),
            Self::User(v) => format!("{} ({})", v.name, v.role.label()),
            Self::Token { name, .. } => format!("token {name}"),
            Self::System(what) => (*what).into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> Principal {
        Principal::User(Viewer { id: 1, name: "x".into(), role })
    }

    #[test]
    fn roles_grant_what_the_design_says() {
        assert!(user(Role::Developer).can(Permission::FilePatchRequest));
        assert!(!user(Role::Developer).can(Permission::Triage));
        assert!(user(Role::ReleaseManager).can(Permission::Publish));
        assert!(!user(Role::ReleaseManager).can(Permission::Administer));
        assert!(user(Role::Admin).can(Permission::Administer));
        let ci = Principal::Token { id: 1, name: "ci".into(), scope: TokenScope::Ci };
        assert!(ci.can(Permission::ReportBuilds));
        assert!(!ci.can(Permission::FilePatchRequest));
        assert!(!ci.can(Permission::ReadEmbargoed));
    }

    #[test]
    fn refusals_distinguish_anonymous_from_underprivileged() {
        assert_eq!(Principal::Anonymous.require(Permission::Triage), Err(AccessError::Unauthenticated));
        let e = user(Role::Developer).require(Permission::Triage).unwrap_err();
        assert_eq!(e, AccessError::Forbidden { who: "release managers" });
        assert!(e.to_string().contains("release managers"));
    }

    #[test]
    fn the_developer_on_call_decides_only_the_requests_they_own_that_week() {
        assert_eq!(user(Role::ReleaseManager).triager(false), Ok(Triager::Manager));
        assert_eq!(user(Role::Developer).triager(true), Ok(Triager::OnCall));
        let refused = user(Role::Developer).triager(false).unwrap_err().to_string();
        assert!(refused.contains("on call this week"), "{refused}");
        assert_eq!(Principal::Anonymous.triager(true), Err(AccessError::Unauthenticated));
        let ci = Principal::Token { id: 1, name: "ci".into(), scope: TokenScope::Ci };
        assert!(ci.triager(true).is_err(), "a token is never on call");
    }

    #[test]
    fn roles_parse_leniently() {
        assert_eq!(Role::parse("release-manager"), Some(Role::ReleaseManager));
        assert_eq!(Role::parse("Admin"), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
    }
}
