//! The default HTTP client on networks that need more than a direct connection: a private CA
//! (`AWS_CA_BUNDLE`) and proxies (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`), against a TLS
//! server and a proxy written here, all on 127.0.0.1.

mod support;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::Request;
use s3_runtime::http::{HttpClient, HttpConfig, HttpError, ProxyConfig};
use s3_runtime::profile::Env;
use support::{respond, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn get(uri: &str) -> Request<Bytes> {
    Request::get(uri).body(Bytes::new()).unwrap()
}

/// An HTTPS server answering `ok` with the certificate of `tests/data/server.pem`, which only
/// `tests/data/ca.pem` vouches for.
async fn tls_server() -> SocketAddr {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(data("server.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(data("server.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake.
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let _ = read_head(&mut tls).await;
                let reply = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok";
                let _ = tls.write_all(reply.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    addr
}

/// A request head, and whatever followed it in the same reads.
async fn read_head(stream: &mut (impl AsyncReadExt + Unpin)) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut piece = [0; 4096];
    loop {
        let n = stream.read(&mut piece).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&piece[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Some((String::from_utf8_lossy(&buf).into_owned(), rest));
        }
    }
}

/// A forwarding proxy: `CONNECT` tunnels, and absolute-form plain-HTTP requests passed on as
/// they came. It records the head of each connection's first request, and only ever connects
/// to 127.0.0.1.
struct Proxy {
    addr: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = heads.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let seen = seen.clone();
                tokio::spawn(async move {
                    let Some((head, rest)) = read_head(&mut client).await else {
                        return;
                    };
                    seen.lock().unwrap().push(head.clone());
                    let target = head.split(' ').nth(1).unwrap_or_default();
                    let authority = target
                        .strip_prefix("http://")
                        .map_or(target, |t| t.split('/').next().unwrap_or_default());
                    let port = authority.rsplit(':').next().unwrap_or_default();
                    let host = authority.rsplit_once(':').map_or("", |(h, _)| h);
                    assert!(host == "127.0.0.1" || host == "localhost", "{head}");
                    let mut server = TcpStream::connect(format!("127.0.0.1:{port}"))
                        .await
                        .unwrap();
                    if head.starts_with("CONNECT ") {
                        client
                            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                            .await
                            .unwrap();
                    } else {
                        server.write_all(head.as_bytes()).await.unwrap();
                    }
                    server.write_all(&rest).await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                });
            }
        });
        Self { addr, heads }
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

#[tokio::test]
async fn a_ca_bundle_adds_a_root_to_the_system_ones() {
    let addr = tls_server().await;
    let uri = format!("https://{addr}/");
    // Without the bundle the certificate is refused (or, on a machine without system roots,
    // there is no client to refuse it).
    if let Ok(client) = HttpClient::new(&HttpConfig::default()) {
        let error = client.send(get(&uri), None).await.unwrap_err();
        assert!(matches!(error, HttpError::Other(_)), "{error:?}");
        let message = error.to_string();
        assert!(
            message.contains(&format!("TLS with {addr} failed")),
            "{message}"
        );
        assert!(message.contains("UnknownIssuer"), "{message}");
    }
    let env = Env::from_vars([("AWS_CA_BUNDLE", data("ca.pem").to_str().unwrap())]);
    let client = HttpClient::new(&HttpConfig::from_env(&env)).unwrap();
    for uri in [uri, format!("https://localhost:{}/", addr.port())] {
        let response = client.send(get(&uri), None).await.unwrap();
        assert_eq!(
            (response.status().as_u16(), &response.body()[..]),
            (200, &b"ok"[..])
        );
    }
}

#[test]
fn an_unusable_ca_bundle_fails_the_client() {
    let cases = [
        (data("missing.pem"), "No such file"),
        // A key, not a certificate; and text that is no PEM at all.
        (data("server.key"), "it holds no PEM certificate"),
        (data("README.md"), "it holds no PEM certificate"),
    ];
    for (path, why) in cases {
        let config = HttpConfig {
            ca_bundle: Some(path.clone()),
            ..HttpConfig::default()
        };
        let error = HttpClient::new(&config).unwrap_err().to_string();
        let expected = format!(
            "transport error: cannot read CA bundle {}: ",
            path.display()
        );
        assert!(error.starts_with(&expected), "{error}");
        assert!(error.contains(why), "{error}");
    }
}

#[tokio::test]
async fn plain_http_goes_to_the_proxy_in_absolute_form_with_its_credentials() {
    let server = Server::start(|_, _| respond(200, &[], "direct")).await;
    let proxy = Proxy::start().await;
    let client = HttpClient::new(&HttpConfig {
        proxy: ProxyConfig {
            // Percent-encoded, as in a URL: the password is `p ss`.
            http: Some(format!("http://user:p%20ss@{}", proxy.addr)),
            ..ProxyConfig::default()
        },
        ..HttpConfig::default()
    })
    .unwrap();
    let uri = server.uri("/bucket/key?x-id=GetObject");
    let response = client.send(get(&uri), None).await.unwrap();
    assert_eq!(response.body(), "direct");
    let heads = proxy.heads();
    assert_eq!(heads.len(), 1);
    assert!(
        heads[0].starts_with(&format!("GET {uri} HTTP/1.1\r\n")),
        "{}",
        heads[0]
    );
    // base64("user:p ss")
    assert!(
        heads[0].contains("proxy-authorization: Basic dXNlcjpwIHNz\r\n"),
        "{}",
        heads[0]
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn https_goes_through_a_connect_tunnel_with_tls_to_the_server() {
    let addr = tls_server().await;
    let proxy = Proxy::start().await;
    let client = HttpClient::new(&HttpConfig {
        ca_bundle: Some(data("ca.pem")),
        proxy: ProxyConfig {
            https: Some(format!("http://user:secret@{}", proxy.addr)),
            ..ProxyConfig::default()
        },
        ..HttpConfig::default()
    })
    .unwrap();
    let uri = format!("https://localhost:{}/bucket", addr.port());
    let response = client.send(get(&uri), None).await.unwrap();
    assert_eq!(response.body(), "ok");
    let heads = proxy.heads();
    assert_eq!(heads.len(), 1);
    let connect = format!("CONNECT localhost:{} HTTP/1.1\r\n", addr.port());
    assert!(heads[0].starts_with(&connect), "{}", heads[0]);
    // base64("user:secret"), in the CONNECT only: the request itself is inside the tunnel.
    assert!(
        heads[0].contains("Proxy-Authorization: Basic dXNlcjpzZWNyZXQ="),
        "{}",
        heads[0]
    );
}

#[tokio::test]
async fn no_proxy_hosts_are_reached_directly() {
    let (bypassed, proxied) = (
        Server::start(|_, _| respond(200, &[], "a")).await,
        Server::start(|_, _| respond(200, &[], "b")).await,
    );
    let proxy = Proxy::start().await;
    let env = Env::from_vars([
        ("http_proxy", proxy.addr.to_string()),
        (
            "NO_PROXY",
            format!("example.com, 127.0.0.1:{}", bypassed.addr().port()),
        ),
    ]);
    let client = HttpClient::new(&HttpConfig::from_env(&env)).unwrap();
    let a = client.send(get(&bypassed.uri("/")), None).await.unwrap();
    assert_eq!(a.body(), "a");
    assert!(proxy.heads().is_empty(), "{:?}", proxy.heads());
    let b = client.send(get(&proxied.uri("/")), None).await.unwrap();
    assert_eq!(b.body(), "b");
    assert_eq!(proxy.heads().len(), 1);
}

#[tokio::test]
async fn an_unreachable_proxy_is_a_connect_error_naming_it() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = listener.local_addr().unwrap();
    drop(listener);
    let client = HttpClient::new(&HttpConfig {
        proxy: ProxyConfig {
            http: Some(format!("http://{proxy}")),
            https: Some(format!("http://{proxy}")),
            no_proxy: None,
        },
        ..HttpConfig::default()
    })
    .unwrap();
    for uri in ["http://127.0.0.1:9/", "https://127.0.0.1:9/"] {
        let error = client.send(get(uri), None).await.unwrap_err();
        assert!(matches!(error, HttpError::Connect(_)), "{error:?}");
        let message = error.to_string();
        assert!(
            message.contains(&format!("through proxy {proxy}")),
            "{message}"
        );
    }
}
