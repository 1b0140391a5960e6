//! The headers that say who sends a request and which attempt it is.

use http::header::{HeaderName, HeaderValue};

use crate::retry;

/// `User-Agent`: the generated client, this runtime, the platform and the app name, as the
/// AWS SDKs write theirs (`aws-sdk-rust/1.3.0 os/linux lang/rust/1.85 app/name`).
pub(super) fn user_agent(client: &str, app_name: Option<&str>) -> HeaderValue {
    let mut agent = format!(
        "{client} s3-runtime/{} os/{} lang/rust",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS
    );
    if let Some(app) = app_name {
        // Header text only: anything else would make the value invalid.
        let app: String = app
            .chars()
            .map(|c| if c.is_ascii_graphic() { c } else { '-' })
            .collect();
        agent.push_str(" app/");
        agent.push_str(&app);
    }
    HeaderValue::try_from(agent).unwrap_or(HeaderValue::from_static("s3-runtime"))
}

/// A random UUID (version 4) naming one operation's attempts, for `amz-sdk-invocation-id`, as
/// text that each attempt's header value copies: one allocation per attempt, where clones of
/// one header value would cost one more for their shared buffer.
pub(super) type InvocationId = [u8; 36];

/// A new [`InvocationId`].
pub(super) fn invocation_id() -> InvocationId {
    let bits = u128::from(retry::random_u64()) << 64 | u128::from(retry::random_u64());
    let bits = bits & !(0xf000 << 64) | (0x4000 << 64); // version 4
    let bits = bits & !(0xc << 60) | (0x8 << 60); // RFC 4122 variant
                                                  // 8-4-4-4-12 hex digits, the last first.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut id = [b'-'; 36];
    let mut rest = bits;
    for place in (0..36).rev() {
        if !matches!(place, 8 | 13 | 18 | 23) {
            id[place] = DIGITS[(rest & 15) as usize];
            rest >>= 4;
        }
    }
    id
}

/// The headers that describe the client and the attempt, added after signing (they are not
/// signed, so that proxies may rewrite them, and the attempt's changes between attempts).
pub(super) fn add_request_metadata(
    headers: &mut http::HeaderMap,
    user_agent: &HeaderValue,
    invocation_id: &InvocationId,
    attempt: u32,
    max_attempts: u32,
) {
    headers.insert(http::header::USER_AGENT, user_agent.clone());
    headers.insert(
        HeaderName::from_static("x-amz-user-agent"),
        user_agent.clone(),
    );
    if let Ok(value) = HeaderValue::from_bytes(invocation_id) {
        headers.insert(HeaderName::from_static("amz-sdk-invocation-id"), value);
    }
    // Written on the stack without `core::fmt`: the header value makes the one copy.
    let mut text = Decimals::new();
    text.push(b"attempt=");
    text.push_decimal(attempt);
    text.push(b"; max=");
    text.push_decimal(max_attempts);
    if let Ok(value) = HeaderValue::from_bytes(text.as_bytes()) {
        headers.insert(HeaderName::from_static("amz-sdk-request"), value);
    }
}

/// A short text of fixed pieces and numbers, on the stack: room for `attempt=; max=` and two
/// `u32`s.
struct Decimals {
    buf: [u8; 40],
    len: usize,
}

impl Decimals {
    fn new() -> Self {
        Self {
            buf: [0; 40],
            len: 0,
        }
    }

    fn push(&mut self, text: &[u8]) {
        self.buf[self.len..self.len + text.len()].copy_from_slice(text);
        self.len += text.len();
    }

    fn push_decimal(&mut self, mut n: u32) {
        let mut digits = [0; 10];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.push(&digits[start..]);
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invocation_ids_are_version_4_uuids() {
        let id = invocation_id();
        let text = std::str::from_utf8(&id).unwrap();
        let groups: Vec<&str> = text.split('-').collect();
        assert_eq!(
            groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(text.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit()));
        assert!(groups[2].starts_with('4'));
        assert!(matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
        assert_ne!(invocation_id(), id);
    }

    #[test]
    fn writes_the_attempt_and_the_maximum() {
        let mut headers = http::HeaderMap::new();
        let agent = HeaderValue::from_static("agent");
        for (attempt, max, expected) in [
            (1, 3, "attempt=1; max=3"),
            (10, 10, "attempt=10; max=10"),
            (u32::MAX, 0, "attempt=4294967295; max=0"),
        ] {
            add_request_metadata(&mut headers, &agent, &invocation_id(), attempt, max);
            assert_eq!(headers["amz-sdk-request"], expected);
        }
    }
}
