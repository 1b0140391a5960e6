//! Credentials from a container's credentials endpoint: ECS task roles and EKS Pod Identity.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderValue, ACCEPT, AUTHORIZATION};
use http::{Method, Uri};

use super::remote::{self, LazyClient, ProviderConfig, ProviderError};
use super::{Credentials, CredentialsFuture, ProvideCredentials};
use crate::error::CredentialsError;
use crate::http::{HttpConfig, TimeoutConfig};

const RELATIVE_URI: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
const FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
const TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
/// The ECS agent's credentials endpoint, which a relative URI is relative to.
const ECS_HOST: &str = "http://169.254.170.2";
/// The connect and read timeouts of the AWS SDKs: the endpoint is on the host or in the task,
/// so it answers at once or not at all.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Loads credentials from `http://169.254.170.2` + `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`
/// (ECS), else from `AWS_CONTAINER_CREDENTIALS_FULL_URI` (EKS Pod Identity, local tools), on
/// every call.
///
/// A full URI over `http` must name a loopback address or the ECS or EKS agent
/// (`169.254.170.2`, `169.254.170.23`, `fd00:ec2::23`), so that credentials are never sent in
/// clear to another host; over `https` any host will do. The request carries the contents of
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read on every call, since the agent rotates it),
/// else `AWS_CONTAINER_AUTHORIZATION_TOKEN`, as its `Authorization` header. Connecting is bounded
/// by 2 s and the answer by 5 s.
#[derive(Debug, Clone)]
pub struct ContainerProvider {
    config: ProviderConfig,
    /// Without proxies, since the endpoint is local; shared by clones.
    http: Arc<LazyClient>,
}

impl ContainerProvider {
    /// A provider reading the environment of `config`. It has an HTTP client of its own.
    pub fn new(config: impl Into<ProviderConfig>) -> Self {
        let timeouts = TimeoutConfig {
            connect: CONNECT_TIMEOUT,
            read: Some(READ_TIMEOUT),
            ..TimeoutConfig::default()
        };
        let http = HttpConfig {
            timeouts,
            ..HttpConfig::default()
        };
        Self {
            config: config.into(),
            http: Arc::new(LazyClient::new(http, true)),
        }
    }

    async fn load(&self, url: String) -> Result<Credentials, CredentialsError> {
        let failed = |e| CredentialsError::with_source(format!("container: {url}"), e);
        let uri = endpoint(&url).map_err(failed)?;
        let mut headers = vec![(ACCEPT, HeaderValue::from_static("application/json"))];
        if let Some(token) = self.token().await.map_err(failed)? {
            headers.push((AUTHORIZATION, token));
        }
        let request = remote::request(Method::GET, uri, headers, Bytes::new());
        let http = self.http.get().map_err(failed)?;
        let answer = remote::fetch(http, request, None).await.map_err(failed)?;
        remote::object(&answer)
            .and_then(|object| remote::credentials(&object, "Token"))
            .map_err(failed)
    }

    /// The `Authorization` header: the token file's contents, else the token variable.
    async fn token(&self) -> Result<Option<HeaderValue>, ProviderError> {
        let env = self.config.env();
        let token = match env.get(TOKEN_FILE) {
            Some(path) => {
                let token = remote::read_file(Path::new(&path), "the authorization token file");
                Some(token.await?.trim().to_owned())
            }
            None => env.get(TOKEN),
        };
        token
            .map(|token| remote::secret_header(&token, "the container authorization token"))
            .transpose()
    }
}

impl ProvideCredentials for ContainerProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        let env = self.config.env();
        let url = match (env.get(RELATIVE_URI), env.get(FULL_URI)) {
            (Some(relative), _) => format!("{ECS_HOST}{relative}"),
            (None, Some(full)) => full,
            (None, None) => {
                return CredentialsFuture::ready(Err(CredentialsError::not_found(format!(
                    "container: neither {RELATIVE_URI} nor {FULL_URI} is set"
                ))))
            }
        };
        CredentialsFuture::new(self.load(url))
    }
}

/// The endpoint at `url`, if credentials may be sent there.
fn endpoint(url: &str) -> Result<Uri, ProviderError> {
    let uri = remote::parse_uri(url, "the container credentials endpoint")?;
    let https = uri.scheme_str() == Some("https");
    let allowed = https || uri.scheme_str() == Some("http") && uri.host().is_some_and(allowed_host);
    if allowed {
        Ok(uri)
    } else {
        Err(ProviderError::invalid(
            "an http endpoint must be a loopback address or 169.254.170.2, 169.254.170.23 or \
             [fd00:ec2::23]; use https for other hosts",
        ))
    }
}

fn allowed_host(host: &str) -> bool {
    const ECS: Ipv4Addr = Ipv4Addr::new(169, 254, 170, 2);
    const EKS: Ipv4Addr = Ipv4Addr::new(169, 254, 170, 23);
    const EKS_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23);
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback() || ip == ECS || ip == EKS || ip == EKS_V6,
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_endpoints_must_be_local_or_the_agent() {
        for url in [
            "http://127.0.0.1:8080/creds",
            "http://127.1.2.3/",
            "http://localhost/x",
            "http://[::1]:80/",
            "http://169.254.170.2/v2/credentials/id",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
            "https://creds.example.com/",
        ] {
            assert!(endpoint(url).is_ok(), "{url}");
        }
        for url in [
            "http://example.com/",
            "http://169.254.169.254/",
            "http://10.0.0.1/",
            "ftp://127.0.0.1/",
            "/relative",
            "not a url",
        ] {
            assert!(endpoint(url).is_err(), "{url}");
        }
    }
}
