//! IAM Identity Center (SSO) role credentials, with the token `aws sso login` caches.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use http::header::HeaderName;
use http::Method;
use serde_json::Value;
use sha1::{Digest, Sha1};

use super::remote::{self, ProviderConfig, ProviderError};
use super::Credentials;
use crate::endpoint::partition;
use crate::error::CredentialsError;
use crate::profile::{Profile, ProfileSet};
use crate::time::DateTime;

const BEARER_TOKEN: HeaderName = HeaderName::from_static("x-amz-sso_bearer_token");

/// The SSO settings of a profile: with `sso_session` (the AWS CLI v2 default), or the legacy
/// keys in the profile itself.
#[derive(Debug)]
pub(crate) struct Sso<'a> {
    profile: &'a str,
    /// The `[sso-session]` name; `None` for the legacy form.
    session: Option<&'a str>,
    start_url: &'a str,
    region: &'a str,
    account_id: &'a str,
    role_name: &'a str,
}

impl<'a> Sso<'a> {
    /// The SSO settings of `profile`, if it has any; an error names what is missing.
    pub(crate) fn from_profile(
        set: &'a ProfileSet,
        profile: &'a Profile,
    ) -> Result<Option<Self>, CredentialsError> {
        let name = profile.name();
        let session = profile.get("sso_session");
        let keys = [
            "sso_start_url",
            "sso_region",
            "sso_account_id",
            "sso_role_name",
        ];
        if session.is_none() && keys.iter().all(|key| profile.get(key).is_none()) {
            return Ok(None);
        }
        let section = match session {
            Some(session) => Some(set.sso_session(session).ok_or_else(|| {
                CredentialsError::new(format!(
                    "profile `{name}`: sso_session `{session}` has no [sso-session {session}] \
                     section in the config file"
                ))
            })?),
            None => None,
        };
        // The session's settings win over the profile's, which the legacy form needs.
        let get = |key: &'static str| {
            section
                .and_then(|s| s.get(key))
                .or_else(|| profile.get(key))
                .ok_or(key)
        };
        let missing = |key| {
            CredentialsError::new(format!(
                "profile `{name}`: SSO needs {key}, which is not set"
            ))
        };
        Ok(Some(Self {
            profile: name,
            session,
            start_url: get("sso_start_url").map_err(missing)?,
            region: get("sso_region").map_err(missing)?,
            account_id: profile
                .get("sso_account_id")
                .ok_or_else(|| missing("sso_account_id"))?,
            role_name: profile
                .get("sso_role_name")
                .ok_or_else(|| missing("sso_role_name"))?,
        }))
    }

    /// Exchanges the cached token for the role's credentials, at `endpoint` if one is
    /// configured, else at `https://portal.sso.<region>.amazonaws.com`.
    pub(crate) async fn provide(
        &self,
        config: &ProviderConfig,
        endpoint: Option<&str>,
    ) -> Result<Credentials, CredentialsError> {
        let failed = |what: &str, e| {
            CredentialsError::with_source(format!("profile `{}`: {what}", self.profile), e)
        };
        let login = format!("run `aws sso login --profile {}`", self.profile);
        let path = self.cache_path(config)?;
        let token = match remote::read_file(&path, "the SSO token cache").await {
            Ok(text) => text,
            Err(ProviderError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                return Err(CredentialsError::new(format!(
                    "profile `{}`: no SSO token is cached at {}: {login}",
                    self.profile,
                    path.display()
                )))
            }
            Err(e) => return Err(failed("cannot use the SSO token cache", e)),
        };
        let cache = remote::object(token.as_bytes()).map_err(|e| {
            failed(
                &format!("cannot use the SSO token cache {}", path.display()),
                e,
            )
        })?;
        let (token, expires) = remote::required(&cache, "accessToken")
            .and_then(|token| {
                let expires = remote::required(&cache, "expiresAt")?;
                Ok((token, remote::timestamp("expiresAt", expires)?))
            })
            .map_err(|e| {
                failed(
                    &format!("cannot use the SSO token cache {}", path.display()),
                    e,
                )
            })?;
        if config.clock().now() >= expires {
            return Err(CredentialsError::new(format!(
                "profile `{}`: the SSO token cached at {} expired at {}: {login}",
                self.profile,
                path.display(),
                DateTime::from(expires)
            )));
        }

        let endpoint = match endpoint {
            Some(endpoint) => endpoint.trim_end_matches('/').to_owned(),
            None => format!(
                "https://portal.sso.{}.{}",
                self.region,
                partition(self.region).dns_suffix
            ),
        };
        let url = format!(
            "{endpoint}/federation/credentials?role_name={}&account_id={}",
            remote::encode(self.role_name),
            remote::encode(self.account_id)
        );
        let what = format!(
            "SSO GetRoleCredentials of role `{}` in account {}",
            self.role_name, self.account_id
        );
        let answer = async {
            let uri = remote::parse_uri(&url, "the SSO endpoint")?;
            let bearer = remote::secret_header(token, "the cached SSO token")?;
            let request = remote::request(Method::GET, uri, [(BEARER_TOKEN, bearer)], Bytes::new());
            remote::fetch(config.http()?, request, None).await
        };
        let answer = match answer.await {
            Err(e) if e.is_status(401) || e.is_status(403) => {
                return Err(failed(
                    &format!("{what} refused the cached token; {login}"),
                    e,
                ))
            }
            answer => answer.map_err(|e| failed(&what, e))?,
        };
        parse_role_credentials(&answer).map_err(|e| failed(&what, e))
    }

    /// Where `aws sso login` caches the token: `~/.aws/sso/cache/<sha1>.json`, the SHA-1 of the
    /// session's name, or of the start URL in the legacy form.
    fn cache_path(&self, config: &ProviderConfig) -> Result<PathBuf, CredentialsError> {
        let home = config.env().home().ok_or_else(|| {
            CredentialsError::new(format!(
                "profile `{}`: cannot find the SSO token cache: HOME is not set",
                self.profile
            ))
        })?;
        let key = self.session.unwrap_or(self.start_url);
        let mut name = String::with_capacity(45);
        for byte in Sha1::digest(key.as_bytes()) {
            let _ = write!(name, "{byte:02x}");
        }
        name.push_str(".json");
        Ok(home.join(".aws").join("sso").join("cache").join(name))
    }
}

/// The `roleCredentials` of a GetRoleCredentials answer; its expiration is in epoch
/// milliseconds.
fn parse_role_credentials(answer: &[u8]) -> Result<Credentials, ProviderError> {
    let object = remote::object(answer)?;
    let Some(Value::Object(role)) = object.get("roleCredentials") else {
        return Err(ProviderError::invalid("`roleCredentials` is missing"));
    };
    let expiration = role
        .get("expiration")
        .and_then(Value::as_u64)
        .ok_or_else(|| {
            ProviderError::invalid("`roleCredentials.expiration` is not a number of milliseconds")
        })?;
    Ok(Credentials::new(
        remote::required(role, "accessKeyId")?,
        remote::required(role, "secretAccessKey")?,
        remote::optional(role, "sessionToken")?.map(str::to_owned),
        Some(UNIX_EPOCH + Duration::from_millis(expiration)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Env;

    fn sso(session: Option<&'static str>, start_url: &'static str) -> Sso<'static> {
        Sso {
            profile: "p",
            session,
            start_url,
            region: "us-east-1",
            account_id: "1",
            role_name: "r",
        }
    }

    #[test]
    fn the_cache_file_is_named_by_the_sha1_of_session_or_start_url() {
        let config = ProviderConfig::new(Env::from_vars([("HOME", "/home/me")]));
        // The names `printf %s <key> | sha1sum` gives; the second is in the AWS CLI's docs.
        let session = sso(Some("my-sso"), "https://ignored")
            .cache_path(&config)
            .unwrap();
        assert_eq!(
            session,
            PathBuf::from("/home/me/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json")
        );
        let legacy = sso(None, "https://d-abc123.awsapps.com/start")
            .cache_path(&config)
            .unwrap();
        assert_eq!(
            legacy,
            PathBuf::from("/home/me/.aws/sso/cache/40a89917e3175433e361b710a9d43528d7f1890a.json")
        );
    }

    #[test]
    fn reads_role_credentials() {
        let credentials = parse_role_credentials(
            br#"{"roleCredentials": {"accessKeyId": "ASIA", "secretAccessKey": "sso-secret",
                "sessionToken": "sso-token", "expiration": 1700003600000}}"#,
        )
        .unwrap();
        assert_eq!(credentials.access_key_id(), "ASIA");
        assert_eq!(credentials.session_token(), Some("sso-token"));
        assert_eq!(
            credentials.expiry(),
            Some(UNIX_EPOCH + Duration::from_secs(1_700_003_600))
        );
        for (answer, expected) in [
            (&br#"{}"#[..], "`roleCredentials` is missing"),
            (
                br#"{"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "s", "expiration": "soon"}}"#,
                "`roleCredentials.expiration` is not a number of milliseconds",
            ),
            (
                br#"{"roleCredentials": {"secretAccessKey": "s", "expiration": 1}}"#,
                "`accessKeyId` is missing",
            ),
            (br#"{"roleCredentials": "#, "malformed JSON: EOF while parsing a value at line 1 column 20"),
        ] {
            assert_eq!(parse_role_credentials(answer).unwrap_err().to_string(), expected);
        }
    }
}
