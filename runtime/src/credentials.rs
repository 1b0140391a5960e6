//! AWS credentials and the providers that load them.
//!
//! A provider is anything that implements [`ProvideCredentials`]; the client holds one as a
//! [`SharedCredentialsProvider`]. [`Credentials`] themselves are the static provider. The default
//! setup is [`ChainProvider::default_chain`], the AWS SDKs' standard chain (environment
//! variables, web identity, the shared profile files, container credentials, EC2 instance
//! metadata), inside a [`CachedProvider`], which loads once and refreshes expiring credentials
//! ahead of time. The providers that call a service or read files share a [`ProviderConfig`]
//! (environment, clock, HTTP client), and their errors carry a typed [`ProviderError`] as their
//! source.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use http::HeaderValue;

use crate::error::CredentialsError;

mod cache;
mod chain;
mod container;
mod env;
mod imds;
mod process;
mod profile;
mod remote;
mod sso;
mod sts;
mod web_identity;

pub use cache::{CachedProvider, REFRESH_BEFORE_EXPIRY};
pub use chain::ChainProvider;
pub use container::ContainerProvider;
pub use env::EnvironmentProvider;
pub use imds::ImdsProvider;
pub use profile::ProfileProvider;
pub use remote::{ProviderConfig, ProviderError};
pub use web_identity::WebIdentityProvider;

/// An access key pair, an optional session token and an optional expiry.
///
/// `Debug` never shows the secret key or the session token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials(Arc<Inner>);

#[derive(PartialEq, Eq)]
struct Inner {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    /// The token as the (sensitive) header value the signer sends, built once: `None` when
    /// there is no token or it cannot be a header value.
    session_token_header: Option<HeaderValue>,
    expiry: Option<SystemTime>,
}

impl Credentials {
    /// Credentials from their parts.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
        expiry: Option<SystemTime>,
    ) -> Self {
        let session_token_header = session_token.as_deref().and_then(|token| {
            let mut value = HeaderValue::from_str(token).ok()?;
            value.set_sensitive(true);
            Some(value)
        });
        Self(Arc::new(Inner {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
            session_token_header,
            expiry,
        }))
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.0.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.0.secret_access_key
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.0.session_token.as_deref()
    }

    /// The session token as a sensitive header value; `None` without a token, or when the
    /// token has characters a header cannot carry.
    pub(crate) fn session_token_header(&self) -> Option<&HeaderValue> {
        self.0.session_token_header.as_ref()
    }

    /// When temporary credentials stop working.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.0.expiry
    }

    /// Whether both are the same credentials object: a cheap test that implies equality.
    pub(crate) fn ptr_eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.0.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.0.session_token.as_ref().map(|_| "** redacted **"),
            )
            .field("expiry", &self.0.expiry)
            .finish()
    }
}

/// A source of credentials.
///
/// Implementations return [`CredentialsError::not_found`] when their source holds no credentials
/// (so a chain moves on) and any other error when the source exists but is broken. `Debug` must
/// not show secrets.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Loads credentials.
    fn provide_credentials(&self) -> CredentialsFuture<'_>;
}

/// A credentials provider shared between the client's components.
pub type SharedCredentialsProvider = Arc<dyn ProvideCredentials>;

/// The future of [`ProvideCredentials::provide_credentials`].
///
/// A result known at once (a cache hit, static or environment credentials) is returned without
/// boxing, so the per-request path does not allocate.
pub struct CredentialsFuture<'a>(FutureState<'a>);

type BoxFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, CredentialsError>> + Send + 'a>>;

enum FutureState<'a> {
    Ready(Option<Result<Credentials, CredentialsError>>),
    Pending(BoxFuture<'a>),
}

impl<'a> CredentialsFuture<'a> {
    /// A future that resolves to `result` at once.
    pub fn ready(result: Result<Credentials, CredentialsError>) -> Self {
        Self(FutureState::Ready(Some(result)))
    }

    /// A future that runs `future`.
    pub fn new(
        future: impl Future<Output = Result<Credentials, CredentialsError>> + Send + 'a,
    ) -> Self {
        Self(FutureState::Pending(Box::pin(future)))
    }
}

impl Future for CredentialsFuture<'_> {
    type Output = Result<Credentials, CredentialsError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().0 {
            FutureState::Ready(result) => Poll::Ready(
                result
                    .take()
                    .expect("CredentialsFuture polled after completion"),
            ),
            FutureState::Pending(future) => future.as_mut().poll(cx),
        }
    }
}

impl fmt::Debug for CredentialsFuture<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CredentialsFuture")
    }
}

/// Static credentials provide themselves.
impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        CredentialsFuture::ready(Ok(self.clone()))
    }
}
