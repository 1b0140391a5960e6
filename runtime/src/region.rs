//! The region the client talks to, from the environment or the shared config, and the region
//! S3 names in a host.

use crate::profile::{self, Env, ProfileError};

/// The region from `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the `region` of the selected
/// profile (see [`profile::load`]); `None` if none of them sets one.
///
/// The files are read only when neither variable is set.
pub fn load(env: &Env) -> Result<Option<String>, ProfileError> {
    if let Some(region) = env
        .get("AWS_REGION")
        .or_else(|| env.get("AWS_DEFAULT_REGION"))
    {
        return Ok(Some(region));
    }
    Ok(profile::load(env, None)?.get("region").map(str::to_owned))
}

/// The region in an S3 host name, as a `PermanentRedirect` names the endpoint to use:
/// `bucket.s3.eu-west-1.amazonaws.com`, `s3.dualstack.eu-west-1.amazonaws.com`, the legacy
/// `bucket.s3-eu-west-1.amazonaws.com`, and `us-east-1` for the global `bucket.s3.amazonaws.com`
/// and `s3-external-1`. `None` for a host that is not one of these.
pub fn of_s3_host(host: &str) -> Option<&str> {
    let mut labels = host.split('.');
    while let Some(label) = labels.next() {
        let region = match label {
            "s3" => match labels.next()? {
                "dualstack" => labels.next()?,
                "amazonaws" => return Some("us-east-1"),
                region => region,
            },
            "s3-external-1" => return Some("us-east-1"),
            label => match label.strip_prefix("s3-") {
                Some(region) => region,
                None => continue,
            },
        };
        return is_region_like(region).then_some(region);
    }
    None
}

/// Letters, digits and dashes with a dash and a digit in them, as `eu-west-1` or `us-gov-west-1`.
fn is_region_like(name: &str) -> bool {
    name.contains('-')
        && name.bytes().any(|b| b.is_ascii_digit())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_region_of_s3_hosts() {
        for (host, region) in [
            ("b.s3.eu-west-1.amazonaws.com", Some("eu-west-1")),
            ("s3.eu-west-1.amazonaws.com", Some("eu-west-1")),
            (
                "b.s3.dualstack.ap-south-1.amazonaws.com",
                Some("ap-south-1"),
            ),
            ("b.s3-us-west-2.amazonaws.com", Some("us-west-2")),
            ("a.b.s3.cn-north-1.amazonaws.com.cn", Some("cn-north-1")),
            ("b.s3.amazonaws.com", Some("us-east-1")),
            ("b.s3-external-1.amazonaws.com", Some("us-east-1")),
            ("b.s3-accelerate.amazonaws.com", None),
            ("example.com", None),
            ("s3", None),
            ("", None),
        ] {
            assert_eq!(of_s3_host(host), region, "{host}");
        }
    }
}
