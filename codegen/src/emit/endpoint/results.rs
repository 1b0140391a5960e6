//! The rule set's results: each as the body of its `outcome` arm (an endpoint, or the error
//! of an error rule), and endpoint objects as `rt::Endpoint` expressions, which the tests'
//! expectations use too.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{Map, Value};

use super::bdd::member;
use super::expr::Scope;
use super::template::{self, Piece, PieceKind};

/// One `match` arm body per result (result 0, "no match", is the fallback arm).
pub(super) fn results(bdd: &Value, scope: &Scope) -> Result<Vec<TokenStream>, String> {
    let results = member(bdd, "results", Value::as_array)?;
    results
        .iter()
        .enumerate()
        .map(|(i, r)| result(r, scope).map_err(|e| format!("result {}: {e}", i + 1)))
        .collect()
}

fn result(r: &Value, scope: &Scope) -> Result<TokenStream, String> {
    if r.get("conditions")
        .and_then(Value::as_array)
        .is_some_and(|c| !c.is_empty())
    {
        return Err("results with conditions are not supported".into());
    }
    let mut locals = Vec::new();
    let mut text = |s: &str| -> Result<Text, String> {
        let pieces = template::parse_template(s)?;
        match pieces.as_slice() {
            [Piece::Literal(lit)] => Ok(Text::Static(lit.clone())),
            _ => {
                let parts = template::template_pieces(&pieces, scope, &mut locals)?;
                Ok(Text::Built(match parts.as_slice() {
                    [(part, PieceKind::Static)] => return Ok(Text::StaticExpr(part.clone())),
                    [(part, PieceKind::Borrowed)] => quote!(#part.to_owned()),
                    _ => {
                        let parts = parts.iter().map(|(part, _)| part);
                        quote!(rt::concat(&[#(#parts),*]))
                    }
                }))
            }
        }
    };
    let value = match r.get("type").and_then(Value::as_str) {
        Some("error") => {
            let message = r
                .get("error")
                .and_then(Value::as_str)
                .ok_or("error rule without message")?;
            let message = text(message)?.into_text();
            quote!(Err(rt::ResolveError::rule(#message)))
        }
        Some("endpoint") => {
            let endpoint = endpoint(
                r.get("endpoint").ok_or("endpoint rule without endpoint")?,
                &mut text,
            )?;
            quote!(Ok(#endpoint))
        }
        other => return Err(format!("unsupported result type {other:?}")),
    };
    if locals.is_empty() {
        return Ok(value);
    }
    let lets = locals.iter().map(|l| {
        let (ident, bind) = (&l.ident, &l.bind);
        quote!(let #ident = #bind;)
    });
    Ok(quote!({ #(#lets)* #value }))
}

/// A string of an endpoint: a literal, or built from a template at run time.
pub(super) enum Text {
    Static(String),
    /// An expression of type `&'static str`.
    StaticExpr(TokenStream),
    /// An expression of type `String`.
    Built(TokenStream),
}

impl Text {
    /// As an `impl Into<Text>` argument.
    fn into_text(self) -> TokenStream {
        match self {
            Text::Static(s) => quote!(#s),
            Text::StaticExpr(ts) | Text::Built(ts) => ts,
        }
    }

    /// As a `Cow<'static, str>`.
    fn cow(self) -> TokenStream {
        match self {
            Text::Static(s) => quote!(::std::borrow::Cow::Borrowed(#s)),
            Text::StaticExpr(ts) => quote!(::std::borrow::Cow::Borrowed(#ts)),
            Text::Built(ts) => quote!(::std::borrow::Cow::Owned(#ts)),
        }
    }
}

type TextFn<'t> = dyn FnMut(&str) -> Result<Text, String> + 't;

/// An `rt::Endpoint` expression from an endpoint object of the rules (in a result) or of a
/// test's expectation; `text` turns each string into a [`Text`].
pub(super) fn endpoint(ep: &Value, text: &mut TextFn<'_>) -> Result<TokenStream, String> {
    let url = ep
        .get("url")
        .and_then(Value::as_str)
        .ok_or("endpoint without url")?;
    let url = text(url)?.into_text();
    let mut out = quote!(rt::Endpoint::new(#url));
    for (name, values) in object(ep.get("headers"))? {
        let values = values
            .as_array()
            .ok_or(format!("header `{name}` is not a list"))?
            .iter()
            .map(|v| Ok(text(v.as_str().ok_or("header value is not a string")?)?.cow()))
            .collect::<Result<Vec<_>, String>>()?;
        out = quote!(#out.with_header(#name, [#(#values),*]));
    }
    for (name, value) in object(ep.get("properties"))? {
        out = match name.as_str() {
            "authSchemes" => {
                let schemes = value
                    .as_array()
                    .ok_or("authSchemes is not a list")?
                    .iter()
                    .map(|s| auth_scheme(s, text))
                    .collect::<Result<Vec<_>, _>>()?;
                quote!(#out.with_auth_schemes([#(#schemes),*]))
            }
            "backend" => {
                let backend = text(value.as_str().ok_or("backend is not a string")?)?.into_text();
                quote!(#out.with_backend(#backend))
            }
            _ => {
                let value = property(&value, text)?;
                quote!(#out.with_property(#name, #value))
            }
        };
    }
    Ok(out)
}

fn object(v: Option<&Value>) -> Result<Map<String, Value>, String> {
    match v {
        None => Ok(Map::new()),
        Some(Value::Object(o)) => Ok(o.clone()),
        Some(other) => Err(format!("expected an object, found {other}")),
    }
}

fn auth_scheme(scheme: &Value, text: &mut TextFn<'_>) -> Result<TokenStream, String> {
    let fields = scheme.as_object().ok_or("auth scheme is not an object")?;
    let name = fields
        .get("name")
        .and_then(Value::as_str)
        .ok_or("auth scheme without name")?;
    let name = text(name)?.into_text();
    let mut out = quote!(rt::AuthScheme::new(#name));
    for (key, value) in fields {
        let string = |text: &mut TextFn<'_>| {
            text(value.as_str().ok_or(format!("`{key}` is not a string"))?).map(Text::into_text)
        };
        out = match key.as_str() {
            "name" => continue,
            "signingName" => {
                let v = string(text)?;
                quote!(#out.signing_name(#v))
            }
            "signingRegion" => {
                let v = string(text)?;
                quote!(#out.signing_region(#v))
            }
            "disableDoubleEncoding" => {
                let v = value
                    .as_bool()
                    .ok_or("disableDoubleEncoding is not a boolean")?;
                quote!(#out.disable_double_encoding(#v))
            }
            "signingRegionSet" => {
                let items = value
                    .as_array()
                    .ok_or("signingRegionSet is not a list")?
                    .iter()
                    .map(|v| text(v.as_str().ok_or("region is not a string")?))
                    .collect::<Result<Vec<_>, _>>()?;
                let all_static = items.iter().all(|t| matches!(t, Text::Static(_)));
                let items = items.into_iter().map(Text::cow);
                if all_static {
                    quote!(#out.signing_region_set(::std::borrow::Cow::Borrowed(&[#(#items),*])))
                } else {
                    quote!(#out.signing_region_set(::std::borrow::Cow::Owned(Vec::from([#(#items),*]))))
                }
            }
            other => return Err(format!("unsupported auth scheme field `{other}`")),
        };
    }
    Ok(out)
}

/// An `rt::Value` expression.
fn property(value: &Value, text: &mut TextFn<'_>) -> Result<TokenStream, String> {
    Ok(match value {
        Value::Bool(b) => quote!(rt::Value::Bool(#b)),
        Value::Number(n) => {
            let n = n
                .as_i64()
                .ok_or(format!("property number {n} is not an integer"))?;
            quote!(rt::Value::Int(#n))
        }
        Value::String(s) => {
            let s = text(s)?.cow();
            quote!(rt::Value::String(#s))
        }
        Value::Array(items) => {
            let items = items
                .iter()
                .map(|v| property(v, text))
                .collect::<Result<Vec<_>, _>>()?;
            quote!(rt::Value::Array(Vec::from([#(#items),*])))
        }
        Value::Object(fields) => {
            let fields = fields
                .iter()
                .map(|(k, v)| {
                    let v = property(v, text)?;
                    Ok(quote!((::std::borrow::Cow::Borrowed(#k), #v)))
                })
                .collect::<Result<Vec<_>, String>>()?;
            quote!(rt::Value::Object(Vec::from([#(#fields),*])))
        }
        Value::Null => return Err("null property values are not supported".into()),
    })
}
