//! The rule set's parameters: read from the BDD trait, and emitted as the `Params` struct.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use super::bdd::member;
use super::expr::{self, Name};
use super::typed::Ty;
use crate::emit::doc_lines as doc;

/// A parameter of the rule set.
pub(super) struct Param {
    pub(super) name: Name,
    pub(super) required: bool,
    default: Option<Value>,
    doc: String,
}

pub(super) fn params(bdd: &Value) -> Result<Vec<Param>, String> {
    let params = member(bdd, "parameters", Value::as_object)?;
    params
        .iter()
        .map(|(rule, p)| {
            let ty = match p.get("type").and_then(Value::as_str) {
                Some("string") if crate::ir::is_endpoint_url(p) => Ty::EndpointUrl,
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
pub(super) fn params_struct(params: &[Param], lifetime: bool) -> TokenStream {
    let rust_ty = |p: &Param| match p.name.ty {
        Ty::Str => quote!(&'a str),
        Ty::EndpointUrl => quote!(&'a rt::EndpointUrl),
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
