//! The rule set's results: each as the body of its `outcome` arm (an endpoint, or the error
//! of an error rule), and endpoint objects as `rt::Endpoint` expressions, which the tests'
//! expectations use too.
//!
//! In the rules, the auth-scheme lists are few and repeated (S3: 114 results, a dozen lists),
//! so each list is emitted once, as a function of the values that vary between the endpoints
//! using it ([`SchemeFns`]); the tests spell every expected list out instead, so that they check
//! those functions too.

use std::collections::HashMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::{Map, Value};

use super::bdd::member;
use super::expr::Scope;
use super::template::{self, Piece, PieceKind};

/// One `match` arm body per result (result 0, "no match", is the fallback arm), and the
/// auth-scheme functions they call.
pub(super) fn results(bdd: &Value, scope: &Scope) -> Result<(Vec<TokenStream>, SchemeFns), String> {
    let results = member(bdd, "results", Value::as_array)?;
    let mut schemes = SchemeFns::default();
    let arms = results
        .iter()
        .enumerate()
        .map(|(i, r)| result(r, scope, &mut schemes).map_err(|e| format!("result {}: {e}", i + 1)))
        .collect::<Result<_, _>>()?;
    Ok((arms, schemes))
}

fn result(r: &Value, scope: &Scope, schemes: &mut SchemeFns) -> Result<TokenStream, String> {
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
                    [(part, PieceKind::Borrowed)] => {
                        return Ok(Text::Copied(quote!(rt::to_text(#part))))
                    }
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
                Some(schemes),
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
    /// An expression of type `rt::Text`: one borrowed value, copied unless the table has it.
    Copied(TokenStream),
}

impl Text {
    /// As an `impl Into<Text>` argument.
    fn into_text(self) -> TokenStream {
        match self {
            Text::Static(s) => quote!(#s),
            Text::StaticExpr(ts) | Text::Built(ts) | Text::Copied(ts) => ts,
        }
    }

    /// As a `Cow<'static, str>`.
    fn cow(self) -> TokenStream {
        match self {
            Text::Static(s) => quote!(::std::borrow::Cow::Borrowed(#s)),
            Text::StaticExpr(ts) => quote!(::std::borrow::Cow::Borrowed(#ts)),
            Text::Built(ts) => quote!(::std::borrow::Cow::Owned(#ts)),
            Text::Copied(ts) => ts,
        }
    }
}

type TextFn<'t> = dyn FnMut(&str) -> Result<Text, String> + 't;

/// An `rt::Endpoint` expression from an endpoint object of the rules (in a result) or of a
/// test's expectation; `text` turns each string into a [`Text`]. With `schemes`, auth-scheme
/// lists become calls of its functions; without, they are written out.
pub(super) fn endpoint(
    ep: &Value,
    text: &mut TextFn<'_>,
    mut schemes: Option<&mut SchemeFns>,
) -> Result<TokenStream, String> {
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
                let list = value.as_array().ok_or("authSchemes is not a list")?;
                let list = match schemes.as_deref_mut() {
                    Some(fns) => fns.call(list, text)?,
                    None => {
                        let list = list
                            .iter()
                            .map(|s| auth_scheme(s, text, &mut Inline))
                            .collect::<Result<Vec<_>, _>>()?;
                        quote!([#(#list),*])
                    }
                };
                quote!(#out.with_auth_schemes(#list))
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

/// Where an auth-scheme field's value goes: into the expression, or out as an argument.
trait Fields {
    /// The expression of field `key`'s value `value` (a [`Text`]).
    fn text(&mut self, key: &str, value: Text) -> TokenStream;
}

/// Every value in place.
struct Inline;

impl Fields for Inline {
    fn text(&mut self, _: &str, value: Text) -> TokenStream {
        value.into_text()
    }
}

/// The values that vary between endpoints (signing regions, and anything built at run time)
/// become parameters; the others stay literals.
#[derive(Default)]
struct Parameters {
    /// The parameters and their arguments, in order.
    args: Vec<(Ident, TokenStream)>,
}

impl Fields for Parameters {
    fn text(&mut self, key: &str, value: Text) -> TokenStream {
        if key != "signingRegion" && matches!(value, Text::Static(_)) {
            return value.into_text();
        }
        let arg = value.into_text();
        if let Some((ident, _)) = self
            .args
            .iter()
            .find(|(_, a)| a.to_string() == arg.to_string())
        {
            return quote!(#ident);
        }
        let base = match key {
            "signingRegion" => "region",
            "signingRegionSet" => "region_set",
            "signingName" => "signing_name",
            other => other,
        };
        let same = self
            .args
            .iter()
            .filter(|(i, _)| i.to_string().starts_with(base))
            .count();
        let ident = match same {
            0 => format_ident!("{base}"),
            n => format_ident!("{base}_{}", n + 1),
        };
        self.args.push((ident.clone(), arg));
        quote!(#ident)
    }
}

/// The auth-scheme lists of the rules' endpoints, each a function of what varies between
/// the endpoints that use it.
#[derive(Default)]
pub(super) struct SchemeFns {
    fns: Vec<TokenStream>,
    /// The function of each list, by its body with the parameters in place.
    by_body: HashMap<String, Ident>,
}

impl SchemeFns {
    /// The call that builds `list`, defining its function on first use.
    fn call(&mut self, list: &[Value], text: &mut TextFn<'_>) -> Result<TokenStream, String> {
        let mut params = Parameters::default();
        let schemes = list
            .iter()
            .map(|s| auth_scheme(s, text, &mut params))
            .collect::<Result<Vec<_>, _>>()?;
        let len = proc_macro2::Literal::usize_unsuffixed(schemes.len());
        let body = quote!([#(#schemes),*]);
        let key = body.to_string();
        let ident = match self.by_body.get(&key) {
            Some(ident) => ident.clone(),
            None => {
                let ident = self.name(list);
                let names = params.args.iter().map(|(i, _)| i);
                let summary = list
                    .iter()
                    .map(describe)
                    .collect::<Vec<_>>()
                    .join("; then ");
                let doc = super::doc(&format!("The auth schemes {summary}."));
                self.fns.push(quote! {
                    #doc
                    fn #ident(#(#names: impl Into<rt::Text>),*) -> [rt::AuthScheme; #len] {
                        #body
                    }
                });
                self.by_body.insert(key, ident.clone());
                ident
            }
        };
        let args = params.args.iter().map(|(_, a)| a);
        Ok(quote!(#ident(#(#args),*)))
    }

    /// A name from the list's literal scheme and signing names, unique among the functions.
    fn name(&self, list: &[Value]) -> Ident {
        let mut words: Vec<&str> = Vec::new();
        for key in ["name", "signingName"] {
            for s in list {
                if let Some(w) = s.get(key).and_then(Value::as_str) {
                    if !w.contains('{') && !words.contains(&w) {
                        words.push(w);
                    }
                }
            }
        }
        let base = crate::naming::snake(&words.join("_"));
        let taken = |n: &str| self.by_body.values().any(|i| i == n);
        let name = (1..)
            .map(|n| match n {
                1 => base.clone(),
                n => format!("{base}_{n}"),
            })
            .find(|n| !taken(n))
            .expect("an unused name");
        format_ident!("{name}")
    }

    /// The functions, in order of first use.
    pub(super) fn definitions(&self) -> &[TokenStream] {
        &self.fns
    }
}

/// What a scheme of a list is, for a doc comment: "`sigv4` for `s3` in `region`, …".
fn describe(scheme: &Value) -> String {
    let field = |key| scheme.get(key).and_then(Value::as_str);
    let mut out = match field("name") {
        Some(name) if !name.contains('{') => format!("`{name}`"),
        _ => "`name`".to_owned(),
    };
    if let Some(signing_name) = field("signingName") {
        out += &format!(" for `{signing_name}`");
    }
    if scheme.get("signingRegion").is_some() {
        out += " in `region`";
    }
    if let Some(set) = scheme.get("signingRegionSet") {
        out += &format!(" in the regions {set}");
    }
    if scheme.get("disableDoubleEncoding") == Some(&Value::Bool(true)) {
        out += ", without double encoding";
    }
    out
}

fn auth_scheme(
    scheme: &Value,
    text: &mut TextFn<'_>,
    fields_out: &mut dyn Fields,
) -> Result<TokenStream, String> {
    let fields = scheme.as_object().ok_or("auth scheme is not an object")?;
    let name = fields
        .get("name")
        .and_then(Value::as_str)
        .ok_or("auth scheme without name")?;
    let name = fields_out.text("name", text(name)?);
    let mut out = quote!(rt::AuthScheme::new(#name));
    for (key, value) in fields {
        let mut string = |text: &mut TextFn<'_>| -> Result<TokenStream, String> {
            let v = text(value.as_str().ok_or(format!("`{key}` is not a string"))?)?;
            Ok(fields_out.text(key, v))
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
                if items.iter().all(|t| matches!(t, Text::Static(_))) {
                    let items = items.into_iter().map(Text::cow);
                    quote!(#out.signing_region_set(::std::borrow::Cow::Borrowed(&[#(#items),*])))
                } else {
                    let items = items.into_iter().map(|t| {
                        let v = fields_out.text(key, t);
                        quote!(rt::Text::from(#v))
                    });
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
