//! String templates of results (`https://{Bucket}.{url#authority}`): split into literal text
//! and references, and emitted as `&str` pieces with each referenced name bound once.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::attr::{attr, parse_path, Step};
use super::expr::Scope;
use super::typed::{Ty, Typed};

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

#[cfg(test)]
mod tests {
    use super::{parse_path, parse_template, Piece, Step};

    #[test]
    fn templates_split_into_pieces() {
        let pieces = parse_template("{url#scheme}://{Bucket}.s3{{x}}").unwrap();
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
            parse_path("resourceId[-2]").unwrap(),
            [Step::Key("resourceId".into()), Step::Index(-2)]
        );
        assert!(parse_template("a}b").is_err());
    }
}
