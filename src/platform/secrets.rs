//! Passwords (argon2id), session ids and API tokens (256 random bits, stored as SHA-256).

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::AppError;

/// Shortest password accepted (ASVS 6.2.1 asks for at least 8; we ask for 12).
pub const MIN_PASSWORD: usize = 12;
pub const MAX_PASSWORD: usize = 128;

/// Checks a new password's length, naming the field for the form.
pub fn check_new_password(password: &str) -> Result<(), AppError> {
    let len = password.chars().count();
    if len < MIN_PASSWORD {
        return Err(AppError::invalid("password", format!("use at least {MIN_PASSWORD} characters")));
    }
    if len > MAX_PASSWORD {
        return Err(AppError::invalid("password", format!("use at most {MAX_PASSWORD} characters")));
    }
    Ok(())
}

/// Hashes a password; slow on purpose, so run it off the async threads.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::Internal
        })
    })
    .await
    .map_err(|_| AppError::Internal)?
}

/// Verifies a password against a stored hash. With no hash (unknown user) it verifies against
/// a fixed one anyway, so both cases take as long.
pub async fn verify_password(password: String, stored: Option<String>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let known = stored.is_some();
    let hash = stored.unwrap_or_else(|| {
        DUMMY
            .get_or_init(|| {
                let salt = SaltString::generate(&mut OsRng);
                Argon2::default()
                    .hash_password(b"not a real password", &salt)
                    .map(|h| h.to_string())
                    .unwrap_or_default()
            })
            .clone()
    });
    tokio::task::spawn_blocking(move || {
        let ok = PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        ok && known
    })
    .await
    .unwrap_or(false)
}

/// A fresh secret for a session cookie or an API token: 256 bits, hex.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// What the database stores of a secret.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_verify_only_against_their_hash() {
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery".into(), Some(hash.clone())).await);
        assert!(!verify_password("wrong horse battery".into(), Some(hash)).await);
        assert!(!verify_password("correct horse battery".into(), None).await);
    }

    #[test]
    fn secrets_are_long_random_and_stored_hashed() {
        let a = new_secret("ty_");
        let b = new_secret("ty_");
        assert_ne!(a, b);
        assert_eq!(a.len(), 3 + 64);
        assert_eq!(digest(&a).len(), 64);
        assert_ne!(digest(&a), a);
    }

    #[test]
    fn short_passwords_are_refused_with_the_field() {
        let e = check_new_password("short").unwrap_err();
        assert_eq!(e.field(), Some("password"));
        assert!(check_new_password("long enough password").is_ok());
    }
}
