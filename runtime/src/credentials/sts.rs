//! The two STS calls the providers make, in the query protocol (a form POST, an XML answer):
//! `AssumeRole`, signed with the source credentials, and `AssumeRoleWithWebIdentity`, unsigned.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::Method;

use super::remote::{self, ProviderConfig, ProviderError};
use super::Credentials;
use crate::endpoint::partition;
use crate::error::CredentialsError;
use crate::sigv4::{PayloadHash, Signer, SigningParams, SigningSettings};
use crate::time::{DateTime, Format};
use crate::xml::{Reader, XmlError};

/// A role to assume and the settings of its session.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Role<'a> {
    /// The profile that names the role, for messages; `None` for the environment's.
    pub(crate) profile: Option<&'a str>,
    pub(crate) arn: &'a str,
    pub(crate) session_name: Option<&'a str>,
    pub(crate) external_id: Option<&'a str>,
    pub(crate) duration_seconds: Option<u32>,
}

impl Role<'_> {
    /// `what failed` in a message naming the role and the profile.
    pub(crate) fn error(&self, what: &str, source: ProviderError) -> CredentialsError {
        let message = match self.profile {
            Some(profile) => format!("profile `{profile}`: {what} `{}` failed", self.arn),
            None => format!("web identity: {what} `{}` failed", self.arn),
        };
        CredentialsError::with_source(message, source)
    }
}

/// An STS endpoint and the region its calls are signed for.
#[derive(Debug)]
pub(crate) struct Sts<'a> {
    config: &'a ProviderConfig,
    endpoint: String,
    region: String,
}

impl<'a> Sts<'a> {
    /// STS in `region`, at `endpoint` if one is configured, else at its regional endpoint
    /// (`https://sts.<region>.amazonaws.com`, or the partition's domain).
    pub(crate) fn new(
        config: &'a ProviderConfig,
        region: String,
        endpoint: Option<String>,
    ) -> Self {
        let endpoint = endpoint
            .unwrap_or_else(|| format!("https://sts.{region}.{}", partition(&region).dns_suffix));
        Self {
            config,
            endpoint,
            region,
        }
    }

    /// `AssumeRole` of `role`, signed with `source`.
    pub(crate) async fn assume_role(
        &self,
        source: &Credentials,
        role: &Role<'_>,
    ) -> Result<Credentials, CredentialsError> {
        let session_name = self.session_name(role);
        let duration = role.duration_seconds.map(|d| d.to_string());
        let mut params = vec![
            ("RoleArn", role.arn),
            ("RoleSessionName", session_name.as_ref()),
        ];
        params.extend(role.external_id.map(|id| ("ExternalId", id)));
        params.extend(duration.as_deref().map(|d| ("DurationSeconds", d)));
        self.call("AssumeRole", &params, Some(source))
            .await
            .map_err(|e| role.error("AssumeRole of", e))
    }

    /// `AssumeRoleWithWebIdentity` of `role` with the OIDC `token`.
    pub(crate) async fn assume_role_with_web_identity(
        &self,
        role: &Role<'_>,
        token: &str,
    ) -> Result<Credentials, CredentialsError> {
        let session_name = self.session_name(role);
        let duration = role.duration_seconds.map(|d| d.to_string());
        let mut params = vec![
            ("RoleArn", role.arn),
            ("RoleSessionName", session_name.as_ref()),
            ("WebIdentityToken", token),
        ];
        params.extend(duration.as_deref().map(|d| ("DurationSeconds", d)));
        self.call("AssumeRoleWithWebIdentity", &params, None)
            .await
            .map_err(|e| role.error("AssumeRoleWithWebIdentity of", e))
    }

    /// The role's session name, else one that tells sessions of this client apart in
    /// CloudTrail, as the AWS SDKs do.
    fn session_name<'r>(&self, role: &Role<'r>) -> Cow<'r, str> {
        match role.session_name {
            Some(name) => Cow::Borrowed(name),
            None => {
                let now = self.config.clock().now();
                let millis = now
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_millis();
                Cow::Owned(format!("s3-runtime-{millis}"))
            }
        }
    }

    /// Calls `action` with `params`, signed with `signer` unless it is `None`.
    async fn call(
        &self,
        action: &str,
        params: &[(&str, &str)],
        signer: Option<&Credentials>,
    ) -> Result<Credentials, ProviderError> {
        let mut body = format!("Action={action}&Version=2011-06-15");
        for (name, value) in params {
            body.push_str(&format!("&{name}={}", remote::encode(value)));
        }
        let uri = remote::parse_uri(&self.endpoint, "the STS endpoint")?;
        let content_type =
            HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8");
        let mut request = remote::request(
            Method::POST,
            uri,
            [(CONTENT_TYPE, content_type)],
            Bytes::from(body),
        );
        if let Some(credentials) = signer {
            let params = SigningParams {
                credentials,
                region: &self.region,
                service: "sts",
                time: self.config.clock().now().into(),
                payload: PayloadHash::Body,
                settings: &SigningSettings::standard(),
            };
            Signer::new()
                .sign(&mut request, &params)
                .map_err(ProviderError::Signing)?;
        }
        let answer = remote::fetch(self.config.http()?, request, None).await?;
        parse_credentials(action, &answer).map_err(ProviderError::Xml)
    }
}

/// The credentials of an `<{action}Response><{action}Result><Credentials>` answer. Other
/// elements are skipped; the whole document is read, so a truncated answer is an error.
fn parse_credentials(action: &str, body: &[u8]) -> Result<Credentials, XmlError> {
    let response = format!("{action}Response");
    let result = format!("{action}Result");
    let mut reader = Reader::new(body);
    let root = reader.root()?;
    if root.local_name() != response.as_bytes() {
        let found = String::from_utf8_lossy(root.local_name());
        return Err(XmlError::unexpected_root(&response, &found));
    }
    let [mut key_id, mut secret, mut token, mut expiration] = [None, None, None, None];
    while let Some(child) = reader.next_child()? {
        if child.local_name() != result.as_bytes() {
            reader.skip()?;
            continue;
        }
        while let Some(child) = reader.next_child()? {
            if child.local_name() != b"Credentials" {
                reader.skip()?;
                continue;
            }
            while let Some(child) = reader.next_child()? {
                let field = match child.local_name() {
                    b"AccessKeyId" => &mut key_id,
                    b"SecretAccessKey" => &mut secret,
                    b"SessionToken" => &mut token,
                    b"Expiration" => &mut expiration,
                    _ => {
                        reader.skip()?;
                        continue;
                    }
                };
                *field = Some(reader.text()?).filter(|text| !text.is_empty());
            }
        }
    }
    let missing = |element| XmlError::missing_element("Credentials", element);
    let expiration = expiration.ok_or_else(|| missing("Expiration"))?;
    let expiry = DateTime::parse(&expiration, Format::DateTime)
        .map_err(|_| XmlError::invalid_value("Expiration", &expiration, "an RFC 3339 timestamp"))?;
    Ok(Credentials::new(
        key_id.ok_or_else(|| missing("AccessKeyId"))?,
        secret.ok_or_else(|| missing("SecretAccessKey"))?,
        Some(token.ok_or_else(|| missing("SessionToken"))?.into_owned()),
        Some(SystemTime::from(expiry)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANSWER: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>x</SourceIdentity>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/test/s</Arn></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
      <SecretAccessKey>role-secret</SecretAccessKey>
      <SessionToken>role-token</SessionToken>
      <Expiration>2023-11-14T23:13:20Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
</AssumeRoleResponse>"#;

    #[test]
    fn reads_the_credentials_of_an_answer() {
        let credentials = parse_credentials("AssumeRole", ANSWER.as_bytes()).unwrap();
        assert_eq!(credentials.access_key_id(), "ASIAEXAMPLE");
        assert_eq!(credentials.secret_access_key(), "role-secret");
        assert_eq!(credentials.session_token(), Some("role-token"));
        assert_eq!(
            credentials.expiry(),
            Some(UNIX_EPOCH + std::time::Duration::from_secs(1_700_003_600))
        );
    }

    #[test]
    fn bad_answers_are_errors_that_quote_no_secret() {
        let cut = &ANSWER[..ANSWER.find("</SessionToken>").unwrap()];
        let without_token = ANSWER.replace("<SessionToken>role-token</SessionToken>", "");
        let bad_time = ANSWER.replace("2023-11-14T23:13:20Z", "tomorrow");
        for (body, action, expected) in [
            (
                cut,
                "AssumeRole",
                "unexpected end of input inside `SessionToken`",
            ),
            (without_token.as_str(), "AssumeRole", "`SessionToken`"),
            (bad_time.as_str(), "AssumeRole", "`tomorrow`"),
            (
                ANSWER,
                "AssumeRoleWithWebIdentity",
                "AssumeRoleWithWebIdentityResponse",
            ),
            ("", "AssumeRole", "no root element"),
            ("not xml", "AssumeRole", ""),
            ("<AssumeRoleResponse><AssumeRoleResult>", "AssumeRole", ""),
        ] {
            let error = parse_credentials(action, body.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{expected:?} not in {error}");
            assert!(
                !error.contains("role-secret") && !error.contains("role-token"),
                "{error}"
            );
        }
    }

    #[test]
    fn the_default_endpoint_follows_the_partition() {
        let config = ProviderConfig::new(crate::profile::Env::from_vars([("A", "b")]));
        assert_eq!(
            Sts::new(&config, "eu-west-1".into(), None).endpoint,
            "https://sts.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            Sts::new(&config, "cn-north-1".into(), None).endpoint,
            "https://sts.cn-north-1.amazonaws.com.cn"
        );
        let custom = Some("http://127.0.0.1:1".to_owned());
        assert_eq!(
            Sts::new(&config, "x".into(), custom).endpoint,
            "http://127.0.0.1:1"
        );
    }
}
