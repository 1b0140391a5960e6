//! What a client asks of the runtime: [`ClientConfig`], the caller's settings, and
//! [`ServiceRules`], the service's.

use std::fmt;
use std::sync::Arc;

use crate::checksum::ChecksumPolicy;
use crate::credentials::{
    CachedProvider, ChainProvider, ProvideCredentials, SharedCredentialsProvider,
};
use crate::express::{SessionCache, SessionCacheConfig};
use crate::http::{HttpConfig, HttpSend, ProxyConfig, SharedHttpClient, TimeoutConfig};
use crate::profile::Env;
use crate::retry::RetryConfig;
use crate::sigv4::SigningSettings;
use crate::time::{SharedClock, SystemClock};

/// The runtime's half of a client's configuration: credentials, retries, timeouts, the HTTP
/// client, the clock and the S3 Express session cache. The generated `Config` wraps it with the
/// service's endpoint settings.
#[derive(Clone)]
pub struct ClientConfig {
    pub(super) credentials: Option<SharedCredentialsProvider>,
    pub(super) retry: RetryConfig,
    pub(super) http: HttpConfig,
    pub(super) http_client: Option<SharedHttpClient>,
    pub(super) clock: SharedClock,
    pub(super) sessions: SessionCache,
    pub(super) session_mode: Option<Arc<str>>,
    pub(super) checksum_policy: ChecksumPolicy,
    pub(super) payload_signing: PayloadSigning,
    pub(super) app_name: Option<Arc<str>>,
    pub(super) cross_region_access: bool,
}

/// Which request bodies are signed with their SHA-256, rather than `UNSIGNED-PAYLOAD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PayloadSigning {
    /// All that can be read twice: a file is read once for its hash before it is sent.
    Always,
    /// Over HTTPS, which protects bodies in transit, none: they are sent `UNSIGNED-PAYLOAD`,
    /// as the AWS SDK for Java sends S3 bodies over HTTPS, so an upload is not held up by its
    /// SHA-256 (about 1.3 GiB/s, a third of loopback speed). Over plain HTTP, as `Always`. The
    /// default. (A one-shot stream is always unsigned: its hash would need it read first.)
    #[default]
    UnsignedOverHttps,
    /// None, over plain HTTP too: for trusted networks, where the hash would only slow
    /// uploads (a checksum, if asked for, still protects the body).
    Never,
}

impl Default for ClientConfig {
    /// No credentials, standard retries, default timeouts, the system clock, a session cache
    /// with default settings and no session mode.
    fn default() -> Self {
        Self {
            credentials: None,
            retry: RetryConfig::default(),
            http: HttpConfig::default(),
            http_client: None,
            clock: Arc::new(SystemClock),
            sessions: SessionCache::default(),
            session_mode: None,
            checksum_policy: ChecksumPolicy::default(),
            payload_signing: PayloadSigning::default(),
            app_name: None,
            cross_region_access: false,
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .field("http", &self.http)
            .field("clock", &self.clock)
            .field("sessions", &self.sessions)
            .field("session_mode", &self.session_mode)
            .field("checksum_policy", &self.checksum_policy)
            .field("payload_signing", &self.payload_signing)
            .field("app_name", &self.app_name)
            .field("cross_region_access", &self.cross_region_access)
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    /// When requests carry a checksum (default [`ChecksumPolicy::WhenRequired`]).
    pub fn checksum_policy(mut self, policy: ChecksumPolicy) -> Self {
        self.checksum_policy = policy;
        self
    }

    /// The application's name, sent at the end of the `User-Agent` (`app/<name>`) so that
    /// server-side logs tell applications apart.
    pub fn app_name(mut self, name: &str) -> Self {
        self.app_name = Some(Arc::from(name));
        self
    }

    /// Whether a request to a bucket in another region than the client's follows S3 there
    /// (default off): when S3 answers `301`, `307` or `400` naming the bucket's region, the
    /// request is sent once more, to that region, and the client remembers the region for the
    /// next requests to the bucket (64 buckets, the least recently learned forgotten first).
    /// A request whose body is a one-shot stream is not sent again.
    pub fn cross_region_access(mut self, enabled: bool) -> Self {
        self.cross_region_access = enabled;
        self
    }

    /// Which request bodies are signed (default [`PayloadSigning::UnsignedOverHttps`]).
    pub fn payload_signing(mut self, signing: PayloadSigning) -> Self {
        self.payload_signing = signing;
        self
    }

    /// Signs with credentials from `provider`.
    pub fn credentials(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// Signs with credentials from the standard chain (environment, web identity, profile,
    /// container, instance metadata), loaded on first use and refreshed before they expire.
    pub fn credentials_from_env(mut self, env: Env) -> Self {
        let chain: SharedCredentialsProvider = Arc::new(ChainProvider::default_chain(env));
        self.credentials = Some(Arc::new(CachedProvider::new(chain, self.clock.clone())));
        self
    }

    /// The retry policy.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// The connect, read, stalled-body, attempt and operation timeouts.
    pub fn timeouts(mut self, timeouts: TimeoutConfig) -> Self {
        self.http.timeouts = timeouts;
        self
    }

    /// The largest response body read into memory (default
    /// [`DEFAULT_MAX_RESPONSE_BODY`](crate::http::DEFAULT_MAX_RESPONSE_BODY), 64 MiB).
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.http.max_response_body = bytes;
        self
    }

    /// A PEM file of certificates the default HTTP client trusts besides the system's roots;
    /// one that cannot be read fails every request with a transport error saying why, before
    /// anything is sent.
    pub fn ca_bundle(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.http.ca_bundle = Some(path.into());
        self
    }

    /// The proxies the default HTTP client sends through.
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.http.proxy = proxy;
        self
    }

    /// The CA bundle and proxies of `env` (`AWS_CA_BUNDLE`, `HTTPS_PROXY`, `HTTP_PROXY`,
    /// `NO_PROXY`: see [`HttpConfig::with_env`]).
    pub fn http_from_env(mut self, env: &Env) -> Self {
        self.http = self.http.with_env(env);
        self
    }

    /// What sends the requests, in place of a default [`HttpClient`](crate::http::HttpClient) made from these settings:
    /// an `HttpClient` shared between clients, or an implementation of your own. Its own
    /// settings decide how it connects (an `HttpClient`'s connect timeout, pool, TLS and
    /// proxies); the read, stalled-body, attempt and operation timeouts and the response size
    /// cap are this configuration's, whatever sends.
    pub fn http_client(mut self, http: impl HttpSend + 'static) -> Self {
        self.http_client = Some(Arc::new(http));
        self
    }

    /// The clock that dates signatures and expires credentials and sessions.
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// A new S3 Express session cache with these settings. Clients built from this
    /// configuration, and from its clones, share it; sessions are keyed by bucket, identity
    /// and mode, not endpoint, so clients of another endpoint need a cache of their own.
    pub fn session_cache(mut self, config: SessionCacheConfig) -> Self {
        self.sessions = SessionCache::new(config);
        self
    }

    /// The S3 Express session cache, shared with the clients built from this configuration.
    pub fn sessions(&self) -> &SessionCache {
        &self.sessions
    }

    /// The mode of the S3 Express sessions this configuration's clients create (`ReadOnly`,
    /// `ReadWrite`); `None`, the default, sends no mode, so S3 grants what the bucket's policy
    /// allows. Sessions of each mode are cached apart.
    pub fn session_mode(mut self, mode: Option<&str>) -> Self {
        self.session_mode = mode.map(Arc::from);
        self
    }
}

/// What a service asks of the runtime beyond SigV4 and its protocol, as the generated client
/// hands it over (from its service's patches).
#[derive(Debug, Clone)]
pub struct ServiceRules {
    /// How `sigv4` requests are signed; `sigv4-s3express` ones the same, with the session token
    /// in `x-amz-s3session-token`.
    pub signing: SigningSettings,
    /// The error code of an error response without a body, by status (a HEAD response cannot
    /// carry one).
    pub status_codes: &'static [(u16, &'static str)],
    /// Send `Content-Length` on every PUT and POST, `0` for an empty body.
    pub content_length_on_put_and_post: bool,
    /// The generated client's `name/version`, first in the `User-Agent`.
    pub client: &'static str,
}

impl ServiceRules {
    /// Standard SigV4, no codes from bare statuses, `Content-Length` only with a body.
    pub const STANDARD: Self = Self {
        signing: SigningSettings::standard(),
        status_codes: &[],
        content_length_on_put_and_post: false,
        client: "unnamed-client",
    };
}

impl Default for ServiceRules {
    fn default() -> Self {
        Self::STANDARD
    }
}
