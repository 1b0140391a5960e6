//! The headers that say who sends a request and which attempt it is.

use std::io::Write as _;

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

/// A random UUID (version 4) naming one operation's attempts, for `amz-sdk-invocation-id`.
pub(super) fn invocation_id() -> HeaderValue {
    let bits = u128::from(retry::random_u64()) << 64 | u128::from(retry::random_u64());
    let bits = bits & !(0xf000 << 64) | (0x4000 << 64); // version 4
    let bits = bits & !(0xc << 60) | (0x8 << 60); // RFC 4122 variant
                                                  // 8-4-4-4-12 hex digits, written in place: one allocation, for the header value.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut id = [b'-'; 36];
    let places = (0..36).filter(|i| ![8, 13, 18, 23].contains(i));
    for (n, place) in places.enumerate() {
        id[place] = DIGITS[(bits >> (124 - 4 * n) & 15) as usize];
    }
    HeaderValue::from_bytes(&id).unwrap_or(HeaderValue::from_static("0"))
}

/// The headers that describe the client and the attempt, added after signing (they are not
/// signed, so that proxies may rewrite them, and the attempt's changes between attempts).
pub(super) fn add_request_metadata(
    headers: &mut http::HeaderMap,
    user_agent: &HeaderValue,
    invocation_id: &HeaderValue,
    attempt: u32,
    max_attempts: u32,
) {
    headers.insert(http::header::USER_AGENT, user_agent.clone());
    headers.insert(
        HeaderName::from_static("x-amz-user-agent"),
        user_agent.clone(),
    );
    headers.insert(
        HeaderName::from_static("amz-sdk-invocation-id"),
        invocation_id.clone(),
    );
    // Written on the stack, where two `u32`s and the text fit: the header value makes the one
    // copy.
    let mut text = std::io::Cursor::new([0; 40]);
    let _ = write!(text, "attempt={attempt}; max={max_attempts}");
    let len = text.position() as usize;
    if let Ok(value) = HeaderValue::from_bytes(&text.get_ref()[..len]) {
        headers.insert(HeaderName::from_static("amz-sdk-request"), value);
    }
}
