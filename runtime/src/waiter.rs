//! Waiters: polling an operation until the model's acceptors say the resource reached a state.
//!
//! The delays follow Smithy's waiter specification: attempt `n` waits a random time between the
//! minimum delay and `min(max_delay, min_delay * 2^(n-1))`, and the waiter gives up rather than
//! sleep past its deadline.

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::error::Error;
use crate::time::SharedClock;

/// Why a waiter stopped without reaching its success state.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaitError<E> {
    /// A failure acceptor matched: the resource will not reach the state. Holds the operation's
    /// error, when the matching response was one.
    Failure(Option<Error<E>>),
    /// The operation failed in a way no acceptor expects.
    Operation(Error<E>),
    /// The state was not reached within the maximum wait.
    Timeout(WaitTimeout),
}

/// A wait that gave up: the next delay would have passed the maximum wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitTimeout {
    /// How long the wait had lasted when it gave up.
    pub elapsed: Duration,
    /// The maximum wait the caller set.
    pub max_wait: Duration,
    /// The requests sent.
    pub attempts: u32,
}

impl<E: fmt::Display> fmt::Display for WaitError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Failure(Some(e)) => write!(f, "waiter reached its failure state: {e}"),
            WaitError::Failure(None) => f.write_str("waiter reached its failure state"),
            WaitError::Operation(e) => write!(f, "waiter stopped on an unexpected error: {e}"),
            WaitError::Timeout(t) => {
                let plural = if t.attempts == 1 { "" } else { "s" };
                write!(
                    f,
                    "waiter gave up after {:?} and {} attempt{plural}: the next poll would pass \
                     the maximum wait of {:?}",
                    t.elapsed, t.attempts, t.max_wait
                )
            }
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for WaitError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaitError::Failure(Some(e)) | WaitError::Operation(e) => Some(e),
            _ => None,
        }
    }
}

/// The polling schedule of one wait. Its clock and jitter come from the client (see
/// [`Runtime::poller`](crate::client::Runtime::poller)), so tests control both.
#[derive(Debug)]
pub struct Poller {
    min_delay: Duration,
    max_delay: Duration,
    max_wait: Duration,
    clock: SharedClock,
    jitter: fn() -> f64,
    start: SystemTime,
    attempts: u32,
}

impl Poller {
    /// A schedule with the waiter's delays (from the model) and the caller's maximum wait,
    /// measured by `clock`; `jitter` returns a number in `[0, 1]`.
    pub fn new(
        min_delay: Duration,
        max_delay: Duration,
        max_wait: Duration,
        clock: SharedClock,
        jitter: fn() -> f64,
    ) -> Self {
        Self {
            min_delay,
            max_delay: max_delay.max(min_delay),
            max_wait,
            start: clock.now(),
            clock,
            jitter,
            attempts: 0,
        }
    }

    /// Sleeps before the next attempt, or fails with a timeout if that would pass the deadline.
    pub async fn wait<E>(&mut self) -> Result<(), WaitError<E>> {
        self.attempts += 1;
        let ceiling = self
            .min_delay
            .saturating_mul(1u32 << self.attempts.saturating_sub(1).min(16))
            .min(self.max_delay);
        let spread = ceiling.saturating_sub(self.min_delay).as_secs_f64();
        let jitter = (self.jitter)().clamp(0.0, 1.0);
        let delay = self.min_delay + Duration::from_secs_f64(spread * jitter);
        let elapsed = self
            .clock
            .now()
            .duration_since(self.start)
            .unwrap_or_default();
        if elapsed + delay > self.max_wait {
            return Err(WaitError::Timeout(WaitTimeout {
                elapsed,
                max_wait: self.max_wait,
                attempts: self.attempts,
            }));
        }
        tokio::time::sleep(delay).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Instant;

    use super::*;
    use crate::time::SystemClock;

    #[tokio::test]
    async fn gives_up_instead_of_sleeping_past_the_deadline() {
        let mut poller = Poller::new(
            Duration::from_secs(5),
            Duration::from_secs(120),
            Duration::from_secs(1),
            Arc::new(SystemClock),
            || 0.5,
        );
        let started = Instant::now();
        let err = poller.wait::<()>().await.unwrap_err();
        let WaitError::Timeout(timeout) = &err else {
            panic!("{err:?}");
        };
        assert_eq!(
            (timeout.max_wait, timeout.attempts),
            (Duration::from_secs(1), 1)
        );
        assert!(
            timeout.elapsed < Duration::from_millis(500),
            "the real time: {err:?}"
        );
        assert!(started.elapsed() < Duration::from_millis(500));
    }

    #[tokio::test]
    async fn sleeps_at_least_the_minimum_delay() {
        let mut poller = Poller::new(
            Duration::from_millis(20),
            Duration::from_millis(40),
            Duration::from_secs(5),
            Arc::new(SystemClock),
            || 0.0,
        );
        let started = Instant::now();
        poller.wait::<()>().await.unwrap();
        poller.wait::<()>().await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(40));
    }
}
