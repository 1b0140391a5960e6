//! S3 Express One Zone sessions: the credentials `CreateSession` returns for a directory bucket,
//! cached per bucket and base identity, refreshed before they expire, and used to sign the
//! bucket's zonal requests (`sigv4-s3express`).
//!
//! A session lives five minutes. The cache hands out a session until [`WAIT_BEFORE_EXPIRY`] before
//! its expiry; once less than the refresh window (one minute by default) is left, the first caller
//! to notice starts a refresh in the background and every caller keeps the current session until
//! the new one arrives, so no request waits for `CreateSession` on the hot path. A caller waits
//! only when there is no usable session: none yet, or the last one is too close to its expiry.
//!
//! Loads are single-flight: however many callers miss at once, one `CreateSession` goes out and
//! all of them get its answer, success or error. An error is never cached; a failed background
//! refresh is tried again [`REFRESH_BACKOFF`] later, the current session staying in use. A load runs in its own
//! task, so it completes even if the caller that started it is dropped.
//!
//! The runtime knows nothing of the generated client: the client hands the cache a
//! [`CreateSession`] that calls its own `CreateSession` operation.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use tokio::sync::watch;

use crate::client::SendFuture;
use crate::credentials::Credentials;
use crate::error::{BoxError, CredentialsError};
use crate::sigv4::hash::HmacKey;
use crate::time::SharedClock;

/// How many sessions a cache keeps by default: one per bucket, base identity and mode.
pub const DEFAULT_CAPACITY: usize = 100;

/// How long before its expiry a session is refreshed in the background by default.
pub const DEFAULT_REFRESH_WINDOW: Duration = Duration::from_secs(60);

/// The longest refresh window: S3 sessions last five minutes, and a wider window would refresh
/// every session on every request.
pub const MAX_REFRESH_WINDOW: Duration = Duration::from_secs(4 * 60);

/// How long after a failed background refresh the next may start (the session still in use).
pub const REFRESH_BACKOFF: Duration = Duration::from_secs(5);

/// How long before its expiry a session is no longer handed out: a request signed with it could
/// reach S3 after it expired. Callers then wait for a new session.
pub const WAIT_BEFORE_EXPIRY: Duration = Duration::from_secs(10);

/// Calls `CreateSession`; the generated client implements it with its own operation.
pub trait CreateSession: Send + Sync + fmt::Debug {
    /// Creates a session on `bucket`, in `mode` (`ReadOnly`, `ReadWrite`) or, with `None`,
    /// without the mode header, so S3 grants what the bucket's policy allows. The answer's
    /// credentials carry the session token and the expiry.
    fn create_session(
        &self,
        bucket: &str,
        mode: Option<&str>,
    ) -> SendFuture<Result<Credentials, BoxError>>;
}

/// The shared form of a [`CreateSession`].
pub type SharedCreateSession = Arc<dyn CreateSession>;

/// The settings of a [`SessionCache`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCacheConfig {
    /// The most sessions kept; the least recently used goes first. Default
    /// [`DEFAULT_CAPACITY`].
    pub capacity: usize,
    /// A session with less than this left is refreshed in the background. Default
    /// [`DEFAULT_REFRESH_WINDOW`]; kept between [`WAIT_BEFORE_EXPIRY`] and
    /// [`MAX_REFRESH_WINDOW`].
    pub refresh_window: Duration,
}

impl Default for SessionCacheConfig {
    fn default() -> Self {
        Self {
            capacity: DEFAULT_CAPACITY,
            refresh_window: DEFAULT_REFRESH_WINDOW,
        }
    }
}

/// Sessions by bucket, base identity and session mode. Clones share the cache, so clients built
/// from one configuration share their sessions, each identity its own.
#[derive(Clone)]
pub struct SessionCache {
    inner: Arc<Inner>,
}

struct Inner {
    config: SessionCacheConfig,
    /// Keys the identity fingerprints, so that entries are keyed and compared without the raw
    /// secrets (the memo below keeps the credentials objects it fingerprinted).
    fingerprint_key: [u8; 32],
    /// Fingerprints of the base credentials seen last: computing one is an HMAC, and the
    /// provider hands out the same `Credentials` until it refreshes them.
    identities: RwLock<Vec<(Credentials, Fingerprint)>>,
    entries: RwLock<Entries>,
    /// Orders uses for the least-recently-used eviction.
    clock_tick: AtomicU64,
}

/// An HMAC of the base identity's access key, secret and token under the cache's own key.
type Fingerprint = [u8; 16];

/// How many base identities keep their fingerprint memoised.
const IDENTITY_MEMO: usize = 8;

#[derive(Default)]
struct Entries {
    /// The entries of each bucket, usually one.
    by_bucket: HashMap<Box<str>, Vec<Entry>>,
    len: usize,
}

struct Entry {
    identity: Fingerprint,
    mode: Option<Arc<str>>,
    session: Option<Session>,
    /// The load or refresh under way; its sender sits in the task that runs it.
    loading: Option<Loading>,
    /// After a failed refresh, no other starts before this time while the session lasts, so a
    /// failing CreateSession is not called again on every request.
    refresh_after: Option<SystemTime>,
    last_used: AtomicU64,
}

type Loading = watch::Receiver<Option<Result<Session, SessionError>>>;

/// Credentials from `CreateSession`, with the expiry they were checked to have.
#[derive(Clone)]
struct Session {
    credentials: Credentials,
    expiry: SystemTime,
}

/// A failed `CreateSession`, shared by every caller that waited for it.
#[derive(Clone)]
struct SessionError(Arc<dyn StdError + Send + Sync>);

impl fmt::Debug for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl StdError for SessionError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0.source()
    }
}

/// What a caller does after looking at an entry.
enum Lookup {
    /// Sign with these.
    Ready(Credentials),
    /// Wait for the load under way.
    Wait(Loading),
}

impl Default for SessionCache {
    fn default() -> Self {
        Self::new(SessionCacheConfig::default())
    }
}

impl fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionCache")
            .field("config", &self.inner.config)
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl SessionCache {
    /// An empty cache.
    pub fn new(config: SessionCacheConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                config: SessionCacheConfig {
                    capacity: config.capacity.max(1),
                    refresh_window: config
                        .refresh_window
                        .clamp(WAIT_BEFORE_EXPIRY, MAX_REFRESH_WINDOW),
                },
                fingerprint_key: random_key(),
                identities: RwLock::new(Vec::new()),
                entries: RwLock::new(Entries::default()),
                clock_tick: AtomicU64::new(0),
            }),
        }
    }

    /// The cache's settings.
    pub fn config(&self) -> SessionCacheConfig {
        self.inner.config
    }

    /// How many sessions the cache holds or is loading.
    pub fn len(&self) -> usize {
        read(&self.inner.entries).len
    }

    /// Whether the cache holds no session.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The session credentials for `bucket` created with `base` in `mode`: cached, refreshed in
    /// the background when they near expiry, created through `source` when there are none.
    /// Expiry is judged by `clock`, which should be the clock requests are signed with.
    pub async fn get(
        &self,
        bucket: &str,
        mode: Option<&Arc<str>>,
        base: &Credentials,
        source: &SharedCreateSession,
        clock: &SharedClock,
    ) -> Result<Credentials, CredentialsError> {
        let identity = self.fingerprint(base);
        let now = clock.now();
        let lookup = match self.lookup(bucket, &identity, mode, now) {
            Some(lookup) => lookup,
            None => self.start_load(bucket, identity, mode, source, clock, now)?,
        };
        match lookup {
            Lookup::Ready(credentials) => Ok(credentials),
            Lookup::Wait(loading) => self.wait(bucket, loading, clock).await,
        }
    }

    /// Finds the entry and says what to do, under the read lock only; `None` when a load must
    /// start: no entry, no usable session and no load, or a session in its refresh window
    /// that nobody is refreshing yet.
    fn lookup(
        &self,
        bucket: &str,
        identity: &Fingerprint,
        mode: Option<&Arc<str>>,
        now: SystemTime,
    ) -> Option<Lookup> {
        let refresh_window = self.inner.config.refresh_window;
        let entries = read(&self.inner.entries);
        let entry = entries.find(bucket, identity, mode)?;
        entry.last_used.store(self.tick(), Ordering::Relaxed);
        let loading = entry.loading.as_ref().filter(|l| is_live(l));
        match &entry.session {
            Some(session) if now + WAIT_BEFORE_EXPIRY < session.expiry => {
                let fresh = now + refresh_window < session.expiry;
                let backing_off = entry.refresh_after.is_some_and(|after| now < after);
                (fresh || backing_off || loading.is_some()).then(|| {
                    tracing::trace!(bucket, "s3 express session cache hit");
                    Lookup::Ready(session.credentials.clone())
                })
            }
            _ => loading.map(|loading| Lookup::Wait(loading.clone())),
        }
    }

    /// Starts a `CreateSession` for the entry unless one is already under way. A session that
    /// is still usable is handed out at once while its refresh runs; otherwise the caller waits.
    fn start_load(
        &self,
        bucket: &str,
        identity: Fingerprint,
        mode: Option<&Arc<str>>,
        source: &SharedCreateSession,
        clock: &SharedClock,
        now: SystemTime,
    ) -> Result<Lookup, CredentialsError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            CredentialsError::new("creating an S3 Express session needs a Tokio runtime")
        })?;
        let mut entries = write(&self.inner.entries);
        let tick = self.tick();
        let capacity = self.inner.config.capacity;
        if entries.find(bucket, &identity, mode).is_none() {
            if entries.len >= capacity {
                entries.evict_least_recently_used();
            }
            entries.insert(
                bucket,
                Entry {
                    identity,
                    mode: mode.cloned(),
                    session: None,
                    loading: None,
                    refresh_after: None,
                    last_used: AtomicU64::new(tick),
                },
            );
        }
        let entry = entries
            .find_mut(bucket, &identity, mode)
            .expect("the entry was just found or inserted");
        let usable = entry
            .session
            .as_ref()
            .filter(|s| now + WAIT_BEFORE_EXPIRY < s.expiry);
        // Another caller may have refreshed it since `lookup` looked.
        if let Some(fresh) = usable.filter(|s| now + self.inner.config.refresh_window < s.expiry) {
            return Ok(Lookup::Ready(fresh.credentials.clone()));
        }
        let usable = usable.map(|s| s.credentials.clone());
        if let Some(loading) = entry.loading.as_ref().filter(|l| is_live(l)) {
            return Ok(usable.map_or_else(|| Lookup::Wait(loading.clone()), Lookup::Ready));
        }
        let (sender, receiver) = watch::channel(None);
        entry.loading = Some(receiver.clone());
        drop(entries);
        if usable.is_some() {
            tracing::debug!(bucket, "s3 express session refresh started");
        } else {
            tracing::debug!(bucket, "s3 express session cache miss");
        }
        // Called here, not in the task: the source may hold its client weakly, and the caller
        // still has it.
        let create_session = source.create_session(bucket, mode.map(|m| &**m));
        let task = LoadTask {
            cache: self.clone(),
            bucket: bucket.into(),
            identity,
            mode: mode.cloned(),
            clock: clock.clone(),
            loading: receiver.clone(),
        };
        runtime.spawn(task.run(create_session, sender));
        Ok(usable.map_or(Lookup::Wait(receiver), Lookup::Ready))
    }

    /// Waits for a load and hands out its session.
    async fn wait(
        &self,
        bucket: &str,
        mut loading: Loading,
        clock: &SharedClock,
    ) -> Result<Credentials, CredentialsError> {
        let result = match loading.wait_for(Option::is_some).await {
            Ok(result) => result.clone().expect("waited for a result"),
            Err(_) => Err(SessionError(Arc::new(CredentialsError::new(
                "the CreateSession task stopped without an answer (it panicked, or the Tokio \
                 runtime is shutting down)",
            )))),
        };
        let session = result.map_err(|e| {
            CredentialsError::with_source(
                format!("S3 Express CreateSession for bucket `{bucket}` failed"),
                e,
            )
        })?;
        // A session shorter-lived than the wait window is still never used past its expiry.
        if clock.now() >= session.expiry {
            return Err(CredentialsError::new(format!(
                "the S3 Express session for bucket `{bucket}` expired as it arrived"
            )));
        }
        Ok(session.credentials)
    }

    /// Forgets `session`, which `bucket`'s service refused as expired (its clock is ahead of
    /// ours), so that the next request creates a new one. A session that has replaced it stays.
    pub fn invalidate(&self, bucket: &str, session: &Credentials) {
        let mut entries = write(&self.inner.entries);
        let Some(list) = entries.by_bucket.get_mut(bucket) else {
            return;
        };
        let stale = |e: &Entry| {
            e.session
                .as_ref()
                .is_some_and(|s| s.credentials.ptr_eq(session))
        };
        let Some(entry) = list.iter_mut().find(|e| stale(e)) else {
            return;
        };
        tracing::debug!(bucket, "s3 express session refused as expired");
        entry.session = None;
        if entry.loading.is_none() {
            let (identity, mode) = (entry.identity, entry.mode.clone());
            entries.remove(bucket, &identity, mode.as_ref());
        }
    }

    fn fingerprint(&self, base: &Credentials) -> Fingerprint {
        let memo = |identities: &[(Credentials, Fingerprint)]| {
            identities
                .iter()
                .find(|(c, _)| c.ptr_eq(base))
                .map(|(_, f)| *f)
        };
        if let Some(fingerprint) = memo(&read(&self.inner.identities)) {
            return fingerprint;
        }
        let key = HmacKey::new(&self.inner.fingerprint_key);
        let mut mac = key.start();
        for part in [
            base.access_key_id(),
            base.secret_access_key(),
            base.session_token().unwrap_or(""),
        ] {
            // Length-prefixed, so the parts cannot run into each other.
            mac.update(&(part.len() as u64).to_le_bytes());
            mac.update(part.as_bytes());
        }
        let digest = key.finish(mac);
        let mut fingerprint = [0; 16];
        fingerprint.copy_from_slice(&digest[..16]);
        let mut identities = write(&self.inner.identities);
        if identities.len() == IDENTITY_MEMO {
            identities.remove(0);
        }
        identities.push((base.clone(), fingerprint));
        fingerprint
    }

    fn tick(&self) -> u64 {
        self.inner.clock_tick.fetch_add(1, Ordering::Relaxed)
    }
}

/// One `CreateSession` and the storing of its answer, in its own task.
struct LoadTask {
    cache: SessionCache,
    bucket: Box<str>,
    identity: Fingerprint,
    mode: Option<Arc<str>>,
    clock: SharedClock,
    /// This load's channel: the entry is this load's only while it still holds it (an entry
    /// evicted during the load may have a successor with a load of its own).
    loading: Loading,
}

impl LoadTask {
    async fn run(
        self,
        create_session: SendFuture<Result<Credentials, BoxError>>,
        sender: watch::Sender<Option<Result<Session, SessionError>>>,
    ) {
        let bucket = &*self.bucket;
        let result = create_session
            .await
            .and_then(|credentials| session(credentials, self.clock.now()))
            .map_err(|e| SessionError(Arc::from(e)));
        let mut entries = write(&self.cache.inner.entries);
        let mode = self.mode.as_ref();
        let ours = entries.find_mut(bucket, &self.identity, mode).filter(|e| {
            e.loading
                .as_ref()
                .is_some_and(|l| l.same_channel(&self.loading))
        });
        if let Some(entry) = ours {
            entry.loading = None;
            match &result {
                Ok(session) => {
                    tracing::debug!(bucket, expiry = ?session.expiry, "s3 express session stored");
                    entry.session = Some(session.clone());
                    entry.refresh_after = None;
                }
                Err(e) => {
                    tracing::warn!(bucket, error = %e, "s3 express CreateSession failed");
                    entry.refresh_after = Some(self.clock.now() + REFRESH_BACKOFF);
                }
            }
            if entry.session.is_none() {
                entries.remove(bucket, &self.identity, mode);
            }
        }
        drop(entries);
        // Nobody may be waiting (a background refresh): that is fine.
        let _ = sender.send(Some(result));
    }
}

/// Checks what `CreateSession` answered: an empty part or a past expiry is an error, never a
/// session that would fail every request signed with it.
fn session(credentials: Credentials, now: SystemTime) -> Result<Session, BoxError> {
    let missing = [
        ("access key id", credentials.access_key_id()),
        ("secret access key", credentials.secret_access_key()),
        ("session token", credentials.session_token().unwrap_or("")),
    ]
    .into_iter()
    .find(|(_, value)| value.is_empty());
    if let Some((part, _)) = missing {
        return Err(format!("CreateSession answered credentials without a {part}").into());
    }
    match credentials.expiry() {
        Some(expiry) if expiry > now => Ok(Session {
            credentials,
            expiry,
        }),
        Some(_) => Err(
            "CreateSession answered credentials whose expiration is not in the future \
             (a missing one reads as 1970)"
                .into(),
        ),
        None => Err("CreateSession answered credentials without an expiration".into()),
    }
}

impl Entries {
    fn find(
        &self,
        bucket: &str,
        identity: &Fingerprint,
        mode: Option<&Arc<str>>,
    ) -> Option<&Entry> {
        self.by_bucket
            .get(bucket)?
            .iter()
            .find(|e| e.matches(identity, mode))
    }

    fn find_mut(
        &mut self,
        bucket: &str,
        identity: &Fingerprint,
        mode: Option<&Arc<str>>,
    ) -> Option<&mut Entry> {
        self.by_bucket
            .get_mut(bucket)?
            .iter_mut()
            .find(|e| e.matches(identity, mode))
    }

    fn insert(&mut self, bucket: &str, entry: Entry) {
        self.by_bucket.entry(bucket.into()).or_default().push(entry);
        self.len += 1;
    }

    fn remove(&mut self, bucket: &str, identity: &Fingerprint, mode: Option<&Arc<str>>) {
        let Some(list) = self.by_bucket.get_mut(bucket) else {
            return;
        };
        let before = list.len();
        list.retain(|e| !e.matches(identity, mode));
        self.len -= before - list.len();
        if list.is_empty() {
            self.by_bucket.remove(bucket);
        }
    }

    /// Drops the entry used longest ago, preferring one with no load under way (whose waiters
    /// would otherwise find nothing stored).
    fn evict_least_recently_used(&mut self) {
        let victim = self
            .by_bucket
            .iter()
            .flat_map(|(bucket, list)| list.iter().map(move |e| (bucket, e)))
            .min_by_key(|(_, e)| (e.loading.is_some(), e.last_used.load(Ordering::Relaxed)))
            .map(|(bucket, e)| (bucket.clone(), e.identity, e.mode.clone()));
        if let Some((bucket, identity, mode)) = victim {
            tracing::debug!(bucket = &*bucket, "s3 express session evicted");
            self.remove(&bucket, &identity, mode.as_ref());
        }
    }
}

impl Entry {
    fn matches(&self, identity: &Fingerprint, mode: Option<&Arc<str>>) -> bool {
        self.identity == *identity && self.mode.as_deref() == mode.map(|m| &**m)
    }
}

/// Whether the task behind a load is still there to answer.
fn is_live(loading: &Loading) -> bool {
    loading.has_changed().is_ok()
}

fn random_key() -> [u8; 32] {
    let mut key = [0; 32];
    for chunk in key.chunks_exact_mut(8) {
        chunk.copy_from_slice(&crate::retry::random_u64().to_le_bytes());
    }
    key
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials(secret: &str, token: Option<&str>) -> Credentials {
        Credentials::new("AKID", secret, token.map(str::to_owned), None)
    }

    #[test]
    fn fingerprints_tell_identities_apart_and_are_keyed_per_cache() {
        let cache = SessionCache::default();
        let a = credentials("secret", None);
        let fingerprint = cache.fingerprint(&a);
        assert_eq!(cache.fingerprint(&a.clone()), fingerprint, "memoised");
        assert_eq!(cache.fingerprint(&credentials("secret", None)), fingerprint);
        for other in [
            credentials("secret2", None),
            credentials("secret", Some("token")),
            Credentials::new("AKID2", "secret", None, None),
        ] {
            assert_ne!(cache.fingerprint(&other), fingerprint, "{other:?}");
        }
        assert_ne!(SessionCache::default().fingerprint(&a), fingerprint);
    }

    #[test]
    fn the_refresh_window_stays_within_a_sessions_life() {
        let window = |refresh_window| {
            SessionCache::new(SessionCacheConfig {
                refresh_window,
                ..SessionCacheConfig::default()
            })
            .config()
            .refresh_window
        };
        assert_eq!(window(Duration::MAX), MAX_REFRESH_WINDOW);
        assert_eq!(window(Duration::ZERO), WAIT_BEFORE_EXPIRY);
        assert_eq!(window(DEFAULT_REFRESH_WINDOW), DEFAULT_REFRESH_WINDOW);
    }

    #[test]
    fn answers_need_every_part_and_a_future_expiry() {
        let now = SystemTime::now();
        let later = Some(now + Duration::from_secs(300));
        let session_of = |id: &str, secret: &str, token: &str, expiry| {
            session(
                Credentials::new(id, secret, Some(token.to_owned()), expiry),
                now,
            )
            .map(|_| ())
            .map_err(|e| e.to_string())
        };
        assert_eq!(session_of("ASIA", "s", "t", later), Ok(()));
        for (id, secret, token, expiry, says) in [
            ("", "s", "t", later, "access key id"),
            ("ASIA", "", "t", later, "secret access key"),
            ("ASIA", "s", "", later, "session token"),
            ("ASIA", "s", "t", None, "without an expiration"),
            ("ASIA", "s", "t", Some(now), "not in the future"),
        ] {
            let err = session_of(id, secret, token, expiry).unwrap_err();
            assert!(err.contains(says), "{err}");
        }
    }
}
