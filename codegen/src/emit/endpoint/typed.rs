//! The rules language's types as the generated Rust holds them (`Ty`), Rust expressions with
//! their type (`Typed`), and how functions propagate unset arguments (`apply`).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

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
    /// `&'a rt::EndpointUrl`: the endpoint URL parameter, a string parsed once. Read as a
    /// string, except by `parseURL`, which takes the parsed parts.
    EndpointUrl,
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
            Ty::EndpointUrl => quote!(&'a rt::EndpointUrl),
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
    pub(super) fn new(ts: TokenStream, ty: Ty, opt: bool) -> Self {
        Typed {
            ts,
            ty,
            opt,
            atomic: true,
        }
    }

    pub(super) fn compound(ts: TokenStream, ty: Ty, opt: bool) -> Self {
        Typed {
            ts,
            ty,
            opt,
            atomic: false,
        }
    }

    /// The expression, parenthesized unless it is atomic.
    pub(super) fn operand(&self) -> TokenStream {
        let ts = &self.ts;
        if self.atomic {
            ts.clone()
        } else {
            quote!((#ts))
        }
    }

    /// Views any string as a plain `&str`; other types are unchanged.
    pub(super) fn into_str(self) -> Typed {
        match self.ty {
            Ty::StaticStr => Typed {
                ty: Ty::Str,
                ..self
            },
            _ => self.deref_cow(),
        }
    }

    /// Views a `Cow<str>` as `&str`; other types are unchanged.
    pub(super) fn deref_cow(self) -> Typed {
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

impl Typed {
    /// Marks a non-optional result of an operator as needing parentheses.
    pub(super) fn compound_if_plain(self) -> Typed {
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

/// Applies `body` to the arguments, propagating unset arguments: an optional argument is
/// unwrapped first, and the result is unset if any is. `path`, if given, is a function that
/// can stand for a one-argument body.
pub(super) fn apply(
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
