//! The rules-engine expression language: parsed from JSON, typed, and emitted as Rust
//! expressions over `params` (the `Params` struct) and `vars` (values that conditions assign).
//!
//! Optional values follow the BDD semantics: a function given an unset argument yields unset,
//! `coalesce` picks the first set value, and a condition that yields unset or `false` is false.
//!
//! This file holds the expressions, the names in scope and the functions; the types are in
//! `typed`, `getAttr` paths in `attr`, and string templates in `template`.

use heck::ToSnakeCase;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote, ToTokens};
use serde_json::Value;

use super::attr::{attr, parse_path};
use super::typed::{apply, Ty, Typed};

/// An expression of the rule set.
#[derive(Debug, Clone)]
pub(super) enum Expr {
    /// A string literal; always a template, though most have no `{...}`.
    Str(String),
    Bool(bool),
    Int(i64),
    Ref(String),
    Call {
        name: String,
        args: Vec<Expr>,
    },
}

impl Expr {
    pub(super) fn parse(v: &Value) -> Result<Expr, String> {
        Ok(match v {
            Value::String(s) => Expr::Str(s.clone()),
            Value::Bool(b) => Expr::Bool(*b),
            Value::Number(n) => {
                Expr::Int(n.as_i64().ok_or_else(|| format!("not an integer: {n}"))?)
            }
            Value::Object(o) => match (o.get("ref"), o.get("fn")) {
                (Some(Value::String(name)), None) => Expr::Ref(name.clone()),
                (None, Some(Value::String(name))) => Expr::Call {
                    name: name.clone(),
                    args: o
                        .get("argv")
                        .and_then(Value::as_array)
                        .ok_or_else(|| format!("`{name}` has no argv"))?
                        .iter()
                        .map(Expr::parse)
                        .collect::<Result<_, _>>()?,
                },
                _ => return Err(format!("not an expression: {v}")),
            },
            _ => return Err(format!("not an expression: {v}")),
        })
    }
}

/// Where a name of the rule set lives.
#[derive(Debug, Clone)]
pub(super) struct Name {
    /// The name in the rule set (`UseFIPS`, `partitionResult`).
    pub(super) rule: String,
    /// Its Rust identifier.
    pub(super) ident: Ident,
    pub(super) ty: Ty,
    /// Whether it may be unset: optional parameters and every assigned value.
    pub(super) opt: bool,
    /// A parameter (`params.x`) rather than an assigned value (`vars.x`).
    pub(super) param: bool,
}

impl Name {
    /// The value as it is held, where conditions run.
    fn held(&self) -> Typed {
        let ident = &self.ident;
        let place = if self.param {
            quote!(params.#ident)
        } else {
            quote!(vars.#ident)
        };
        Typed::new(place, self.ty, self.opt)
    }

    /// Reads the value where conditions run.
    pub(super) fn read(&self) -> Typed {
        if self.ty == Ty::EndpointUrl {
            return apply(
                vec![self.held()],
                Ty::Str,
                false,
                Some(quote!(rt::EndpointUrl::as_str)),
                |a| {
                    let x = &a[0];
                    quote!(#x.as_str())
                },
            );
        }
        self.held().deref_cow()
    }

    /// `parseURL` of the endpoint URL parameter: the parts found when it was set.
    fn parsed_url(&self) -> Option<Typed> {
        (self.ty == Ty::EndpointUrl).then(|| {
            apply(
                vec![self.held()],
                Ty::Url,
                true,
                Some(quote!(rt::EndpointUrl::url)),
                |a| {
                    let x = &a[0];
                    quote!(#x.url())
                },
            )
        })
    }
}

/// The names in scope, in declaration order.
#[derive(Default)]
pub(super) struct Scope {
    pub(super) names: Vec<Name>,
}

impl Scope {
    pub(super) fn get(&self, rule: &str) -> Result<&Name, String> {
        self.names
            .iter()
            .find(|n| n.rule == rule)
            .ok_or_else(|| format!("unknown reference `{rule}`"))
    }

    /// Adds a name; its Rust identifier must be new.
    pub(super) fn add(&mut self, name: Name) -> Result<(), String> {
        if let Some(same) = self.names.iter().find(|n| n.ident == name.ident) {
            return Err(format!(
                "`{}` and `{}` have the same Rust name",
                same.rule, name.rule
            ));
        }
        self.names.push(name);
        Ok(())
    }
}

/// The Rust identifier of a rule-set name: snake case, and never one of the generated
/// functions' own argument names.
pub(super) fn ident(rule: &str) -> Result<Ident, String> {
    let snake = rule.to_snake_case();
    if matches!(
        snake.as_str(),
        "params" | "vars" | "index" | "rt" | "self" | "super" | "crate"
    ) || syn::parse_str::<Ident>(&snake).is_err()
    {
        return Err(format!("`{rule}` has no usable Rust name (`{snake}`)"));
    }
    Ok(format_ident!("{snake}"))
}

/// Emits `expr` as a value.
pub(super) fn emit(expr: &Expr, scope: &Scope) -> Result<Typed, String> {
    match expr {
        Expr::Str(s) if s.contains(['{', '}']) => {
            Err(format!("templates are only supported in results: {s:?}"))
        }
        Expr::Str(s) => Ok(Typed::new(quote!(#s), Ty::StaticStr, false)),
        Expr::Bool(b) => Ok(Typed::new(quote!(#b), Ty::Bool, false)),
        Expr::Int(i) => Ok(Typed::new(
            Literal::i64_unsuffixed(*i).into_token_stream(),
            Ty::Int,
            false,
        )),
        Expr::Ref(name) => Ok(scope.get(name)?.read()),
        Expr::Call { name, args } => call(name, args, scope),
    }
}

/// Emits `expr` as a condition: `true` only if it is set and not `false`.
pub(super) fn condition(expr: &Expr, scope: &Scope) -> Result<TokenStream, String> {
    if let Expr::Call { name, args } = expr {
        if matches!(name.as_str(), "booleanEquals" | "stringEquals") {
            return equals_condition(args, scope);
        }
    }
    Ok(truthy(emit(expr, scope)?))
}

/// `true` when a value is set and not `false`.
pub(super) fn truthy(value: Typed) -> TokenStream {
    let ts = value.operand();
    match (value.ty, value.opt) {
        (Ty::Bool, false) => value.ts,
        (Ty::Bool, true) => quote!(#ts == Some(true)),
        (_, true) => quote!(#ts.is_some()),
        (_, false) => quote!(true),
    }
}

/// An equality used directly as a condition, where unset can simply be false.
fn equals_condition(args: &[Expr], scope: &Scope) -> Result<TokenStream, String> {
    let [a, b] = args else {
        return Err("equality takes two arguments".into());
    };
    if let Some(test) = substring_equals(a, b, scope)? {
        return Ok(test);
    }
    // Literal `true`/`false` on either side: test the other side itself.
    let (value, literal) = match (a, b) {
        (other, Expr::Bool(lit)) | (Expr::Bool(lit), other) => (emit(other, scope)?, Some(*lit)),
        _ => (emit(a, scope)?, None),
    };
    if let Some(lit) = literal {
        let ts = value.operand();
        return Ok(match (value.opt, lit) {
            (false, true) => value.ts,
            (false, false) => quote!(!#ts),
            (true, lit) => quote!(#ts == Some(#lit)),
        });
    }
    let a = value.into_str();
    let b = emit(b, scope)?.into_str();
    if a.ty != b.ty {
        return Err(format!("cannot compare {:?} with {:?}", a.ty, b.ty));
    }
    let (at, bt) = (a.operand(), b.operand());
    Ok(match (a.opt, b.opt) {
        (false, false) => quote!(#at == #bt),
        (true, false) => quote!(#at == Some(#bt)),
        (false, true) => quote!(Some(#at) == #bt),
        (true, true) => quote!(matches!((#at, #bt), (Some(x), Some(y)) if x == y)),
    })
}

/// `substring(...)` compared with a non-empty literal, directly or through `coalesce(..., "")`
/// as the BDD writes it, as one `rt::substring_equals` call, which compares the bytes before it
/// checks the input is ASCII. `None` for any other equality.
fn substring_equals(a: &Expr, b: &Expr, scope: &Scope) -> Result<Option<TokenStream>, String> {
    let (value, Expr::Str(expected)) = (a, b) else {
        return Ok(None);
    };
    if expected.is_empty() || expected.contains(['{', '}']) {
        return Ok(None);
    }
    let value = match value {
        Expr::Call { name, args } if name == "coalesce" => match args.as_slice() {
            [inner, Expr::Str(fallback)] if fallback.is_empty() => inner,
            _ => return Ok(None),
        },
        other => other,
    };
    let Expr::Call { name, args } = value else {
        return Ok(None);
    };
    if name != "substring" || args.len() != 4 {
        return Ok(None);
    }
    let values = args
        .iter()
        .map(|a| emit(a, scope).map(Typed::into_str))
        .collect::<Result<Vec<_>, _>>()?;
    expect(&values, &[Ty::Str, Ty::Int, Ty::Int, Ty::Bool], "substring")?;
    let test = apply(
        values,
        Ty::Bool,
        false,
        None,
        |a| quote!(rt::substring_equals(#(#a),*, #expected)),
    );
    Ok(Some(truthy(test)))
}

/// A function call.
fn call(name: &str, args: &[Expr], scope: &Scope) -> Result<Typed, String> {
    match (name, args) {
        ("parseURL", [Expr::Ref(rule)]) => {
            if let Some(parsed) = scope.get(rule)?.parsed_url() {
                return Ok(parsed);
            }
        }
        // Whether a value is set does not depend on how it reads.
        ("isSet", [Expr::Ref(rule)]) => return Ok(is_set(&scope.get(rule)?.held())),
        _ => {}
    }
    let values = args
        .iter()
        .map(|a| emit(a, scope))
        .collect::<Result<Vec<_>, _>>()?;
    let arity = |n: usize| {
        if values.len() == n {
            Ok(())
        } else {
            Err(format!(
                "`{name}` takes {n} arguments, not {}",
                values.len()
            ))
        }
    };
    let strings = |values: Vec<Typed>| values.into_iter().map(Typed::into_str).collect::<Vec<_>>();
    match name {
        "isSet" => {
            arity(1)?;
            Ok(is_set(&values[0]))
        }
        "not" => {
            arity(1)?;
            expect(&values, &[Ty::Bool], name)?;
            Ok(apply(values, Ty::Bool, false, None, |a| {
                let x = &a[0];
                quote!(!#x)
            })
            .compound_if_plain())
        }
        "booleanEquals" | "stringEquals" => {
            arity(2)?;
            let values = strings(values);
            let ty = if name == "booleanEquals" {
                Ty::Bool
            } else {
                Ty::Str
            };
            expect(&values, &[ty, ty], name)?;
            Ok(apply(values, Ty::Bool, false, None, |a| {
                let (x, y) = (&a[0], &a[1]);
                quote!(#x == #y)
            })
            .compound_if_plain())
        }
        "coalesce" => {
            if values.len() < 2 {
                return Err("`coalesce` takes at least two arguments".into());
            }
            let all_static = values.iter().all(|v| v.ty == Ty::StaticStr);
            let mut values = strings(values);
            let mut acc = values.pop().expect("two or more");
            while let Some(v) = values.pop() {
                if v.ty != acc.ty {
                    return Err(format!("`coalesce` of {:?} and {:?}", v.ty, acc.ty));
                }
                let (vt, at) = (v.operand(), &acc.ts);
                acc = match (v.opt, acc.opt) {
                    (false, _) => v,
                    (true, false) => Typed::new(quote!(#vt.unwrap_or(#at)), acc.ty, false),
                    (true, true) => Typed::new(quote!(#vt.or(#at)), acc.ty, true),
                };
            }
            Ok(if all_static {
                Typed {
                    ty: Ty::StaticStr,
                    ..acc
                }
            } else {
                acc
            })
        }
        "ite" => {
            arity(3)?;
            let all_static = values[1..].iter().all(|v| v.ty == Ty::StaticStr);
            let values = strings(values);
            let (c, a, b) = (&values[0], &values[1], &values[2]);
            if c.ty != Ty::Bool || c.opt || a.ty != b.ty || a.opt != b.opt {
                return Err("`ite` takes a set boolean and two values of one type".into());
            }
            let (ct, at, bt) = (&c.ts, &a.ts, &b.ts);
            let ty = if all_static { Ty::StaticStr } else { a.ty };
            Ok(Typed::compound(
                quote!(if #ct { #at } else { #bt }),
                ty,
                a.opt,
            ))
        }
        "substring" => {
            arity(4)?;
            let values = strings(values);
            expect(&values, &[Ty::Str, Ty::Int, Ty::Int, Ty::Bool], name)?;
            Ok(apply(
                values,
                Ty::Str,
                true,
                None,
                |a| quote!(rt::substring(#(#a),*)),
            ))
        }
        "isValidHostLabel" | "aws.isVirtualHostableS3Bucket" => {
            arity(2)?;
            let values = strings(values);
            expect(&values, &[Ty::Str, Ty::Bool], name)?;
            let f = if name == "isValidHostLabel" {
                quote!(rt::is_valid_host_label)
            } else {
                quote!(rt::is_virtual_hostable_s3_bucket)
            };
            Ok(apply(
                values,
                Ty::Bool,
                false,
                None,
                |a| quote!(#f(#(#a),*)),
            ))
        }
        "split" => {
            arity(3)?;
            let values = strings(values);
            expect(&values, &[Ty::Str, Ty::Str, Ty::Int], name)?;
            Ok(apply(
                values,
                Ty::Array,
                false,
                None,
                |a| quote!(rt::split(#(#a),*)),
            ))
        }
        "parseURL" | "aws.parseArn" | "uriEncode" | "aws.partition" => {
            arity(1)?;
            let values = strings(values);
            expect(&values, &[Ty::Str], name)?;
            let (f, ty, opt) = match name {
                "parseURL" => (quote!(rt::parse_url), Ty::Url, true),
                "aws.parseArn" => (quote!(rt::parse_arn), Ty::Arn, true),
                "uriEncode" => (quote!(rt::uri_encode), Ty::CowStr, false),
                _ => (quote!(rt::partition), Ty::Partition, false),
            };
            Ok(apply(
                values,
                ty,
                opt,
                Some(f.clone()),
                |a| quote!(#f(#(#a),*)),
            ))
        }
        "getAttr" => {
            arity(2)?;
            let Expr::Str(path) = &args[1] else {
                return Err("`getAttr` needs a literal path".into());
            };
            let mut value = values.into_iter().next().expect("arity checked");
            for step in parse_path(path)? {
                value = attr(value, &step)?;
            }
            Ok(value)
        }
        _ => Err(format!("unsupported function `{name}`")),
    }
}

/// `isSet(value)`.
fn is_set(value: &Typed) -> Typed {
    let ts = value.operand();
    if value.opt {
        Typed::new(quote!(#ts.is_some()), Ty::Bool, false)
    } else {
        Typed::new(quote!(true), Ty::Bool, false)
    }
}

fn expect(values: &[Typed], types: &[Ty], name: &str) -> Result<(), String> {
    for (i, (v, ty)) in values.iter().zip(types).enumerate() {
        if v.ty != *ty {
            return Err(format!(
                "argument {i} of `{name}` is {:?}, not {ty:?}",
                v.ty
            ));
        }
    }
    Ok(())
}
