//! `/admin`: users, API tokens, the policy and the audit trail (admins only).

pub mod api;
pub mod page;
