//! The `endpointTests` cases as `#[test]`s: each builds `Params` from the case's `params` and
//! compares `resolve`'s whole answer (URL, headers, properties, or the error) with the
//! expectation. A case's `operationInputs` for a generated operation become tests too, through
//! the code real calls run: a `Config` from the built-in and client parameters, the input from
//! the operation parameters, and the operation's `endpoint_params`.

use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::params::Param;
use super::results::{endpoint, Text};
use super::typed::Ty;
use crate::ir::{EndpointParamType, Ir};
use crate::naming::ident;

/// What the `operationInputs` tests need of the generated client: the configuration setters
/// by built-in and parameter name, and the generated operations.
#[derive(Default)]
pub(crate) struct Calls<'a> {
    /// (`AWS::Region` or `ForcePathStyle`, setter, takes a bool).
    settings: Vec<(&'a str, &'a str, bool)>,
    operations: Vec<Call<'a>>,
}

struct Call<'a> {
    /// The model's name: `CreateBucket`.
    name: &'a str,
    module: &'a str,
    input: &'a str,
    /// Whether the input's `build()` can fail.
    fallible: bool,
    /// (model name, field) of each input member.
    members: Vec<(&'a str, &'a str)>,
}

impl<'a> Calls<'a> {
    pub(crate) fn new(ir: &'a Ir<'_>) -> Self {
        let mut settings = Vec::new();
        for p in &ir.service.endpoint_params {
            let Some(setter) = p.setting.as_deref() else {
                continue;
            };
            let bool = p.ty == EndpointParamType::Bool;
            settings.push((p.name, setter, bool));
            if let Some(builtin) = p.builtin {
                settings.push((builtin, setter, bool));
            }
        }
        let operations = ir
            .operations
            .iter()
            .map(|op| Call {
                name: op.id.name(),
                module: &op.module,
                input: &op.input.name,
                fallible: op
                    .input
                    .members
                    .iter()
                    .any(|m| m.required && m.default.is_none()),
                members: op
                    .input
                    .members
                    .iter()
                    .map(|m| (m.name, m.field.as_str()))
                    .collect(),
            })
            .collect();
        Self {
            settings,
            operations,
        }
    }
}

pub(super) fn emit(
    tests: &Value,
    params: &[Param],
    calls: &Calls<'_>,
) -> Result<TokenStream, String> {
    let cases = tests
        .get("testCases")
        .and_then(Value::as_array)
        .ok_or("the tests trait has no testCases")?;
    let mut tests = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let at = |e: String| format!("test case {i}: {e}");
        tests.push(test(i, case, params).map_err(at)?);
        for input in case
            .get("operationInputs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            tests.extend(call_test(i, case, input, calls).map_err(at)?);
        }
    }
    Ok(quote! {
        //! The rule set's `smithy.rules#endpointTests`, one test per case.

        use super::{resolve, Params};
        use s3_runtime::endpoint as rt;

        #(#tests)*
    })
}

/// The case's documentation and its test name, `endpoint_case_NNN_<slug>`.
fn name(index: usize, case: &Value) -> (&str, String) {
    let doc = case
        .get("documentation")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let slug: String = doc
        .to_snake_case()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(60)
        .collect();
    (
        doc,
        format!("endpoint_case_{index:03}_{}", slug.trim_end_matches('_')),
    )
}

/// The expected outcome, as a `Result` expression.
fn expected(case: &Value) -> Result<TokenStream, String> {
    let expect = case.get("expect").ok_or("no expect")?;
    Ok(match (expect.get("error"), expect.get("endpoint")) {
        (Some(Value::String(message)), None) => quote!(Err(rt::ResolveError::rule(#message))),
        (None, Some(ep)) => {
            let endpoint = endpoint(ep, &mut |s: &str| Ok(Text::Static(s.to_owned())), None)?;
            quote!(Ok(#endpoint))
        }
        _ => return Err(format!("unsupported expectation {expect}")),
    })
}

/// The test of one `operationInputs` entry, when its operation is generated.
fn call_test(
    index: usize,
    case: &Value,
    input: &Value,
    calls: &Calls<'_>,
) -> Result<Option<TokenStream>, String> {
    let op_name = input
        .get("operationName")
        .and_then(Value::as_str)
        .ok_or("an operation input without operationName")?;
    let Some(call) = calls.operations.iter().find(|c| c.name == op_name) else {
        return Ok(None);
    };
    let mut settings = Vec::new();
    for key in ["builtInParams", "clientParams"] {
        for (name, value) in input
            .get(key)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let (_, setter, bool) = calls
                .settings
                .iter()
                .find(|(n, ..)| n == name)
                .ok_or(format!("no client setting for `{name}`"))?;
            let setter = ident(setter);
            settings.push(match (value, bool) {
                (Value::Bool(b), true) => quote!(.#setter(#b)),
                (Value::String(s), false) => quote!(.#setter(#s)),
                _ => {
                    return Err(format!(
                        "setting `{name}` has a value of another type: {value}"
                    ))
                }
            });
        }
    }
    let mut members = Vec::new();
    for (name, value) in input
        .get("operationParams")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let (_, field) = call
            .members
            .iter()
            .find(|(n, _)| n == name)
            .ok_or(format!("{op_name} has no member `{name}`"))?;
        let field = ident(field);
        let Value::String(value) = value else {
            return Err(format!(
                "operation parameter `{name}` is not a string: {value}"
            ));
        };
        members.push(quote!(.#field(#value)));
    }
    let (doc, name) = name(index, case);
    let name = format_ident!("{name}_via_{}", call.module);
    let doc = super::doc(&format!("{doc} (through `{op_name}`)"));
    let (module, input_ty) = (ident(call.module), ident(call.input));
    let build = if call.fallible {
        quote!(.build().expect("the case sets every required member"))
    } else {
        quote!(.build())
    };
    let expected = expected(case)?;
    Ok(Some(quote! {
        #doc
        #[test]
        fn #name() {
            let config = crate::Config::builder() #(#settings)* .build();
            let input = crate::operation::#module::#input_ty::builder() #(#members)* #build;
            let expected = #expected;
            let actual = resolve(&crate::operation::#module::endpoint_params(&config, &input));
            assert_eq!(actual, expected);
        }
    }))
}

fn test(index: usize, case: &Value, params: &[Param]) -> Result<TokenStream, String> {
    let (doc, name) = name(index, case);
    let name = format_ident!("{name}");
    let doc = super::doc(doc);

    let fields = case
        .get("params")
        .and_then(Value::as_object)
        .ok_or("no params")?
        .iter()
        .map(|(key, value)| {
            let p = params
                .iter()
                .find(|p| p.name.rule == *key)
                .ok_or(format!("unknown parameter `{key}`"))?;
            let value = match (value, p.name.ty) {
                (Value::String(s), Ty::Str) => quote!(#s),
                (Value::String(s), Ty::EndpointUrl) => quote!(&rt::EndpointUrl::new(#s)),
                (Value::Bool(b), Ty::Bool) => quote!(#b),
                _ => {
                    return Err(format!(
                        "parameter `{key}` has a value of another type: {value}"
                    ))
                }
            };
            let ident = &p.name.ident;
            Ok(if p.name.opt {
                quote!(#ident: Some(#value),)
            } else {
                quote!(#ident: #value,)
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let params = if fields.is_empty() {
        quote!(Params::default())
    } else {
        quote!(Params { #(#fields)* ..Params::default() })
    };

    let expected = expected(case)?;
    Ok(quote! {
        #doc
        #[test]
        fn #name() {
            let params = #params;
            let expected = #expected;
            let actual = resolve(&params);
            assert_eq!(actual, expected);
        }
    })
}
