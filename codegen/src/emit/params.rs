//! Endpoint parameters of a request: each operation's `endpoint_params(config, input)`, and
//! rule-set values as Rust values of the configuration or of `endpoint::Params`.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use super::config::parsed_getter;
use crate::ir::{EndpointParam, EndpointParamType, Ir, OperationIr};
use crate::naming::ident;
use crate::Error;

/// A rule-set default or static context parameter as a value of the configuration (`owned`)
/// or of the borrowed `endpoint::Params`.
pub(super) fn param_value(
    param: &EndpointParam<'_>,
    value: &Value,
    owned: bool,
) -> Result<TokenStream, Error> {
    Ok(match (param.ty, value) {
        (EndpointParamType::Bool, Value::Bool(b)) => quote!(#b),
        (EndpointParamType::String, Value::String(s)) if owned => quote!(String::from(#s)),
        (EndpointParamType::String, Value::String(s)) => quote!(#s),
        _ => {
            return Err(Error::new(format!(
                "endpoint parameter {}: value {value} does not fit",
                param.name
            )))
        }
    })
}

/// `endpoint_params(config, input)`: what `send` resolves the endpoint from, public for the
/// endpoint tests and for callers who resolve endpoints themselves.
pub(super) fn endpoint_params_fn(op: &OperationIr<'_>, ir: &Ir<'_>) -> Result<TokenStream, Error> {
    let input_ty = ident(&op.input.name);
    let params = endpoint_params(op, ir)?;
    let reads_input = op.input.members.iter().any(|m| {
        m.context_param.is_some_and(|name| {
            ir.service.endpoint_params.iter().any(|p| p.name == name)
                && !op.static_context_params.iter().any(|(s, _)| *s == name)
        })
    });
    let input = if reads_input {
        quote!(input)
    } else {
        quote!(_input)
    };
    let reads_config = ir.service.endpoint_params.iter().any(|p| {
        p.setting.is_some()
            && !op.static_context_params.iter().any(|(s, _)| *s == p.name)
            && !op
                .input
                .members
                .iter()
                .any(|m| m.context_param == Some(p.name))
    });
    let config = if reads_config {
        quote!(config)
    } else {
        quote!(_config)
    };
    Ok(quote! {
        /// The endpoint parameters of a request: the client's settings, the input's context
        /// parameters, and the operation's own.
        pub fn endpoint_params<'a>(#config: &'a crate::Config, #input: &'a #input_ty) -> crate::endpoint::Params<'a> {
            #params
        }
    })
}

/// The operation's endpoint parameters: client settings, then the input's context parameters,
/// then the operation's static ones.
fn endpoint_params(op: &OperationIr<'_>, ir: &Ir<'_>) -> Result<TokenStream, Error> {
    let mut fields = Vec::new();
    for p in &ir.service.endpoint_params {
        let field = ident(&p.field);
        let wrap = |value: TokenStream| {
            if p.default.is_some() {
                value
            } else {
                quote!(Some(#value))
            }
        };
        let value = if let Some((_, value)) = op
            .static_context_params
            .iter()
            .find(|(name, _)| *name == p.name)
        {
            wrap(param_value(p, value, false)?)
        } else if let Some(m) = op
            .input
            .members
            .iter()
            .find(|m| m.context_param == Some(p.name))
        {
            let member = ident(&m.field);
            let value = match p.ty {
                EndpointParamType::String if m.optional() => quote!(input.#member.as_deref()),
                EndpointParamType::String => quote!(Some(input.#member.as_str())),
                EndpointParamType::Bool if m.optional() => quote!(input.#member),
                EndpointParamType::Bool => quote!(Some(input.#member)),
                EndpointParamType::EndpointUrl => {
                    return Err(Error::new(format!(
                        "endpoint parameter {}: the endpoint URL cannot come from an input member",
                        p.name
                    )))
                }
            };
            match &p.default {
                Some(default) => {
                    let default = param_value(p, default, false)?;
                    quote!(#value.unwrap_or(#default))
                }
                None => value,
            }
        } else if let Some(setting) = &p.setting {
            let getter = match p.ty {
                EndpointParamType::EndpointUrl => parsed_getter(setting),
                _ => ident(setting),
            };
            quote!(config.#getter())
        } else if let Some(default) = p.default {
            param_value(p, default, false)?
        } else {
            quote!(None)
        };
        fields.push(quote!(#field: #value));
    }
    Ok(quote!(crate::endpoint::Params { #(#fields,)* }))
}
