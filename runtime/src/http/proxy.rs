//! HTTP proxies: which requests go through one, and the connector that reaches them.
//!
//! The rules are curl's, as hyper-util's matcher implements them (`HTTPS_PROXY`, `HTTP_PROXY`,
//! `NO_PROXY`), plus ports in `NO_PROXY` entries. A plain-HTTP request goes to its proxy as an
//! absolute-form request on a connection to the proxy; an HTTPS one through a `CONNECT`
//! tunnel, with TLS to the destination inside it, so the proxy never sees its content.

use std::collections::BTreeMap;
use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::uri::Scheme;
use http::{HeaderValue, Uri};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use crate::error::BoxError;
use crate::profile::Env;

/// Which requests go through a proxy, and which one.
///
/// A proxy is `http://[user:password@]host:port` (or `host:port`); user and password are
/// percent-decoded and sent as `Proxy-Authorization: Basic`. Only HTTP proxies are supported
/// (HTTPS requests go through them in a `CONNECT` tunnel). `Debug` leaves out user and password.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxyConfig {
    /// The proxy of `http://` requests.
    pub http: Option<String>,
    /// The proxy of `https://` requests.
    pub https: Option<String>,
    /// The hosts reached directly, as curl reads `NO_PROXY`: comma-separated entries, each a
    /// host name that also covers its subdomains (`example.com` and `.example.com` alike), an IP
    /// address or network (`10.0.0.0/8`, `::1`), or `*` for all; an entry with a port
    /// (`localhost:9000`, `[::1]:9000`) covers that port only.
    pub no_proxy: Option<String>,
}

impl ProxyConfig {
    /// The proxies of the environment: `HTTPS_PROXY` (else `https_proxy`), `HTTP_PROXY` (else
    /// `http_proxy`) and `NO_PROXY` (else `no_proxy`).
    pub fn from_env(env: &Env) -> Self {
        let var = |upper: &str, lower: &str| env.get(upper).or_else(|| env.get(lower));
        Self {
            http: var("HTTP_PROXY", "http_proxy"),
            https: var("HTTPS_PROXY", "https_proxy"),
            no_proxy: var("NO_PROXY", "no_proxy"),
        }
    }
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyConfig")
            .field("http", &self.http.as_deref().map(Redacted))
            .field("https", &self.https.as_deref().map(Redacted))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// A proxy URL without its user and password.
struct Redacted<'a>(&'a str);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.rsplit_once('@') {
            Some((userinfo, host)) => {
                let scheme = userinfo.split_once("://").map_or("", |(scheme, _)| scheme);
                let sep = if scheme.is_empty() { "" } else { "://" };
                write!(f, "\"{scheme}{sep}***@{host}\"")
            }
            None => write!(f, "{:?}", self.0),
        }
    }
}

/// A [`ProxyConfig`] ready to match destinations.
pub(super) struct Proxies {
    /// The rules for destinations on a port no `NO_PROXY` entry names.
    any_port: Matcher,
    /// The rules for destinations on each port some `NO_PROXY` entry names: the entries
    /// without a port plus that port's.
    by_port: BTreeMap<u16, Matcher>,
}

impl Proxies {
    /// The rules of `config`, or `None` when it names no proxy.
    ///
    /// Fails on a proxy URL that is not an HTTP proxy's, rather than sending directly what was
    /// meant for the proxy.
    pub(super) fn new(config: &ProxyConfig) -> Result<Option<Self>, String> {
        let http = config
            .http
            .as_deref()
            .map(|u| check("http", u))
            .transpose()?;
        let https = config
            .https
            .as_deref()
            .map(|u| check("https", u))
            .transpose()?;
        if http.is_none() && https.is_none() {
            return Ok(None);
        }
        let mut any_port = Vec::new();
        let mut by_port: BTreeMap<u16, Vec<&str>> = BTreeMap::new();
        for entry in config.no_proxy.as_deref().unwrap_or_default().split(',') {
            match split_port(entry.trim()) {
                (host, Some(port)) => by_port.entry(port).or_default().push(host),
                (host, None) => any_port.push(host),
            }
        }
        let matcher = |no: &[&str]| {
            Matcher::builder()
                .http(http.unwrap_or_default().to_owned())
                .https(https.unwrap_or_default().to_owned())
                .no(no.join(","))
                .build()
        };
        let by_port = by_port
            .into_iter()
            .map(|(port, mut hosts)| {
                hosts.extend_from_slice(&any_port);
                (port, matcher(&hosts))
            })
            .collect();
        Ok(Some(Self {
            any_port: matcher(&any_port),
            by_port,
        }))
    }

    /// The proxy of a request to `dst`, if it goes through one.
    pub(super) fn intercept(&self, dst: &Uri) -> Option<Intercept> {
        let https = dst.scheme() == Some(&Scheme::HTTPS);
        let port = dst.port_u16().unwrap_or(if https { 443 } else { 80 });
        self.by_port
            .get(&port)
            .unwrap_or(&self.any_port)
            .intercept(dst)
    }

    /// The `Proxy-Authorization` of a plain-HTTP request to `dst`, which its proxy reads from
    /// the request itself (an HTTPS request's goes in the `CONNECT`).
    pub(super) fn http_authorization(&self, dst: &Uri) -> Option<HeaderValue> {
        if dst.scheme() != Some(&Scheme::HTTP) {
            return None;
        }
        self.intercept(dst)?.basic_auth().cloned()
    }
}

/// `url`, if it is an HTTP proxy's; the error names the variable's role, not the URL, which may
/// hold a password.
fn check<'a>(role: &str, url: &'a str) -> Result<&'a str, String> {
    let invalid = |why: &str| format!("the {role} proxy URL is not usable: {why}");
    let uri: Uri = url.parse().map_err(|_| invalid("it is not a URL"))?;
    match uri.scheme() {
        None => {}
        Some(scheme) if *scheme == Scheme::HTTP => {}
        Some(_) => return Err(invalid("only http:// proxies are supported")),
    }
    match uri.host() {
        Some(host) if !host.is_empty() => Ok(url),
        _ => Err(invalid("it names no host")),
    }
}

/// A `NO_PROXY` entry's host and port: `host:port`, `[v6]:port`; an IPv6 address without
/// brackets has no port.
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        if let Some((host, after)) = rest.split_once(']') {
            return (host, after.strip_prefix(':').and_then(|p| p.parse().ok()));
        }
    }
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(port) => (host, Some(port)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

/// The TCP connector under TLS: straight to the destination, or to its proxy (through a
/// `CONNECT` tunnel for HTTPS).
#[derive(Clone)]
pub(super) struct Connector {
    pub(super) tcp: HttpConnector,
    pub(super) proxies: Option<Arc<Proxies>>,
}

impl Service<Uri> for Connector {
    type Response = Conn;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Conn, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.tcp.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let Some(proxy) = self.proxies.as_ref().and_then(|p| p.intercept(&dst)) else {
            let connecting = self.tcp.call(dst);
            return Box::pin(async move {
                let io = connecting.await?;
                Ok(Conn { io, proxied: false })
            });
        };
        let via = ViaProxy::new(proxy.uri());
        if dst.scheme() == Some(&Scheme::HTTPS) {
            let mut tunnel = Tunnel::new(proxy.uri().clone(), self.tcp.clone());
            if let Some(auth) = proxy.basic_auth() {
                tunnel = tunnel.with_auth(auth.clone());
            }
            let connecting = tunnel.call(dst);
            Box::pin(async move {
                let io = connecting.await.map_err(|e| via.error(e))?;
                Ok(Conn { io, proxied: false })
            })
        } else {
            // hyper sends absolute-form requests on a connection marked as proxied.
            let connecting = self.tcp.call(proxy.uri().clone());
            Box::pin(async move {
                let io = connecting.await.map_err(|e| via.error(e))?;
                Ok(Conn { io, proxied: true })
            })
        }
    }
}

/// The proxy a connection went through, for its errors.
struct ViaProxy(String);

impl ViaProxy {
    fn new(proxy: &Uri) -> Self {
        let host = proxy.host().unwrap_or_default();
        Self(match proxy.port_u16() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        })
    }

    fn error(self, source: impl Into<BoxError>) -> BoxError {
        Box::new(ProxyError {
            proxy: self.0,
            source: source.into(),
        })
    }
}

/// A failure to reach a destination through its proxy.
#[derive(Debug)]
struct ProxyError {
    proxy: String,
    source: BoxError,
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "through proxy {}", self.proxy)
    }
}

impl StdError for ProxyError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}

/// A TCP connection, to the destination, its proxy, or through a tunnel.
pub(super) struct Conn {
    io: TokioIo<TcpStream>,
    /// Whether requests on it go to a proxy, and so in absolute form.
    proxied: bool,
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        // Without the TCP stream's addresses (`HttpInfo`), which hyper-util would copy into
        // the extensions of every response, three allocations each, for nobody to read.
        Connected::new().proxy(self.proxied)
    }
}

impl hyper::rt::Read for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(no_proxy: &str) -> Proxies {
        let config = ProxyConfig {
            http: Some("http://u:p@127.0.0.1:3128".into()),
            https: Some("127.0.0.1:3129".into()),
            no_proxy: Some(no_proxy.into()),
        };
        Proxies::new(&config).unwrap().unwrap()
    }

    fn proxy_of(proxies: &Proxies, uri: &str) -> Option<String> {
        let uri: Uri = uri.parse().unwrap();
        proxies.intercept(&uri).map(|p| p.uri().to_string())
    }

    #[test]
    fn no_proxy_entries_cover_hosts_suffixes_ips_and_ports() {
        let p = proxies("example.com, .internal,10.0.0.0/8, ::1, localhost:9000, [::2]:8080");
        for direct in [
            "https://example.com/",
            "https://b.example.com/",
            "http://a.internal/",
            "http://10.1.2.3/",
            "http://[::1]:80/",
            "http://localhost:9000/",
            "http://[::2]:8080/",
        ] {
            assert_eq!(proxy_of(&p, direct), None, "{direct}");
        }
        assert_eq!(
            proxy_of(&p, "http://notexample.com/").as_deref(),
            Some("http://127.0.0.1:3128/")
        );
        assert_eq!(
            proxy_of(&p, "https://localhost/").as_deref(),
            Some("http://127.0.0.1:3129/")
        );
        assert!(proxy_of(&p, "http://localhost:9001/").is_some());
        assert!(proxy_of(&p, "http://[::2]:80/").is_some());
        assert_eq!(proxy_of(&proxies("*"), "https://s3.amazonaws.com/"), None);
    }

    #[test]
    fn plain_http_requests_carry_the_proxy_credentials() {
        let p = proxies("");
        let auth = p.http_authorization(&"http://h/".parse().unwrap()).unwrap();
        assert_eq!(auth, "Basic dTpw");
        assert!(p
            .http_authorization(&"https://h/".parse().unwrap())
            .is_none());
    }

    #[test]
    fn unusable_proxy_urls_are_errors_without_the_password() {
        for url in [
            "https://u:secret@h:1",
            "socks5://u:secret@h:1",
            "http://",
            "a b",
        ] {
            let config = ProxyConfig {
                https: Some(url.into()),
                ..ProxyConfig::default()
            };
            let error = Proxies::new(&config).err().expect(url);
            assert!(
                error.contains("the https proxy URL is not usable"),
                "{error}"
            );
            assert!(!error.contains("secret"), "{error}");
        }
        assert!(Proxies::new(&ProxyConfig::default()).unwrap().is_none());
    }

    #[test]
    fn debug_leaves_out_credentials() {
        let config = ProxyConfig {
            http: Some("http://user:secret@proxy:3128".into()),
            ..ProxyConfig::default()
        };
        let debug = format!("{config:?}");
        assert!(debug.contains("http://***@proxy:3128"), "{debug}");
        assert!(
            !debug.contains("secret") && !debug.contains("user"),
            "{debug}"
        );
    }
}
