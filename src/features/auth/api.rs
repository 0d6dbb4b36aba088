//! Server functions for signing in and out.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::platform::context::context;
use crate::{domain::access::Viewer, error::AppError};

/// Signs in and returns who is now signed in; the browser then loads `next`.
#[server]
pub async fn sign_in(name: String, password: String, next: Option<String>) -> Result<Viewer, AppError> {
    let ctx = context()?;
    let next = super::service::safe_next(next.as_deref());
    let signed_in = super::service::sign_in(&ctx.state, &name, password).await;
    if let Some(to) = super::service::after_sign_in(&signed_in, &name, &next) {
        leptos_axum::redirect(&to);
    }
    signed_in
}

#[server]
pub async fn sign_out() -> Result<(), AppError> {
    let ctx = context()?;
    super::service::sign_out(&ctx.state).await?;
    leptos_axum::redirect("/");
    Ok(())
}
