//! The endpoint resolver, compiled from the service's `smithy.rules#endpointBdd` trait.
//!
//! Why the BDD and not the `endpointRuleSet` tree: the BDD is the same logic with every
//! condition and every result written once (S3: 75 conditions, 114 results, 553 nodes, against
//! 389 rules with 742 condition instances and 257 leaves), and walking it evaluates each condition at most once.
//! So the generated code is a node table, one `match` arm per condition and one per result;
//! the tree would be nested `if`s that re-test shared conditions on every branch.
//!
//! The module is a `Params` struct, a private `Vars` struct for values that conditions assign,
//! the node table and `resolve`. The runtime walks the table (`rt::evaluate_bdd`) and provides
//! the rules functions; see `s3_runtime::endpoint`.

mod cases;
mod expr;
mod fallback;

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::{Map, Value};

use super::doc_lines as doc;
use crate::Error;
use expr::{Expr, Name, Piece, PieceKind, Scope, Ty};

/// The generated endpoint module and its tests, as tokens for two files.
pub(crate) struct EndpointModule {
    /// `endpoint.rs`: `Params`, `resolve` and what they need; declares `mod tests`.
    pub(crate) module: TokenStream,
    /// `endpoint/tests.rs`: one `#[test]` per `endpointTests` case.
    pub(crate) tests: TokenStream,
}

/// `src/endpoint.rs` and, with rules, `src/endpoint/tests.rs`.
pub(crate) fn files(ir: &crate::ir::Ir<'_>) -> Result<Vec<crate::GeneratedFile>, Error> {
    let traits = ir.service.traits;
    let Some(bdd) = traits.get("smithy.rules#endpointBdd") else {
        if traits.has("smithy.rules#endpointRuleSet") {
            return Err(Error::new(
                "endpoint rules: the model has a rule set but no `smithy.rules#endpointBdd`; \
                 compile the rule set to a BDD first (Smithy's `compileBdd` transform)",
            ));
        }
        return Ok(vec![super::file("src/endpoint.rs", fallback::module(ir)?)?]);
    };
    let empty = Value::Object(Map::new());
    let tests = traits.get("smithy.rules#endpointTests").unwrap_or(&empty);
    let calls = cases::Calls::new(ir);
    let EndpointModule { module, tests } = emit(bdd, tests, &calls)?;
    Ok(vec![
        super::file("src/endpoint.rs", module)?,
        super::file("src/endpoint/tests.rs", tests)?,
    ])
}

/// Emits the endpoint module from the `smithy.rules#endpointBdd` trait value and its tests from
/// the `smithy.rules#endpointTests` trait value. Fails, naming the construct, on anything the
/// emitter does not support, so a model change cannot produce a wrong resolver silently.
pub(crate) fn emit(
    bdd: &Value,
    tests: &Value,
    calls: &cases::Calls<'_>,
) -> Result<EndpointModule, Error> {
    module(bdd, tests, calls).map_err(|e| Error::new(format!("endpoint rules: {e}")))
}

fn module(bdd: &Value, tests: &Value, calls: &cases::Calls<'_>) -> Result<EndpointModule, String> {
    let params = params(bdd)?;
    let mut scope = Scope::default();
    for p in &params {
        scope.add(p.name.clone())?;
    }
    let conditions = conditions(bdd, &mut scope)?;
    let results = results(bdd, &scope)?;
    let (root, nodes) = nodes(bdd, conditions.len(), results.len())?;

    let vars: Vec<&Name> = scope.names.iter().filter(|n| !n.param).collect();
    let params_lifetime = params.iter().any(|p| p.name.ty == Ty::Str);
    let vars_lifetime = vars
        .iter()
        .any(|n| !matches!(n.ty, Ty::Bool | Ty::Int | Ty::Partition | Ty::StaticStr));
    let params_ty = if params_lifetime {
        quote!(Params<'a>)
    } else {
        quote!(Params)
    };
    let vars_ty = if vars_lifetime {
        quote!(Vars<'a>)
    } else {
        quote!(Vars)
    };
    let generics = if params_lifetime || vars_lifetime {
        quote!(<'a>)
    } else {
        quote!()
    };

    let params_struct = params_struct(&params, params_lifetime);
    let var_fields = vars.iter().map(|n| {
        let (ident, ty) = (&n.ident, n.ty.rust());
        let doc = doc(&format!("`{}`, once a condition has assigned it.", n.rule));
        quote!(#doc #ident: Option<#ty>,)
    });
    let required = params.iter().filter(|p| p.required && p.name.opt).map(|p| {
        let (ident, rule) = (&p.name.ident, &p.name.rule);
        quote!(rt::need(params.#ident, #rule)?;)
    });
    let condition_arms = conditions.iter().enumerate().map(|(i, c)| {
        let i = Literal::usize_unsuffixed(i);
        quote!(#i => #c,)
    });
    let result_arms = results.iter().enumerate().map(|(i, r)| {
        let i = Literal::usize_unsuffixed(i + 1);
        quote!(#i => #r,)
    });
    let node_count = Literal::usize_unsuffixed(nodes.len());
    let node_rows = nodes.iter().map(|[c, h, l]| {
        let (c, h, l) = (
            Literal::i32_unsuffixed(*c),
            Literal::i32_unsuffixed(*h),
            Literal::i32_unsuffixed(*l),
        );
        quote!([#c, #h, #l])
    });
    let root = Literal::i32_unsuffixed(root);
    let resolve_doc = doc(&format!(
        "Resolves the endpoint for `params`: walks the rules' decision diagram ({} nodes over {} \
         conditions) to one of its {} results, an endpoint or the error message of the rule \
         that matched.",
        nodes.len(),
        conditions.len(),
        results.len()
    ));

    let module = quote! {
        //! Endpoint resolution: which URL, signing scheme and region a request uses, decided by
        //! the service's endpoint rules (compiled from the model's `smithy.rules#endpointBdd`).

        #[cfg(test)]
        mod tests;

        use s3_runtime::endpoint as rt;

        #params_struct

        #resolve_doc
        pub fn resolve(params: &Params<'_>) -> Result<rt::Endpoint, rt::ResolveError> {
            #(#required)*
            let mut vars = Vars::default();
            let result = rt::evaluate_bdd(&NODES, ROOT, |index| condition(index, params, &mut vars));
            outcome(result, params, &vars)
        }

        /// Values that conditions assign for later conditions and results to read.
        #[derive(Default)]
        struct Vars #generics {
            #(#var_fields)*
        }

        /// The reference of the decision diagram's root node.
        const ROOT: i32 = #root;

        /// The decision diagram: condition index, then the references taken when it is true
        /// and when it is false (see `rt::evaluate_bdd`).
        static NODES: [rt::BddNode; #node_count] = [#(#node_rows),*];

        /// Evaluates condition `index`, assigning its value in `vars` if it names one.
        fn condition #generics(index: i32, params: &#params_ty, vars: &mut #vars_ty) -> bool {
            match index {
                #(#condition_arms)*
                _ => false,
            }
        }

        /// Builds result `index`: an endpoint, or the error of an error rule.
        fn outcome #generics(index: usize, params: &#params_ty, vars: &#vars_ty) -> Result<rt::Endpoint, rt::ResolveError> {
            match index {
                #(#result_arms)*
                _ => Err(rt::ResolveError::no_match()),
            }
        }
    };
    let tests = cases::emit(tests, &params, calls)?;
    Ok(EndpointModule { module, tests })
}

/// A parameter of the rule set.
pub(super) struct Param {
    name: Name,
    required: bool,
    default: Option<Value>,
    doc: String,
}

fn params(bdd: &Value) -> Result<Vec<Param>, String> {
    let params = bdd
        .get("parameters")
        .and_then(Value::as_object)
        .ok_or("the BDD trait has no parameters")?;
    params
        .iter()
        .map(|(rule, p)| {
            let ty = match p.get("type").and_then(Value::as_str) {
                Some("string") => Ty::Str,
                Some("boolean") => Ty::Bool,
                other => return Err(format!("parameter `{rule}` has unsupported type {other:?}")),
            };
            let default = p.get("default").cloned();
            let matches_ty = match &default {
                None => true,
                Some(Value::Bool(_)) => ty == Ty::Bool,
                Some(Value::String(_)) => ty == Ty::Str,
                Some(_) => false,
            };
            if !matches_ty {
                return Err(format!("parameter `{rule}` has a default of another type"));
            }
            let mut doc = p
                .get("documentation")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            if let Some(built_in) = p.get("builtIn").and_then(Value::as_str) {
                doc.push_str(&format!("\n\nBuilt-in `{built_in}`."));
            }
            if let Some(default) = &default {
                doc.push_str(&format!("\n\nDefault: `{default}`."));
            }
            Ok(Param {
                name: Name {
                    rule: rule.clone(),
                    ident: expr::ident(rule)?,
                    ty,
                    opt: default.is_none(),
                    param: true,
                },
                required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                default,
                doc,
            })
        })
        .collect()
}

/// `Params`: fields with a default are plain values, the others `Option`s.
fn params_struct(params: &[Param], lifetime: bool) -> TokenStream {
    let rust_ty = |p: &Param| match p.name.ty {
        Ty::Str => quote!(&'a str),
        _ => quote!(bool),
    };
    let fields = params.iter().map(|p| {
        let (ident, doc, ty) = (&p.name.ident, doc(&p.doc), rust_ty(p));
        let ty = if p.name.opt { quote!(Option<#ty>) } else { ty };
        quote!(#doc pub #ident: #ty,)
    });
    let generics = if lifetime { quote!(<'a>) } else { quote!() };
    let anon = if lifetime { quote!(<'_>) } else { quote!() };
    // `derive(Default)` gives `None`, `false` and `""`; other defaults need a written impl.
    let derivable = params.iter().all(|p| match &p.default {
        None => true,
        Some(Value::Bool(b)) => !b,
        Some(Value::String(s)) => s.is_empty(),
        Some(_) => false,
    });
    let default_impl = (!derivable).then(|| {
        let values = params.iter().map(|p| {
            let ident = &p.name.ident;
            match &p.default {
                Some(Value::Bool(b)) => quote!(#ident: #b,),
                Some(Value::String(s)) => quote!(#ident: #s,),
                _ => quote!(#ident: None,),
            }
        });
        quote! {
            impl Default for Params #anon {
                fn default() -> Self {
                    Self { #(#values)* }
                }
            }
        }
    });
    let derive_default = derivable.then(|| quote!(Default,));
    quote! {
        /// The inputs of the endpoint rules: client configuration (the built-ins) and values
        /// from the operation's input (the context parameters). Start from `Params::default()`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, #derive_default)]
        #[non_exhaustive]
        pub struct Params #generics {
            #(#fields)*
        }

        #default_impl
    }
}

/// One `match` arm body per condition, in order; assigned values join `scope`.
fn conditions(bdd: &Value, scope: &mut Scope) -> Result<Vec<TokenStream>, String> {
    let conditions = bdd
        .get("conditions")
        .and_then(Value::as_array)
        .ok_or("the BDD trait has no conditions")?;
    conditions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let expr = Expr::parse(c).map_err(|e| format!("condition {i}: {e}"))?;
            let Some(assign) = c.get("assign") else {
                return expr::condition(&expr, scope).map_err(|e| format!("condition {i}: {e}"));
            };
            let rule = assign
                .as_str()
                .ok_or(format!("condition {i}: bad assign"))?;
            let value = expr::emit(&expr, scope).map_err(|e| format!("condition {i}: {e}"))?;
            let ident = expr::ident(rule)?;
            scope.add(Name {
                rule: rule.to_owned(),
                ident: ident.clone(),
                ty: value.ty,
                opt: true,
                param: false,
            })?;
            let ts = &value.ts;
            Ok(match (value.opt, value.ty) {
                (true, Ty::Bool) => quote!({ vars.#ident = #ts; vars.#ident == Some(true) }),
                (true, _) => quote!({ vars.#ident = #ts; vars.#ident.is_some() }),
                (false, Ty::Bool) => quote!({ let value = #ts; vars.#ident = Some(value); value }),
                (false, _) => quote!({ vars.#ident = Some(#ts); true }),
            })
        })
        .collect()
}

/// One `match` arm body per result (result 0, "no match", is the fallback arm).
fn results(bdd: &Value, scope: &Scope) -> Result<Vec<TokenStream>, String> {
    let results = bdd
        .get("results")
        .and_then(Value::as_array)
        .ok_or("the BDD trait has no results")?;
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
        let pieces = expr::parse_template(s)?;
        match pieces.as_slice() {
            [Piece::Literal(lit)] => Ok(Text::Static(lit.clone())),
            _ => {
                let parts = expr::template_pieces(&pieces, scope, &mut locals)?;
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

/// The decoded node table (base64 of big-endian `i32` triples), checked so that every
/// reference names a node, a terminal or a result, and every node a condition.
fn nodes(bdd: &Value, conditions: usize, results: usize) -> Result<(i32, Vec<[i32; 3]>), String> {
    let count = bdd
        .get("nodeCount")
        .and_then(Value::as_u64)
        .ok_or("BDD without nodeCount")? as usize;
    let root = bdd
        .get("root")
        .and_then(Value::as_i64)
        .and_then(|r| i32::try_from(r).ok())
        .ok_or("BDD without root")?;
    let encoded = bdd
        .get("nodes")
        .and_then(Value::as_str)
        .ok_or("BDD without nodes")?;
    let bytes = base64_decode(encoded)?;
    if bytes.len() != count * 12 {
        return Err(format!("{} node bytes for {count} nodes", bytes.len()));
    }
    let nodes: Vec<[i32; 3]> = bytes
        .chunks_exact(12)
        .map(|n| {
            let int = |i: usize| i32::from_be_bytes([n[i], n[i + 1], n[i + 2], n[i + 3]]);
            [int(0), int(4), int(8)]
        })
        .collect();
    const RESULT_BASE: i64 = 100_000_000;
    let valid = |r: i32| {
        let r = i64::from(r);
        (r != 0 && r.abs() <= count as i64)
            || (RESULT_BASE..RESULT_BASE + results as i64 + 1).contains(&r)
    };
    if !valid(root) {
        return Err(format!("bad root reference {root}"));
    }
    for (i, &[c, h, l]) in nodes.iter().enumerate().skip(1) {
        if !(0..conditions as i32).contains(&c) || !valid(h) || !valid(l) {
            return Err(format!("bad BDD node {i}: [{c}, {h}, {l}]"));
        }
    }
    Ok((root, nodes))
}

/// Standard base64 with padding, as the trait stores the nodes.
fn base64_decode(s: &str) -> Result<Vec<u8>, String> {
    let value = |c: u8| -> Result<u32, String> {
        Ok(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(format!("bad base64 byte {c:#x}")),
        } as u32)
    };
    let s = s.as_bytes();
    if s.len() % 4 != 0 {
        return Err("base64 length is not a multiple of 4".into());
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    for chunk in s.chunks(4) {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            n = n << 6 | value(c)?;
        }
        n <<= 6 * pad as u32;
        out.extend_from_slice(&n.to_be_bytes()[1..4 - pad]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_with_and_without_padding() {
        assert_eq!(base64_decode("AAAAAQ==").unwrap(), [0, 0, 0, 1]);
        assert_eq!(base64_decode("/////w==").unwrap(), [255, 255, 255, 255]);
        assert_eq!(base64_decode("TWFu").unwrap(), b"Man");
        assert!(base64_decode("TWF").is_err());
        assert!(base64_decode("TW!u").is_err());
    }

    #[test]
    fn templates_split_into_pieces() {
        use expr::Step;
        let pieces = expr::parse_template("{url#scheme}://{Bucket}.s3{{x}}").unwrap();
        assert_eq!(
            pieces,
            [
                Piece::Ref {
                    name: "url".into(),
                    path: vec![Step::Key("scheme".into())]
                },
                Piece::Literal("://".into()),
                Piece::Ref {
                    name: "Bucket".into(),
                    path: vec![]
                },
                Piece::Literal(".s3{x}".into()),
            ]
        );
        assert_eq!(
            expr::parse_path("resourceId[-2]").unwrap(),
            [Step::Key("resourceId".into()), Step::Index(-2)]
        );
        assert!(expr::parse_template("a}b").is_err());
    }

    #[test]
    fn unsupported_constructs_are_errors() {
        let bdd = |condition: Value| {
            serde_json::json!({
                "parameters": {"Region": {"type": "string", "required": false, "documentation": "r"}},
                "conditions": [condition],
                "results": [],
                "root": 1,
                "nodeCount": 1,
                "nodes": "/////wAAAAH/////",
            })
        };
        let tests = serde_json::json!({"testCases": []});
        let err = |c: Value| {
            emit(&bdd(c), &tests, &cases::Calls::default())
                .err()
                .unwrap()
                .to_string()
        };
        assert!(err(serde_json::json!({"fn": "frobnicate", "argv": []}))
            .contains("unsupported function"));
        assert!(
            err(serde_json::json!({"fn": "isSet", "argv": [{"ref": "Nope"}]}))
                .contains("unknown reference")
        );
        let ok = emit(
            &bdd(serde_json::json!({"fn": "isSet", "argv": [{"ref": "Region"}]})),
            &tests,
            &cases::Calls::default(),
        );
        assert!(ok.is_ok());
    }
}
