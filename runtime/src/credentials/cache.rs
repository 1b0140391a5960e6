//! Caching credentials and refreshing them before they expire.

use std::sync::{PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use super::{Credentials, CredentialsFuture, ProvideCredentials, SharedCredentialsProvider};
use crate::time::SharedClock;

/// How long before their expiry cached credentials are replaced, so that a request signed with
/// them does not reach the service after they expire.
pub const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(5 * 60);

/// Keeps the credentials of another provider and asks it again only when they are about to
/// expire.
///
/// Credentials without an expiry are kept for good. Expiring ones are refreshed
/// [`REFRESH_BEFORE_EXPIRY`] ahead of time, or halfway through their remaining life if that is
/// shorter, so a source of short-lived credentials is not called on every request. Concurrent
/// callers that find the cache stale wait for one shared refresh. Errors are not cached: the next
/// call tries again.
#[derive(Debug)]
pub struct CachedProvider {
    inner: SharedCredentialsProvider,
    clock: SharedClock,
    cached: RwLock<Option<Cached>>,
    /// Held while refreshing, so that one caller refreshes and the others wait for it.
    refresh: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct Cached {
    credentials: Credentials,
    refresh_at: Option<SystemTime>,
}

impl CachedProvider {
    /// Caches the credentials of `inner`, judging their age by `clock`.
    pub fn new(inner: SharedCredentialsProvider, clock: SharedClock) -> Self {
        Self {
            inner,
            clock,
            cached: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    fn fresh(&self) -> Option<Credentials> {
        let cached = self.cached.read().unwrap_or_else(PoisonError::into_inner);
        let cached = cached.as_ref()?;
        let now = self.clock.now();
        cached
            .refresh_at
            .is_none_or(|at| now < at)
            .then(|| cached.credentials.clone())
    }

    fn store(&self, credentials: &Credentials) {
        let refresh_at = credentials.expiry().map(|expiry| {
            let now = self.clock.now();
            let left = expiry.duration_since(now).unwrap_or_default();
            now + left.saturating_sub(REFRESH_BEFORE_EXPIRY).max(left / 2)
        });
        *self.cached.write().unwrap_or_else(PoisonError::into_inner) = Some(Cached {
            credentials: credentials.clone(),
            refresh_at,
        });
    }
}

impl ProvideCredentials for CachedProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        if let Some(credentials) = self.fresh() {
            return CredentialsFuture::ready(Ok(credentials));
        }
        CredentialsFuture::new(async move {
            let _refreshing = self.refresh.lock().await;
            // Another caller may have refreshed while this one waited.
            if let Some(credentials) = self.fresh() {
                return Ok(credentials);
            }
            let credentials = self.inner.provide_credentials().await?;
            self.store(&credentials);
            Ok(credentials)
        })
    }
}
