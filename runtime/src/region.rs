//! The region the client talks to, from the environment or the shared config.

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
