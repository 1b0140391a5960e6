//! The HTTP client against real sockets on 127.0.0.1.

mod support;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request};
use s3_runtime::error::{Error, TimeoutKind};
use s3_runtime::http::{HttpClient, HttpConfig, HttpError, StalledBody, TimeoutConfig};
use support::{respond, Reply, Server};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// A client for plain-HTTP tests, independent of the machine's root certificates.
fn client(config: &HttpConfig) -> HttpClient {
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth();
    HttpClient::with_tls(config, tls).unwrap()
}

fn get(uri: &str) -> Request<Bytes> {
    Request::get(uri).body(Bytes::new()).unwrap()
}

#[tokio::test]
async fn sends_the_request_and_collects_the_whole_response() {
    let body = "x".repeat(300_000);
    let reply = body.clone();
    let server =
        Server::start(move |_, _| respond(201, &[("x-amz-request-id", "R1")], &reply)).await;
    let request = Request::builder()
        .method(Method::PUT)
        .uri(server.uri("/bucket/key?x-id=PutObject"))
        .header("x-amz-meta-a", "b")
        .body(Bytes::from_static(b"hello"))
        .unwrap();
    let response = client(&HttpConfig::default())
        .send(request, None)
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["x-amz-request-id"], "R1");
    assert_eq!(response.body(), body.as_bytes());
    let sent = &server.requests()[0];
    assert!(
        sent.starts_with("PUT /bucket/key?x-id=PutObject HTTP/1.1\r\n"),
        "{sent}"
    );
    assert!(sent.contains("x-amz-meta-a: b\r\n"), "{sent}");
    assert!(sent.contains("content-length: 5\r\n"), "{sent}");
    assert!(sent.ends_with("\r\n\r\nhello"), "{sent}");
}

#[tokio::test]
async fn error_statuses_are_responses() {
    let server = Server::start(|_, _| respond(404, &[], "<Error/>")).await;
    let response = client(&HttpConfig::default())
        .send(get(&server.uri("/")), None)
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.body(), "<Error/>");
}

#[tokio::test]
async fn reuses_pooled_connections() {
    let server = Server::start(|_, _| respond(200, &[], "ok")).await;
    let client = client(&HttpConfig::default());
    for _ in 0..3 {
        client
            .clone()
            .send(get(&server.uri("/")), None)
            .await
            .unwrap();
        // hyper may hand the connection back to the pool from a background task.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.requests().len(), 3);
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn drops_connections_idle_longer_than_the_pool_idle_timeout() {
    let server = Server::start(|_, _| respond(200, &[], "ok")).await;
    let client = client(&HttpConfig {
        pool_idle_timeout: Duration::from_millis(100),
        ..HttpConfig::default()
    });
    client.send(get(&server.uri("/")), None).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        server.closed(),
        1,
        "the pool closed the idle connection by itself"
    );
    client.send(get(&server.uri("/")), None).await.unwrap();
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn keeps_no_idle_connection_when_max_idle_per_host_is_zero() {
    let server = Server::start(|_, _| respond(200, &[], "ok")).await;
    let client = client(&HttpConfig {
        max_idle_per_host: 0,
        ..HttpConfig::default()
    });
    client.send(get(&server.uri("/")), None).await.unwrap();
    client.send(get(&server.uri("/")), None).await.unwrap();
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let error = client(&HttpConfig::default())
        .send(get(&format!("http://{addr}/")), None)
        .await
        .unwrap_err();
    assert!(matches!(error, HttpError::Connect(_)), "{error:?}");
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("transport error: cannot connect to {addr}: ")),
        "{message}"
    );
    assert!(matches!(Error::<()>::from(error), Error::Transport(_)));
}

#[tokio::test]
async fn the_connect_timeout_fires_when_the_server_does_not_accept() {
    // A full accept queue makes the kernel drop further SYNs, so the next connect hangs.
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    loop {
        let connect = tokio::time::timeout(Duration::from_millis(200), TcpStream::connect(addr));
        match connect.await {
            Ok(stream) => queued.push(stream.unwrap()),
            Err(_) => break,
        }
        assert!(queued.len() < 64, "the accept queue never filled");
    }
    let connect = Duration::from_millis(150);
    let error = client(&HttpConfig {
        timeouts: TimeoutConfig {
            connect,
            ..TimeoutConfig::default()
        },
        ..HttpConfig::default()
    })
    .send(
        get(&format!("http://{addr}/")),
        Some(Duration::from_secs(30)),
    )
    .await
    .unwrap_err();
    match &error {
        HttpError::Timeout(t) => {
            assert_eq!((t.kind(), t.after()), (TimeoutKind::Connect, connect));
        }
        _ => panic!("{error:?}"),
    }
    assert!(matches!(Error::<()>::from(error), Error::Timeout(_)));
}

#[tokio::test]
async fn the_attempt_timeout_fires_when_the_server_never_answers() {
    let server = Server::start(|_, _| Reply::Hang).await;
    let limit = Duration::from_millis(100);
    let error = client(&HttpConfig::default())
        .send(get(&server.uri("/")), Some(limit))
        .await
        .unwrap_err();
    match &error {
        HttpError::Timeout(t) => assert_eq!((t.kind(), t.after()), (TimeoutKind::Attempt, limit)),
        _ => panic!("{error:?}"),
    }
    assert_eq!(error.to_string(), "attempt timeout after 100ms");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn the_attempt_timeout_covers_a_stalled_body() {
    let server =
        Server::start(|_, _| Reply::Raw("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc".into()))
            .await;
    // The server then waits for a next request that never comes, leaving the body unfinished.
    let error = client(&HttpConfig::default())
        .send(get(&server.uri("/")), Some(Duration::from_millis(100)))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, HttpError::Timeout(t) if t.kind() == TimeoutKind::Attempt),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_connection_closed_before_the_response_is_an_io_error() {
    let server = Server::start(|_, _| Reply::Close).await;
    let error = client(&HttpConfig::default())
        .send(get(&server.uri("/")), None)
        .await
        .unwrap_err();
    assert!(matches!(error, HttpError::Io(_)), "{error:?}");
    let message = error.to_string();
    assert!(
        message.starts_with(&format!(
            "transport error: connection to {} broke: ",
            server.addr()
        )),
        "{message}"
    );
}

#[tokio::test]
async fn a_truncated_body_is_an_io_error() {
    let server = Server::start(|_, _| {
        Reply::RawThenClose("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc".into())
    })
    .await;
    let error = client(&HttpConfig::default())
        .send(get(&server.uri("/")), None)
        .await
        .unwrap_err();
    assert!(matches!(error, HttpError::Io(_)), "{error:?}");
}

#[tokio::test]
async fn a_malformed_response_is_not_retryable() {
    let server = Server::start(|_, _| Reply::Raw("NOT HTTP\r\n\r\n".into())).await;
    let error = client(&HttpConfig::default())
        .send(get(&server.uri("/")), None)
        .await
        .unwrap_err();
    assert!(matches!(error, HttpError::Other(_)), "{error:?}");
}

#[tokio::test]
async fn a_tls_failure_is_not_retryable() {
    // A plain-HTTP server answers the TLS handshake with an HTTP response.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let (mut stream, _) = listener.accept().await.unwrap();
        let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    });
    let error = client(&HttpConfig::default())
        .send(get(&format!("https://{addr}/")), None)
        .await
        .unwrap_err();
    assert!(matches!(error, HttpError::Other(_)), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("transport error: TLS with {addr} failed: ")),
        "{error}"
    );
}

#[tokio::test]
async fn rejects_uris_it_cannot_send_to_before_connecting() {
    let client = client(&HttpConfig::default());
    for uri in ["/relative", "ftp://127.0.0.1/"] {
        let error = client.send(get(uri), None).await.unwrap_err();
        assert!(matches!(error, HttpError::Other(_)), "{error:?}");
        assert_eq!(
            error.to_string(),
            "transport error: request URI is not an absolute http or https URI"
        );
    }
}

#[tokio::test]
async fn new_trusts_the_system_roots_and_still_speaks_plain_http() {
    let server = Server::start(|_, _| respond(200, &[], "ok")).await;
    let client = HttpClient::new(&HttpConfig::default()).unwrap();
    assert_eq!(client.timeouts(), &TimeoutConfig::default());
    let response = client.send(get(&server.uri("/")), None).await.unwrap();
    assert_eq!(response.body(), "ok");
}

#[test]
fn defaults_follow_the_aws_sdks_and_s3() {
    let config = HttpConfig::default();
    assert_eq!(config.timeouts.connect, Duration::from_millis(3100));
    assert_eq!(
        (config.timeouts.attempt, config.timeouts.operation),
        (None, None)
    );
    // What ends a call by default: no response for 30 s, or a body below 1 B/s after 5 s.
    assert_eq!(config.timeouts.read, Some(Duration::from_secs(30)));
    assert_eq!(
        config.timeouts.stalled_body,
        Some(StalledBody {
            min_bytes_per_sec: 1,
            grace: Duration::from_secs(5)
        })
    );
    assert_eq!(config.max_response_body, 64 << 20);
    assert!(config.pool_idle_timeout < Duration::from_secs(20));
}

fn with_timeouts(timeouts: TimeoutConfig) -> HttpClient {
    client(&HttpConfig {
        timeouts,
        ..HttpConfig::default()
    })
}

#[tokio::test]
async fn the_read_timeout_fires_when_the_server_never_answers() {
    let server = Server::start(|_, _| Reply::Hang).await;
    let read = Duration::from_millis(100);
    let error = with_timeouts(TimeoutConfig {
        read: Some(read),
        ..TimeoutConfig::default()
    })
    .send(get(&server.uri("/")), None)
    .await
    .unwrap_err();
    match &error {
        HttpError::Timeout(t) => assert_eq!((t.kind(), t.after()), (TimeoutKind::Read, read)),
        _ => panic!("{error:?}"),
    }
    assert_eq!(error.to_string(), "read timeout: no response for 100ms");
}

#[tokio::test]
async fn the_read_timeout_fires_between_pieces_of_the_body() {
    let server = Server::start(|_, _| Reply::Trickle {
        head: "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\n".into(),
        body: "abc".into(),
        every: Duration::from_millis(400),
    })
    .await;
    let error = with_timeouts(TimeoutConfig {
        read: Some(Duration::from_millis(150)),
        ..TimeoutConfig::default()
    })
    .send(get(&server.uri("/")), None)
    .await
    .unwrap_err();
    assert!(
        matches!(&error, HttpError::Timeout(t) if t.kind() == TimeoutKind::Read),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_body_slower_than_the_minimum_rate_fails_after_the_grace_period() {
    let server = Server::start(|_, _| Reply::Trickle {
        head: "HTTP/1.1 200 OK\r\ncontent-length: 40\r\n\r\n".into(),
        body: "x".repeat(40),
        every: Duration::from_millis(50),
    })
    .await;
    // 20 bytes a second, below the 100 asked for; each byte is well within the read timeout.
    let error = with_timeouts(TimeoutConfig {
        stalled_body: Some(StalledBody {
            min_bytes_per_sec: 100,
            grace: Duration::from_millis(300),
        }),
        ..TimeoutConfig::default()
    })
    .send(get(&server.uri("/")), None)
    .await
    .unwrap_err();
    assert!(
        matches!(&error, HttpError::Timeout(t) if t.kind() == TimeoutKind::StalledBody),
        "{error:?}"
    );
    assert!(error.to_string().contains("stalled"), "{error}");
}

#[tokio::test]
async fn a_body_above_the_cap_is_refused_and_its_connection_closed() {
    // A 1 GiB body is announced and never sent: the client must neither wait for it nor
    // drain it to reuse the connection.
    let server = Server::start(|_, _| {
        Reply::Raw("HTTP/1.1 200 OK\r\ncontent-length: 1073741824\r\n\r\nxx".into())
    })
    .await;
    let capped = client(&HttpConfig {
        max_response_body: 1024,
        ..HttpConfig::default()
    });
    let error = capped.send(get(&server.uri("/")), None).await.unwrap_err();
    assert!(
        matches!(
            error,
            HttpError::BodyTooLarge {
                status: 200,
                limit: 1024
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("1024-byte limit"), "{error}");
    let _ = capped.send(get(&server.uri("/")), None).await;
    assert_eq!(
        server.connections(),
        2,
        "the first connection was not reused"
    );

    // Without a Content-Length, the cap is counted as the body arrives.
    let body = "x".repeat(2048);
    let unannounced =
        Server::start(move |_, _| Reply::RawThenClose(format!("HTTP/1.1 200 OK\r\n\r\n{body}")))
            .await;
    let error = capped
        .send(get(&unannounced.uri("/")), None)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("1024-byte limit"), "{error}");
    let fits = client(&HttpConfig::default())
        .send(get(&unannounced.uri("/")), None)
        .await
        .unwrap();
    assert_eq!(fits.body().len(), 2048);
}

#[tokio::test]
async fn a_head_response_declaring_a_length_above_the_cap_is_not_refused() {
    // HeadObject of a large object: the length is the object's, and no body follows.
    let server = Server::start(|_, _| {
        Reply::Raw("HTTP/1.1 200 OK\r\ncontent-length: 104857600\r\n\r\n".into())
    })
    .await;
    let capped = client(&HttpConfig {
        max_response_body: 1024,
        ..HttpConfig::default()
    });
    let mut head = get(&server.uri("/"));
    *head.method_mut() = Method::HEAD;
    let response = capped.send(head, None).await.unwrap();
    assert_eq!(response.headers()["content-length"], "104857600");
    assert!(response.body().is_empty());
}
