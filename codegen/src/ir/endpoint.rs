//! The endpoint rules' traits: which rules the resolver is compiled from, and their parameters
//! with the client setting that feeds each.

use serde_json::Value;

use super::{EndpointParam, EndpointParamType};
use crate::model::Traits;
use crate::naming;
use crate::Error;

/// The endpoint rules the resolver is compiled from: the decision-diagram form when the model
/// has it, else the rule tree.
pub fn endpoint_rules(traits: &Traits) -> Option<&Value> {
    traits
        .get("smithy.rules#endpointBdd")
        .or_else(|| traits.get("smithy.rules#endpointRuleSet"))
}

/// Whether the rule-set parameter `param` is the endpoint URL setting: the `SDK::Endpoint`
/// built-in, a string without a default ([`EndpointParamType::EndpointUrl`]).
pub fn is_endpoint_url(param: &Value) -> bool {
    param.get("builtIn").and_then(Value::as_str) == Some("SDK::Endpoint")
        && param.get("type").and_then(Value::as_str) == Some("string")
        && param.get("default").is_none()
}

/// The rules' parameters, with the client setting (if any) that feeds each. A service without
/// rules gets the two every client needs: the region and the endpoint URL.
pub(super) fn endpoint_params(traits: &Traits) -> Result<Vec<EndpointParam<'_>>, Error> {
    let Some(params) = endpoint_rules(traits)
        .and_then(|rules| rules.get("parameters"))
        .and_then(Value::as_object)
    else {
        let builtin = |name: &'static str, builtin, ty| EndpointParam {
            name,
            field: naming::snake(name),
            setting: Some(naming::endpoint_setting(name, Some(builtin))),
            builtin: Some(builtin),
            ty,
            default: None,
            docs: None,
            env_var: None,
        };
        return Ok(vec![
            builtin("Region", "AWS::Region", EndpointParamType::String),
            builtin("Endpoint", "SDK::Endpoint", EndpointParamType::EndpointUrl),
        ]);
    };
    let client_context = traits
        .get("smithy.rules#clientContextParams")
        .and_then(Value::as_object);
    params
        .iter()
        .map(|(name, param)| {
            let ty = match param.get("type").and_then(Value::as_str) {
                Some("boolean") => EndpointParamType::Bool,
                Some("string") if is_endpoint_url(param) => EndpointParamType::EndpointUrl,
                Some("string") => EndpointParamType::String,
                other => {
                    return Err(Error::new(format!(
                        "endpoint parameter {name}: unsupported type {other:?}"
                    )))
                }
            };
            let builtin = param.get("builtIn").and_then(Value::as_str);
            let configurable =
                builtin.is_some() || client_context.is_some_and(|c| c.contains_key(name));
            Ok(EndpointParam {
                name,
                field: naming::snake(name),
                setting: configurable.then(|| naming::endpoint_setting(name, builtin)),
                builtin,
                ty,
                default: param.get("default"),
                docs: param.get("documentation").and_then(Value::as_str),
                env_var: None,
            })
        })
        .collect()
}
