//! Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.

use super::{Credentials, CredentialsFuture, ProvideCredentials};
use crate::error::CredentialsError;
use crate::profile::Env;

/// Reads credentials from environment variables on every call; wrap it in a
/// [`CachedProvider`](super::CachedProvider) to read them once.
#[derive(Debug, Clone, Default)]
pub struct EnvironmentProvider {
    env: Env,
}

impl EnvironmentProvider {
    /// A provider reading `env`.
    pub fn new(env: Env) -> Self {
        Self { env }
    }

    fn load(&self) -> Result<Credentials, CredentialsError> {
        let Some(access_key_id) = self.env.get("AWS_ACCESS_KEY_ID") else {
            return Err(CredentialsError::not_found(
                "environment: AWS_ACCESS_KEY_ID is not set",
            ));
        };
        // Like the AWS SDKs, a half-set pair is treated as no credentials, so the chain goes on;
        // the message says why.
        let Some(secret_access_key) = self.env.get("AWS_SECRET_ACCESS_KEY") else {
            return Err(CredentialsError::not_found(
                "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
            ));
        };
        let session_token = self.env.get("AWS_SESSION_TOKEN");
        Ok(Credentials::new(
            access_key_id,
            secret_access_key,
            session_token,
            None,
        ))
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        CredentialsFuture::ready(self.load())
    }
}
