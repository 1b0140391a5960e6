//! `src/client.rs`: `Client`, one method per operation, the service's rules for the runtime
//! and, with session auth, the session source the runtime's cache calls.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc, doc_lines, file, region, summary_docs};
use crate::ir::{EndpointParamType, Ir, RuntimeRules, SessionAuth};
use crate::naming::ident;
use crate::{Error, GeneratedFile};

/// `src/client.rs`.
pub(super) fn client_file(ir: &Ir<'_>) -> Result<GeneratedFile, Error> {
    file("src/client.rs", client(ir))
}

fn client(ir: &Ir<'_>) -> TokenStream {
    let session_auth = ir.service.session_auth.as_ref();
    let runtime = quote!(s3_runtime::client::Runtime::new(config.runtime()).with_rules(RULES));
    let inner = match session_auth {
        Some(_) => quote! {
            Arc::new_cyclic(|inner| Inner {
                runtime: #runtime.with_create_session(Arc::new(Sessions(inner.clone()))),
                config: config.clone(),
            })
        },
        None => quote! {
            Arc::new(Inner {
                runtime: #runtime,
                config: config.clone(),
            })
        },
    };
    let rules = service_rules(&ir.service.runtime_rules);
    let sessions = session_auth.map(sessions);
    let bucket_region = ir
        .service
        .bucket_region
        .as_ref()
        .map(region::bucket_region_method);
    let endpoint_in_region = region_param(ir).filter(|_| session_auth.is_some()).map(|field| {
        let field = ident(field);
        quote! {
            /// The endpoint for `params` in another region, for a request that follows its
            /// bucket there (see [`Operation::endpoint_in_region`](s3_runtime::client::Operation::endpoint_in_region)).
            pub(crate) fn endpoint_in_region<'a>(&'a self, params: crate::endpoint::Params<'a>) -> impl Fn(&str) -> Result<s3_runtime::endpoint::Endpoint, s3_runtime::error::BuildError> + Send + Sync + 'a {
                move |region| self.endpoint(&crate::endpoint::Params { #field: Some(region), ..params })
            }
        }
    });
    // The built-in settings a bad value of which the rules would misreport.
    // The endpoint URL was checked when the configuration was built; `check` gives the answer.
    let setting_checks = ir.service.endpoint_params.iter().filter_map(|p| {
        let check = match (p.builtin?, p.ty) {
            ("AWS::Region", EndpointParamType::String) => {
                quote!(s3_runtime::endpoint::check_region(value))
            }
            (_, EndpointParamType::EndpointUrl) => quote!(value.check()),
            _ => return None,
        };
        let field = ident(&p.field);
        p.default
            .is_none()
            .then(|| quote!(if let Some(value) = params.#field { #check?; }))
    });
    let methods = ir.operations.iter().map(|op| {
        let method = ident(&op.module);
        let module = ident(&op.module);
        let builder = format_ident!("{}FluentBuilder", op.name);
        let summary = summary_docs(op.docs, &format!("Sends a `{}` request.", op.name));
        let docs = doc_lines(&format!(
            "{summary}\n\nSee [`operation::{module}`](crate::operation::{module}) for the \
             details, and the input's members for what to set.",
            module = op.module
        ));
        quote! {
            #docs
            pub fn #method(&self) -> crate::operation::#module::#builder {
                crate::operation::#module::#builder::new(self.clone())
            }
        }
    });
    let title = ir.service.title.unwrap_or("the service");
    let client_doc = doc(&format!("A client for {title}: one method per operation."));
    quote! {
        //! The client.

        use std::sync::Arc;

        #rules

        #client_doc
        ///
        /// Cheap to clone: clones share the configuration, the connection pool and caches.
        #[derive(Clone, Debug)]
        pub struct Client {
            inner: Arc<Inner>,
        }

        #[derive(Debug)]
        struct Inner {
            config: crate::Config,
            runtime: s3_runtime::client::Runtime,
        }

        impl Client {
            /// A client with this configuration.
            pub fn new(config: &crate::Config) -> Self {
                Self { inner: #inner }
            }

            /// The client's configuration.
            pub fn config(&self) -> &crate::Config {
                &self.inner.config
            }

            pub(crate) fn runtime(&self) -> &s3_runtime::client::Runtime {
                &self.inner.runtime
            }

            /// The endpoint for `params`; fails on settings the rules would misreport.
            pub(crate) fn endpoint(&self, params: &crate::endpoint::Params<'_>) -> Result<s3_runtime::endpoint::Endpoint, s3_runtime::error::BuildError> {
                #(#setting_checks)*
                crate::endpoint::resolve(params)
                    .map_err(|e| s3_runtime::error::BuildError::endpoint(e.to_string()))
            }

            #endpoint_in_region

            #(#methods)*

            #bucket_region
        }

        #sessions
    }
}

/// Whether requests name their bucket (the session-auth scope) and the endpoint takes the
/// region (`AWS::Region`), so that a request can follow its bucket to another region.
pub(super) fn follows_buckets(ir: &Ir<'_>) -> bool {
    ir.service.session_auth.is_some() && region_param(ir).is_some()
}

/// The `endpoint::Params` field of the `AWS::Region` built-in, if the rules take it.
fn region_param<'a>(ir: &'a Ir<'_>) -> Option<&'a str> {
    ir.service
        .endpoint_params
        .iter()
        .find(|p| p.builtin == Some("AWS::Region"))
        .map(|p| p.field.as_str())
}

/// `RULES`: the service's rules for the runtime.
fn service_rules(rules: &RuntimeRules) -> TokenStream {
    let signing = if rules.s3_signing {
        quote!(s3_runtime::sigv4::SigningSettings::s3())
    } else {
        quote!(s3_runtime::sigv4::SigningSettings::standard())
    };
    let codes = rules.status_codes.iter().map(|(status, code)| {
        let status = proc_macro2::Literal::u16_unsuffixed(*status);
        quote!((#status, #code))
    });
    let content_length = rules.content_length_on_put_and_post;
    quote! {
        /// What the service asks of the runtime beyond SigV4 and its protocol.
        const RULES: s3_runtime::client::ServiceRules = s3_runtime::client::ServiceRules {
            signing: #signing,
            status_codes: &[#(#codes),*],
            content_length_on_put_and_post: #content_length,
            client: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")),
        };
    }
}

/// The client's session source: `session_credentials()`, and the `CreateSession` the runtime's
/// session cache calls, holding the client weakly since the runtime belongs to it.
fn sessions(auth: &SessionAuth) -> TokenStream {
    let operation = ident(&auth.operation);
    let (scope, mode, mode_type) = (
        ident(&auth.scope),
        ident(&auth.mode),
        ident(&auth.mode_type),
    );
    let credentials = ident(&auth.credentials);
    let [key, secret, token, expiration] = auth.credential_fields.each_ref().map(|f| ident(f));
    let doc = doc(&format!(
        "The session credentials for `{}`, as the client signs its session-auth requests with \
         them: from the session cache, created with [`{}`](crate::operation::{}) and \
         refreshed before they expire. For tools that take credentials.",
        auth.scope, auth.operation, auth.operation
    ));
    quote! {
        impl Client {
            #doc
            pub async fn session_credentials(
                &self,
                #scope: &str,
            ) -> Result<s3_runtime::credentials::Credentials, s3_runtime::error::CredentialsError> {
                self.runtime().session_credentials(#scope).await
            }
        }

        /// Creates the sessions of the runtime's session cache with the client's own operation.
        /// Weak: the runtime, which holds this, belongs to the client.
        #[derive(Debug)]
        struct Sessions(std::sync::Weak<Inner>);

        impl s3_runtime::express::CreateSession for Sessions {
            fn create_session(
                &self,
                #scope: &str,
                mode: Option<&str>,
            ) -> s3_runtime::client::SendFuture<Result<s3_runtime::credentials::Credentials, s3_runtime::error::BoxError>> {
                let call = self.0.upgrade().map(|inner| {
                    let call = Client { inner }.#operation().#scope(#scope);
                    match mode {
                        Some(mode) => call.#mode(crate::types::#mode_type::from(mode)),
                        None => call,
                    }
                });
                Box::pin(async move {
                    let output = call.ok_or("the client was dropped")?.send().await?;
                    let credentials = output.#credentials;
                    Ok(s3_runtime::credentials::Credentials::new(
                        credentials.#key,
                        credentials.#secret,
                        Some(credentials.#token),
                        Some(credentials.#expiration.into()),
                    ))
                })
            }
        }
    }
}
