//! The HTTP-binding helpers generated restXml serializers and deserializers call.
//!
//! Requests are built as a [`SerializedRequest`]: method, path and query relative to the
//! endpoint, headers and body. Responses are read from `http::Response<Bytes>`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use http::{Method, Response};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::body::ByteStream;
use crate::error::{BoxError, BuildError, ErrorMetadata, ResponseError, Untrusted};
use crate::region;
use crate::time::{DateTime, Format};
use crate::xml;

/// Everything but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`) is percent-encoded.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Like [`UNRESERVED`], but `/` stays: greedy labels such as `{Key+}` span path segments.
const GREEDY_LABEL: &AsciiSet = &UNRESERVED.remove(b'/');

/// A request as the operation's input describes it, before the endpoint and signing.
#[derive(Debug, Clone)]
pub struct SerializedRequest {
    /// The HTTP method.
    pub method: Method,
    /// The path below the endpoint's, percent-encoded, starting with `/`; borrowed while it is
    /// the bare `/`.
    pub path: Cow<'static, str>,
    /// The query string, percent-encoded, without the leading `?`.
    pub query: String,
    /// The headers the input binds.
    pub headers: HeaderMap,
    /// The body.
    pub body: ByteStream,
}

impl SerializedRequest {
    /// An empty request with `method` and the path `/`.
    pub fn new(method: Method) -> Self {
        Self {
            method,
            path: Cow::Borrowed("/"),
            query: String::new(),
            headers: HeaderMap::new(),
            body: ByteStream::default(),
        }
    }

    /// Appends a literal path segment (as the URI template writes it).
    pub fn push_path_literal(&mut self, segment: &str) {
        self.separate_path();
        self.path.to_mut().push_str(segment);
    }

    /// Appends a label's value as a path segment; a greedy label keeps its `/`s.
    ///
    /// An empty value is an error: the request would address something else.
    pub fn push_label(
        &mut self,
        member: &'static str,
        value: &str,
        greedy: bool,
    ) -> Result<(), BuildError> {
        if greedy {
            if value.is_empty() {
                return Err(BuildError::invalid_value(
                    member,
                    "a URI label must not be empty",
                ));
            }
        } else {
            check_label(member, value)?;
        }
        self.separate_path();
        let set = if greedy { GREEDY_LABEL } else { UNRESERVED };
        self.path.to_mut().extend(utf8_percent_encode(value, set));
        Ok(())
    }

    fn separate_path(&mut self) {
        if !self.path.ends_with('/') {
            self.path.to_mut().push('/');
        }
    }

    /// Appends a query parameter; `None` writes a bare key (`?location`).
    pub fn push_query(&mut self, key: &str, value: Option<&str>) {
        if !self.query.is_empty() {
            self.query.push('&');
        }
        self.query.extend(utf8_percent_encode(key, UNRESERVED));
        if let Some(value) = value {
            self.query.push('=');
            self.query.extend(utf8_percent_encode(value, UNRESERVED));
        }
    }

    /// Whether the query already has this key, so `httpQueryParams` does not override `httpQuery`.
    pub fn has_query(&self, key: &str) -> bool {
        let encoded = utf8_percent_encode(key, UNRESERVED).to_string();
        self.query
            .split('&')
            .any(|pair| pair.split('=').next() == Some(encoded.as_str()))
    }

    /// Sets a header, replacing any earlier value (a member binds one header, and lists are
    /// joined into one value); a value that cannot be sent in a header is an error naming the
    /// member.
    pub fn set_header(
        &mut self,
        member: &'static str,
        name: HeaderName,
        value: &str,
    ) -> Result<(), BuildError> {
        self.headers.insert(name, header_value(member, value)?);
        Ok(())
    }

    /// Sets the header of a `@sensitive` member: its value shows as `Sensitive` in `Debug`
    /// output (of the request, its headers, and the HTTP request made from it).
    pub fn set_sensitive_header(
        &mut self,
        member: &'static str,
        name: HeaderName,
        value: &str,
    ) -> Result<(), BuildError> {
        let mut value = header_value(member, value)?;
        value.set_sensitive(true);
        self.headers.insert(name, value);
        Ok(())
    }

    /// Sets a header whose name is built at run time (`httpPrefixHeaders`).
    pub fn set_prefixed_header(
        &mut self,
        member: &'static str,
        prefix: &str,
        suffix: &str,
        value: &str,
    ) -> Result<(), BuildError> {
        let name = HeaderName::try_from(format!("{prefix}{suffix}")).map_err(|_| {
            BuildError::invalid_value(
                member,
                format!("`{prefix}{suffix}` is not a valid header name"),
            )
        })?;
        self.set_header(member, name, value)
    }

    /// Sets the body, and its `Content-Type` unless a member has set one.
    pub fn set_body(&mut self, body: impl Into<ByteStream>, content_type: &'static str) {
        self.headers
            .entry(CONTENT_TYPE)
            .or_insert(HeaderValue::from_static(content_type));
        self.body = body.into();
    }
}

fn header_value(member: &'static str, value: &str) -> Result<HeaderValue, BuildError> {
    HeaderValue::from_str(value)
        .map_err(|_| BuildError::invalid_value(member, "not a valid HTTP header value"))
}

/// Checks the value of a (non-greedy) URI label, also one the endpoint carries instead of the
/// path, such as S3's bucket: empty, it would address the parent resource, and `.` or `..`
/// would be read as dot segments.
pub fn check_label(member: &'static str, value: &str) -> Result<(), BuildError> {
    let reason = match value {
        "" => "must not be empty",
        "." | ".." => "must not be `.` or `..`, which address another path",
        _ => return Ok(()),
    };
    Err(BuildError::invalid_value(member, reason))
}

/// Joins list values for one header: values with commas or quotes are quoted (Smithy's rule).
pub fn header_list<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for value in values {
        if !out.is_empty() {
            out.push_str(", ");
        }
        if value.contains([',', '"']) {
            out.push('"');
            out.push_str(&value.replace('\\', "\\\\").replace('"', "\\\""));
            out.push('"');
        } else {
            out.push_str(value);
        }
    }
    out
}

/// Formats a float as Smithy writes them: `NaN`, `Infinity`, `-Infinity` or the number.
pub fn fmt_float(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value.is_infinite() {
        if value > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else {
        value.to_string()
    }
}

/// Decodes, in place, a string of a response the service URL-encoded (`encoding-type=url`):
/// percent-escapes of UTF-8 bytes, and `+` for a space, as S3 writes them.
pub fn url_decode(value: &mut Option<String>, member: &str) -> Result<(), ResponseError> {
    let Some(text) = value.as_mut() else {
        return Ok(());
    };
    if !text.contains(['%', '+']) {
        return Ok(());
    }
    let plus_as_space = text.replace('+', " ");
    let decoded = percent_encoding::percent_decode_str(&plus_as_space)
        .decode_utf8()
        .map_err(|_| {
            ResponseError::new(format!(
                "`{member}` is not percent-encoded UTF-8, though the response says it is url-encoded"
            ))
        })?
        .into_owned();
    *text = decoded;
    Ok(())
}

/// A header value as text. Visible ASCII and UTF-8 are read as they are; other bytes (obs-text,
/// such as a Latin-1 `x-amz-meta-*` value) are read one character per byte, which loses nothing
/// and never fails the call.
pub fn header_text(value: &HeaderValue) -> Cow<'_, str> {
    match std::str::from_utf8(value.as_bytes()) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(value.as_bytes().iter().map(|&b| char::from(b)).collect()),
    }
}

/// Parses a header's text with `parse`; a value that does not parse is an error naming it.
///
/// Every header of every output instantiates this, so it is generic only in the call of
/// `parse`: the look-up and the error are shared functions.
pub fn parse_header<B, T, E: std::error::Error + Send + Sync + 'static>(
    response: &Response<B>,
    name: &HeaderName,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, ResponseError> {
    match header(response.headers(), name) {
        Some(text) => parse(text.trim())
            .map(Some)
            .map_err(|e| invalid_header(name, e.into())),
        None => Ok(None),
    }
}

/// A header's text, trimmed, as a `String`.
pub fn string_header<B>(response: &Response<B>, name: &HeaderName) -> Option<String> {
    header(response.headers(), name).map(|text| text.trim().to_owned())
}

fn header<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<Cow<'a, str>> {
    headers.get(name).map(header_text)
}

#[cold]
fn invalid_header(name: &HeaderName, source: BoxError) -> ResponseError {
    ResponseError::new(format!("header `{name}` has an invalid value")).with_source(source)
}

/// The headers whose names start with `prefix`, by the rest of their names (`httpPrefixHeaders`);
/// `None` when there are none.
pub fn prefix_headers<B>(response: &Response<B>, prefix: &str) -> Option<BTreeMap<String, String>> {
    let map: BTreeMap<String, String> = response
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            let key = name.as_str().strip_prefix(prefix)?;
            Some((key.to_owned(), header_text(value).into_owned()))
        })
        .collect();
    (!map.is_empty()).then_some(map)
}

/// `text` for a header, as S3 stores user metadata: ASCII as it is, anything else as one
/// RFC 2047 encoded word (`=?UTF-8?B?…?=`), since raw UTF-8 is not valid header text and
/// servers differ on how they sign and store it.
pub fn encode_words(text: &str) -> Cow<'_, str> {
    if text.bytes().all(|b| b.is_ascii() && !b.is_ascii_control()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(format!(
        "=?UTF-8?B?{}?=",
        crate::types::base64_encode(text.as_bytes())
    ))
}

/// Decodes each value that consists of RFC 2047 encoded words in UTF-8 (`B` or `Q`
/// encoding, separated by whitespace), as S3 returns non-ASCII user metadata; any other
/// value, or one that does not decode, stays as it is.
pub fn decode_encoded_words(mut map: BTreeMap<String, String>) -> BTreeMap<String, String> {
    for value in map.values_mut() {
        if let Some(decoded) = decode_words(value) {
            *value = decoded;
        }
    }
    map
}

fn decode_words(text: &str) -> Option<String> {
    if !text.starts_with("=?") {
        return None;
    }
    let mut bytes = Vec::new();
    for word in text.split_ascii_whitespace() {
        let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
        let mut parts = inner.splitn(3, '?');
        let (charset, encoding, data) = (parts.next()?, parts.next()?, parts.next()?);
        if !charset.eq_ignore_ascii_case("utf-8") {
            return None;
        }
        match encoding {
            "B" | "b" => bytes.extend(crate::types::base64_decode(data)?),
            "Q" | "q" => {
                let mut rest = data.bytes();
                while let Some(b) = rest.next() {
                    bytes.push(match b {
                        b'_' => b' ',
                        b'=' => {
                            let hex = [rest.next()?, rest.next()?];
                            u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?
                        }
                        b => b,
                    });
                }
            }
            _ => return None,
        }
    }
    String::from_utf8(bytes).ok()
}

/// A boolean header or query value.
pub fn parse_bool(text: &str) -> Result<bool, InvalidValue> {
    match text {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(InvalidValue::new(text, "`true` or `false`")),
    }
}

/// A header value of `format`, as a timestamp.
pub fn parse_timestamp(
    text: &str,
    format: Format,
) -> Result<DateTime, crate::time::DateTimeParseError> {
    DateTime::parse(text, format)
}

/// Splits a list header into its values, unquoting quoted ones.
pub fn split_header_list(text: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| *c == ' ' || *c == '\t').is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'"').is_some() {
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
            while chars.next_if(|c| *c != ',').is_some() {}
        } else {
            while let Some(c) = chars.next_if(|c| *c != ',') {
                value.push(c);
            }
            value.truncate(value.trim_end().len());
        }
        values.push(value);
        if chars.next().is_none() {
            return values;
        }
    }
}

/// A value that is not what the member's type needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue {
    value: String,
    expected: &'static str,
}

impl InvalidValue {
    /// `value` is not `expected` (for example "an integer").
    pub fn new(value: &str, expected: &'static str) -> Self {
        Self {
            value: value.chars().take(64).collect(),
            expected,
        }
    }
}

impl std::fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` is not {}", Untrusted(&self.value), self.expected)
    }
}

impl std::error::Error for InvalidValue {}

/// Parses a number, naming what was expected on failure.
pub fn parse_number<T: std::str::FromStr>(
    text: &str,
    expected: &'static str,
) -> Result<T, InvalidValue> {
    text.parse().map_err(|_| InvalidValue::new(text, expected))
}

/// The request ids S3 returns on every response.
///
/// Kept as the response's header values, which share its buffer: reading them allocates
/// nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestIds {
    /// Text values only, so that `to_str` succeeds on them.
    request_id: Option<HeaderValue>,
    extended_request_id: Option<HeaderValue>,
}

impl RequestIds {
    /// Reads `x-amz-request-id` and `x-amz-id-2`.
    pub fn from_response<B>(response: &Response<B>) -> Self {
        let get = |name| {
            response
                .headers()
                .get(name)
                .filter(|v| v.to_str().is_ok())
                .cloned()
        };
        Self {
            request_id: get("x-amz-request-id"),
            extended_request_id: get("x-amz-id-2"),
        }
    }

    /// `x-amz-request-id`.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_ref().and_then(|v| v.to_str().ok())
    }

    /// `x-amz-id-2`.
    pub fn extended_request_id(&self) -> Option<&str> {
        self.extended_request_id
            .as_ref()
            .and_then(|v| v.to_str().ok())
    }
}

/// Whether a response is an error: a non-2xx status, or, where the operation says a success
/// may carry one (`error_in_success`), a 2xx whose body is an `<Error>` document (S3 sends these
/// for CopyObject and CompleteMultipartUpload when the request fails after the status line
/// went out).
pub fn is_error(response: &Response<Bytes>, error_in_success: bool) -> bool {
    if !response.status().is_success() {
        return true;
    }
    if !error_in_success {
        return false;
    }
    let body = response.body();
    // Only a body that starts like an XML document can be an error document.
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    start.is_some_and(|i| body[i] == b'<') && matches!(xml::parse_error_body(body), Ok(Some(_)))
}

/// The header in which S3 names a bucket's region, on success and on wrong-region errors.
pub const BUCKET_REGION: &str = "x-amz-bucket-region";

/// What an error response says: code, message and request ids from the `<Error>` body, or, for a
/// response without one (HeadBucket's 404), the code `status_codes` gives its status; and the
/// bucket's region, where S3 names it (see [`ErrorMetadata::region`]).
pub fn error_metadata(
    response: &Response<Bytes>,
    status_codes: &[(u16, &'static str)],
) -> ErrorMetadata {
    let status = response.status();
    let ids = RequestIds::from_response(response);
    let mut meta = ErrorMetadata::new(status.as_u16());
    let mut request_id = ids.request_id().map(str::to_owned);
    let mut host_id = ids.extended_request_id().map(str::to_owned);
    let mut code = None;
    let mut region = response
        .headers()
        .get(BUCKET_REGION)
        .and_then(|v| v.to_str().ok())
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    if let Ok(Some(body)) = xml::parse_error_body(response.body()) {
        code = body.code.map(|c| c.into_owned());
        if let Some(message) = body.message {
            meta = meta.with_message(message);
        }
        request_id = request_id.or(body.request_id.map(|c| c.into_owned()));
        host_id = host_id.or(body.host_id.map(|c| c.into_owned()));
        let named = body.region.filter(|r| !r.is_empty()).map(Cow::into_owned);
        let routed = || {
            let endpoint = body.endpoint.as_deref()?;
            region::of_s3_host(endpoint).map(str::to_owned)
        };
        region = region.or(named).or_else(routed);
    }
    if let Some(region) = region {
        meta = meta.with_region(region);
    }
    let for_status = || {
        status_codes
            .iter()
            .find(|(s, _)| *s == status.as_u16())
            .map(|(_, code)| (*code).to_owned())
    };
    if let Some(code) = code.or_else(for_status) {
        meta = meta.with_code(code);
    }
    if let Some(id) = request_id {
        meta = meta.with_request_id(id);
    }
    if let Some(id) = host_id {
        meta = meta.with_extended_request_id(id);
    }
    meta
}

/// The XML body of a response, entered at its root element, which must be `expected`.
pub fn xml_root<'a>(
    body: &'a [u8],
    expected: &str,
) -> Result<(xml::Reader<'a>, xml::Element<'a>), ResponseError> {
    let mut reader = xml::Reader::new(body);
    let root = reader.root().map_err(malformed)?;
    if root.local_name() != expected.as_bytes() {
        let found = String::from_utf8_lossy(root.local_name()).into_owned();
        return Err(malformed(xml::XmlError::unexpected_root(expected, &found)));
    }
    Ok((reader, root))
}

/// The `<Error>` element of an error body, entered: the root, or with `wrapped` (restXml's
/// default) the `<Error>` child of an `<ErrorResponse>` root.
pub fn error_element(
    body: &[u8],
    wrapped: bool,
) -> Result<(xml::Reader<'_>, xml::Element<'_>), ResponseError> {
    if !wrapped {
        return xml_root(body, "Error");
    }
    let (mut reader, _) = xml_root(body, "ErrorResponse")?;
    while let Some(child) = reader.next_child().map_err(malformed)? {
        if child.local_name() == b"Error" {
            return Ok((reader, child));
        }
        reader.skip().map_err(malformed)?;
    }
    Err(ResponseError::new(
        "the error response has no `Error` element",
    ))
}

/// A required member the response lacks and that has no zero value (a structure or union).
pub fn missing_member(shape: &str, member: &str) -> ResponseError {
    ResponseError::new(format!(
        "the response lacks `{member}`, required in `{shape}`"
    ))
}

/// An XML body that could not be read.
pub fn malformed(e: xml::XmlError) -> ResponseError {
    ResponseError::new("malformed XML body").with_source(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_words_round_trip() {
        assert_eq!(encode_words("plain ascii"), "plain ascii");
        for text in ["Zürich, 東京", "tab\there", "é"] {
            let encoded = encode_words(text);
            assert!(encoded.is_ascii(), "{encoded}");
            let map = BTreeMap::from([("k".to_owned(), encoded.into_owned())]);
            assert_eq!(decode_encoded_words(map)["k"], text);
        }
        let decoded = |v: &str| {
            decode_encoded_words(BTreeMap::from([("k".to_owned(), v.to_owned())]))["k"].clone()
        };
        assert_eq!(decoded("=?utf-8?q?caf=C3=A9_au_lait?="), "café au lait");
        assert_eq!(decoded("=?UTF-8?B?WsO8?= =?UTF-8?B?cmljaA==?="), "Zürich");
        for kept in [
            "=?ISO-8859-1?Q?caf=E9?=",
            "=?UTF-8?B?!!?=",
            "=?UTF-8?X?a?=",
            "a =?UTF-8?B?WsO8?=",
        ] {
            assert_eq!(decoded(kept), kept);
        }
    }

    #[test]
    fn encodes_labels_and_queries() {
        let mut r = SerializedRequest::new(Method::GET);
        r.push_label("key", "a b/c+d~é", true).unwrap();
        r.push_query("x-id", Some("GetObject"));
        r.push_query("location", None);
        r.push_query("prefix", Some("a/b c&d=e"));
        assert_eq!(r.path, "/a%20b/c%2Bd~%C3%A9");
        assert_eq!(r.query, "x-id=GetObject&location&prefix=a%2Fb%20c%26d%3De");
        assert!(r.has_query("prefix") && !r.has_query("pre"));
        let mut r = SerializedRequest::new(Method::GET);
        r.push_label("bucket", "a/b", false).unwrap();
        r.push_path_literal("tail");
        assert_eq!(r.path, "/a%2Fb/tail");
        assert!(r.push_label("key", "", true).is_err());
    }

    #[test]
    fn header_lists_round_trip() {
        let values = ["plain", "with, comma", "with \"quote\""];
        let joined = header_list(values);
        assert_eq!(joined, r#"plain, "with, comma", "with \"quote\"""#);
        assert_eq!(split_header_list(&joined), values);
        assert_eq!(split_header_list("a,b , c"), ["a", "b", "c"]);
    }

    #[test]
    fn rejects_header_values_that_cannot_be_sent() {
        let mut r = SerializedRequest::new(Method::PUT);
        let err = r
            .set_header("acl", HeaderName::from_static("x-amz-acl"), "a\nb")
            .unwrap_err();
        assert_eq!(err.member(), Some("acl"));
    }

    #[test]
    fn error_metadata_falls_back_to_the_status() {
        let response = Response::builder()
            .status(404)
            .header("x-amz-request-id", "R1")
            .body(Bytes::new())
            .unwrap();
        let meta = error_metadata(&response, &[(404, "NotFound")]);
        assert_eq!(
            (meta.code(), meta.request_id()),
            (Some("NotFound"), Some("R1"))
        );
        assert!(is_error(&response, false));
    }

    #[test]
    fn error_metadata_names_the_region_s3_gives() {
        let response = |status, header: Option<&str>, body: &str| {
            let mut builder = Response::builder().status(status);
            if let Some(region) = header {
                builder = builder.header(BUCKET_REGION, region);
            }
            builder.body(Bytes::from(body.to_owned())).unwrap()
        };
        let redirect = "<Error><Code>PermanentRedirect</Code><Message>m</Message>\
            <Endpoint>b.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>b</Bucket></Error>";
        let malformed = "<Error><Code>AuthorizationHeaderMalformed</Code>\
            <Region>ap-south-1</Region></Error>";
        for (response, region) in [
            (
                response(301, Some("eu-central-1"), redirect),
                Some("eu-central-1"),
            ),
            (response(301, None, redirect), Some("eu-west-1")),
            (response(400, None, malformed), Some("ap-south-1")),
            (response(403, Some("us-west-2"), ""), Some("us-west-2")),
            (response(400, Some(""), ""), None),
            (
                response(404, None, "<Error><Code>NoSuchBucket</Code></Error>"),
                None,
            ),
        ] {
            let meta = error_metadata(&response, &[]);
            assert_eq!(meta.region(), region, "{meta}");
        }
        let meta = error_metadata(&response(301, None, redirect), &[]);
        assert_eq!(
            meta.to_string(),
            "PermanentRedirect (status 301): m (the bucket is in eu-west-1)"
        );
    }

    #[test]
    fn a_200_with_an_error_document_is_an_error() {
        let body = "<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code><Message>m</Message></Error>";
        let response = Response::builder()
            .status(200)
            .body(Bytes::from(body))
            .unwrap();
        assert!(is_error(&response, true));
        assert!(!is_error(&response, false), "data, for other operations");
        assert_eq!(error_metadata(&response, &[]).code(), Some("InternalError"));
        let ok = Response::builder()
            .status(200)
            .body(Bytes::from("<ListAllMyBucketsResult/>"))
            .unwrap();
        assert!(!is_error(&ok, true));
    }
}
