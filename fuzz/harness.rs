//! The logic of the fuzz targets, shared by the libFuzzer binaries in `fuzz_targets/` and by the
//! replay test `tests/tests/fuzz_regressions.rs` (both import this file with `#[path]`), so that
//! CI runs every committed corpus and regression input through exactly what the fuzzer ran.
//!
//! Each entry point takes the raw fuzzer input, must return normally for every input, and
//! panics (or an `assert!` fails) only on a bug. Input formats are text-first, so that seeds are
//! readable files; each function documents its format.
//!
//! Dependencies: `bytes`, `http`, `s3-client` and `s3-runtime`, nothing else.

#![allow(dead_code)]

use std::error::Error as StdError;
use std::fmt::Debug;
use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;

/// A fuzz target: takes any bytes, must not panic.
pub type Target = fn(&[u8]);

/// The fuzz targets, by name: the names of `fuzz_targets/*.rs` and of the folders under
/// `corpus/` and `regressions/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("deserialize_responses", deserialize_responses),
    ("endpoint_resolver", endpoint_resolver),
    ("profile_parser", profile_parser),
    ("sigv4_canonical", sigv4_canonical),
    ("xml_reader", xml_reader),
];

// ---------------------------------------------------------------------------------------------
// Helpers

/// Formats a value the way a user's logging would, so that `Debug` impls (with their
/// redaction) run too.
fn debug(value: &impl Debug) {
    black_box(format!("{value:?}"));
}

/// Formats an error and every error in its `source` chain with `Display` and `Debug`.
fn error_chain(error: &(dyn StdError + 'static)) {
    let mut next = Some(error);
    // A chain is short; the bound only keeps a cyclic `source` from hanging the harness.
    for _ in 0..32 {
        let Some(error) = next else { return };
        black_box(error.to_string());
        black_box(format!("{error:?}"));
        next = error.source();
    }
}

fn result<T: Debug, E: StdError + 'static>(result: &Result<T, E>) {
    match result {
        Ok(value) => debug(value),
        Err(error) => error_chain(error),
    }
}

/// Splits `data` at the first `\n`: the line (without a trailing `\r`) and the rest.
/// `None` when there is no `\n`.
fn split_line(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = data.iter().position(|&b| b == b'\n')?;
    let line = &data[..at];
    Some((line.strip_suffix(b"\r").unwrap_or(line), &data[at + 1..]))
}

/// A header's name and value, as raw bytes.
type HeaderLine<'a> = (&'a [u8], &'a [u8]);

/// Reads `name: value` header lines up to an empty line (or the end of `data`), at most `max`
/// of them; returns them and what follows the empty line. Lines without `:` are skipped.
fn header_lines(mut data: &[u8], max: usize) -> (Vec<HeaderLine<'_>>, &[u8]) {
    let mut headers = Vec::new();
    loop {
        let (line, rest) = match split_line(data) {
            Some(split) => split,
            None => (data, &b""[..]),
        };
        data = rest;
        if line.is_empty() {
            return (headers, data);
        }
        if headers.len() < max {
            if let Some(colon) = line.iter().position(|&b| b == b':') {
                let value = &line[colon + 1..];
                let start = value.iter().position(|&b| b != b' ').unwrap_or(value.len());
                headers.push((&line[..colon], &value[start..]));
            }
        }
        if data.is_empty() {
            return (headers, data);
        }
    }
}

fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

// ---------------------------------------------------------------------------------------------
// deserialize_responses

/// The response an input stands for.
///
/// Format: an optional head, then the body. The head is present when the input starts with three
/// ASCII digits and `\n`: the status, then `name: value` header lines up to an empty line, as in
/// HTTP/1.1 (`\r\n` works too). Header lines that `http` refuses are dropped. Without a head, the
/// whole input is the body of a 200 response. A status outside 100..=999 is 200.
pub fn response(data: &[u8]) -> http::Response<Bytes> {
    let mut builder = http::Response::builder();
    let mut body = data;
    if data.len() >= 4 && data[..3].iter().all(u8::is_ascii_digit) && data[3] == b'\n' {
        let status = data[..3]
            .iter()
            .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
        let status = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
        builder = builder.status(status);
        let (headers, rest) = header_lines(&data[4..], 64);
        body = rest;
        let map = builder.headers_mut().expect("no error yet");
        for (name, value) in headers {
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name),
                http::HeaderValue::from_bytes(value),
            ) {
                map.append(name, value);
            }
        }
    }
    builder
        .body(Bytes::copy_from_slice(body))
        .expect("status and headers were checked")
}

/// A clock stopped at the SigV4 test suite's time.
#[derive(Debug)]
struct FixedClock;

impl s3_runtime::time::Clock for FixedClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_369_353_600)
    }
}

/// The codes S3 means by bodiless error statuses: the `status_codes` of the generated client's
/// (private) `ServiceRules`, `generated/src/client.rs`.
const S3_STATUS_CODES: &[(u16, &str)] = &[
    (301, "PermanentRedirect"),
    (304, "NotModified"),
    (400, "BadRequest"),
    (403, "Forbidden"),
    (404, "NotFound"),
    (412, "PreconditionFailed"),
];

/// Every operation's `deserialize` and `deserialize_error`, and the runtime's error parsing and
/// retry classification, on the response of [`response`]. Each must give a value or a typed
/// error; none may panic.
pub fn deserialize_responses(data: &[u8]) {
    use s3_client::operation as op;
    use s3_runtime::{rest, retry, xml};

    let response = response(data);

    // The runtime's view of an error response, as the client builds it on every failure: with
    // and without a 2xx that may carry an `<Error>` body, with S3's codes for bodiless
    // statuses and with none.
    black_box(rest::is_error(&response, false));
    black_box(rest::is_error(&response, true));
    match xml::parse_error_body(response.body()) {
        Ok(body) => debug(&body),
        Err(e) => {
            black_box(e.offset());
            error_chain(&e);
        }
    }
    debug(&rest::error_metadata(&response, &[]));
    let meta = rest::error_metadata(&response, S3_STATUS_CODES);
    debug(&meta);
    assert_eq!(meta.status(), response.status().as_u16());
    let date = retry::response_date(response.headers());
    let skewed = match date {
        Some(date) => {
            let clock = retry::SkewCorrectedClock::new(std::sync::Arc::new(FixedClock));
            let skewed = clock.is_skewed(date);
            clock.correct(date);
            black_box(s3_runtime::time::Clock::now(&clock));
            skewed
        }
        None => false,
    };
    debug(&retry::classify_response(
        meta.status(),
        meta.code(),
        skewed,
    ));

    macro_rules! operations {
        ($($name:ident),* $(,)?) => {$(
            result(&op::$name::deserialize(&response));
            let error = op::$name::deserialize_error(&response, &meta);
            error_chain(&error);
        )*};
    }
    operations!(
        create_bucket,
        create_session,
        delete_bucket,
        delete_object,
        delete_objects,
        get_bucket_location,
        head_bucket,
        head_object,
        list_buckets,
        list_directory_buckets,
        list_objects_v2,
        put_object,
    );
    // GetObject's body streams: its deserializer reads the headers only.
    let streaming = response.clone().map(s3_runtime::body::ByteStream::from);
    result(&op::get_object::deserialize(streaming));
    error_chain(&op::get_object::deserialize_error(&response, &meta));
}

// ---------------------------------------------------------------------------------------------
// xml_reader

/// Attribute names a walk looks up on every element: qualified, local, a namespace binding.
const XML_ATTRIBUTES: [&str; 4] = ["xsi:type", "type", "xmlns", "a"];

/// Walks the element the reader just entered the way generated deserializers do, choosing by
/// its name's first byte: text, skip, or a structure whose children are walked in turn. A text
/// is written back with `xml::Writer` and must read back unchanged when the writer accepts it.
fn xml_walk(
    reader: &mut s3_runtime::xml::Reader<'_>,
    element: &s3_runtime::xml::Element<'_>,
) -> Result<(), s3_runtime::xml::XmlError> {
    use s3_runtime::xml;

    for name in XML_ATTRIBUTES {
        debug(&element.attribute(name));
    }
    match element.local_name().first().map(|b| b % 3) {
        Some(0) => {
            let text = reader.text()?;
            let mut writer = xml::Writer::new();
            writer.element("T", &text);
            if let Ok(body) = writer.finish() {
                let mut again = xml::Reader::new(&body);
                again.root().expect("a written body has a root");
                assert_eq!(again.text().expect("a written text reads back"), text);
            }
        }
        Some(1) => reader.skip()?,
        _ => {
            while let Some(child) = reader.next_child()? {
                xml_walk(reader, &child)?;
            }
        }
    }
    Ok(())
}

/// The reader's verdict on the whole document when its root is consumed by `consume`: `Ok` when
/// the root and everything in it is well-formed. Every error's offset lies within the body.
fn xml_document(
    body: &[u8],
    consume: impl FnOnce(
        &mut s3_runtime::xml::Reader<'_>,
        &s3_runtime::xml::Element<'_>,
    ) -> Result<(), s3_runtime::xml::XmlError>,
) -> Result<(), s3_runtime::xml::XmlError> {
    let mut reader = s3_runtime::xml::Reader::new(body);
    let outcome = reader.root().and_then(|root| consume(&mut reader, &root));
    if let Err(e) = &outcome {
        error_chain(e);
        if let Some(offset) = e.offset() {
            assert!(
                offset <= body.len() as u64,
                "offset {offset} past the body: {e}"
            );
        }
        // The reader stays usable after an error: further calls fail or end, never panic.
        debug(&reader.next_child());
        debug(&reader.skip());
        debug(&reader.text());
        debug(&reader.root());
    }
    outcome
}

/// The runtime's XML reader on the input as a body: the generated deserializers' walk (text,
/// skip or children, by element name), skipping the root, reading the root as text, and
/// `xml::parse_error_body`. Besides not panicking, they must agree: skipping and a walk of every
/// element's children check the same nesting, and whatever reads the root to its end succeeds
/// only on a document whose root skips cleanly.
///
/// Format: the whole input is the body.
pub fn xml_reader(data: &[u8]) {
    use s3_runtime::xml;

    fn children(
        reader: &mut xml::Reader<'_>,
        element: &xml::Element<'_>,
    ) -> Result<(), xml::XmlError> {
        black_box(element.local_name());
        while let Some(child) = reader.next_child()? {
            children(reader, &child)?;
        }
        Ok(())
    }

    let skipped = xml_document(data, |reader, _| reader.skip());
    let walked = xml_document(data, children);
    assert_eq!(
        skipped.is_ok(),
        walked.is_ok(),
        "skip and a walk of the children disagree: {skipped:?} {walked:?}"
    );
    for outcome in [
        xml_document(data, |reader, _| reader.text().map(black_box).map(drop)),
        xml_document(data, xml_walk),
    ] {
        assert!(
            outcome.is_err() || skipped.is_ok(),
            "read a root that does not skip: {skipped:?}"
        );
    }
    match xml::parse_error_body(data) {
        Ok(Some(body)) => {
            debug(&body);
            assert!(
                skipped.is_ok(),
                "an error body from a root that does not skip: {skipped:?}"
            );
        }
        Ok(None) => {}
        Err(e) => {
            if let Some(offset) = e.offset() {
                assert!(
                    offset <= data.len() as u64,
                    "offset {offset} past the body: {e}"
                );
            }
            error_chain(&e);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// endpoint_resolver

/// A parameter of three states from two bits.
fn tristate(bits: u8) -> Option<bool> {
    match bits & 3 {
        1 => Some(false),
        2 => Some(true),
        _ => None,
    }
}

/// `s3_client::endpoint::resolve` on parameters from the input, and the rules' standard library
/// functions on the same strings.
///
/// Format: three flag bytes, then up to six `\n`-separated strings: bucket, region, endpoint,
/// key, prefix, copy source (the last takes the rest of the input, newlines included; strings
/// that are not UTF-8 are read lossily). A string past the end of the input is unset.
/// - byte 0, bit 0 to 5: `use_fips`, `use_dual_stack`, `force_path_style`, `accelerate`,
///   `use_global_endpoint`, `disable_multi_region_access_points`; bits 6-7: substring bounds.
/// - byte 1, two bits each (1 = false, 2 = true, else unset): `use_object_lambda_endpoint`,
///   `disable_access_points`, `use_arn_region`, `use_s3_express_control_endpoint`;
///   byte 2, bits 0-1: `disable_s3_express_session_auth`.
/// - byte 2, bits 2 to 7: a set bit unsets the string of the same rank (bucket first).
pub fn endpoint_resolver(data: &[u8]) {
    use s3_runtime::endpoint as rt;

    let Some((flags, rest)) = data.split_first_chunk::<3>() else {
        return;
    };
    let [a, b, c] = *flags;
    let mut strings: Vec<Option<std::borrow::Cow<'_, str>>> = rest
        .splitn(6, |&byte| byte == b'\n')
        .map(|s| Some(text(s)))
        .collect();
    strings.resize(6, None);
    for (i, s) in strings.iter_mut().enumerate() {
        if c & (4 << i) != 0 {
            *s = None;
        }
    }
    let field = |i: usize| strings[i].as_deref();
    let endpoint_url = field(2).map(rt::EndpointUrl::new);

    let mut params = s3_client::endpoint::Params::default();
    params.bucket = field(0);
    params.region = field(1);
    params.endpoint = endpoint_url.as_ref();
    params.key = field(3);
    params.prefix = field(4);
    params.copy_source = field(5);
    params.use_fips = a & 1 != 0;
    params.use_dual_stack = a & 2 != 0;
    params.force_path_style = a & 4 != 0;
    params.accelerate = a & 8 != 0;
    params.use_global_endpoint = a & 16 != 0;
    params.disable_multi_region_access_points = a & 32 != 0;
    params.use_object_lambda_endpoint = tristate(b);
    params.disable_access_points = tristate(b >> 2);
    params.use_arn_region = tristate(b >> 4);
    params.use_s3_express_control_endpoint = tristate(b >> 6);
    params.disable_s3_express_session_auth = tristate(c);

    // What the client checks before resolving.
    if let Some(region) = params.region {
        result(&rt::check_region(region));
    }
    if let Some(url) = params.endpoint {
        result(&url.check());
        // What the setting found once is what checking and parsing the text find.
        assert_eq!(url.check(), rt::check_endpoint_url(url.as_str()));
        assert_eq!(url.url(), rt::parse_url(url.as_str()));
    }
    let resolved = s3_client::endpoint::resolve(&params);
    result(&resolved);

    // The standard library on the raw strings, beyond what the rules happen to reach.
    for s in strings.iter().flatten() {
        black_box(rt::is_valid_host_label(s, false));
        black_box(rt::is_valid_host_label(s, true));
        black_box(rt::is_virtual_hostable_s3_bucket(s, false));
        black_box(rt::is_virtual_hostable_s3_bucket(s, true));
        debug(&rt::uri_encode(s));
        debug(&rt::parse_url(s));
        if let Some(arn) = rt::parse_arn(s) {
            debug(&arn);
        }
        debug(&rt::partition(s));
        let (start, stop) = (
            usize::from(a >> 6),
            usize::from(a >> 6) + usize::from(b % 8),
        );
        for reverse in [false, true] {
            if let Some(sub) = rt::substring(s, start, stop, reverse) {
                assert_eq!(sub.len(), stop - start, "substring({s:?}, {start}, {stop})");
            }
        }
        for delimiter in [":", "/", "--", ""] {
            let segments = rt::split(s, delimiter, 0);
            let parts: Vec<&str> = segments.iter().collect();
            if !delimiter.is_empty() {
                assert_eq!(parts.join(delimiter), **s, "split by {delimiter:?}");
            }
            for index in [0, 1, 2, -1, -2, -3] {
                black_box(segments.get(index));
            }
            let limited = rt::split(s, delimiter, 2);
            black_box(limited.iter().count());
            black_box(limited.get(-1));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// profile_parser

/// The files this thread's profile inputs are written to: one folder per process and thread
/// under the temporary directory, so that parallel test threads and fuzzer workers do not
/// share files.
fn profile_paths() -> (std::path::PathBuf, std::path::PathBuf) {
    thread_local! {
        static DIR: std::path::PathBuf = {
            let thread = format!("{:?}", std::thread::current().id());
            let thread: String = thread.chars().filter(char::is_ascii_digit).collect();
            let dir = std::env::temp_dir()
                .join(format!("s3-fuzz-profile-{}-{thread}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("create the profile folder");
            dir
        };
    }
    DIR.with(|dir| (dir.join("config"), dir.join("credentials")))
}

/// Removes this thread's profile folder (for the replay test; the fuzzer leaves it).
pub fn remove_profile_files() {
    let (config, _) = profile_paths();
    if let Some(dir) = config.parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The shared config and credentials file parser, through `s3_runtime::profile::load` with
/// `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` pointing at files holding the input, and
/// the two readers of profiles: region loading and the profile credentials provider.
///
/// Format: the first line is the profile name (empty: none, so `AWS_PROFILE` or `default`);
/// the rest is the config file up to the first NUL byte, and the credentials file after it
/// (without a NUL, there is no credentials file). Without a `\n`, the input is the name.
pub fn profile_parser(data: &[u8]) {
    use s3_runtime::credentials::{ProfileProvider, ProvideCredentials};
    use s3_runtime::profile::{self, Env};
    use std::future::Future as _;

    let (name, files) = split_line(data).unwrap_or((data, b""));
    let name = text(name);
    let (config, credentials) = match files.iter().position(|&b| b == 0) {
        Some(at) => (&files[..at], Some(&files[at + 1..])),
        None => (files, None),
    };
    let (config_path, credentials_path) = profile_paths();
    std::fs::write(&config_path, config).expect("write the config file");
    match credentials {
        Some(credentials) => {
            std::fs::write(&credentials_path, credentials).expect("write the credentials file")
        }
        None => match std::fs::remove_file(&credentials_path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => panic!("{e}"),
            _ => {}
        },
    }
    let mut vars = vec![
        ("AWS_CONFIG_FILE", config_path.display().to_string()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            credentials_path.display().to_string(),
        ),
    ];
    let env = Env::from_vars(vars.clone());
    let name = (!name.is_empty()).then_some(&*name);

    for (env, name) in [(&env, name), (&env, None)] {
        match profile::load(env, name) {
            Ok(profile) => {
                debug(&profile);
                black_box(profile.name());
                black_box(profile.files());
                for key in ["region", "aws_access_key_id", "aws_secret_access_key", "s3"] {
                    black_box(profile.get(key));
                }
            }
            Err(e) => error_chain(&e),
        }
    }

    // The same profile chosen by `AWS_PROFILE`, as region loading and the default chain see it.
    if let Some(name) = name {
        vars.push(("AWS_PROFILE", name.to_owned()));
    }
    let env = Env::from_vars(vars);
    result(&s3_runtime::region::load(&env));
    // These sources run a command or call a service: the target is the parser, so a profile that
    // names one is parsed above but not turned into credentials.
    const ACTING: [&[u8]; 5] = [
        b"credential_process",
        b"role_arn",
        b"credential_source",
        b"sso_",
        b"web_identity_token_file",
    ];
    if ACTING.iter().any(|key| {
        files
            .windows(key.len())
            .any(|w| w.eq_ignore_ascii_case(key))
    }) {
        return;
    }
    let provider = match name {
        Some(name) => ProfileProvider::new(env).with_profile(name),
        None => ProfileProvider::new(env),
    };
    let mut future = std::pin::pin!(provider.provide_credentials());
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(credentials) => result(&credentials),
        std::task::Poll::Pending => panic!("profile credentials are ready at once"),
    }
}

// ---------------------------------------------------------------------------------------------
// sigv4_canonical

/// The signer, shared by all inputs so that its signing-key cache sees many scopes.
fn signer() -> &'static s3_runtime::sigv4::Signer {
    static SIGNER: std::sync::OnceLock<s3_runtime::sigv4::Signer> = std::sync::OnceLock::new();
    SIGNER.get_or_init(s3_runtime::sigv4::Signer::new)
}

/// The `X-Amz-Signature` of a presigned URI: its last query parameter (the request's own
/// query may hold one too).
fn presigned_signature(uri: &http::Uri) -> Option<&str> {
    uri.query()?
        .rsplit('&')
        .next()?
        .strip_prefix("X-Amz-Signature=")
}

/// `Signer::sign`, `presign` and `trace` on a request built from the input, with the S3, S3
/// Express and standard settings. Requests that `http` refuses to build are skipped. Besides
/// not panicking, the results must agree: `trace` gives the signature `sign` and `presign` put
/// on the request, and signing a signed request again gives the same signature (the signature
/// covers exactly what the request sends).
///
/// Format: a flag byte, then lines: method, request target (`/path?query` or an absolute URI),
/// region, service, signing time (decimal seconds since the epoch; anything else is the test
/// suite's 2013-05-24), session token (empty: none), precomputed payload hash; then
/// `name: value` header lines up to an empty line; the rest is the body.
/// Flag bits 0-1: the payload hash (0 the body's, 1 unsigned, 2 the precomputed line, 3 the
/// body's); bit 2: `sign_session_token` off; bits 3-7: the presigned expiry, 0 to 31 units of
/// 6 hours (0 is refused, as is anything over 7 days).
pub fn sigv4_canonical(data: &[u8]) {
    use s3_runtime::credentials::Credentials;
    use s3_runtime::sigv4::{PayloadHash, SignatureLocation, SigningParams, SigningSettings};
    use s3_runtime::time::DateTime;

    let Some((&flags, mut rest)) = data.split_first() else {
        return;
    };
    let mut lines: [&[u8]; 7] = [b""; 7];
    for line in &mut lines {
        let (l, r) = split_line(rest).unwrap_or((rest, b""));
        *line = l;
        rest = r;
    }
    let [method, target, region, service, time, token, hash] = lines;
    let (headers, body) = header_lines(rest, 32);

    let mut builder = http::Request::builder().method(method).uri(target);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    let Ok(request) = builder.body(Bytes::copy_from_slice(body)) else {
        return;
    };

    let region = text(region);
    let service = text(service);
    let hash = text(hash);
    let time = std::str::from_utf8(time)
        .ok()
        .and_then(|t| t.parse::<i64>().ok())
        .unwrap_or(1_369_353_600);
    let token = (!token.is_empty()).then(|| text(token).into_owned());
    let credentials = Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        token,
        None,
    );
    let payload = match flags & 3 {
        1 => PayloadHash::Unsigned,
        2 => PayloadHash::Precomputed(&hash),
        _ => PayloadHash::Body,
    };
    let expires_in = Duration::from_secs(u64::from(flags >> 3) * 6 * 3600);
    let signer = signer();

    for settings in [
        SigningSettings::s3(),
        SigningSettings::s3_express(),
        SigningSettings::standard(),
    ] {
        let settings = SigningSettings {
            sign_session_token: flags & 4 == 0,
            expires_in,
            ..settings
        };
        let params = SigningParams {
            credentials: &credentials,
            region: &region,
            service: &service,
            time: DateTime::from_secs(time),
            payload,
            settings: &settings,
        };

        let traced = signer.trace(&request, &params, SignatureLocation::Headers);
        result(&traced);
        let mut signed = request.clone();
        let signature = signer.sign(&mut signed, &params);
        result(&signature);
        match (&traced, &signature) {
            (Ok(trace), Ok(signature)) => assert_eq!(
                trace.signature, *signature,
                "trace and sign disagree: {settings:?}"
            ),
            (Err(_), Err(_)) => {}
            _ => panic!("trace and sign disagree on whether the request can be signed"),
        }
        if let Ok(first) = signature {
            // `authorization` is not signed and the other added headers are replaced, so
            // signing what goes on the wire again must give the same signature; a session
            // token added after signing is signed the second time, so that case is skipped.
            if settings.sign_session_token || credentials.session_token().is_none() {
                let mut again = signed.clone();
                match signer.sign(&mut again, &params) {
                    Ok(second) => assert_eq!(
                        first, second,
                        "signing a signed request again changed the signature: {settings:?}"
                    ),
                    Err(e) => panic!("a signed request cannot be signed again: {e}"),
                }
                debug(&signed);
            }
        }

        let traced = signer.trace(&request, &params, SignatureLocation::QueryString);
        result(&traced);
        let presigned = signer.presign(&request, &params);
        result(&presigned);
        if let (Ok(trace), Ok(uri)) = (&traced, &presigned) {
            assert_eq!(
                presigned_signature(uri),
                Some(trace.signature.as_str()),
                "trace and presign disagree: {uri}"
            );
        }
    }
}
