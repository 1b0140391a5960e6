//! Endpoint URLs configured the way the AWS SDKs read them since 2023: per service, for all
//! services, or in the shared config's profile.

use crate::profile::{self, Env, ProfileError};

/// The endpoint URL configured for the service whose SDK id is `sdk_id` (`S3`): from
/// `AWS_ENDPOINT_URL_<SDK_ID>` (upper case, spaces as `_`), else `AWS_ENDPOINT_URL`, else the
/// selected profile's `endpoint_url`; none when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` or the
/// profile's `ignore_configured_endpoint_urls = true`.
///
/// The files are read only when no variable decides.
pub fn configured_endpoint_url(env: &Env, sdk_id: &str) -> Result<Option<String>, ProfileError> {
    let is_true = |v: &str| v.trim().eq_ignore_ascii_case("true");
    if env
        .get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_some_and(|v| is_true(&v))
    {
        return Ok(None);
    }
    let service_var = format!(
        "AWS_ENDPOINT_URL_{}",
        sdk_id.to_ascii_uppercase().replace(' ', "_")
    );
    if let Some(url) = env
        .get(&service_var)
        .or_else(|| env.get("AWS_ENDPOINT_URL"))
    {
        return Ok(Some(url));
    }
    let profile = profile::load(env, None)?;
    if profile
        .get("ignore_configured_endpoint_urls")
        .is_some_and(is_true)
    {
        return Ok(None);
    }
    Ok(profile.get("endpoint_url").map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(vars: &[(&str, &str)]) -> Option<String> {
        let mut all = vec![
            ("HOME", "/nonexistent"),
            ("AWS_CONFIG_FILE", "/nonexistent"),
        ];
        all.extend_from_slice(vars);
        configured_endpoint_url(&Env::from_vars(all), "S3").unwrap()
    }

    #[test]
    fn the_service_variable_wins_over_the_global_one() {
        let service = ("AWS_ENDPOINT_URL_S3", "http://s3.local");
        let global = ("AWS_ENDPOINT_URL", "http://all.local");
        assert_eq!(url(&[service, global]).as_deref(), Some("http://s3.local"));
        assert_eq!(url(&[global]).as_deref(), Some("http://all.local"));
        assert_eq!(url(&[]), None);
        let ignore = ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
        assert_eq!(url(&[service, ignore]), None);
    }

    #[test]
    fn a_profile_may_set_one() {
        let dir = std::env::temp_dir().join(format!("endpoint-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = dir.join("config");
        std::fs::write(
            &config,
            "[default]\nendpoint_url = http://profile.local\n[profile off]\n\
             endpoint_url = http://x\nignore_configured_endpoint_urls = true\n",
        )
        .unwrap();
        let config = config.to_str().unwrap();
        let env = |profile: &str| {
            Env::from_vars([
                ("HOME", "/nonexistent"),
                ("AWS_CONFIG_FILE", config),
                ("AWS_PROFILE", profile),
            ])
        };
        let got = configured_endpoint_url(&env("default"), "S3").unwrap();
        assert_eq!(got.as_deref(), Some("http://profile.local"));
        assert_eq!(configured_endpoint_url(&env("off"), "S3").unwrap(), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
