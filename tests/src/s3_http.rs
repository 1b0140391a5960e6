//! What the local S3 servers share: reading a query string and writing S3's XML replies.

use bytes::Bytes;
use http::{Response, StatusCode};
use http_body_util::Full;

/// The XML declaration and namespace S3 puts on every result document.
pub(crate) const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
pub(crate) const S3_NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// The value of query parameter `key`, still percent-encoded; `Some("")` for a bare `key`.
pub(crate) fn query_value<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .find_map(|pair| match pair.split_once('=') {
            Some((k, v)) if k == key => Some(v),
            None if pair == key => Some(""),
            _ => None,
        })
}

/// An XML reply with S3's request id and the extra `headers`.
pub(crate) fn respond(
    status: StatusCode,
    request_id: &str,
    body: String,
    headers: &[(&str, &str)],
) -> Response<Full<Bytes>> {
    let mut response = Response::builder()
        .status(status)
        .header("content-type", "application/xml")
        .header("x-amz-request-id", request_id);
    for (name, value) in headers {
        response = response.header(*name, *value);
    }
    response
        .body(Full::new(Bytes::from(body)))
        .expect("a valid response")
}

/// S3's error document.
pub(crate) fn error(
    status: StatusCode,
    request_id: &str,
    code: &str,
    message: &str,
) -> Response<Full<Bytes>> {
    let mut body = format!("{XML_DECLARATION}<Error><Code>{code}</Code><Message>");
    escape_into(&mut body, message);
    body.push_str(&format!(
        "</Message><RequestId>{request_id}</RequestId></Error>"
    ));
    respond(status, request_id, body, &[])
}

/// Appends `text` to `out`, escaped for XML character data or attribute values. Control
/// characters become character references, as S3 writes them; those other than tab, line feed
/// and carriage return are not allowed in XML 1.0 even so, which makes the document malformed:
/// the reason S3 offers `encoding-type=url`.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c < ' ' => {
                out.push_str(&format!("&#x{:X};", u32::from(c)));
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        let mut out = String::new();
        escape_into(&mut out, "a&b<c>\"d'\u{1}\te\u{e9}");
        assert_eq!(out, "a&amp;b&lt;c&gt;&quot;d&apos;&#x1;&#x9;e\u{e9}");
    }

    #[test]
    fn finds_query_values() {
        let query = "list-type=2&session&prefix=a%2Fb";
        assert_eq!(query_value(query, "prefix"), Some("a%2Fb"));
        assert_eq!(query_value(query, "session"), Some(""));
        assert_eq!(query_value(query, "list"), None);
    }
}
