//! The rules-engine expression language: parsed from JSON, typed, and emitted as Rust
//! expressions over `params` (the `Params` struct) and `vars` (values that conditions assign).
//!
//! Optional values follow the BDD semantics: a function given an unset argument yields unset,
//! `coalesce` picks the first set value, and a condition that yields unset or `false` is false.

use heck::ToSnakeCase;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote, ToTokens};
use serde_json::Value;

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

/// The types of the rules language, as the generated Rust holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ty {
    Bool,
    /// `&'a str`.
    Str,
    /// `&'static str`: literals, `ite` of literals, partition attributes. Kept apart so that a
    /// result can use it without copying.
    StaticStr,
    /// `Cow<'a, str>`: `uriEncode` and `normalizedPath`, which sometimes allocate.
    CowStr,
    Int,
    Url,
    Arn,
    Partition,
    /// `rt::Segments<'a>`: a list of strings.
    Array,
}

impl Ty {
    /// The Rust type of a value of this type that lives as long as the parameters.
    pub(super) fn rust(self) -> TokenStream {
        match self {
            Ty::Bool => quote!(bool),
            Ty::Str => quote!(&'a str),
            Ty::StaticStr => quote!(&'static str),
            Ty::CowStr => quote!(::std::borrow::Cow<'a, str>),
            Ty::Int => quote!(i64),
            Ty::Url => quote!(rt::Url<'a>),
            Ty::Arn => quote!(rt::Arn<'a>),
            Ty::Partition => quote!(&'static rt::PartitionOutputs),
            Ty::Array => quote!(rt::Segments<'a>),
        }
    }
}

/// A Rust expression with its rules type.
#[derive(Clone)]
pub(super) struct Typed {
    pub(super) ts: TokenStream,
    pub(super) ty: Ty,
    pub(super) opt: bool,
    /// Whether `ts` can take a postfix (`.x`) or a prefix operator without parentheses.
    pub(super) atomic: bool,
}

impl Typed {
    fn new(ts: TokenStream, ty: Ty, opt: bool) -> Self {
        Typed {
            ts,
            ty,
            opt,
            atomic: true,
        }
    }

    fn compound(ts: TokenStream, ty: Ty, opt: bool) -> Self {
        Typed {
            ts,
            ty,
            opt,
            atomic: false,
        }
    }

    /// The expression, parenthesized unless it is atomic.
    fn operand(&self) -> TokenStream {
        let ts = &self.ts;
        if self.atomic {
            ts.clone()
        } else {
            quote!((#ts))
        }
    }

    /// Views any string as a plain `&str`; other types are unchanged.
    fn into_str(self) -> Typed {
        match self.ty {
            Ty::StaticStr => Typed {
                ty: Ty::Str,
                ..self
            },
            _ => self.deref_cow(),
        }
    }

    /// Views a `Cow<str>` as `&str`; other types are unchanged.
    fn deref_cow(self) -> Typed {
        if self.ty != Ty::CowStr {
            return self;
        }
        let ts = self.operand();
        if self.opt {
            Typed::new(quote!(#ts.as_deref()), Ty::Str, true)
        } else {
            Typed::new(quote!(&*#ts), Ty::Str, false)
        }
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
    /// Reads the value where conditions run.
    fn read(&self) -> Typed {
        let ident = &self.ident;
        let place = if self.param {
            quote!(params.#ident)
        } else {
            quote!(vars.#ident)
        };
        Typed::new(place, self.ty, self.opt).deref_cow()
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

/// A function call.
fn call(name: &str, args: &[Expr], scope: &Scope) -> Result<Typed, String> {
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
            let v = &values[0];
            let ts = v.operand();
            Ok(if v.opt {
                Typed::new(quote!(#ts.is_some()), Ty::Bool, false)
            } else {
                Typed::new(quote!(true), Ty::Bool, false)
            })
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

impl Typed {
    /// Marks a non-optional result of an operator as needing parentheses.
    fn compound_if_plain(self) -> Typed {
        if self.opt {
            self
        } else {
            Typed {
                atomic: false,
                ..self
            }
        }
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

/// Applies `body` to the arguments, propagating unset arguments: an optional argument is
/// unwrapped first, and the result is unset if any is. `path`, if given, is a function that
/// can stand for a one-argument body.
fn apply(
    args: Vec<Typed>,
    ty: Ty,
    returns_opt: bool,
    path: Option<TokenStream>,
    body: impl FnOnce(&[TokenStream]) -> TokenStream,
) -> Typed {
    let optional: Vec<usize> = (0..args.len()).filter(|&i| args[i].opt).collect();
    let mut inner: Vec<TokenStream> = args.iter().map(Typed::operand).collect();
    match optional.as_slice() {
        [] => {
            let ts = body(&inner);
            Typed::new(ts, ty, returns_opt)
        }
        [i] => {
            let receiver = args[*i].operand();
            let combinator = if returns_opt {
                quote!(and_then)
            } else {
                quote!(map)
            };
            let f = match path {
                Some(path) if args.len() == 1 => path,
                _ => {
                    inner[*i] = quote!(x);
                    let ts = body(&inner);
                    quote!(|x| #ts)
                }
            };
            Typed::new(quote!(#receiver.#combinator(#f)), ty, true)
        }
        many => {
            let scrutinee: Vec<TokenStream> = many.iter().map(|&i| args[i].ts.clone()).collect();
            let bound: Vec<Ident> = (0..many.len()).map(|k| format_ident!("x{k}")).collect();
            for (k, &i) in many.iter().enumerate() {
                let b = &bound[k];
                inner[i] = quote!(#b);
            }
            let ts = body(&inner);
            let value = if returns_opt { ts } else { quote!(Some(#ts)) };
            Typed::compound(
                quote!(match (#(#scrutinee),*) { (#(Some(#bound)),*) => #value, _ => None }),
                ty,
                true,
            )
        }
    }
}

/// One step of a `getAttr` path.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Step {
    Key(String),
    Index(i64),
}

/// Parses `a.b[2]` into keys and indexes.
pub(super) fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((key, rest)) => {
                let digits = rest
                    .strip_suffix(']')
                    .ok_or_else(|| format!("bad getAttr path {path:?}"))?;
                let index = digits
                    .parse::<i64>()
                    .map_err(|_| format!("bad index in getAttr path {path:?}"))?;
                (key, Some(index))
            }
            None => (part, None),
        };
        if !key.is_empty() {
            steps.push(Step::Key(key.to_owned()));
        }
        steps.extend(index.map(Step::Index));
        if key.is_empty() && index.is_none() {
            return Err(format!("bad getAttr path {path:?}"));
        }
    }
    Ok(steps)
}

/// One `getAttr` step on a typed value.
fn attr(value: Typed, step: &Step) -> Result<Typed, String> {
    let (access, ty, opt) = match (value.ty, step) {
        (Ty::Array, Step::Index(i)) => {
            let i = Literal::i64_unsuffixed(*i);
            (quote!(get(#i)), Ty::Str, true)
        }
        (ty, Step::Key(key)) => {
            let (access, ty) = match (ty, key.as_str()) {
                (Ty::Url, "scheme") => (quote!(scheme), Ty::Str),
                (Ty::Url, "authority") => (quote!(authority), Ty::Str),
                (Ty::Url, "path") => (quote!(path), Ty::Str),
                (Ty::Url, "normalizedPath") => (quote!(normalized_path()), Ty::CowStr),
                (Ty::Url, "isIp") => (quote!(is_ip), Ty::Bool),
                (Ty::Arn, "partition") => (quote!(partition), Ty::Str),
                (Ty::Arn, "service") => (quote!(service), Ty::Str),
                (Ty::Arn, "region") => (quote!(region), Ty::Str),
                (Ty::Arn, "accountId") => (quote!(account_id), Ty::Str),
                (Ty::Arn, "resourceId") => (quote!(resource_id()), Ty::Array),
                (Ty::Partition, "name") => (quote!(name), Ty::StaticStr),
                (Ty::Partition, "dnsSuffix") => (quote!(dns_suffix), Ty::StaticStr),
                (Ty::Partition, "dualStackDnsSuffix") => {
                    (quote!(dual_stack_dns_suffix), Ty::StaticStr)
                }
                (Ty::Partition, "supportsFIPS") => (quote!(supports_fips), Ty::Bool),
                (Ty::Partition, "supportsDualStack") => (quote!(supports_dual_stack), Ty::Bool),
                (Ty::Partition, "implicitGlobalRegion") => {
                    (quote!(implicit_global_region), Ty::StaticStr)
                }
                _ => return Err(format!("no attribute `{key}` on {ty:?}")),
            };
            (access, ty, false)
        }
        (ty, step) => return Err(format!("cannot apply {step:?} to {ty:?}")),
    };
    Ok(apply(vec![value], ty, opt, None, |a| {
        let x = &a[0];
        quote!(#x.#access)
    }))
}

/// A piece of a string template.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Piece {
    Literal(String),
    /// `{name}` or `{name#path}`.
    Ref {
        name: String,
        path: Vec<Step>,
    },
}

/// Splits a template into literal text and `{...}` references; `{{` and `}}` are braces.
pub(super) fn parse_template(template: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                literal.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                literal.push('}');
            }
            '{' => {
                let inner: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let (name, path) = match inner.split_once('#') {
                    Some((name, path)) => (name, parse_path(path)?),
                    None => (inner.as_str(), Vec::new()),
                };
                if name.is_empty() {
                    return Err(format!("bad template {template:?}"));
                }
                if !literal.is_empty() {
                    pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                }
                pieces.push(Piece::Ref {
                    name: name.to_owned(),
                    path,
                });
            }
            '}' => return Err(format!("unbalanced `}}` in template {template:?}")),
            c => literal.push(c),
        }
    }
    if !literal.is_empty() || pieces.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Ok(pieces)
}

/// A result's reference to a name: the local it is bound to and how to bind it.
pub(super) struct Local {
    pub(super) ident: Ident,
    /// `let ident = <bind>;`, failing with `ResolveError::unset` when unset.
    pub(super) bind: TokenStream,
}

/// How a template piece holds its `&str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PieceKind {
    /// `&'static str`.
    Static,
    /// `&'a str`, borrowed from the parameters.
    Borrowed,
    /// `&Cow<str>`.
    Cow,
}

/// Emits a template as `&str` pieces, binding each referenced name once in `locals`.
pub(super) fn template_pieces(
    pieces: &[Piece],
    scope: &Scope,
    locals: &mut Vec<Local>,
) -> Result<Vec<(TokenStream, PieceKind)>, String> {
    pieces
        .iter()
        .map(|piece| match piece {
            Piece::Literal(s) => Ok((quote!(#s), PieceKind::Static)),
            Piece::Ref { name, path } => {
                let n = scope.get(name)?;
                let read = n.read();
                if !locals.iter().any(|l| l.ident == n.ident) {
                    let read = read.clone();
                    let rule = &n.rule;
                    let bind = if read.opt {
                        let ts = &read.ts;
                        quote!(rt::need(#ts, #rule)?)
                    } else {
                        read.ts
                    };
                    locals.push(Local {
                        ident: n.ident.clone(),
                        bind,
                    });
                }
                let ident = &n.ident;
                let mut value = Typed::new(quote!(#ident), read.ty, false);
                for step in path {
                    value = attr(value, step)?;
                }
                match (value.ty, value.opt) {
                    (Ty::Str, false) => Ok((value.ts, PieceKind::Borrowed)),
                    (Ty::StaticStr, false) => Ok((value.ts, PieceKind::Static)),
                    (Ty::CowStr, false) => {
                        let ts = value.ts;
                        Ok((quote!(&#ts), PieceKind::Cow))
                    }
                    _ => Err(format!("template reference `{name}` is not a string")),
                }
            }
        })
        .collect()
}
