//! Waiters: polling an operation until the model's acceptors say the resource reached a state.
//!
//! This follows Smithy's waiter specification. Each response is matched against the acceptors in
//! order and the first that matches decides: `success` ends the wait with that response,
//! `failure` ends it with that response as the error, `retry` polls again. A response no acceptor
//! matches is polled again when it is an output and ends the wait when it is an error. Attempt
//! `n` is followed by a random delay between the minimum delay and
//! `min(max_delay, min_delay * 2^(n-1))`, and the waiter gives up, with the last response,
//! rather than sleep past its maximum wait.
//!
//! The generated `wait_until_*` methods hold the acceptors (a function from a response to an
//! [`AcceptorState`]); [`Poller::until`] does the rest.

use std::fmt;
use std::future::Future;
use std::time::{Duration, SystemTime};

use crate::error::Error;
use crate::time::SharedClock;

/// What the first acceptor matching a response says the waiter does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptorState {
    /// The resource is in the wanted state: the wait ends with this response.
    Success,
    /// The resource will not reach the state: the wait fails with this response.
    Failure,
    /// Not yet: poll again.
    Retry,
}

/// A wait that ended: the response it ended on and the requests it took.
#[derive(Debug)]
#[non_exhaustive]
pub struct Waited<O, E> {
    /// The response that ended the wait: an output, or an error an acceptor expects (a
    /// `BucketNotExists` wait succeeds on `NotFound`). For a timeout, the last response.
    pub response: Result<O, Error<E>>,
    /// The requests sent.
    pub attempts: u32,
    /// The time from the start of the wait to the response, on the client's clock.
    pub elapsed: Duration,
}

/// Why a waiter stopped without reaching its success state.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaitError<O, E> {
    /// A failure acceptor matched the response: the resource will not reach the state.
    Failure(Waited<O, E>),
    /// The operation failed with an error no acceptor expects.
    Unexpected {
        /// The error.
        error: Error<E>,
        /// The requests sent, this one included.
        attempts: u32,
        /// The time from the start of the wait to the error, on the client's clock.
        elapsed: Duration,
    },
    /// The state was not reached in time: the next poll would have passed the maximum wait.
    Timeout {
        /// The last response, the requests sent and the time the wait lasted.
        last: Waited<O, E>,
        /// The maximum wait the caller set.
        max_wait: Duration,
    },
}

/// "`elapsed` and `attempts` attempt(s)", as the messages say it.
struct Took(Duration, u32);

impl fmt::Display for Took {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.1 == 1 { "" } else { "s" };
        write!(f, "{:?} and {} attempt{plural}", self.0, self.1)
    }
}

impl<O, E: fmt::Display> fmt::Display for WaitError<O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Failure(waited) => {
                let took = Took(waited.elapsed, waited.attempts);
                match &waited.response {
                    Ok(_) => write!(
                        f,
                        "waiter reached its failure state after {took}: a failure acceptor \
                         matched the output"
                    ),
                    Err(e) => write!(f, "waiter reached its failure state after {took}: {e}"),
                }
            }
            WaitError::Unexpected {
                error,
                attempts,
                elapsed,
            } => {
                let took = Took(*elapsed, *attempts);
                write!(
                    f,
                    "waiter stopped after {took} on an unexpected error: {error}"
                )
            }
            WaitError::Timeout { last, max_wait } => write!(
                f,
                "waiter gave up after {}: the next poll would pass the maximum wait of \
                 {max_wait:?}",
                Took(last.elapsed, last.attempts)
            ),
        }
    }
}

/// The source is the error the wait ended on, if it ended on one (for a timeout, the last
/// response's error).
impl<O: fmt::Debug, E: std::error::Error + 'static> std::error::Error for WaitError<O, E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let error = match self {
            WaitError::Failure(waited) | WaitError::Timeout { last: waited, .. } => {
                waited.response.as_ref().err()?
            }
            WaitError::Unexpected { error, .. } => error,
        };
        Some(error)
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
            clock,
            jitter,
        }
    }

    /// Sends requests with `send` until `accept`, the waiter's acceptors, decides (see the
    /// [module documentation](self)): `accept` returns the state of the first acceptor that
    /// matches the response, or `None` when none does.
    pub async fn until<O, E, F>(
        self,
        mut send: impl FnMut() -> F,
        accept: impl Fn(&Result<O, Error<E>>) -> Option<AcceptorState>,
    ) -> Result<Waited<O, E>, WaitError<O, E>>
    where
        F: Future<Output = Result<O, Error<E>>>,
    {
        let start = self.clock.now();
        let mut attempts = 0u32;
        loop {
            let response = send().await;
            attempts = attempts.saturating_add(1);
            let elapsed = self.elapsed_since(start);
            let state = accept(&response);
            let waited = Waited {
                response,
                attempts,
                elapsed,
            };
            match state {
                Some(AcceptorState::Success) => return Ok(waited),
                Some(AcceptorState::Failure) => return Err(WaitError::Failure(waited)),
                Some(AcceptorState::Retry) => {}
                None => {
                    if let Err(error) = waited.response {
                        return Err(WaitError::Unexpected {
                            error,
                            attempts,
                            elapsed,
                        });
                    }
                }
            }
            let delay = self.delay(attempts);
            if elapsed + delay > self.max_wait {
                return Err(WaitError::Timeout {
                    last: waited,
                    max_wait: self.max_wait,
                });
            }
            tokio::time::sleep(delay).await;
        }
    }

    /// The delay after attempt `attempt` (from 1): random, between the minimum delay and the
    /// minimum doubled per attempt, capped at the maximum delay.
    fn delay(&self, attempt: u32) -> Duration {
        let ceiling = self
            .min_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.max_delay);
        let spread = ceiling.saturating_sub(self.min_delay).as_secs_f64();
        let jitter = (self.jitter)().clamp(0.0, 1.0);
        self.min_delay + Duration::from_secs_f64(spread * jitter)
    }

    fn elapsed_since(&self, start: SystemTime) -> Duration {
        self.clock.now().duration_since(start).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::convert::Infallible;
    use std::error::Error as _;
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    use super::*;
    use crate::error::BuildError;
    use crate::time::{Clock, SystemClock};

    /// Moves `step` forward every time it is read, so waits last clock time without real time.
    #[derive(Debug)]
    struct SteppingClock {
        now: Mutex<SystemTime>,
        step: Duration,
    }

    impl Clock for SteppingClock {
        fn now(&self) -> SystemTime {
            let mut now = self.now.lock().unwrap();
            *now += self.step;
            *now
        }
    }

    fn stepping(step: Duration) -> SharedClock {
        Arc::new(SteppingClock {
            now: Mutex::new(SystemTime::UNIX_EPOCH),
            step,
        })
    }

    type Response = Result<u32, Error<Infallible>>;

    fn error(message: &'static str) -> Error<Infallible> {
        Error::Build(BuildError::invalid_value("fake", message))
    }

    fn message(response: &Response) -> Option<String> {
        response.as_ref().err().map(ToString::to_string)
    }

    /// The fake waiter's acceptors: `0` is success, `1` failure, `2` retry, an error saying
    /// `gone` success and one saying `busy` retry; anything else matches none.
    fn accept(response: &Response) -> Option<AcceptorState> {
        match response {
            Ok(0) => Some(AcceptorState::Success),
            Ok(1) => Some(AcceptorState::Failure),
            Ok(2) => Some(AcceptorState::Retry),
            Err(e) if e.to_string().contains("gone") => Some(AcceptorState::Success),
            Err(e) if e.to_string().contains("busy") => Some(AcceptorState::Retry),
            _ => None,
        }
    }

    /// Waits with `poller` on a fake operation answering `replies` in order (one more request
    /// panics).
    async fn wait(
        poller: Poller,
        replies: Vec<Response>,
    ) -> Result<Waited<u32, Infallible>, WaitError<u32, Infallible>> {
        let mut replies = VecDeque::from(replies);
        let send = move || {
            let reply = replies.pop_front().expect("a request after the last reply");
            async move { reply }
        };
        poller.until(send, accept).await
    }

    /// No delay between polls, and the clock a second further on at every read.
    fn no_delay(max_wait: Duration) -> Poller {
        let clock = stepping(Duration::from_secs(1));
        Poller::new(Duration::ZERO, Duration::ZERO, max_wait, clock, || 0.5)
    }

    #[tokio::test]
    async fn polls_until_an_acceptor_says_success() {
        // A retry acceptor, an output no acceptor matches, then a retried error.
        let replies = vec![Ok(2), Ok(7), Err(error("busy")), Ok(0)];
        let waited = wait(no_delay(Duration::from_secs(60)), replies)
            .await
            .unwrap();
        assert_eq!(waited.response.unwrap(), 0);
        assert_eq!(waited.attempts, 4);
        assert_eq!(waited.elapsed, Duration::from_secs(4));
    }

    #[tokio::test]
    async fn succeeds_with_the_error_a_success_acceptor_matched() {
        let waited = wait(no_delay(Duration::from_secs(60)), vec![Err(error("gone"))])
            .await
            .unwrap();
        assert!(message(&waited.response).unwrap().contains("gone"));
        assert_eq!(waited.attempts, 1);
    }

    #[tokio::test]
    async fn a_failure_acceptor_ends_the_wait_with_the_response_it_matched() {
        let err = wait(no_delay(Duration::from_secs(60)), vec![Ok(2), Ok(1)])
            .await
            .unwrap_err();
        let WaitError::Failure(waited) = &err else {
            panic!("{err:?}");
        };
        assert_eq!(
            (waited.response.as_ref().ok(), waited.attempts),
            (Some(&1), 2)
        );
        assert_eq!(
            err.to_string(),
            "waiter reached its failure state after 2s and 2 attempts: a failure acceptor \
             matched the output"
        );
        assert!(err.source().is_none(), "an output is not an error");
    }

    #[tokio::test]
    async fn an_error_no_acceptor_expects_ends_the_wait() {
        let err = wait(
            no_delay(Duration::from_secs(60)),
            vec![Err(error("denied"))],
        )
        .await
        .unwrap_err();
        let WaitError::Unexpected {
            error, attempts: 1, ..
        } = &err
        else {
            panic!("{err:?}");
        };
        assert_eq!(
            err.to_string(),
            format!("waiter stopped after 1s and 1 attempt on an unexpected error: {error}")
        );
        assert_eq!(err.source().unwrap().to_string(), error.to_string());
    }

    #[tokio::test]
    async fn gives_up_with_the_last_response_rather_than_poll_past_the_deadline() {
        let replies = vec![Err(error("busy 1")), Ok(2), Err(error("busy 3"))];
        let err = wait(no_delay(Duration::from_millis(2500)), replies)
            .await
            .unwrap_err();
        let WaitError::Timeout { last, max_wait } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(*max_wait, Duration::from_millis(2500));
        assert_eq!((last.attempts, last.elapsed), (3, Duration::from_secs(3)));
        assert!(message(&last.response).unwrap().contains("busy 3"));
        assert_eq!(
            err.to_string(),
            "waiter gave up after 3s and 3 attempts: the next poll would pass the maximum wait \
             of 2.5s"
        );
        assert!(err.source().unwrap().to_string().contains("busy 3"));
    }

    #[tokio::test]
    async fn gives_up_instead_of_sleeping_past_the_deadline() {
        let poller = Poller::new(
            Duration::from_secs(5),
            Duration::from_secs(120),
            Duration::from_secs(1),
            Arc::new(SystemClock),
            || 0.5,
        );
        let started = Instant::now();
        let err = wait(poller, vec![Ok(2)]).await.unwrap_err();
        let WaitError::Timeout { last, max_wait } = &err else {
            panic!("{err:?}");
        };
        assert_eq!((*max_wait, last.attempts), (Duration::from_secs(1), 1));
        assert!(last.elapsed < Duration::from_millis(500), "{err:?}");
        assert!(started.elapsed() < Duration::from_millis(500));
    }

    #[tokio::test]
    async fn sleeps_at_least_the_minimum_delay() {
        let poller = Poller::new(
            Duration::from_millis(20),
            Duration::from_millis(40),
            Duration::from_secs(5),
            Arc::new(SystemClock),
            || 0.0,
        );
        let started = Instant::now();
        wait(poller, vec![Ok(2), Ok(2), Ok(0)]).await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(40));
    }

    #[test]
    fn delays_double_from_the_minimum_up_to_the_maximum() {
        let poller = |jitter| {
            Poller::new(
                Duration::from_secs(5),
                Duration::from_secs(120),
                Duration::from_secs(3600),
                Arc::new(SystemClock),
                jitter,
            )
        };
        let delays = |poller: Poller| {
            (1..=7)
                .map(|n| poller.delay(n).as_secs())
                .collect::<Vec<_>>()
        };
        assert_eq!(delays(poller(|| 1.0)), [5, 10, 20, 40, 80, 120, 120]);
        assert_eq!(delays(poller(|| 0.0)), [5; 7]);
        assert_eq!(poller(|| 1.0).delay(u32::MAX), Duration::from_secs(120));
    }
}
