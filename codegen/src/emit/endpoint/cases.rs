//! The `endpointTests` cases as `#[test]`s: each builds `Params` from the case's `params` and
//! compares `resolve`'s whole answer (URL, headers, properties, or the error) with the
//! expectation.

use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::{endpoint, expr::Ty, Param, Text};

pub(super) fn emit(tests: &Value, params: &[Param]) -> Result<TokenStream, String> {
    let cases = tests
        .get("testCases")
        .and_then(Value::as_array)
        .ok_or("the tests trait has no testCases")?;
    let tests = cases
        .iter()
        .enumerate()
        .map(|(i, case)| test(i, case, params).map_err(|e| format!("test case {i}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(quote! {
        //! The rule set's `smithy.rules#endpointTests`, one test per case.

        use super::{resolve, Params};
        use s3_runtime::endpoint as rt;

        #(#tests)*
    })
}

fn test(index: usize, case: &Value, params: &[Param]) -> Result<TokenStream, String> {
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
    let name = format_ident!("endpoint_case_{index:03}_{}", slug.trim_end_matches('_'));
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

    let expect = case.get("expect").ok_or("no expect")?;
    let expected = match (expect.get("error"), expect.get("endpoint")) {
        (Some(Value::String(message)), None) => quote!(Err(rt::ResolveError::rule(#message))),
        (None, Some(ep)) => {
            let endpoint = endpoint(ep, &mut |s: &str| Ok(Text::Static(s.to_owned())))?;
            quote!(Ok(#endpoint))
        }
        _ => return Err(format!("unsupported expectation {expect}")),
    };
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
