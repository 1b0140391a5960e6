//! Credentials of the EC2 instance's role from the instance metadata service, IMDSv2.

use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::Method;

use super::remote::{self, LazyClient, ProviderConfig, ProviderError};
use super::{Credentials, CredentialsFuture, ProvideCredentials};
use crate::error::CredentialsError;
use crate::http::{HttpClient, HttpConfig, TimeoutConfig};

const DEFAULT_ENDPOINT: &str = "http://169.254.169.254";
const IPV6_ENDPOINT: &str = "http://[fd00:ec2::254]";
const TOKEN_PATH: &str = "/latest/api/token";
const ROLES_PATH: &str = "/latest/meta-data/iam/security-credentials/";
const TOKEN_TTL: HeaderName = HeaderName::from_static("x-aws-ec2-metadata-token-ttl-seconds");
const TOKEN: HeaderName = HeaderName::from_static("x-aws-ec2-metadata-token");
/// How long a session token lives: six hours, the longest IMDS allows, as the AWS SDKs ask.
const TOKEN_TTL_SECONDS: &str = "21600";
/// The connect and read timeouts: IMDS is a link-local service that answers in milliseconds,
/// and off EC2 nothing answers, so the chain should give up as soon as the AWS SDKs do.
const TIMEOUT: Duration = Duration::from_secs(1);

/// Loads the credentials of the instance's IAM role from the instance metadata service on every
/// call, with a session token (IMDSv2): `PUT /latest/api/token`, then
/// `GET /latest/meta-data/iam/security-credentials/` for the role's name and
/// `GET /latest/meta-data/iam/security-credentials/<role>` for its credentials.
///
/// The service is at `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else at `http://[fd00:ec2::254]` if
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` is `IPv6`, else at `http://169.254.169.254`;
/// `AWS_EC2_METADATA_DISABLED=true` turns the provider off. Connecting and each answer are
/// bounded by 1 s. When no service answers the token request (off EC2, or from a container
/// beyond the instance's hop limit) the source holds no credentials, so a chain moves on;
/// failures after that are errors.
#[derive(Debug)]
pub struct ImdsProvider {
    config: ProviderConfig,
    http: LazyClient,
}

impl ImdsProvider {
    /// A provider reading the environment of `config`. It has an HTTP client of its own, with
    /// the short timeouts.
    pub fn new(config: impl Into<ProviderConfig>) -> Self {
        let timeouts = TimeoutConfig {
            connect: TIMEOUT,
            read: Some(TIMEOUT),
            ..TimeoutConfig::default()
        };
        Self {
            config: config.into(),
            http: LazyClient::new(
                HttpConfig {
                    timeouts,
                    ..HttpConfig::default()
                },
                true,
            ),
        }
    }

    fn endpoint(&self) -> String {
        let env = self.config.env();
        match env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT") {
            Some(endpoint) => endpoint.trim_end_matches('/').to_owned(),
            None => match env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE") {
                Some(mode) if mode.eq_ignore_ascii_case("ipv6") => IPV6_ENDPOINT.to_owned(),
                _ => DEFAULT_ENDPOINT.to_owned(),
            },
        }
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let endpoint = self.endpoint();
        let failed = |e| CredentialsError::with_source(format!("imds: {endpoint}"), e);
        let http = self.http.get().map_err(failed)?;
        let ttl = HeaderValue::from_static(TOKEN_TTL_SECONDS);
        let token = match call(http, Method::PUT, &endpoint, TOKEN_PATH, (TOKEN_TTL, ttl)).await {
            Ok(token) => token,
            Err(e) => {
                return Err(CredentialsError::not_found(format!(
                    "imds: no instance metadata service at {endpoint}: {e}"
                )))
            }
        };
        let token = remote::secret_header(token.trim(), "the IMDS token").map_err(failed)?;
        let get = |path: String| call(http, Method::GET, &endpoint, path, (TOKEN, token.clone()));
        let roles = match get(ROLES_PATH.to_owned()).await {
            Err(e) if e.is_status(404) => {
                return Err(CredentialsError::not_found(format!(
                    "imds: the instance at {endpoint} has no IAM role"
                )))
            }
            roles => roles.map_err(failed)?,
        };
        let Some(role) = roles.lines().map(str::trim).find(|line| !line.is_empty()) else {
            let message = format!("imds: the instance at {endpoint} lists no IAM role");
            return Err(CredentialsError::not_found(message));
        };
        let answer = get(format!("{ROLES_PATH}{role}")).await.map_err(failed)?;
        let object = remote::object(answer.as_bytes()).map_err(failed)?;
        match remote::optional(&object, "Code").map_err(failed)? {
            None | Some("Success") => remote::credentials(&object, "Token").map_err(failed),
            Some(code) => Err(failed(ProviderError::invalid(format!(
                "the credentials of role `{role}` are not available: `Code` is `{}`",
                remote::truncate(code)
            )))),
        }
    }
}

impl ProvideCredentials for ImdsProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        let disabled = self.config.env().get("AWS_EC2_METADATA_DISABLED");
        if disabled.is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
            return CredentialsFuture::ready(Err(CredentialsError::not_found(
                "imds: AWS_EC2_METADATA_DISABLED is true",
            )));
        }
        CredentialsFuture::new(self.load())
    }
}

/// The text of the answer to `method` on `path` of `endpoint`, sent with `header`.
async fn call(
    http: &HttpClient,
    method: Method,
    endpoint: &str,
    path: impl AsRef<str>,
    header: (HeaderName, HeaderValue),
) -> Result<String, ProviderError> {
    let uri = remote::parse_uri(&format!("{endpoint}{}", path.as_ref()), "the IMDS URL")?;
    let request = remote::request(method, uri, [header], Bytes::new());
    let answer = remote::fetch(http, request, None).await?;
    String::from_utf8(answer.into()).map_err(|_| ProviderError::invalid("the answer is not UTF-8"))
}
