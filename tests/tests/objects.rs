//! Object operations with streaming bodies and checksums: against moto and s3s-fs (`.ci/test`
//! starts them), and against the capture server for what only the wire shows.

use std::time::Duration;

use bytes::Bytes;
use s3_client::operation::get_object::GetObjectOutput;
use s3_client::types::{ChecksumAlgorithm, ChecksumMode, Delete, ObjectIdentifier};
use s3_client::{Client, Config};
use s3_runtime::body::{BodyError, ByteStream};
use s3_runtime::credentials::Credentials;
use s3_runtime::error::Error;
use s3_runtime::retry::RetryConfig;
use s3_tests::capture::{Canned, CaptureServer};
use s3_tests::{on_both_servers, unique_bucket_name, Iter, TestServer};

mod wire;

/// A new bucket on `server`.
async fn bucket(client: &Client, prefix: &str) -> String {
    let bucket = unique_bucket_name(prefix);
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    bucket
}

/// `len` bytes of a pattern that a shifted or truncated copy does not match.
fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i % 251) as u8 ^ (i >> 12) as u8)
        .collect()
}

async fn get(client: &Client, bucket: &str, key: &str) -> GetObjectOutput {
    client
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap()
}

on_both_servers!(
    put_and_get_round_trip,
    put_from_a_file_and_a_stream,
    error_document_is_data,
    delete_objects_with_checksum,
    checksums_round_trip,
    non_ascii_metadata_round_trips,
);

/// Objects of 0 B, 1 KiB and 64 MiB come back byte for byte, read whole, piece by piece and
/// through `AsyncRead`.
async fn put_and_get_round_trip(server: TestServer) {
    let client = server.client();
    let bucket = bucket(&client, "objects").await;
    for len in [0, 1 << 10, 64 << 20] {
        let key = format!("object-{len}");
        let data = Bytes::from(pattern(len));
        client
            .put_object()
            .bucket(&bucket)
            .key(&key)
            .body(data.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}: put {len} B: {e}", server.name));
        let output = get(&client, &bucket, &key).await;
        assert_eq!(output.content_length, Some(len as i64));
        assert_eq!(output.body.len(), Some(len as u64));
        let got = output.body.collect().await.unwrap();
        assert!(got == data, "{}: {len} B object differs", server.name);

        let mut body = get(&client, &bucket, &key).await.body;
        let mut read = 0;
        while let Some(piece) = body.next().await {
            let piece = piece.unwrap();
            assert_eq!(piece, data[read..read + piece.len()]);
            read += piece.len();
        }
        assert_eq!(read, len);

        let mut reader = get(&client, &bucket, &key).await.body.into_async_read();
        let mut all = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut all)
            .await
            .unwrap();
        assert!(all == data);
    }
}

/// A file is sent with its length (and, over plain HTTP, its hash); a stream is sent once,
/// unsigned.
async fn put_from_a_file_and_a_stream(server: TestServer) {
    let client = server.client();
    let bucket = bucket(&client, "files").await;
    let data = pattern(3 << 20);
    let path = std::env::temp_dir().join(unique_bucket_name("upload"));
    std::fs::write(&path, &data).unwrap();
    let body = ByteStream::from_path(&path).await.unwrap();
    assert_eq!(body.len(), Some(data.len() as u64));
    client
        .put_object()
        .bucket(&bucket)
        .key("file")
        .body(body)
        .send()
        .await
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    let got = get(&client, &bucket, "file").await.body.collect().await;
    assert!(
        got.unwrap() == data,
        "{}: the file's object differs",
        server.name
    );

    let pieces: Vec<Result<Bytes, std::io::Error>> = data
        .chunks(100_000)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let stream = ByteStream::from_stream(Iter(pieces.into_iter()), Some(data.len() as u64));
    assert!(!stream.is_replayable());
    client
        .put_object()
        .bucket(&bucket)
        .key("stream")
        .body(stream)
        .send()
        .await
        .unwrap();
    let got = get(&client, &bucket, "stream").await.body.collect().await;
    assert!(
        got.unwrap() == data,
        "{}: the stream's object differs",
        server.name
    );
}

/// An XML object whose root is `<Error>` is an object like any other.
async fn error_document_is_data(server: TestServer) {
    let client = server.client();
    let bucket = bucket(&client, "errors").await;
    let xml =
        "<?xml version=\"1.0\"?><Error><Code>InternalError</Code><Message>no</Message></Error>";
    client
        .put_object()
        .bucket(&bucket)
        .key("error.xml")
        .content_type("application/xml")
        .body(xml)
        .send()
        .await
        .unwrap();
    let output = get(&client, &bucket, "error.xml").await;
    assert_eq!(output.content_type.as_deref(), Some("application/xml"));
    assert_eq!(output.body.collect().await.unwrap(), xml.as_bytes());
}

/// DeleteObjects requires a checksum: the client sends one and the servers accept it.
async fn delete_objects_with_checksum(server: TestServer) {
    let client = server.client();
    let bucket = bucket(&client, "deletes").await;
    for key in ["a", "b", "c"] {
        client
            .put_object()
            .bucket(&bucket)
            .key(key)
            .body(key)
            .send()
            .await
            .unwrap();
    }
    let objects = ["a", "b"]
        .iter()
        .map(|key| ObjectIdentifier::builder().key(*key).build().unwrap())
        .collect::<Vec<_>>();
    let output = client
        .delete_objects()
        .bucket(&bucket)
        .delete(Delete::builder().objects(objects).build().unwrap())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", server.name));
    let mut deleted: Vec<_> = output
        .deleted
        .unwrap_or_default()
        .into_iter()
        .filter_map(|d| d.key)
        .collect();
    deleted.sort();
    assert_eq!(deleted, ["a", "b"]);
    let left = client
        .list_objects_v2()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let keys: Vec<_> = left
        .contents
        .unwrap_or_default()
        .into_iter()
        .filter_map(|o| o.key)
        .collect();
    assert_eq!(keys, ["c"]);
    client
        .delete_object()
        .bucket(&bucket)
        .key("c")
        .send()
        .await
        .unwrap();
    client.delete_bucket().bucket(&bucket).send().await.unwrap();
}

/// A checksum the caller chooses goes with the upload, and a download asked to validate
/// checks the body against the checksum the server returns.
async fn checksums_round_trip(server: TestServer) {
    let client = server.client();
    let bucket = bucket(&client, "checksums").await;
    let data = Bytes::from(pattern(1 << 20));
    for algorithm in [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
    ] {
        let key = format!("object-{}", algorithm.as_str());
        client
            .put_object()
            .bucket(&bucket)
            .key(&key)
            .checksum_algorithm(algorithm.clone())
            .body(data.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}: {}: {e}", server.name, algorithm.as_str()));
        let output = client
            .get_object()
            .bucket(&bucket)
            .key(&key)
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await
            .unwrap();
        assert_eq!(output.body.collect().await.unwrap(), data);
    }
}

/// User metadata beyond ASCII is sent as UTF-8 and read back losslessly.
async fn non_ascii_metadata_round_trips(server: TestServer) {
    let client = server.client();
    let bucket = bucket(&client, "metadata").await;
    let metadata = [("city".to_owned(), "Zürich, 東京".to_owned())];
    client
        .put_object()
        .bucket(&bucket)
        .key("meta")
        .metadata(
            metadata
                .iter()
                .cloned()
                .collect::<std::collections::BTreeMap<_, _>>(),
        )
        .body("x")
        .send()
        .await
        .unwrap();
    let output = get(&client, &bucket, "meta").await;
    let got = output.metadata.unwrap_or_default();
    assert_eq!(got.get("city").map(String::as_str), Some("Zürich, 東京"));
}

/// A 200 GetObject whose body is an `<Error>` document is returned as data after one request.
#[tokio::test]
async fn error_document_downloads_once() {
    let xml = "<Error><Code>InternalError</Code></Error>";
    let server = CaptureServer::start(Canned::new(200).body(xml)).await;
    let client = Client::new(&wire::config(&server).retry(RetryConfig::default()).build());
    let output = client
        .get_object()
        .bucket("bucket")
        .key("error.xml")
        .send()
        .await
        .unwrap();
    assert_eq!(output.body.collect().await.unwrap(), xml.as_bytes());
    assert_eq!(server.requests().len(), 1);
}

/// PutObject's `Content-Type` member replaces the payload's default: one header, the caller's.
#[tokio::test]
async fn put_object_sends_one_content_type() {
    let server = CaptureServer::start(Canned::new(200)).await;
    wire::client(&server)
        .put_object()
        .bucket("bucket")
        .key("page.html")
        .content_type("text/html")
        .body("<p>hi</p>")
        .send()
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests[0].header("content-type"), "text/html");
    assert_eq!(requests[0].header("content-length"), "9");
    assert_eq!(&requests[0].body[..], b"<p>hi</p>");
}

/// DeleteObjects carries the CRC32 of its body, which `requestChecksumRequired` asks for.
#[tokio::test]
async fn delete_objects_sends_a_crc32() {
    let server = CaptureServer::start(Canned::new(200).body("<DeleteResult/>")).await;
    let delete = Delete::builder()
        .objects(vec![ObjectIdentifier::builder().key("a").build().unwrap()])
        .build()
        .unwrap();
    wire::client(&server)
        .delete_objects()
        .bucket("bucket")
        .delete(delete)
        .send()
        .await
        .unwrap();
    let request = &server.requests()[0];
    let expected =
        s3_runtime::checksum::checksum(s3_runtime::checksum::Algorithm::Crc32, &request.body);
    assert_eq!(request.header("x-amz-checksum-crc32"), expected);
}

/// A body that does not match the checksum its response declares fails its last read.
#[tokio::test]
async fn corrupted_body_fails_validation() {
    let body = "the body as the server sends it";
    let declared = s3_runtime::checksum::checksum(
        s3_runtime::checksum::Algorithm::Crc32,
        b"the body as it was stored",
    );
    let server = CaptureServer::start(
        Canned::new(200)
            .header("x-amz-checksum-crc32", &declared)
            .body(body),
    )
    .await;
    let get = || {
        wire::client(&server)
            .get_object()
            .bucket("bucket")
            .key("key")
            .checksum_mode(ChecksumMode::Enabled)
    };
    let error = get()
        .send()
        .await
        .unwrap()
        .body
        .collect()
        .await
        .unwrap_err();
    let BodyError::ChecksumMismatch {
        algorithm,
        expected,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(
        (*algorithm, expected.as_str()),
        ("CRC32", declared.as_str())
    );
    assert!(error.to_string().contains("CRC32 checksum"), "{error}");

    // Without validation asked for, the body is returned as it came.
    let unchecked = wire::client(&server)
        .get_object()
        .bucket("bucket")
        .key("key")
        .send()
        .await
        .unwrap();
    assert_eq!(unchecked.body.collect().await.unwrap(), body.as_bytes());
}

/// A stream is sent once: a failure another attempt could fix is not retried, and the error
/// says why.
#[tokio::test]
async fn a_stream_is_not_retried() {
    let server =
        CaptureServer::start(Canned::new(503).body("<Error><Code>SlowDown</Code></Error>")).await;
    let client = Client::new(&wire::config(&server).retry(RetryConfig::default()).build());
    let stream = ByteStream::from_stream(
        Iter(vec![Ok::<_, std::io::Error>(Bytes::from_static(b"once"))].into_iter()),
        Some(4),
    );
    let error = client
        .put_object()
        .bucket("bucket")
        .key("key")
        .body(stream)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("SlowDown"));
    assert_eq!(server.requests().len(), 1);
}

/// A response body that stops arriving fails with the read timeout, not a hang.
#[tokio::test]
async fn a_stalled_download_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = [0; 4096];
        let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut request).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nten bytes.";
        tokio::io::AsyncWriteExt::write_all(&mut socket, head.as_bytes())
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(60)).await;
    });
    let timeouts = s3_runtime::http::TimeoutConfig {
        read: Some(Duration::from_millis(300)),
        ..Default::default()
    };
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .force_path_style(true)
        .credentials(Credentials::new("AKID", "secret", None, None))
        .timeouts(timeouts)
        .build();
    let mut body = Client::new(&config)
        .get_object()
        .bucket("bucket")
        .key("key")
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(body.next().await.unwrap().unwrap(), &b"ten bytes."[..]);
    let error = body.next().await.unwrap().unwrap_err();
    assert!(matches!(error, BodyError::Timeout(_)), "{error:?}");
}

/// Errors keep their meaning: a missing key is the modeled `NoSuchKey`.
#[tokio::test]
async fn missing_key_is_no_such_key() {
    let server = s3_tests::moto();
    let client = server.client();
    let bucket = bucket(&client, "missing").await;
    let error = client
        .get_object()
        .bucket(&bucket)
        .key("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("NoSuchKey"), "{error}");
    assert!(matches!(error, Error::Service(_)));
}

/// Presigned GetObject and PutObject URLs work from a plain HTTP client without credentials;
/// a tampered or expired one is refused. Against s3s-fs: moto, with its signature checks on,
/// reads the signature from the `Authorization` header only, and fails a presigned request
/// with a 500 (asserted below).
#[tokio::test]
async fn presigned_requests() {
    let server = s3_tests::s3s();
    let client = server.client();
    let bucket = bucket(&client, "presigned").await;
    let http = s3_runtime::http::HttpClient::new(&Default::default()).unwrap();
    let send = |presigned: &s3_runtime::client::PresignedRequest, body: &'static [u8]| {
        let mut request = http::Request::new(Bytes::from_static(body));
        *request.method_mut() = presigned.method.clone();
        *request.uri_mut() = presigned.uri.clone();
        *request.headers_mut() = presigned.headers.clone();
        http.send(request, None)
    };
    let hour = Duration::from_secs(3600);

    let put = client
        .put_object()
        .bucket(&bucket)
        .key("shared file.txt")
        .presigned(hour)
        .await
        .unwrap();
    assert_eq!(put.method, http::Method::PUT);
    assert!(put.uri.query().unwrap().contains("X-Amz-Signature="));
    let response = send(&put, b"uploaded by URL").await.unwrap();
    assert_eq!(
        response.status(),
        200,
        "{}: {:?}",
        server.name,
        response.body()
    );
    let got = get(&client, &bucket, "shared file.txt")
        .await
        .body
        .collect()
        .await;
    assert_eq!(got.unwrap(), &b"uploaded by URL"[..]);

    let get_url = client
        .get_object()
        .bucket(&bucket)
        .key("shared file.txt")
        .presigned(hour)
        .await
        .unwrap();
    let response = send(&get_url, b"").await.unwrap();
    assert_eq!(
        response.status(),
        200,
        "{}: {:?}",
        server.name,
        response.body()
    );
    assert_eq!(response.body(), &b"uploaded by URL"[..]);

    // Another key under the same signature.
    let mut tampered = get_url.clone();
    tampered.uri = tampered
        .uri
        .to_string()
        .replace("shared%20file", "shared%20filf")
        .parse()
        .unwrap();
    let response = send(&tampered, b"").await.unwrap();
    assert_eq!(
        response.status(),
        403,
        "{}: tampered URL accepted",
        server.name
    );

    // Signed two hours ago for one hour.
    let past = Config::builder()
        .region(&server.region)
        .endpoint_url(server.endpoint.clone())
        .force_path_style(true)
        .credentials(Credentials::new(
            server.access_key_id.clone(),
            server.secret_access_key.clone(),
            None,
            None,
        ))
        .clock(std::sync::Arc::new(TwoHoursAgo))
        .build();
    let expired = Client::new(&past)
        .get_object()
        .bucket(&bucket)
        .key("shared file.txt")
        .presigned(hour)
        .await
        .unwrap();
    let response = send(&expired, b"").await.unwrap();
    assert_eq!(
        response.status(),
        403,
        "{}: expired URL accepted",
        server.name
    );

    let error = client
        .get_object()
        .bucket(&bucket)
        .key("k")
        .presigned(Duration::from_secs(8 * 24 * 3600))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Build(_)), "{error}");
}

/// moto's signature check does not read presigned URLs: it answers 500, not 403 or 200.
#[tokio::test]
async fn moto_does_not_check_presigned_urls() {
    let server = s3_tests::moto();
    let client = server.client();
    let bucket = bucket(&client, "presigned").await;
    let presigned = client
        .get_object()
        .bucket(&bucket)
        .key("k")
        .presigned(Duration::from_secs(60))
        .await
        .unwrap();
    let mut request = http::Request::new(Bytes::new());
    *request.uri_mut() = presigned.uri;
    let http = s3_runtime::http::HttpClient::new(&Default::default()).unwrap();
    let response = http.send(request, None).await.unwrap();
    assert_eq!(response.status(), 500);
}

/// A clock two hours behind.
#[derive(Debug)]
struct TwoHoursAgo;

impl s3_runtime::time::Clock for TwoHoursAgo {
    fn now(&self) -> std::time::SystemTime {
        std::time::SystemTime::now() - Duration::from_secs(7200)
    }
}

on_both_servers!(streams_with_trailing_checksums);

/// A stream with a checksum, and one of unknown length, go `aws-chunked` with the checksum in
/// a trailer; both servers store the decoded bytes of the first, moto of the second too.
async fn streams_with_trailing_checksums(server: TestServer) {
    let client = server.client();
    let bucket = bucket(&client, "chunked").await;
    let data = pattern(200_000);
    let stream = |len| {
        let pieces: Vec<Result<Bytes, std::io::Error>> = data
            .chunks(30_000)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        ByteStream::from_stream(Iter(pieces.into_iter()), len)
    };
    let sent = client
        .put_object()
        .bucket(&bucket)
        .key("with-checksum")
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .body(stream(Some(data.len() as u64)))
        .send()
        .await;
    match sent {
        Ok(_) => {
            let got = get(&client, &bucket, "with-checksum")
                .await
                .body
                .collect()
                .await;
            assert!(
                got.unwrap() == data,
                "{}: chunked object differs",
                server.name
            );
        }
        Err(e) => panic!("{}: aws-chunked with a known length: {e}", server.name),
    }
    let sent = client
        .put_object()
        .bucket(&bucket)
        .key("unknown-length")
        .body(stream(None))
        .send()
        .await;
    // moto takes a body of unknown length; s3s-fs, like S3, needs the decoded length.
    match (server.name, sent) {
        ("moto", Ok(_)) => {
            let got = get(&client, &bucket, "unknown-length")
                .await
                .body
                .collect()
                .await;
            assert!(
                got.unwrap() == data,
                "{}: chunked object differs",
                server.name
            );
        }
        ("s3s", Err(e)) => assert_eq!(
            (e.status(), e.code()),
            (Some(411), Some("MissingContentLength")),
            "{e}"
        ),
        (name, sent) => panic!("{name}: aws-chunked of unknown length: {sent:?}"),
    }
}

/// On the wire: `aws-chunked` framing in 64 KiB chunks, the decoded length, and a trailer
/// with the body's checksum.
#[tokio::test]
async fn aws_chunked_on_the_wire() {
    let server = CaptureServer::start(Canned::new(200)).await;
    let data = pattern(100_000);
    let pieces = vec![Ok::<_, std::io::Error>(Bytes::from(data.clone()))];
    wire::client(&server)
        .put_object()
        .bucket("bucket")
        .key("key")
        .checksum_algorithm(ChecksumAlgorithm::Crc32c)
        .body(ByteStream::from_stream(
            Iter(pieces.into_iter()),
            Some(100_000),
        ))
        .send()
        .await
        .unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.header("content-encoding"), "aws-chunked");
    assert_eq!(request.header("x-amz-trailer"), "x-amz-checksum-crc32c");
    assert_eq!(request.header("x-amz-decoded-content-length"), "100000");
    assert_eq!(
        request.header("x-amz-content-sha256"),
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    );
    assert_eq!(
        request.header("content-length"),
        request.body.len().to_string()
    );
    let crc = s3_runtime::checksum::checksum(s3_runtime::checksum::Algorithm::Crc32c, &data);
    let mut expected = b"10000\r\n".to_vec();
    expected.extend_from_slice(&data[..65536]);
    expected.extend_from_slice(format!("\r\n{:x}\r\n", 100_000 - 65536).as_bytes());
    expected.extend_from_slice(&data[65536..]);
    expected.extend_from_slice(format!("\r\n0\r\nx-amz-checksum-crc32c:{crc}\r\n\r\n").as_bytes());
    assert!(request.body == expected, "the encoded body differs");
}

/// The read timeout bounds a pause, not an upload: a body that keeps moving may take longer,
/// one the server stops reading fails.
#[tokio::test]
async fn read_timeout_counts_from_upload_progress() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        // First connection: read at most 1 MiB every 10 ms (the socket buffers hold a few MiB
        // more), then answer.
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = vec![0; 1 << 20];
        let mut total = 0;
        while total < 64 << 20 {
            tokio::time::sleep(Duration::from_millis(10)).await;
            let n = socket.read(&mut buf).await.unwrap();
            assert!(n > 0, "the client closed the connection");
            total += n;
        }
        socket
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            .await
            .unwrap();
        // Second connection: stop reading.
        let (_stalled, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(60)).await;
    });
    let timeouts = s3_runtime::http::TimeoutConfig {
        read: Some(Duration::from_millis(300)),
        ..Default::default()
    };
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .force_path_style(true)
        .credentials(Credentials::new("AKID", "secret", None, None))
        .timeouts(timeouts)
        .retry(RetryConfig::disabled())
        .build();
    let client = Client::new(&config);
    let put = |len| {
        client
            .put_object()
            .bucket("bucket")
            .key("key")
            .body(Bytes::from(vec![0u8; len]))
            .send()
    };
    let started = std::time::Instant::now();
    put(64 << 20).await.unwrap();
    assert!(
        started.elapsed() > Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
    let error = put(64 << 20).await.unwrap_err();
    assert!(matches!(error, Error::Timeout(_)), "{error}");
}
