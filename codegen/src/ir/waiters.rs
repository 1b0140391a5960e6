//! The `smithy.waiters#waitable` trait: each waiter's delays and acceptors.

use serde_json::Value;

use super::{Acceptor, AcceptorState, Matcher, Waiter};
use crate::model::Traits;

/// The operation's `smithy.waiters#waitable` waiters.
pub(super) fn waiters(traits: &Traits) -> Result<Vec<Waiter<'_>>, String> {
    let Some(waitable) = traits
        .get("smithy.waiters#waitable")
        .and_then(Value::as_object)
    else {
        return Ok(Vec::new());
    };
    waitable
        .iter()
        .map(|(name, waiter)| {
            let delay = |key, default| waiter.get(key).and_then(Value::as_u64).unwrap_or(default);
            let acceptors = waiter
                .get("acceptors")
                .and_then(Value::as_array)
                .ok_or_else(|| format!("waiter {name} has no acceptors"))?
                .iter()
                .map(|a| acceptor(a).map_err(|e| format!("waiter {name}: {e}")))
                .collect::<Result<_, _>>()?;
            Ok(Waiter {
                name,
                docs: waiter.get("documentation").and_then(Value::as_str),
                min_delay: delay("minDelay", 2),
                max_delay: delay("maxDelay", 120),
                acceptors,
            })
        })
        .collect()
}

fn acceptor(value: &Value) -> Result<Acceptor, String> {
    let state = match value.get("state").and_then(Value::as_str) {
        Some("success") => AcceptorState::Success,
        Some("failure") => AcceptorState::Failure,
        Some("retry") => AcceptorState::Retry,
        other => return Err(format!("unknown acceptor state {other:?}")),
    };
    let matcher = value
        .get("matcher")
        .and_then(Value::as_object)
        .ok_or("acceptor without matcher")?;
    let matcher = match (matcher.get("success"), matcher.get("errorType")) {
        (Some(Value::Bool(success)), None) => Matcher::Success(*success),
        (None, Some(Value::String(code))) => Matcher::ErrorType(code.clone()),
        _ => {
            let kinds: Vec<&str> = matcher.keys().map(String::as_str).collect();
            return Err(format!(
                "matcher {kinds:?} is not supported (only success and errorType)"
            ));
        }
    };
    Ok(Acceptor { state, matcher })
}
