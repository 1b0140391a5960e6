//! Credentials from a profile of the shared config and credentials files.

use std::path::Path;
use std::sync::Arc;

use super::remote::{self, ProviderConfig};
use super::sso::Sso;
use super::sts::{Role, Sts};
use super::{
    process, web_identity, ContainerProvider, Credentials, CredentialsFuture, EnvironmentProvider,
    ImdsProvider, ProvideCredentials,
};
use crate::endpoint::configured_endpoint_url;
use crate::error::CredentialsError;
use crate::profile::{self, Profile, ProfileError, ProfileSet};

/// Loads credentials as the selected profile (see [`profile::load`]) says, reading the files
/// on a blocking thread on every call; wrap it in a [`CachedProvider`](super::CachedProvider)
/// to load once and refresh before expiry.
///
/// A profile gets its credentials from the first of these it sets:
/// 1. `role_arn`: the role is assumed with STS `AssumeRole` (`role_session_name`,
///    `external_id` and `duration_seconds` honoured), signed with the credentials of
///    `source_profile` (itself resolved this way, so roles chain; a cycle is an error) or of
///    `credential_source` (`Environment`, `Ec2InstanceMetadata` or `EcsContainer`). With
///    `web_identity_token_file`, the role is assumed with the token instead.
/// 2. `sso_session` (with its `[sso-session]` section) or the legacy `sso_start_url`,
///    `sso_region`, `sso_account_id` and `sso_role_name`: the token `aws sso login` cached is
///    exchanged for the role's credentials. An expired token is an error saying to log in again.
/// 3. `aws_access_key_id`, `aws_secret_access_key` and `aws_session_token`.
/// 4. `credential_process`: the command's output.
///
/// In a source profile, static keys win over `role_arn`, as in the AWS SDKs. STS calls go to the
/// region of `AWS_REGION`, `AWS_DEFAULT_REGION` or the selected profile's `region`, else
/// `us-east-1`, and to the endpoint that `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL` or the
/// profile's `endpoint_url` configures (`..._SSO` likewise for SSO), as for S3 (see
/// [`configured_endpoint_url`]). A profile that sets none of these holds no credentials, unless
/// it uses a setting this provider does not support (`mfa_serial`, `login_session`): that is an
/// error naming the setting.
#[derive(Debug, Clone)]
pub struct ProfileProvider {
    config: ProviderConfig,
    profile: Option<String>,
    /// The `credential_source`s that call out, kept for their HTTP clients.
    container: ContainerProvider,
    imds: Arc<ImdsProvider>,
}

impl ProfileProvider {
    /// A provider of the profile that the environment of `config` selects: `AWS_PROFILE`, else
    /// `default`.
    pub fn new(config: impl Into<ProviderConfig>) -> Self {
        let config = config.into();
        Self {
            container: ContainerProvider::new(config.clone()),
            imds: Arc::new(ImdsProvider::new(config.clone())),
            config,
            profile: None,
        }
    }

    /// Uses profile `name` whatever `AWS_PROFILE` says. Endpoint URLs still come from the
    /// profile `AWS_PROFILE` selects, as they do for S3.
    pub fn with_profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let shared = load_shared(&self.config, self.profile.clone()).await?;
        let plan = resolve(&shared.profiles)?;
        let sts = shared.sts(&self.config);
        let mut credentials = match plan.source {
            Source::Static(credentials) => credentials,
            Source::Process { profile, command } => process::run(command).await.map_err(|e| {
                let message = format!("profile `{profile}`: credential_process failed");
                CredentialsError::with_source(message, e)
            })?,
            Source::Sso(sso) => {
                sso.provide(&self.config, shared.sso_endpoint.as_deref())
                    .await?
            }
            Source::WebIdentity { token_file, role } => {
                web_identity::assume(&sts, Path::new(token_file), &role).await?
            }
            Source::Named { profile, source } => self.named(profile, source).await?,
        };
        for role in &plan.roles {
            credentials = sts.assume_role(&credentials, role).await?;
        }
        Ok(credentials)
    }

    /// The credentials of a `credential_source`, which must have some: the profile asks for it.
    async fn named(
        &self,
        profile: &str,
        source: NamedSource,
    ) -> Result<Credentials, CredentialsError> {
        let result = match source {
            NamedSource::Environment => {
                EnvironmentProvider::new(self.config.env().clone())
                    .provide_credentials()
                    .await
            }
            NamedSource::Ec2InstanceMetadata => self.imds.provide_credentials().await,
            NamedSource::EcsContainer => self.container.provide_credentials().await,
        };
        result.map_err(|e| {
            if e.is_not_found() {
                let name = source.name();
                let message = format!(
                    "profile `{profile}`: credential_source {name}: {}",
                    e.message()
                );
                CredentialsError::new(message)
            } else {
                e
            }
        })
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        CredentialsFuture::new(self.load())
    }
}

/// The shared files, and the STS and SSO endpoints configured for them.
pub(crate) struct Shared {
    pub(crate) profiles: ProfileSet,
    sts_endpoint: Option<String>,
    sso_endpoint: Option<String>,
}

impl Shared {
    /// STS in the region and at the endpoint configured.
    pub(crate) fn sts<'a>(&self, config: &'a ProviderConfig) -> Sts<'a> {
        let region = config.region(self.profiles.selected().get("region"));
        Sts::new(config, region, self.sts_endpoint.clone())
    }
}

/// Loads the shared files, selecting profile `name` (else `AWS_PROFILE`'s), on a blocking thread.
pub(crate) async fn load_shared(
    config: &ProviderConfig,
    name: Option<String>,
) -> Result<Shared, CredentialsError> {
    let env = config.env().clone();
    let loaded = remote::blocking(move || -> Result<Shared, ProfileError> {
        let profiles = profile::load_all(&env, name.as_deref())?;
        // The files parsed, so the only error left is a missing `AWS_PROFILE` profile when
        // `name` overrides it: then no endpoint is configured.
        let endpoint = |sdk_id| configured_endpoint_url(&env, sdk_id).ok().flatten();
        Ok(Shared {
            profiles,
            sts_endpoint: endpoint("STS"),
            sso_endpoint: endpoint("SSO"),
        })
    });
    const CANNOT: &str = "cannot load the shared config";
    match loaded.await {
        Ok(Ok(shared)) => Ok(shared),
        Ok(Err(e)) => Err(CredentialsError::with_source(CANNOT, e)),
        Err(e) => Err(CredentialsError::with_source(CANNOT, e)),
    }
}

/// How a profile gets its credentials: from a source, then by assuming each role in turn.
#[derive(Debug)]
struct Plan<'a> {
    source: Source<'a>,
    roles: Vec<Role<'a>>,
}

#[derive(Debug)]
enum Source<'a> {
    Static(Credentials),
    Process {
        profile: &'a str,
        command: &'a str,
    },
    Sso(Sso<'a>),
    WebIdentity {
        token_file: &'a str,
        role: Role<'a>,
    },
    Named {
        profile: &'a str,
        source: NamedSource,
    },
}

/// A `credential_source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NamedSource {
    Environment,
    Ec2InstanceMetadata,
    EcsContainer,
}

impl NamedSource {
    const ALL: [Self; 3] = [
        Self::Environment,
        Self::Ec2InstanceMetadata,
        Self::EcsContainer,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Environment => "Environment",
            Self::Ec2InstanceMetadata => "Ec2InstanceMetadata",
            Self::EcsContainer => "EcsContainer",
        }
    }
}

/// Settings that configure credentials in a way this provider does not support, and what they
/// are for.
const UNSUPPORTED: [(&str, &str); 2] = [
    ("mfa_serial", "assuming a role with an MFA code"),
    ("login_session", "the credentials of `aws login`"),
];

fn error(profile: &str, message: impl std::fmt::Display) -> CredentialsError {
    CredentialsError::new(format!("profile `{profile}` {message}"))
}

/// Follows the selected profile's `source_profile`s to where its credentials come from.
fn resolve(set: &ProfileSet) -> Result<Plan<'_>, CredentialsError> {
    let mut profile = set.selected();
    let mut chain: Vec<&str> = Vec::new();
    let mut roles = Vec::new();
    let source = loop {
        let name = profile.name();
        if chain.contains(&name) {
            chain.push(name);
            let cycle = chain.join(" -> ");
            return Err(error(
                chain[0],
                format_args!("has a source_profile cycle: {cycle}"),
            ));
        }
        let is_source = !chain.is_empty();
        chain.push(name);
        if is_source {
            if let Some(credentials) = static_keys(profile)? {
                break Source::Static(credentials);
            }
        }
        let Some(arn) = profile.get("role_arn") else {
            break base(set, profile, is_source)?;
        };
        let role = role(profile, arn)?;
        if let Some(token_file) = profile.get("web_identity_token_file") {
            break Source::WebIdentity { token_file, role };
        }
        roles.push(role);
        match (
            profile.get("source_profile"),
            profile.get("credential_source"),
        ) {
            (Some(_), Some(_)) => {
                return Err(error(
                    name,
                    "has both source_profile and credential_source: keep one",
                ))
            }
            (Some(source), None) if source == name => match static_keys(profile)? {
                Some(credentials) => break Source::Static(credentials),
                None => {
                    return Err(error(
                        name,
                        "is its own source_profile but has no aws_access_key_id",
                    ))
                }
            },
            (Some(source), None) => {
                profile = set.profile(source).ok_or_else(|| {
                    let files = profile::list(profile.files());
                    error(
                        name,
                        format_args!(
                            "names source_profile `{source}`, which is not defined in {files}"
                        ),
                    )
                })?;
            }
            (None, Some(named)) => {
                let source = NamedSource::ALL
                    .into_iter()
                    .find(|s| s.name() == named)
                    .ok_or_else(|| {
                        error(
                            name,
                            format_args!(
                                "has credential_source `{named}`: expected Environment, \
                                 Ec2InstanceMetadata or EcsContainer"
                            ),
                        )
                    })?;
                break Source::Named {
                    profile: name,
                    source,
                };
            }
            (None, None) => {
                return Err(error(
                    name,
                    "has role_arn but neither source_profile nor credential_source",
                ))
            }
        }
    };
    // Assumed from the source outwards.
    roles.reverse();
    Ok(Plan { source, roles })
}

/// The role `arn` of `profile`, with its session settings.
fn role<'a>(profile: &'a Profile, arn: &'a str) -> Result<Role<'a>, CredentialsError> {
    let name = profile.name();
    if let Some((key, what)) = UNSUPPORTED
        .iter()
        .find(|(key, _)| profile.get(key).is_some())
    {
        return Err(unsupported(name, key, what));
    }
    let duration_seconds = profile
        .get("duration_seconds")
        .map(|text| {
            text.parse::<u32>().map_err(|_| {
                error(
                    name,
                    format_args!("has duration_seconds `{text}`, not a number of seconds"),
                )
            })
        })
        .transpose()?;
    Ok(Role {
        profile: Some(name),
        arn,
        session_name: profile.get("role_session_name"),
        external_id: profile.get("external_id"),
        duration_seconds,
    })
}

fn unsupported(profile: &str, key: &str, what: &str) -> CredentialsError {
    error(
        profile,
        format_args!("uses {key} ({what}), which this client does not support"),
    )
}

/// Where a profile without `role_arn` gets its credentials.
fn base<'a>(
    set: &'a ProfileSet,
    profile: &'a Profile,
    is_source: bool,
) -> Result<Source<'a>, CredentialsError> {
    let name = profile.name();
    for key in [
        "source_profile",
        "credential_source",
        "web_identity_token_file",
    ] {
        if profile.get(key).is_some() {
            return Err(error(name, format_args!("has {key} but no role_arn")));
        }
    }
    if let Some(sso) = Sso::from_profile(set, profile)? {
        return Ok(Source::Sso(sso));
    }
    if let Some(credentials) = static_keys(profile)? {
        return Ok(Source::Static(credentials));
    }
    if let Some(command) = profile.get("credential_process") {
        return Ok(Source::Process {
            profile: name,
            command,
        });
    }
    if let Some((key, what)) = UNSUPPORTED
        .iter()
        .find(|(key, _)| profile.get(key).is_some())
    {
        return Err(unsupported(name, key, what));
    }
    let files = profile::list(profile.files());
    if is_source {
        Err(error(
            name,
            format_args!("is a source_profile but has no credentials in {files}"),
        ))
    } else {
        Err(CredentialsError::not_found(format!(
            "profile `{name}`: no credentials in {files}"
        )))
    }
}

/// The static keys of `profile`, if it has an access key id.
fn static_keys(profile: &Profile) -> Result<Option<Credentials>, CredentialsError> {
    let Some(access_key_id) = profile.get("aws_access_key_id") else {
        return Ok(None);
    };
    let Some(secret_access_key) = profile.get("aws_secret_access_key") else {
        return Err(error(
            profile.name(),
            "has aws_access_key_id but no aws_secret_access_key",
        ));
    };
    Ok(Some(Credentials::new(
        access_key_id,
        secret_access_key,
        profile.get("aws_session_token").map(str::to_owned),
        None,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan of the profile `selected` of a config file `config`, or the error's message.
    fn plan(config: &str, selected: &str) -> Result<String, String> {
        let dir = std::env::temp_dir().join(format!(
            "s3-runtime-profile-plan-{}-{selected}-{:x}",
            std::process::id(),
            config.len()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config");
        std::fs::write(&path, config).unwrap();
        let env = crate::profile::Env::from_vars([
            ("AWS_CONFIG_FILE", path.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
            ("AWS_PROFILE", selected),
        ]);
        let set = profile::load_all(&env, None).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let plan = resolve(&set).map_err(|e| e.message().to_owned())?;
        let source = match &plan.source {
            Source::Static(credentials) => format!("static {}", credentials.access_key_id()),
            Source::Process { profile, .. } => format!("process of {profile}"),
            Source::Sso(_) => "sso".to_owned(),
            Source::WebIdentity { token_file, role } => {
                format!("web identity {token_file} for {}", role.arn)
            }
            Source::Named { source, .. } => format!("named {}", source.name()),
        };
        let roles: Vec<String> = plan.roles.iter().map(|r| r.arn.to_owned()).collect();
        Ok(format!("{source}; roles {}", roles.join(", ")))
    }

    const CHAIN: &str = "\
[profile top]
role_arn = arn:top
source_profile = middle
role_session_name = session
external_id = ext
duration_seconds = 900

[profile middle]
role_arn = arn:middle
source_profile = base

[profile base]
aws_access_key_id = AKIDBASE
aws_secret_access_key = base-secret
# ignored: a source profile's static keys win
role_arn = arn:never

[profile self]
role_arn = arn:self
source_profile = self
aws_access_key_id = AKIDSELF
aws_secret_access_key = self-secret

[profile a]
role_arn = arn:a
source_profile = b
[profile b]
role_arn = arn:b
source_profile = a

[profile named]
role_arn = arn:named
credential_source = Ec2InstanceMetadata

[profile web]
role_arn = arn:web
web_identity_token_file = /token

[profile process]
credential_process = sh -c 'printf {}'

[profile both]
role_arn = arn:both
source_profile = base
credential_source = Environment

[profile mfa]
role_arn = arn:mfa
source_profile = base
mfa_serial = arn:aws:iam::1:mfa/me

[profile login]
login_session = arn:aws:iam::1:user/me

[profile empty]
region = eu-west-1

[profile from-empty]
role_arn = arn:x
source_profile = empty

[profile bad-source]
role_arn = arn:x
credential_source = Ec2

[profile bad-duration]
role_arn = arn:x
source_profile = base
duration_seconds = an hour

[profile orphan]
role_arn = arn:x
source_profile = nowhere

[profile no-role]
source_profile = base
";

    #[test]
    fn follows_source_profiles_and_named_sources() {
        for (selected, expected) in [
            ("top", "static AKIDBASE; roles arn:middle, arn:top"),
            ("self", "static AKIDSELF; roles arn:self"),
            ("named", "named Ec2InstanceMetadata; roles arn:named"),
            ("web", "web identity /token for arn:web; roles "),
            ("process", "process of process; roles "),
        ] {
            assert_eq!(plan(CHAIN, selected).as_deref(), Ok(expected), "{selected}");
        }
    }

    #[test]
    fn bad_chains_are_errors_naming_profile_and_key() {
        for (selected, expected) in [
            ("a", "profile `a` has a source_profile cycle: a -> b -> a"),
            // Selected, a profile's role_arn wins over its static keys.
            (
                "base",
                "profile `base` has role_arn but neither source_profile nor credential_source",
            ),
            (
                "both",
                "profile `both` has both source_profile and credential_source: keep one",
            ),
            (
                "mfa",
                "profile `mfa` uses mfa_serial (assuming a role with an MFA code), which this \
                 client does not support",
            ),
            (
                "login",
                "profile `login` uses login_session (the credentials of `aws login`), which this \
                 client does not support",
            ),
            (
                "bad-source",
                "profile `bad-source` has credential_source `Ec2`: expected Environment, \
                 Ec2InstanceMetadata or EcsContainer",
            ),
            (
                "bad-duration",
                "profile `bad-duration` has duration_seconds `an hour`, not a number of seconds",
            ),
            (
                "no-role",
                "profile `no-role` has source_profile but no role_arn",
            ),
        ] {
            assert_eq!(plan(CHAIN, selected).unwrap_err(), expected, "{selected}");
        }
        let orphan = plan(CHAIN, "orphan").unwrap_err();
        assert!(
            orphan.starts_with(
                "profile `orphan` names source_profile `nowhere`, which is not defined in "
            ),
            "{orphan}"
        );
        let from_empty = plan(CHAIN, "from-empty").unwrap_err();
        assert!(
            from_empty
                .starts_with("profile `empty` is a source_profile but has no credentials in "),
            "{from_empty}"
        );
        let empty = plan(CHAIN, "empty").unwrap_err();
        assert!(
            empty.starts_with("profile `empty`: no credentials in "),
            "{empty}"
        );
    }

    #[test]
    fn sso_settings_come_from_the_session_or_the_profile() {
        let config = "\
[profile new]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Reader
[sso-session corp]
sso_region = eu-west-1
sso_start_url = https://corp.awsapps.com/start
[profile legacy]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 111122223333
sso_role_name = Reader
[profile partial]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 111122223333
[profile lost]
sso_session = nowhere
";
        assert_eq!(plan(config, "new").as_deref(), Ok("sso; roles "));
        assert_eq!(plan(config, "legacy").as_deref(), Ok("sso; roles "));
        assert_eq!(
            plan(config, "partial").unwrap_err(),
            "profile `partial`: SSO needs sso_role_name, which is not set"
        );
        assert_eq!(
            plan(config, "lost").unwrap_err(),
            "profile `lost`: sso_session `nowhere` has no [sso-session nowhere] section in the \
             config file"
        );
    }
}
