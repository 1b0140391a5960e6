//! Static credentials from a profile of the shared config and credentials files.

use super::{Credentials, CredentialsFuture, ProvideCredentials};
use crate::error::CredentialsError;
use crate::profile::{self, Env};

/// Reads `aws_access_key_id`, `aws_secret_access_key` and `aws_session_token` from the selected
/// profile (see [`profile::load`]) on every call; wrap it in a
/// [`CachedProvider`](super::CachedProvider) to read the files once.
#[derive(Debug, Clone, Default)]
pub struct ProfileProvider {
    env: Env,
    profile: Option<String>,
}

impl ProfileProvider {
    /// A provider of the profile that `env` selects: `AWS_PROFILE`, else `default`.
    pub fn new(env: Env) -> Self {
        Self { env, profile: None }
    }

    /// Uses profile `name` whatever `AWS_PROFILE` says.
    pub fn with_profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    fn load(&self) -> Result<Credentials, CredentialsError> {
        let profile = profile::load(&self.env, self.profile.as_deref())
            .map_err(|e| CredentialsError::with_source("cannot load the shared config", e))?;
        let name = profile.name();
        let Some(access_key_id) = profile.get("aws_access_key_id") else {
            return Err(CredentialsError::not_found(format!(
                "profile `{name}`: no aws_access_key_id in {}",
                profile::list(profile.files())
            )));
        };
        let Some(secret_access_key) = profile.get("aws_secret_access_key") else {
            return Err(CredentialsError::new(format!(
                "profile `{name}` has aws_access_key_id but no aws_secret_access_key"
            )));
        };
        Ok(Credentials::new(
            access_key_id,
            secret_access_key,
            profile.get("aws_session_token").map(str::to_owned),
            None,
        ))
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        CredentialsFuture::ready(self.load())
    }
}
