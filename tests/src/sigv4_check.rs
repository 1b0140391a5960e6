//! SigV4 verification with the official `aws-sigv4` crate, not our signer: a test server that
//! accepts a request this way shows that our signer agrees with AWS's, which re-signing with our
//! own signer cannot.
//!
//! Verification works like S3's: it rebuilds the request from what arrived (method, host, path
//! and query as sent, the headers the client listed in `SignedHeaders`, the body), signs that
//! with the secret the server holds for the claimed access key, and compares the result with the
//! `Authorization` header the client sent.

use std::time::SystemTime;

use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody,
    SignableRequest, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use http::Request;
use s3_runtime::time::{DateTime, Format};

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// Headers `aws-sigv4` computes and adds itself, besides the session token header.
const COMPUTED: [&str; 3] = ["host", "x-amz-date", "x-amz-content-sha256"];

/// The header that carries the session token of temporary credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenHeader {
    /// `x-amz-security-token`: STS credentials, as on every AWS service.
    SecurityToken,
    /// `x-amz-s3session-token`: an S3 Express One Zone session from CreateSession.
    S3Session,
}

impl TokenHeader {
    /// The header's name.
    pub const fn name(self) -> &'static str {
        match self {
            TokenHeader::SecurityToken => "x-amz-security-token",
            TokenHeader::S3Session => "x-amz-s3session-token",
        }
    }
}

/// Who a request says signed it, read from its `Authorization` header before any check, so a
/// server can look up the secret to [`verify`] it with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claimed<'a> {
    /// The access key id of the credential scope.
    pub access_key_id: &'a str,
    /// The region of the credential scope.
    pub region: &'a str,
    /// The signing name of the credential scope, such as `s3` or `s3express`.
    pub service: &'a str,
    /// The value of the token header the request carried, signed or not.
    pub session_token: Option<&'a str>,
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header.
struct Authorization<'a> {
    value: &'a str,
    access_key_id: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
}

/// Reads the credential scope of `request`'s `Authorization` header and its `token_header`.
pub fn claimed(request: &Request<Bytes>, token_header: TokenHeader) -> Result<Claimed<'_>, String> {
    let authorization = parse_authorization(request)?;
    Ok(Claimed {
        access_key_id: authorization.access_key_id,
        region: authorization.region,
        service: authorization.service,
        session_token: header(request, token_header.name())?,
    })
}

/// Checks `request`'s signature with `aws-sigv4`, signing what arrived with `secret_access_key`
/// and `session_token` (sent in `token_header`) for the scope the request claims.
///
/// Fails, with a message saying why, unless the signature matches and `host`, `x-amz-date`,
/// `x-amz-content-sha256` and the session token header (when one is sent) are signed. The
/// session token the request carries must be `session_token`: none when that is `None`.
pub fn verify(
    request: &Request<Bytes>,
    secret_access_key: &str,
    session_token: Option<&str>,
    token_header: TokenHeader,
) -> Result<(), String> {
    let authorization = parse_authorization(request)?;
    let signed = &authorization.signed_headers;
    if let Some(missing) = COMPUTED.iter().find(|name| !signed.contains(name)) {
        return Err(format!("SignedHeaders does not include {missing}"));
    }
    let token_name = token_header.name();
    let sent_token = header(request, token_name)?;
    if sent_token.is_some() && !signed.contains(&token_name) {
        return Err(format!("the {token_name} header is not signed"));
    }
    match (sent_token, session_token) {
        (Some(sent), Some(expected)) if sent != expected => {
            return Err(format!(
                "the {token_name} header is not the session's token"
            ))
        }
        (Some(_), None) => return Err(format!("unexpected {token_name} header")),
        (None, Some(_)) => return Err(format!("no {token_name} header")),
        _ => {}
    }
    let time = parse_amz_date(header(request, "x-amz-date")?.ok_or("no x-amz-date header")?)?;
    let host = header(request, "host")?.ok_or("no host header")?;
    let uri = format!(
        "http://{host}{}",
        request.uri().path_and_query().map_or("/", |p| p.as_str())
    );
    let body = match header(request, "x-amz-content-sha256")? {
        Some(UNSIGNED_PAYLOAD) => SignableBody::UnsignedPayload,
        _ => SignableBody::Bytes(request.body()),
    };

    let mut headers = Vec::new();
    for name in signed
        .iter()
        .filter(|name| !COMPUTED.contains(name) && **name != token_name)
    {
        let mut values = request.headers().get_all(*name).iter().peekable();
        if values.peek().is_none() {
            return Err(format!("signed header {name} is missing"));
        }
        for value in values {
            let value = value
                .to_str()
                .map_err(|_| format!("signed header {name} is not visible ASCII"))?;
            headers.push((*name, value));
        }
    }

    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.session_token_mode = SessionTokenMode::Include;
    settings.session_token_name_override = match token_header {
        TokenHeader::SecurityToken => None,
        TokenHeader::S3Session => Some(TokenHeader::S3Session.name()),
    };
    // Only signed headers are passed in, and S3 signs whatever the client listed.
    settings.excluded_headers = None;
    let identity: Identity = aws_credential_types::Credentials::new(
        authorization.access_key_id,
        secret_access_key,
        session_token.map(str::to_owned),
        None,
        "s3-tests",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(authorization.region)
        .name(authorization.service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let signable = SignableRequest::new(request.method().as_str(), uri, headers.into_iter(), body)
        .map_err(|e| format!("aws-sigv4 cannot sign the request: {e}"))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| format!("aws-sigv4 cannot sign the request: {e}"))?
        .into_parts();
    let expected = instructions
        .headers()
        .find_map(|(name, value)| (name == "authorization").then_some(value));
    if expected == Some(authorization.value) {
        Ok(())
    } else {
        Err(format!(
            "The request signature we calculated does not match the signature you provided. \
             aws-sigv4 computed: {}",
            expected.unwrap_or("nothing")
        ))
    }
}

fn parse_authorization(request: &Request<Bytes>) -> Result<Authorization<'_>, String> {
    let value = header(request, "authorization")?.ok_or("no authorization header")?;
    let fields = value
        .strip_prefix(ALGORITHM)
        .and_then(|rest| rest.strip_prefix(' '))
        .ok_or("not a SigV4 authorization")?;
    let field = |name: &str| {
        fields
            .split(',')
            .find_map(|f| f.trim_start().strip_prefix(name)?.strip_prefix('='))
            .ok_or_else(|| format!("authorization has no {name}"))
    };
    let scope: Vec<&str> = field("Credential")?.split('/').collect();
    let [access_key_id, _date, region, service, "aws4_request"] = scope[..] else {
        return Err("malformed credential scope".into());
    };
    field("Signature")?;
    Ok(Authorization {
        value,
        access_key_id,
        region,
        service,
        signed_headers: field("SignedHeaders")?.split(';').collect(),
    })
}

/// The one value of header `name`, if sent; an error when it is repeated or not text.
fn header<'a>(request: &'a Request<Bytes>, name: &str) -> Result<Option<&'a str>, String> {
    let mut values = request.headers().get_all(name).iter();
    match (values.next(), values.next()) {
        (None, _) => Ok(None),
        (Some(value), None) => value
            .to_str()
            .map(Some)
            .map_err(|_| format!("the {name} header is not visible ASCII")),
        (Some(_), Some(_)) => Err(format!("more than one {name} header")),
    }
}

/// `20150830T123600Z`, the `x-amz-date` form.
fn parse_amz_date(amz: &str) -> Result<SystemTime, String> {
    let bad = || format!("bad x-amz-date {amz}");
    let b = amz.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' || !amz.is_ascii() {
        return Err(bad());
    }
    let rfc3339 = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &amz[0..4],
        &amz[4..6],
        &amz[6..8],
        &amz[9..11],
        &amz[11..13],
        &amz[13..15]
    );
    DateTime::parse(&rfc3339, Format::DateTime)
        .map(SystemTime::from)
        .map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use s3_runtime::credentials::Credentials;
    use s3_runtime::sigv4::{PayloadHash, Signer, SigningParams, SigningSettings as Settings};

    use super::*;

    const AK: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const TOKEN: &str = "session/token+value==";

    fn session() -> Credentials {
        let expiry = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        Credentials::new(AK, SECRET, Some(TOKEN.to_owned()), Some(expiry))
    }

    /// A PutObject-like request with a key, query, custom headers and a body, as a client
    /// builds it (absolute URI, no `Host` header).
    fn request() -> Request<Bytes> {
        Request::put(
            "http://127.0.0.1:9000/bucket/caf%C3%A9/a%20b%2Bc?tagging&x-id=PutObject&z=%2F",
        )
        .header("content-type", "text/plain")
        .header("x-amz-meta-note", "  two   spaces ")
        .header("x-amz-meta-list", "a")
        .header("x-amz-meta-list", "b")
        .header("user-agent", "s3-tests")
        .body(Bytes::from_static(b"hello"))
        .expect("a valid request")
    }

    /// `request` signed with our signer, then as a server receives it: an origin-form URI and
    /// the `Host` header hyper sends.
    fn signed(
        mut request: Request<Bytes>,
        credentials: &Credentials,
        settings: &Settings,
        payload: PayloadHash<'_>,
    ) -> Request<Bytes> {
        let params = SigningParams {
            credentials,
            region: "us-west-2",
            service: "s3express",
            time: DateTime::from_secs(1_717_171_717),
            payload,
            settings,
        };
        Signer::new().sign(&mut request, &params).expect("signed");
        let authority = request.uri().authority().expect("authority").to_string();
        let target = request.uri().path_and_query().expect("target").clone();
        *request.uri_mut() = target.as_str().parse().expect("origin form");
        request
            .headers_mut()
            .insert("host", authority.parse().expect("host"));
        request
    }

    fn base_signed() -> Request<Bytes> {
        let credentials = Credentials::new(AK, SECRET, None, None);
        signed(request(), &credentials, &Settings::s3(), PayloadHash::Body)
    }

    fn express_signed() -> Request<Bytes> {
        signed(
            request(),
            &session(),
            &Settings::s3_express(),
            PayloadHash::Body,
        )
    }

    #[test]
    fn accepts_what_our_signer_signs() {
        verify(&base_signed(), SECRET, None, TokenHeader::SecurityToken).unwrap();
        let sts = signed(request(), &session(), &Settings::s3(), PayloadHash::Body);
        verify(&sts, SECRET, Some(TOKEN), TokenHeader::SecurityToken).unwrap();
        verify(
            &express_signed(),
            SECRET,
            Some(TOKEN),
            TokenHeader::S3Session,
        )
        .unwrap();
        let unsigned = signed(
            request(),
            &session(),
            &Settings::s3_express(),
            PayloadHash::Unsigned,
        );
        verify(&unsigned, SECRET, Some(TOKEN), TokenHeader::S3Session).unwrap();
    }

    #[test]
    fn reads_the_claimed_scope() {
        let request = express_signed();
        assert_eq!(
            claimed(&request, TokenHeader::S3Session).unwrap(),
            Claimed {
                access_key_id: AK,
                region: "us-west-2",
                service: "s3express",
                session_token: Some(TOKEN),
            }
        );
        let none = claimed(&request, TokenHeader::SecurityToken).unwrap();
        assert_eq!(none.session_token, None);
    }

    #[test]
    fn rejects_tampering() {
        type Tamper = fn(&mut Request<Bytes>);
        let tamperings: [(&str, Tamper); 5] = [
            ("header value", |r| {
                r.headers_mut()
                    .insert("content-type", "text/html".parse().unwrap());
            }),
            ("path", |r| {
                *r.uri_mut() = "/bucket/caf%C3%A9/a%20b%2Bd?tagging&x-id=PutObject&z=%2F"
                    .parse()
                    .unwrap();
            }),
            ("query", |r| {
                *r.uri_mut() = "/bucket/caf%C3%A9/a%20b%2Bc?tagging&x-id=PutObject&z=%2E"
                    .parse()
                    .unwrap();
            }),
            ("body", |r| *r.body_mut() = Bytes::from_static(b"hellO")),
            ("repeated header", |r| {
                r.headers_mut()
                    .append("x-amz-meta-list", "c".parse().unwrap());
            }),
        ];
        for (what, tamper) in tamperings {
            for (mut request, token, token_header) in [
                (base_signed(), None, TokenHeader::SecurityToken),
                (express_signed(), Some(TOKEN), TokenHeader::S3Session),
            ] {
                tamper(&mut request);
                let err = verify(&request, SECRET, token, token_header)
                    .expect_err(&format!("tampered {what} must fail"));
                assert!(err.contains("does not match"), "{what}: {err}");
            }
        }
    }

    #[test]
    fn rejects_wrong_secret_or_token() {
        let wrong = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEz";
        assert!(verify(&base_signed(), wrong, None, TokenHeader::SecurityToken).is_err());
        let express = express_signed();
        assert!(verify(&express, wrong, Some(TOKEN), TokenHeader::S3Session).is_err());
        let err = verify(&express, SECRET, Some("other"), TokenHeader::S3Session).unwrap_err();
        assert!(err.contains("not the session's token"), "{err}");
        let err = verify(&express, SECRET, None, TokenHeader::S3Session).unwrap_err();
        assert!(err.contains("unexpected x-amz-s3session-token"), "{err}");
        // An S3 Express request checked as one with STS credentials: its token is elsewhere.
        let err = verify(&express, SECRET, Some(TOKEN), TokenHeader::SecurityToken).unwrap_err();
        assert!(err.contains("no x-amz-security-token"), "{err}");
        let err = verify(&base_signed(), SECRET, Some(TOKEN), TokenHeader::S3Session).unwrap_err();
        assert!(err.contains("no x-amz-s3session-token"), "{err}");
    }

    #[test]
    fn rejects_an_unsigned_session_token() {
        let settings = Settings {
            sign_session_token: false,
            ..Settings::s3_express()
        };
        let request = signed(request(), &session(), &settings, PayloadHash::Body);
        let err = verify(&request, SECRET, Some(TOKEN), TokenHeader::S3Session).unwrap_err();
        assert_eq!(err, "the x-amz-s3session-token header is not signed");
    }

    #[test]
    fn requires_host_date_and_content_sha256_signed() {
        let settings = Settings {
            content_sha256_header: false,
            ..Settings::s3()
        };
        let credentials = Credentials::new(AK, SECRET, None, None);
        let request = signed(request(), &credentials, &settings, PayloadHash::Body);
        let err = verify(&request, SECRET, None, TokenHeader::SecurityToken).unwrap_err();
        assert_eq!(err, "SignedHeaders does not include x-amz-content-sha256");

        for name in ["host", "x-amz-date"] {
            let mut request = base_signed();
            let authorization = request.headers()["authorization"].to_str().unwrap();
            let edited = authorization.replace(&format!("{name};"), "");
            assert_ne!(edited, authorization);
            request
                .headers_mut()
                .insert("authorization", edited.parse().unwrap());
            let err = verify(&request, SECRET, None, TokenHeader::SecurityToken).unwrap_err();
            assert_eq!(err, format!("SignedHeaders does not include {name}"));
        }
    }

    #[test]
    fn rejects_malformed_authorization() {
        let mut request = base_signed();
        request
            .headers_mut()
            .insert("authorization", "AWS AKIDEXAMPLE:abc".parse().unwrap());
        assert_eq!(
            claimed(&request, TokenHeader::SecurityToken).unwrap_err(),
            "not a SigV4 authorization"
        );
        request.headers_mut().remove("authorization");
        assert!(verify(&request, SECRET, None, TokenHeader::SecurityToken).is_err());
    }
}
