//! Each operation's fluent builder (`<Operation>FluentBuilder`, which `Client` methods return):
//! the input's setters and `send`, plus the operation's paginator and waiters.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::client::follows_buckets;
use super::paginate::paginator;
use super::params::endpoint_params_fn;
use super::region;
use super::waiter::waiter;
use super::{builder_ident, doc, is_copy, rust_type, setter_docs};
use crate::ir::{Checksum, DecodedString, Ir, OperationIr, UrlEncodedResponse};
use crate::naming::ident;
use crate::Error;

/// The operation's fluent builder: the input's setters, then `send`.
pub(super) fn fluent_builder(op: &OperationIr<'_>, ir: &Ir<'_>) -> Result<TokenStream, Error> {
    let name = format_ident!("{}FluentBuilder", op.name);
    let input_builder = builder_ident(&op.input.name);
    let output = ident(&op.output.name);
    let error = format_ident!("{}Error", op.name);
    let op_name = &op.name;
    let doc_line = doc(&format!(
        "Sends a `{}` request: set the input's members, then [`send`](Self::send) it.",
        op.name
    ));
    let setters = op.input.members.iter().map(|m| {
        let (docs, field, ty) = (
            setter_docs(m, &op.input.name),
            ident(&m.field),
            rust_type(&m.ty),
        );
        if is_copy(&m.ty) {
            quote!(#docs pub fn #field(mut self, value: #ty) -> Self { self.input = self.input.#field(value); self })
        } else {
            quote!(#docs pub fn #field(mut self, value: impl Into<#ty>) -> Self { self.input = self.input.#field(value); self })
        }
    });
    let fallible = op
        .input
        .members
        .iter()
        .any(|m| m.required && m.default.is_none());
    let build = if fallible {
        quote!(self.input.build()?)
    } else {
        quote!(self.input.build())
    };
    let params_fn = endpoint_params_fn(op, ir)?;
    let checksums_fn = op.checksum.as_ref().map(|c| checksums_fn(op, c));
    let error_in_success = op.error_in_success;
    // A paginated operation sends through `send_input(client, &mut input)`, which `send` and
    // the paginator's pages share; any other sends from `send` alone.
    let paged = op.pagination.is_some();
    let (client, input) = if paged {
        (quote!(client), quote!(input))
    } else {
        (quote!(self.client), quote!(&input))
    };
    let bucket = match &ir.service.session_auth {
        Some(auth) => {
            let scope = ident(&auth.scope);
            quote!(params.#scope)
        }
        None => quote!(None),
    };
    let (in_region, endpoint_in_region) = match follows_buckets(ir) {
        true => (
            Some(quote!(let in_region = #client.endpoint_in_region(params);)),
            quote!(Some(&in_region)),
        ),
        false => (None, quote!(None)),
    };
    let deserialize = if op.streaming_output() {
        quote!(s3_runtime::client::Deserialize::Streaming(deserialize))
    } else {
        quote!(s3_runtime::client::Deserialize::Buffered(deserialize))
    };
    let checksums = match &op.checksum {
        Some(_) => quote!(checksums(#input)),
        None => quote!(Default::default()),
    };
    // The members the client fills in before the request is built.
    let region_default = op
        .region_default
        .as_ref()
        .map(|default| region::region_default_fn(op, default));
    let fill = |client: &TokenStream, input: TokenStream| {
        region_default
            .is_some()
            .then(|| quote!(default_from_region(#input, #client.config().region());))
    };
    let fill_send = fill(
        &client,
        if paged {
            quote!(input)
        } else {
            quote!(&mut input)
        },
    );
    let fill_presign = fill(&quote!(self.client), quote!(&mut input));
    let built = |build: &TokenStream, fills: bool| match fills {
        true => quote!(let mut input = #build;),
        false => quote!(let input = #build;),
    };
    let invoke = quote! {
        #fill_send
        let params = endpoint_params(#client.config(), #input);
        #in_region
        let operation = s3_runtime::client::Operation {
            name: #op_name,
            bucket: #bucket,
            error_in_success: #error_in_success,
            request: serialize(#input)?,
            checksums: #checksums,
            endpoint: #client.endpoint(&params)?,
            endpoint_in_region: #endpoint_in_region,
            deserialize: #deserialize,
            deserialize_error,
        };
        #client.runtime().invoke(operation).await
    };
    let (body, url_decode) = match &op.url_encoded_response {
        None if paged => (invoke, None),
        None => {
            let input = built(&build, fill_send.is_some());
            (quote!(#input #invoke), None)
        }
        Some(encoding) => {
            let build = (!paged).then_some(&build);
            let (send, decode) = url_encoded_send(encoding, &output, build, &invoke);
            (send, Some(decode))
        }
    };
    let (send_body, send_input) = if paged {
        let input_ty = ident(&op.input.name);
        let send_input = quote! {
            /// Sends `input`, for `send` and for each page of the paginator, which reuses it:
            /// after a success, `input` is as it was.
            async fn send_input(
                client: &crate::Client,
                input: &mut #input_ty,
            ) -> Result<#output, s3_runtime::error::Error<#error>> {
                #body
            }
        };
        let send_body = quote! {
            let mut input = #build;
            send_input(&self.client, &mut input).await
        };
        (send_body, Some(send_input))
    } else {
        (body, None)
    };
    let presign_input = built(&build, fill_presign.is_some());
    let paginator = op
        .pagination
        .as_ref()
        .map(|p| paginator(op, p, fallible))
        .transpose()?;
    let waiters = (!op.waiters.is_empty()).then(|| {
        let waiters = op.waiters.iter().map(|w| waiter(op, w));
        quote!(impl #name { #(#waiters)* })
    });
    Ok(quote! {
        #doc_line
        #[derive(Clone, Debug)]
        pub struct #name {
            client: crate::Client,
            input: #input_builder,
        }

        impl #name {
            pub(crate) fn new(client: crate::Client) -> Self {
                Self { client, input: Default::default() }
            }

            /// The input as set so far.
            pub fn as_input(&self) -> &#input_builder {
                &self.input
            }

            #(#setters)*

            /// Sends the request, retrying what is worth retrying.
            pub async fn send(self) -> Result<#output, s3_runtime::error::Error<#error>> {
                #send_body
            }

            /// The request as a presigned URL, valid for `expires_in` (1 second to 7 days),
            /// for someone without credentials to send; see
            /// [`Runtime::presign`](s3_runtime::client::Runtime::presign).
            pub async fn presigned(self, expires_in: std::time::Duration) -> Result<s3_runtime::client::PresignedRequest, s3_runtime::error::Error<#error>> {
                #presign_input
                #fill_presign
                let params = endpoint_params(self.client.config(), &input);
                let endpoint = self.client.endpoint(&params)?;
                self.client.runtime().presign(serialize(&input)?, &endpoint, #bucket, expires_in).await
            }
        }

        #params_fn
        #checksums_fn
        #region_default
        #send_input
        #url_decode
        #paginator
        #waiters
    })
}

/// `send()` of an operation whose response strings the client has URL-encoded unless the
/// caller chose an encoding: sets the encoding, then decodes what the service encoded.
///
/// With `build`, the body of `send`, which builds its own input; without, the body of a
/// paginated operation's `send_input`, which takes `input: &mut Input` and, on success,
/// clears the encoding it set so that the next page asks again.
fn url_encoded_send(
    encoding: &UrlEncodedResponse,
    output: &Ident,
    build: Option<&TokenStream>,
    invoke: &TokenStream,
) -> (TokenStream, TokenStream) {
    let (member, enum_type, value) = (
        ident(&encoding.member),
        ident(&encoding.enum_type),
        encoding.value,
    );
    let echo = ident(&encoding.echo);
    let decodes = encoding.decoded.iter().map(|decoded| match decoded {
        DecodedString::Member(field) => {
            let (name, field) = (field.as_str(), ident(field));
            quote!(s3_runtime::rest::url_decode(&mut output.#field, #name)?;)
        }
        DecodedString::InList { list, member } => {
            let (name, list, member) = (member.as_str(), ident(list), ident(member));
            quote! {
                for item in output.#list.iter_mut().flatten() {
                    s3_runtime::rest::url_decode(&mut item.#member, #name)?;
                }
            }
        }
    });
    let (build, restore) = match build {
        Some(build) => (Some(quote!(let mut input = #build;)), None),
        None => (None, Some(quote!(if decode { input.#member = None; }))),
    };
    let send = quote! {
        #build
        let decode = input.#member.is_none();
        if decode {
            // Strings XML cannot carry (control characters) come back percent-encoded.
            input.#member = Some(crate::types::#enum_type::from(#value));
        }
        let mut output = { #invoke }?;
        #restore
        if decode && output.#echo.as_ref().is_some_and(|e| e.as_str() == #value) {
            url_decode(&mut output).map_err(s3_runtime::error::Error::Response)?;
        }
        Ok(output)
    };
    let decode_fn = quote! {
        /// Decodes the strings the service URL-encoded because `send` asked it to.
        fn url_decode(output: &mut #output) -> Result<(), s3_runtime::error::ResponseError> {
            #(#decodes)*
            output.#echo = None;
            Ok(())
        }
    };
    (send, decode_fn)
}

/// `checksums(input)`: what the operation's `httpChecksum` trait asks of the request and the
/// response, with the input's choices of algorithm and validation.
fn checksums_fn(op: &OperationIr<'_>, checksum: &Checksum) -> TokenStream {
    let input_ty = ident(&op.input.name);
    let required = checksum.required;
    let supported = checksum.algorithm_member.is_some();
    let algorithm = match &checksum.algorithm_member {
        Some(field) => {
            let field = ident(field);
            quote!(input.#field.as_ref().map(|a| a.as_str()))
        }
        None => quote!(None),
    };
    let validate = match &checksum.validation_member {
        Some(field) => {
            let field = ident(field);
            let algorithms = &checksum.response_algorithms;
            quote! {
                if input.#field.as_ref().is_some_and(|m| m.as_str() == "ENABLED") {
                    &[#(#algorithms),*]
                } else {
                    &[]
                }
            }
        }
        None => quote!(&[]),
    };
    quote! {
        /// What the operation's `httpChecksum` trait asks of checksums, with `input`'s choices.
        fn checksums(input: &#input_ty) -> s3_runtime::client::Checksums<'_> {
            s3_runtime::client::Checksums {
                required: #required,
                supported: #supported,
                algorithm: #algorithm,
                validate: #validate,
            }
        }
    }
}
