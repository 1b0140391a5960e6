//! Waiters: polling an operation until the model's acceptors say the resource reached a state.
//!
//! The delays follow Smithy's waiter specification: attempt `n` waits a random time between the
//! minimum delay and `min(max_delay, min_delay * 2^(n-1))`, and the waiter gives up rather than
//! sleep past its deadline.

use std::fmt;
use std::time::{Duration, Instant};

use crate::error::Error;

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
    Timeout(Duration),
}

impl<E: fmt::Display> fmt::Display for WaitError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Failure(Some(e)) => write!(f, "waiter reached its failure state: {e}"),
            WaitError::Failure(None) => f.write_str("waiter reached its failure state"),
            WaitError::Operation(e) => write!(f, "waiter stopped on an unexpected error: {e}"),
            WaitError::Timeout(after) => write!(f, "waiter gave up after {after:?}"),
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

/// The polling schedule of one wait.
#[derive(Debug)]
pub struct Poller {
    min_delay: Duration,
    max_delay: Duration,
    max_wait: Duration,
    start: Instant,
    attempts: u32,
}

impl Poller {
    /// A schedule with the waiter's delays (from the model) and the caller's maximum wait.
    pub fn new(min_delay: Duration, max_delay: Duration, max_wait: Duration) -> Self {
        Self {
            min_delay,
            max_delay: max_delay.max(min_delay),
            max_wait,
            start: Instant::now(),
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
        let delay =
            self.min_delay + Duration::from_secs_f64(spread * crate::retry::random_fraction());
        if self.start.elapsed() + delay > self.max_wait {
            return Err(WaitError::Timeout(self.max_wait));
        }
        tokio::time::sleep(delay).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn gives_up_instead_of_sleeping_past_the_deadline() {
        let mut poller = Poller::new(
            Duration::from_secs(5),
            Duration::from_secs(120),
            Duration::from_secs(1),
        );
        let started = Instant::now();
        let err = poller.wait::<()>().await.unwrap_err();
        assert!(matches!(err, WaitError::Timeout(d) if d == Duration::from_secs(1)));
        assert!(started.elapsed() < Duration::from_millis(500));
    }

    #[tokio::test]
    async fn sleeps_at_least_the_minimum_delay() {
        let mut poller = Poller::new(
            Duration::from_millis(20),
            Duration::from_millis(40),
            Duration::from_secs(5),
        );
        let started = Instant::now();
        poller.wait::<()>().await.unwrap();
        poller.wait::<()>().await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(40));
    }
}
