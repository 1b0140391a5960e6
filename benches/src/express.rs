//! The canned answers of the S3 Express benchmarks' local server (`benches/express.rs` and the
//! `express_requests` example): a `CreateSession` result and a one-object `ListObjectsV2` page.

/// The directory bucket the requests address; with an IP endpoint it is addressed path-style.
pub const DIRECTORY_BUCKET: &str = "bench--usw2-az1--x-s3";

/// A `CreateSession` result whose session expires in 2099, so it is never refreshed.
pub const CREATE_SESSION_RESULT: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8"?>"#,
    r#"<CreateSessionResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Credentials>"#,
    "<SessionToken>bench-session-token</SessionToken>",
    "<SecretAccessKey>bench-session-secret</SecretAccessKey>",
    "<AccessKeyId>ASIABENCHSESSION</AccessKeyId>",
    "<Expiration>2099-01-01T00:00:00Z</Expiration>",
    "</Credentials></CreateSessionResult>",
);

/// A `ListObjectsV2` page with one object.
pub const LIST_OBJECTS_V2_RESULT: &str = concat!(
    r#"<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#,
    "<Name>b</Name><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys>",
    "<IsTruncated>false</IsTruncated><Contents><Key>a</Key><Size>1</Size></Contents>",
    "</ListBucketResult>",
);

/// Whether a `GET` with this query string is a `CreateSession` (`GET /{bucket}?session`).
pub fn is_create_session(query: Option<&str>) -> bool {
    query.is_some_and(|q| q.split('&').any(|p| p == "session" || p == "session="))
}

/// The body the server answers a `GET` with.
pub fn answer(query: Option<&str>) -> &'static str {
    if is_create_session(query) {
        CREATE_SESSION_RESULT
    } else {
        LIST_OBJECTS_V2_RESULT
    }
}
