//! The AWS SDKs' "standard" retry mode, as small pieces the operation loop composes:
//!
//! - [`RetryConfig`]: how many attempts, and the backoff before each retry;
//! - [`classify_response`] and [`classify_error`]: whether a failed attempt may be retried, and
//!   why ([`RetryKind`]);
//! - [`RetryQuota`]: a token bucket shared by a client's operations, so that retries stop when
//!   most of them fail (an outage) instead of multiplying the load;
//! - [`SkewCorrectedClock`] and [`response_date`]: clock-skew correction from the `Date` header.
//!
//! The loop, per attempt: sign with the corrected clock, send; on success call
//! [`RetryQuota::succeeded`]. On failure classify; give up if not retryable, if
//! [`RetryConfig::max_attempts`] is reached, or if [`RetryQuota::acquire`] refuses; on
//! [`RetryKind::ClockSkew`] call [`SkewCorrectedClock::correct`]; sleep
//! [`RetryConfig::backoff`]; go again.

use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use crate::http::HttpError;
use crate::time::{Clock, DateTime, Format, SharedClock};

/// Why a failed attempt may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryKind {
    /// The service asked us to slow down (`SlowDown`, 429, ...).
    Throttling,
    /// A server-side or network failure that another attempt may not meet (500, 502, 503, 504,
    /// `InternalError`, `RequestTimeout`, a failed or broken connection).
    Transient,
    /// The connect or attempt timeout elapsed.
    Timeout,
    /// The request's signing time was too far from the service's clock: correct the clock,
    /// re-sign and retry.
    ClockSkew,
}

/// Error codes by which AWS services throttle, as the AWS SDKs list them.
const THROTTLING_CODES: &[&str] = &[
    "SlowDown",
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Transient error codes; S3 sends the last two with 500 and 503, but also as the `<Error>`
/// body of a 200 response to `CopyObject` and `CompleteMultipartUpload`.
const TRANSIENT_CODES: &[&str] = &[
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalError",
    "ServiceUnavailable",
];

/// Codes that can only mean the signing time was off.
const DEFINITE_SKEW_CODES: &[&str] = &[
    "RequestTimeTooSkewed",
    "RequestExpired",
    "RequestInTheFuture",
];

/// Codes that mean a bad signature, which a skewed clock is one cause of (a wrong secret key is
/// the usual one).
const POSSIBLE_SKEW_CODES: &[&str] = &[
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "AuthFailure",
];

/// Decides whether an error response may be retried.
///
/// `code` is the error code from the body, if any; it is checked before `status` because S3 sends
/// some errors with status 200, and `SlowDown` with 503 is throttling rather than transient.
/// `clock_skewed` says whether the response's `Date` is far from the signing clock (see
/// [`SkewCorrectedClock::is_skewed`]).
///
/// Clock-skew rule (that of the AWS SDK for Java): `RequestTimeTooSkewed`, `RequestExpired`
/// and `RequestInTheFuture` are always skew. `SignatureDoesNotMatch`,
/// `InvalidSignatureException`, `AuthFailure`, or any 401 or 403 (a `HeadObject` error has no
/// body, hence no code) are skew only when `clock_skewed`; otherwise they are final, because
/// re-signing with the same clock and key gives the same signature.
///
/// Other 4xx, 501 and 505 are never retried.
pub fn classify_response(status: u16, code: Option<&str>, clock_skewed: bool) -> Option<RetryKind> {
    if let Some(code) = code {
        if THROTTLING_CODES.contains(&code) {
            return Some(RetryKind::Throttling);
        }
        if TRANSIENT_CODES.contains(&code) {
            return Some(RetryKind::Transient);
        }
        if DEFINITE_SKEW_CODES.contains(&code) {
            return Some(RetryKind::ClockSkew);
        }
    }
    let auth_failure =
        status == 401 || status == 403 || code.is_some_and(|c| POSSIBLE_SKEW_CODES.contains(&c));
    match status {
        _ if auth_failure && clock_skewed => Some(RetryKind::ClockSkew),
        429 => Some(RetryKind::Throttling),
        500 | 502 | 503 | 504 => Some(RetryKind::Transient),
        _ => None,
    }
}

/// Decides whether an attempt that got no response may be retried.
pub fn classify_error(error: &HttpError) -> Option<RetryKind> {
    match error {
        HttpError::Connect(_) | HttpError::Io(_) => Some(RetryKind::Transient),
        HttpError::Timeout(_) => Some(RetryKind::Timeout),
        HttpError::Other(_) | HttpError::BodyTooLarge { .. } => None,
    }
}

/// How many attempts an operation makes and how long it waits between them.
#[derive(Debug, Clone, Copy)]
pub struct RetryConfig {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    jitter: fn() -> f64,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self::standard()
    }
}

impl RetryConfig {
    /// The standard mode: 3 attempts, backoff from 1 s, at most 20 s.
    pub fn standard() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
            jitter: random_fraction,
        }
    }

    /// One attempt, no retries.
    pub fn disabled() -> Self {
        Self::standard().with_max_attempts(1)
    }

    /// Sets the number of attempts, the first included; 0 counts as 1.
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }

    /// Sets the backoff scale: the first retry waits up to this long, and each further one up to
    /// twice the previous.
    pub fn with_initial_backoff(mut self, initial_backoff: Duration) -> Self {
        self.initial_backoff = initial_backoff;
        self
    }

    /// Sets the longest wait before a retry.
    pub fn with_max_backoff(mut self, max_backoff: Duration) -> Self {
        self.max_backoff = max_backoff;
        self
    }

    /// Replaces the source of jitter, a function returning a number in `[0, 1]`; tests use a
    /// constant. The default draws from the OS-seeded hasher keys of the standard library.
    pub fn with_jitter(mut self, jitter: fn() -> f64) -> Self {
        self.jitter = jitter;
        self
    }

    /// The source of jitter.
    pub fn jitter(&self) -> fn() -> f64 {
        self.jitter
    }

    /// The number of attempts, the first included; at least 1.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before the next attempt, after `attempts` attempts (at least 1) have failed:
    /// `min(jitter * initial_backoff * 2^(attempts - 1), max_backoff)`, "full jitter".
    pub fn backoff(&self, attempts: u32) -> Duration {
        let jitter = (self.jitter)().clamp(0.0, 1.0);
        let exponent = attempts.saturating_sub(1).min(64) as i32;
        let secs = jitter * self.initial_backoff.as_secs_f64() * 2f64.powi(exponent);
        // A NaN jitter yields the maximum: `f64::min` ignores NaN.
        Duration::try_from_secs_f64(secs.min(self.max_backoff.as_secs_f64()))
            .unwrap_or(self.max_backoff)
    }
}

/// A uniform number in `[0, 1)`, from [`random_u64`].
pub(crate) fn random_fraction() -> f64 {
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// 64 random bits: SipHash under `RandomState`'s fresh keys (random per thread, incremented
/// per instance) is random enough for jitter and cache keys, and needs no `rand`.
pub(crate) fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

/// The retry quota of the standard mode: a token bucket shared by all operations of a client.
///
/// A retry costs 5 tokens (10 after a timeout, which ties up the service longer); a success
/// refunds what its last retry cost, or adds 1 token if it needed no retry. When the bucket
/// cannot pay, the failure is returned instead of retried, so a sustained outage costs one
/// attempt per operation rather than `max_attempts`.
#[derive(Debug)]
pub struct RetryQuota {
    capacity: u32,
    available: AtomicU32,
}

const RETRY_COST: u32 = 5;
const TIMEOUT_RETRY_COST: u32 = 10;
const NO_RETRY_INCREMENT: u32 = 1;

impl Default for RetryQuota {
    /// A full bucket of 500 tokens, as in the AWS SDKs.
    fn default() -> Self {
        Self::new(500)
    }
}

impl RetryQuota {
    /// A full bucket of `capacity` tokens.
    pub fn new(capacity: u32) -> Self {
        Self {
            capacity,
            available: AtomicU32::new(capacity),
        }
    }

    /// The tokens left.
    pub fn available(&self) -> u32 {
        self.available.load(Ordering::Relaxed)
    }

    /// Takes the tokens for a retry after a failure of `kind`, or `None` if too few are left.
    pub fn acquire(&self, kind: RetryKind) -> Option<RetryPermit> {
        let cost = match kind {
            RetryKind::Timeout => TIMEOUT_RETRY_COST,
            _ => RETRY_COST,
        };
        self.available
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                n.checked_sub(cost)
            })
            .ok()
            .map(|_| RetryPermit { cost })
    }

    /// Records an operation's success: refunds its last retry's permit, or adds a token if it
    /// succeeded without retrying.
    pub fn succeeded(&self, last_retry: Option<RetryPermit>) {
        let refund = last_retry.map_or(NO_RETRY_INCREMENT, |p| p.cost);
        // The closure always returns `Some`, so the update cannot fail.
        let _ = self
            .available
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_add(refund).min(self.capacity))
            });
    }
}

/// Tokens taken from a [`RetryQuota`] for one retry; returned by [`RetryQuota::succeeded`] if the
/// operation then succeeds, kept by the bucket otherwise.
#[derive(Debug)]
#[must_use = "hand the permit of the last retry to `RetryQuota::succeeded`"]
pub struct RetryPermit {
    cost: u32,
}

/// The instant in a response's `Date` header, if it has a valid one.
pub fn response_date(headers: &http::HeaderMap) -> Option<SystemTime> {
    let value = headers.get(http::header::DATE)?.to_str().ok()?;
    DateTime::parse(value, Format::HttpDate)
        .ok()
        .map(SystemTime::from)
}

/// A clock set to the service's time: the local clock plus the offset last observed in an error
/// response's `Date`. Sign with it, and requests keep working on a machine whose clock is off.
#[derive(Debug)]
pub struct SkewCorrectedClock {
    clock: SharedClock,
    offset_millis: AtomicI64,
}

/// How far a response's `Date` may be from our corrected clock before an authentication failure
/// is blamed on skew; below S3's 15 min and SigV4's 5 min tolerance, as in the AWS SDK for Java.
const SKEW_THRESHOLD_MILLIS: i64 = 4 * 60 * 1000;

impl SkewCorrectedClock {
    /// Starts uncorrected: reads the same as `clock`.
    pub fn new(clock: SharedClock) -> Self {
        Self {
            clock,
            offset_millis: AtomicI64::new(0),
        }
    }

    /// How far ahead of the local clock the service's clock was last seen, in milliseconds
    /// (negative if behind).
    pub fn offset_millis(&self) -> i64 {
        self.offset_millis.load(Ordering::Relaxed)
    }

    /// Whether `server_time` is at least 4 minutes from this clock's time: enough to make a
    /// signature fail, not just network delay and the `Date` header's whole seconds.
    pub fn is_skewed(&self, server_time: SystemTime) -> bool {
        millis_between(server_time, self.now()).abs() >= SKEW_THRESHOLD_MILLIS
    }

    /// Adopts the service's clock: from now on this clock reads `server_time` plus the local
    /// time elapsed since. Setting, not adding, keeps concurrent corrections from piling up.
    pub fn correct(&self, server_time: SystemTime) {
        let offset = millis_between(server_time, self.clock.now());
        self.offset_millis.store(offset, Ordering::Relaxed);
    }
}

impl Clock for SkewCorrectedClock {
    fn now(&self) -> SystemTime {
        let now = self.clock.now();
        let offset = self.offset_millis();
        let magnitude = Duration::from_millis(offset.unsigned_abs());
        let corrected = if offset >= 0 {
            now.checked_add(magnitude)
        } else {
            now.checked_sub(magnitude)
        };
        corrected.unwrap_or(now)
    }
}

/// `a - b` in milliseconds, saturating.
fn millis_between(a: SystemTime, b: SystemTime) -> i64 {
    match a.duration_since(b) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_millis()).map_or(i64::MIN, |m| -m),
    }
}
