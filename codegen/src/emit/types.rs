//! Structures with builders, forward-compatible enums, unions and error types.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::{
    builder_ident, debug_impl, doc, doc_attrs, field_type, file, is_copy, item_docs, lit,
    member_docs, rust_type, setter_docs,
};
use crate::ir::{EnumIr, Ir, MemberIr, Role, RustType, StructureIr, TypeDef};
use crate::naming::{ident, snake};
use crate::{Error, GeneratedFile};

/// `src/types/mod.rs` and a file per named type.
pub fn files(ir: &Ir<'_>) -> Result<Vec<GeneratedFile>, Error> {
    let mut files = Vec::new();
    let mut modules = Vec::new();
    for def in &ir.types {
        let (name, tokens) = match def {
            TypeDef::Structure(s) => {
                let mut tokens = structure(s, &format!("The `{}` structure.", s.id.name()))?;
                if let Role::Error { .. } = s.role {
                    let name = ident(&s.name);
                    let reader = super::http::error_reader(s, ir.service.error_wrapped)?;
                    tokens.extend(quote!(impl #name { #reader }));
                }
                (&s.name, tokens)
            }
            TypeDef::Union(u) => (&u.name, union(u)?),
            TypeDef::Enum(e) => (&e.name, enumeration(e)),
        };
        let module = ident(&snake(name));
        let exports = match def {
            TypeDef::Structure(_) => {
                let (name, builder) = (ident(name), builder_ident(name));
                quote!(#name, #builder)
            }
            _ => {
                let name = ident(name);
                quote!(#name)
            }
        };
        modules.push(quote! {
            mod #module;
            pub use #module::{#exports};
        });
        files.push(file(
            &format!(
                "src/types/{}.rs",
                module.to_string().trim_start_matches("r#")
            ),
            tokens,
        )?);
    }
    let unknown = unknown_value();
    files.push(file(
        "src/types/mod.rs",
        quote! {
            //! Structures, unions and enums shared by the operations.
            #(#modules)*
            #unknown
        },
    )?);
    Ok(files)
}

/// The payload of every enum's `Unknown` variant: only this crate can make one, so it never
/// holds a value the enum knows.
fn unknown_value() -> TokenStream {
    quote! {
        /// A value an enum does not know: sent by a newer service, or built from a string.
        ///
        /// Only this crate creates these, from values that match no known variant.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct UnknownValue(String);

        impl UnknownValue {
            /// The value as received.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for UnknownValue {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    }
}

/// A structure with public fields, its builder, and for errors `Display` and `Error`.
///
/// `summary` documents a structure the model leaves undocumented.
pub fn structure(s: &StructureIr<'_>, summary: &str) -> Result<TokenStream, Error> {
    let name = ident(&s.name);
    let builder = builder_ident(&s.name);
    let docs = item_docs(s.docs, summary);
    let fields = s.members.iter().map(|m| {
        let (docs, field, ty) = (member_docs(m), ident(&m.field), field_type(m));
        let deprecated = m.deprecated.then(|| quote!(#[deprecated]));
        quote!(#docs #deprecated pub #field: #ty,)
    });
    let is_output = s.role == Role::Output;
    let request_ids_field = is_output.then(|| quote!(request_ids: s3_runtime::rest::RequestIds,));
    let request_ids_methods = is_output.then(|| {
        quote! {
            /// The `x-amz-request-id` of the response.
            pub fn request_id(&self) -> Option<&str> {
                self.request_ids.request_id()
            }

            /// The `x-amz-id-2` of the response.
            pub fn extended_request_id(&self) -> Option<&str> {
                self.request_ids.extended_request_id()
            }
        }
    });
    let xml = super::xml::impls(s, false)?;
    let builder_fields = s.members.iter().map(|m| {
        let (field, ty) = (ident(&m.field), rust_type(&m.ty));
        quote!(pub(crate) #field: Option<#ty>,)
    });
    let setters = s.members.iter().map(|m| setter(m, &s.name));
    let build = build_fn(s)?;
    // With a sensitive member, `Debug` is written by hand to redact it.
    let sensitive = s.members.iter().any(|m| m.sensitive);
    let derive_debug = (!sensitive).then(|| quote!(Debug,));
    // A body stream has no equality: it is a handle on its source.
    let streams = s.members.iter().any(|m| m.ty == RustType::ByteStream);
    let derive_eq = (!streams).then(|| quote!(PartialEq));
    let derive = quote!(#[derive(Clone, #derive_debug #derive_eq)]);
    let builder_derive = quote!(#[derive(Clone, #derive_debug Default, #derive_eq)]);
    let debug = sensitive.then(|| debug_impl(&name, &s.name, &s.members));
    let builder_debug =
        sensitive.then(|| debug_impl(&builder, &format!("{}Builder", s.name), &s.members));
    let error_impls = matches!(s.role, Role::Error { .. }).then(|| {
        let code = lit(s.id.name());
        quote! {
            impl #name {
                /// The error code S3 sends for this error.
                pub const CODE: &'static str = #code;
            }

            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(Self::CODE)
                }
            }

            impl std::error::Error for #name {}
        }
    });
    let builder_doc = doc(&format!("A builder for [`{}`].", s.name));
    Ok(quote! {
        #docs
        #derive
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #request_ids_field
        }

        impl #name {
            #builder_doc
            pub fn builder() -> #builder {
                #builder::default()
            }

            #request_ids_methods
        }

        #xml

        #debug
        #error_impls

        #builder_doc
        #builder_derive
        pub struct #builder {
            #(#builder_fields)*
        }

        impl #builder {
            #(#setters)*
            #build
        }

        #builder_debug
    })
}

/// A builder setter of a member of `owner`: strings and other owned values take `impl Into<T>`.
fn setter(m: &MemberIr<'_>, owner: &str) -> TokenStream {
    let (docs, field, ty) = (setter_docs(m, owner), ident(&m.field), rust_type(&m.ty));
    let deprecated = m.deprecated.then(|| quote!(#[deprecated]));
    if is_copy(&m.ty) {
        quote! {
            #docs
            #deprecated
            pub fn #field(mut self, value: #ty) -> Self {
                self.#field = Some(value);
                self
            }
        }
    } else {
        quote! {
            #docs
            #deprecated
            pub fn #field(mut self, value: impl Into<#ty>) -> Self {
                self.#field = Some(value.into());
                self
            }
        }
    }
}

/// `build()`: fails naming the first missing required member, if the structure has any.
fn build_fn(s: &StructureIr<'_>) -> Result<TokenStream, Error> {
    let name = ident(&s.name);
    let type_name = lit(&s.name);
    let fallible = s.members.iter().any(|m| m.required && m.default.is_none());
    let mut inits = Vec::new();
    for m in &s.members {
        let field = ident(&m.field);
        let init = if let Some(init) = super::values::defaulted(s, m, &quote!(self.#field))? {
            init
        } else if m.required {
            let label = lit(m.field.trim_start_matches("r#"));
            quote!(self.#field.ok_or_else(|| s3_runtime::error::BuildError::missing_member(#type_name, #label))?)
        } else {
            quote!(self.#field)
        };
        let init = super::values::boxed(m, init);
        inits.push(quote!(#field: #init));
    }
    let request_ids = (s.role == Role::Output).then(|| quote!(request_ids: Default::default(),));
    let allow = super::allow_deprecated(s);
    Ok(if fallible {
        let doc = doc(&format!(
            "Builds the [`{}`], or says which required member is missing.",
            s.name
        ));
        quote! {
            #doc
            #allow
            pub fn build(self) -> Result<#name, s3_runtime::error::BuildError> {
                Ok(#name { #(#inits,)* #request_ids })
            }
        }
    } else {
        let doc = doc(&format!("Builds the [`{}`].", s.name));
        quote! {
            #doc
            #allow
            pub fn build(self) -> #name {
                #name { #(#inits,)* #request_ids }
            }
        }
    })
}

/// A union: a variant per member, plus `Unknown` for members a newer service added.
fn union(u: &StructureIr<'_>) -> Result<TokenStream, Error> {
    let name = ident(&u.name);
    let docs = item_docs(u.docs, &format!("The `{}` union.", u.id.name()));
    let variants = u.members.iter().map(|m| {
        let (docs, variant, ty) = (member_docs(m), ident(&m.variant), rust_type(&m.ty));
        quote!(#docs #variant(#ty),)
    });
    let sensitive = u.members.iter().any(|m| m.sensitive);
    let derive_debug = (!sensitive).then(|| quote!(Debug,));
    let derive = quote!(#[derive(Clone, #derive_debug PartialEq)]);
    let debug = sensitive.then(|| {
        let arms = u.members.iter().map(|m| {
            let variant = ident(&m.variant);
            let label = lit(&m.variant);
            if m.sensitive {
                quote!(Self::#variant(_) => f.debug_tuple(#label).field(&"*** Sensitive Data Redacted ***").finish(),)
            } else {
                quote!(Self::#variant(value) => f.debug_tuple(#label).field(value).finish(),)
            }
        });
        quote! {
            impl std::fmt::Debug for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    match self {
                        #(#arms)*
                        Self::Unknown => f.write_str("Unknown"),
                    }
                }
            }
        }
    });
    let xml = super::xml::impls(u, true)?;
    Ok(quote! {
        #docs
        #derive
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A member this version of the client does not know, sent by a newer service.
            Unknown,
        }

        #debug
        #xml
    })
}

/// A forward-compatible enum: the known values plus `Unknown`.
fn enumeration(e: &EnumIr<'_>) -> TokenStream {
    if e.int {
        return int_enumeration(e);
    }
    let name = ident(&e.name);
    let docs = item_docs(e.docs, &format!("The `{}` values.", e.id.name()));
    let variant_idents: Vec<Ident> = e.variants.iter().map(|v| ident(&v.name)).collect();
    let values: Vec<Literal> = e.variants.iter().map(|v| lit(&v.value)).collect();
    let variant_docs = e.variants.iter().map(|v| {
        let value = format!("`{}`", v.value.replace('`', "'"));
        let deprecated = v.deprecated.then(|| quote!(#[deprecated]));
        let docs = doc_attrs(v.docs, &[value]);
        quote!(#docs #deprecated)
    });
    // Mapping every value to its variant names the deprecated ones too; their users still get
    // the warning.
    let allow = e.variants.iter().any(|v| v.deprecated).then(
        || quote!(#[allow(deprecated, reason = "maps the wire values of deprecated variants too")]),
    );
    quote! {
        #docs
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variant_docs #variant_idents,)*
            /// A value this version of the client does not know.
            Unknown(crate::types::UnknownValue),
        }

        impl #name {
            /// The known values, as sent on the wire.
            pub const fn values() -> &'static [&'static str] {
                &[#(#values),*]
            }

            /// The value as sent on the wire.
            #allow
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#variant_idents => #values,)*
                    Self::Unknown(value) => value.as_str(),
                }
            }
        }

        impl From<&str> for #name {
            #allow
            fn from(value: &str) -> Self {
                match value {
                    #(#values => Self::#variant_idents,)*
                    other => Self::Unknown(crate::types::UnknownValue(other.to_owned())),
                }
            }
        }

        impl std::str::FromStr for #name {
            type Err = std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl AsRef<str> for #name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

/// A forward-compatible integer enum: the known values plus `Unknown(i32)`.
fn int_enumeration(e: &EnumIr<'_>) -> TokenStream {
    let name = ident(&e.name);
    let docs = item_docs(e.docs, &format!("The `{}` values.", e.id.name()));
    let variant_idents: Vec<Ident> = e.variants.iter().map(|v| ident(&v.name)).collect();
    let values: Vec<Literal> = e
        .variants
        .iter()
        .map(|v| Literal::i32_unsuffixed(v.value.parse().unwrap_or_default()))
        .collect();
    let variant_docs = e
        .variants
        .iter()
        .map(|v| doc_attrs(v.docs, &[format!("`{}`", v.value)]));
    let unknown_doc = doc(&format!(
        "A value this version of the client does not know; never one of [`{}::values`].",
        e.name
    ));
    let unknown = format_ident!("Unknown");
    quote! {
        #docs
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variant_docs #variant_idents,)*
            #unknown_doc
            #[non_exhaustive]
            #unknown(i32),
        }

        impl #name {
            /// The known values.
            pub const fn values() -> &'static [i32] {
                &[#(#values),*]
            }

            /// The value as sent on the wire.
            pub fn as_i32(&self) -> i32 {
                match self {
                    #(Self::#variant_idents => #values,)*
                    Self::Unknown(value) => *value,
                }
            }
        }

        impl From<i32> for #name {
            fn from(value: i32) -> Self {
                match value {
                    #(#values => Self::#variant_idents,)*
                    other => Self::Unknown(other),
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.as_i32())
            }
        }
    }
}
