//! Providers tried in order.

use std::sync::Arc;

use super::{
    ContainerProvider, CredentialsFuture, EnvironmentProvider, ImdsProvider, ProfileProvider,
    ProvideCredentials, ProviderConfig, SharedCredentialsProvider, WebIdentityProvider,
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

    /// The AWS SDKs' standard chain reading `env`, with the system clock and a default HTTP
    /// client: see [`default_chain_with`](Self::default_chain_with).
    pub fn default_chain(env: Env) -> Self {
        Self::default_chain_with(ProviderConfig::new(env))
    }

    /// The AWS SDKs' standard chain: [`EnvironmentProvider`], [`WebIdentityProvider`],
    /// [`ProfileProvider`], [`ContainerProvider`], then [`ImdsProvider`], sharing `config`.
    ///
    /// Off AWS it stays quick and quiet: each source that is not configured passes at once, and
    /// IMDS gives up after its 1 s connect timeout (`AWS_EC2_METADATA_DISABLED=true` skips it).
    pub fn default_chain_with(config: ProviderConfig) -> Self {
        Self::new(vec![
            Arc::new(EnvironmentProvider::new(config.env().clone())),
            Arc::new(WebIdentityProvider::new(config.clone())),
            Arc::new(ProfileProvider::new(config.clone())),
            Arc::new(ContainerProvider::new(config.clone())),
            Arc::new(ImdsProvider::new(config)),
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
