//! Paginators: a fluent builder's `into_paginator()` and `into_items()`, over the runtime's
//! `Paginator`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc, rust_type};
use crate::ir::{MemberIr, OperationIr, Pagination, RustType, StructureIr};
use crate::naming::ident;
use crate::Error;

/// `into_paginator()`, and `into_items()` when the trait names the items: the runtime's
/// `s3_runtime::paginator::Paginator` given the built input, two token accessors
/// and `send_input`, so the stream itself is written once, in the runtime.
pub(super) fn paginator(
    op: &OperationIr<'_>,
    pagination: &Pagination,
    fallible: bool,
) -> Result<TokenStream, Error> {
    let builder = format_ident!("{}FluentBuilder", op.name);
    let (input, output) = (ident(&op.input.name), ident(&op.output.name));
    let error = format_ident!("{}Error", op.name);
    fn member<'s, 'm>(s: &'s StructureIr<'m>, field: &str) -> Result<&'s MemberIr<'m>, Error> {
        s.members
            .iter()
            .find(|m| m.field == field)
            .ok_or_else(|| Error::new(format!("{}: no member `{field}`", s.id)))
    }
    let input_token = member(&op.input, &pagination.input_token)?;
    let output_token = member(&op.output, &pagination.output_token)?;
    // Smithy says tokens should be strings (and never required); maps are allowed but rare.
    for token in [input_token, output_token] {
        if token.ty != RustType::String || !token.optional() {
            return Err(Error::unsupported(format!(
                "{}: paginator tokens are optional strings here, and `{}` is not one",
                op.id, token.name
            )));
        }
    }
    let (input_field, output_field) = (ident(&input_token.field), ident(&output_token.field));
    let build = if fallible {
        quote!(self.input.build())
    } else {
        quote!(Ok(self.input.build()))
    };
    let mut text = format!(
        "Pages through every result: a [`Stream`](futures_core::Stream) of `{}` responses, one \
         request each, each request after the first with the previous response's `{}` as `{}`, \
         until that token is absent, empty or repeated; the first error ends the stream.",
        op.name, output_token.field, input_token.field
    );
    if let Some(page_size) = &pagination.page_size {
        text.push_str(&format!(
            " [`{page_size}`](Self::{page_size}) sets the page size."
        ));
    }
    text.push_str(" See [`Paginator`](s3_runtime::paginator::Paginator).");
    let into_doc = doc(&text);
    let into_items = pagination
        .items
        .as_ref()
        .map(|items| -> Result<TokenStream, Error> {
            let items = member(&op.output, items)?;
            if !matches!(items.ty, RustType::List(_) | RustType::Map(_)) {
                return Err(Error::new(format!(
                    "{}: the paginated items `{}` are not a list or map",
                    op.id, items.name
                )));
            }
            let (field, ty) = (ident(&items.field), rust_type(&items.ty));
            let take = if items.optional() {
                quote!(output.#field.unwrap_or_default())
            } else {
                quote!(output.#field)
            };
            let mut text = format!(
                "Every item of every page's `{}`, in order: the pages of \
                 [`into_paginator`](Self::into_paginator), flattened.",
                items.field
            );
            let other_lists: Vec<String> = op
                .output
                .members
                .iter()
                .filter(|m| m.field != items.field && matches!(m.ty, RustType::List(_)))
                .map(|m| format!("`{}`", m.field))
                .collect();
            if !other_lists.is_empty() {
                text.push_str(&format!(
                    " The pages' {} are not items: read them from the pages.",
                    other_lists.join(", ")
                ));
            }
            let doc = doc(&text);
            Ok(quote! {
                #doc
                pub fn into_items(self) -> s3_runtime::paginator::Items<#input, #output, #error, #ty> {
                    self.into_paginator().items(|output| #take)
                }
            })
        })
        .transpose()?;
    Ok(quote! {
        impl #builder {
            #into_doc
            pub fn into_paginator(self) -> s3_runtime::paginator::Paginator<#input, #output, #error> {
                let client = self.client;
                s3_runtime::paginator::Paginator::new(
                    #build,
                    |input| &mut input.#input_field,
                    |output| output.#output_field.as_deref(),
                    move |mut input| {
                        let client = client.clone();
                        Box::pin(async move {
                            let result = send_input(&client, &mut input).await;
                            (input, result)
                        })
                    },
                )
            }

            #into_items
        }
    })
}
