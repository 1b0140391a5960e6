//! Credentials for an OIDC token in a file (EKS service accounts, CI systems), exchanged with
//! STS `AssumeRoleWithWebIdentity`.

use std::path::Path;

use super::profile::load_shared;
use super::remote::{self, ProviderConfig, ProviderError};
use super::sts::{Role, Sts};
use super::{Credentials, CredentialsFuture, ProvideCredentials};
use crate::error::CredentialsError;

/// Assumes `AWS_ROLE_ARN` with the token in `AWS_WEB_IDENTITY_TOKEN_FILE`, in a session named
/// `AWS_ROLE_SESSION_NAME` (else one the provider makes up).
///
/// The token file is read on every call, since its owner replaces the token before it expires.
/// STS is called in the region and at the endpoint the environment or the selected profile
/// configures (see [`ProfileProvider`](super::ProfileProvider)). A profile's
/// `web_identity_token_file` and `role_arn` are the profile provider's.
#[derive(Debug, Clone)]
pub struct WebIdentityProvider {
    config: ProviderConfig,
}

impl WebIdentityProvider {
    /// A provider reading the environment of `config`.
    pub fn new(config: impl Into<ProviderConfig>) -> Self {
        Self {
            config: config.into(),
        }
    }

    async fn load(
        &self,
        token_file: &str,
        role_arn: &str,
    ) -> Result<Credentials, CredentialsError> {
        let session_name = self.config.env().get("AWS_ROLE_SESSION_NAME");
        let role = Role {
            profile: None,
            arn: role_arn,
            session_name: session_name.as_deref(),
            external_id: None,
            duration_seconds: None,
        };
        let shared = load_shared(&self.config, None).await?;
        assume(&shared.sts(&self.config), Path::new(token_file), &role).await
    }
}

impl ProvideCredentials for WebIdentityProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        let env = self.config.env();
        let Some(token_file) = env.get("AWS_WEB_IDENTITY_TOKEN_FILE") else {
            return CredentialsFuture::ready(Err(CredentialsError::not_found(
                "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is not set",
            )));
        };
        let Some(role_arn) = env.get("AWS_ROLE_ARN") else {
            return CredentialsFuture::ready(Err(CredentialsError::new(
                "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not",
            )));
        };
        CredentialsFuture::new(async move { self.load(&token_file, &role_arn).await })
    }
}

/// Reads the token in `token_file` and exchanges it for the credentials of `role`.
pub(crate) async fn assume(
    sts: &Sts<'_>,
    token_file: &Path,
    role: &Role<'_>,
) -> Result<Credentials, CredentialsError> {
    let what = "reading the web identity token for";
    let token = remote::read_file(token_file, "the web identity token file")
        .await
        .map_err(|e| role.error(what, e))?;
    let token = token.trim();
    if token.is_empty() {
        let empty = format!("{} is empty", token_file.display());
        return Err(role.error(what, ProviderError::invalid(empty)));
    }
    sts.assume_role_with_web_identity(role, token).await
}
