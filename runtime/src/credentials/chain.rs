//! Providers tried in order.

use std::sync::Arc;

use super::{
    CredentialsFuture, EnvironmentProvider, ProfileProvider, ProvideCredentials,
    SharedCredentialsProvider,
};
use crate::error::CredentialsError;
use crate::profile::Env;

/// Tries its providers in order and returns the first credentials found.
///
/// A provider whose source holds nothing ([`CredentialsError::is_not_found`]) passes to the next;
/// any other error stops the chain, since a broken source should be fixed rather than skipped.
/// When no provider has credentials, the error lists what each one looked for.
#[derive(Debug, Clone)]
pub struct ChainProvider {
    providers: Vec<SharedCredentialsProvider>,
}

impl ChainProvider {
    /// A chain of `providers`, tried first to last.
    pub fn new(providers: Vec<SharedCredentialsProvider>) -> Self {
        Self { providers }
    }

    /// The sources that need no network: environment variables, then the shared profile files.
    pub fn default_chain(env: Env) -> Self {
        Self::new(vec![
            Arc::new(EnvironmentProvider::new(env.clone())),
            Arc::new(ProfileProvider::new(env)),
        ])
    }
}

impl ProvideCredentials for ChainProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        CredentialsFuture::new(async move {
            let mut tried = Vec::with_capacity(self.providers.len());
            for provider in &self.providers {
                match provider.provide_credentials().await {
                    Ok(credentials) => {
                        tracing::debug!(?provider, "loaded credentials");
                        return Ok(credentials);
                    }
                    Err(e) if e.is_not_found() => tried.push(e.message().to_owned()),
                    Err(e) => return Err(e),
                }
            }
            Err(CredentialsError::not_found(format!(
                "none found; tried {}",
                if tried.is_empty() {
                    "no source".to_owned()
                } else {
                    tried.join("; ")
                }
            )))
        })
    }
}
