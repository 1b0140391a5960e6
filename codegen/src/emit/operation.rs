//! One module per operation: its input, output and error types.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc, file, fluent, http, region, types};
use crate::ir::{Ir, OperationIr};
use crate::naming::{ident, snake};
use crate::{Error, GeneratedFile};

/// `src/operation/mod.rs` and a file per operation.
pub fn files(ir: &Ir<'_>) -> Result<Vec<GeneratedFile>, Error> {
    let mut files = Vec::new();
    let mut modules = Vec::new();
    for op in &ir.operations {
        let module = ident(&op.module);
        let doc = doc(&format!("The `{}` operation.", op.name));
        modules.push(quote!(#doc pub mod #module;));
        let path = format!("src/operation/{}.rs", op.module.trim_start_matches("r#"));
        files.push(file(&path, operation(op, ir)?)?);
    }
    files.push(file(
        "src/operation/mod.rs",
        quote! {
            //! The operations: a module each, with the input, output and error types.
            #(#modules)*
        },
    )?);
    Ok(files)
}

fn operation(op: &OperationIr<'_>, ir: &Ir<'_>) -> Result<TokenStream, Error> {
    let request = match op.traits.http() {
        Some(http) => format!("`{} {}`", http.method, http.uri),
        None => format!("`{}`", op.method),
    };
    let docs = super::doc_text(op.docs, &[]);
    let docs = super::inner_doc_lines(&format!("{request}\n\n{docs}"));
    let input = types::structure(
        &op.input,
        &format!("The input of the `{}` operation.", op.name),
    )?;
    let output = types::structure(
        &op.output,
        &format!("The output of the `{}` operation.", op.name),
    )?;
    let output_region = op
        .output_region
        .as_ref()
        .map(|member| region::output_region(op, member));
    let error = error_enum(op);
    let serialize = http::serializer(op, &ir.service)?;
    let deserialize = http::deserializer(op)?;
    let deserialize_error = http::error_deserializer(op);
    let fluent = fluent::fluent_builder(op, ir)?;
    Ok(quote! {
        #docs
        #input
        #output
        #output_region
        #error
        #serialize
        #deserialize
        #deserialize_error
        #fluent
    })
}

/// The operation's error: its modeled errors, plus `Unhandled` for every other code.
fn error_enum(op: &OperationIr<'_>) -> TokenStream {
    let name = format_ident!("{}Error", op.name);
    let enum_doc = doc(&format!("An error of the `{}` operation.", op.name));
    let variants: Vec<_> = op.errors.iter().map(|e| ident(e)).collect();
    let variant_docs = op
        .errors
        .iter()
        .map(|e| doc(&format!("The modeled `{e}` error.")));
    let predicates = op.errors.iter().map(|e| {
        let variant = ident(e);
        let predicate = format_ident!("is_{}", snake(e).trim_start_matches("r#"));
        let predicate_doc = doc(&format!("Whether this is the `{e}` error."));
        quote! {
            #predicate_doc
            pub fn #predicate(&self) -> bool {
                matches!(self, Self::#variant(_))
            }
        }
    });
    quote! {
        #enum_doc
        #[derive(Debug)]
        #[non_exhaustive]
        pub enum #name {
            #(#variant_docs #variants(crate::types::#variants),)*
            /// An error code this operation does not model; see its code and message.
            Unhandled(s3_runtime::error::Unhandled),
        }

        impl #name {
            #(#predicates)*
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    #(Self::#variants(e) => e.fmt(f),)*
                    Self::Unhandled(e) => e.fmt(f),
                }
            }
        }

        impl std::error::Error for #name {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                match self {
                    #(Self::#variants(e) => Some(e),)*
                    Self::Unhandled(e) => Some(e),
                }
            }
        }
    }
}
