//! The client: `Config` (the runtime's settings plus the endpoint rule set's client settings),
//! `Client`, and each operation's fluent builder.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::{
    builder_ident, doc, doc_lines, file, is_copy, item_docs, rust_type, setter_docs, summary_docs,
};
use crate::ir::{
    AcceptorState, DecodedString, EndpointParam, EndpointParamType, Ir, Matcher, MemberIr,
    OperationIr, Pagination, RuntimeRules, RustType, SessionAuth, StructureIr, UrlEncodedResponse,
    Waiter,
};
use crate::naming::ident;
use crate::{Error, GeneratedFile};

/// `src/config.rs` and `src/client.rs`.
pub fn files(ir: &Ir<'_>) -> Result<Vec<GeneratedFile>, Error> {
    Ok(vec![
        file("src/config.rs", config(ir)?)?,
        file("src/client.rs", client(ir))?,
    ])
}

fn param_type(ty: EndpointParamType) -> TokenStream {
    match ty {
        EndpointParamType::Bool => quote!(bool),
        EndpointParamType::String => quote!(String),
    }
}

/// A rule-set default or static context parameter as a value of the configuration (`owned`)
/// or of the borrowed `endpoint::Params`.
fn param_value(
    param: &EndpointParam<'_>,
    value: &Value,
    owned: bool,
) -> Result<TokenStream, Error> {
    Ok(match (param.ty, value) {
        (EndpointParamType::Bool, Value::Bool(b)) => quote!(#b),
        (EndpointParamType::String, Value::String(s)) if owned => quote!(String::from(#s)),
        (EndpointParamType::String, Value::String(s)) => quote!(#s),
        _ => {
            return Err(Error::new(format!(
                "endpoint parameter {}: value {value} does not fit",
                param.name
            )))
        }
    })
}

/// Parameters with a default are plain values; the others are optional.
fn param_field_type(param: &EndpointParam<'_>) -> TokenStream {
    let ty = param_type(param.ty);
    if param.default.is_some() {
        ty
    } else {
        quote!(Option<#ty>)
    }
}

fn config(ir: &Ir<'_>) -> Result<TokenStream, Error> {
    let settings: Vec<&EndpointParam<'_>> = ir
        .service
        .endpoint_params
        .iter()
        .filter(|p| p.setting.is_some())
        .collect();
    let fields = settings.iter().map(|p| {
        let name = ident(p.setting.as_deref().unwrap_or_default());
        let ty = param_field_type(p);
        quote!(#name: #ty,)
    });
    let builder_fields = settings.iter().map(|p| {
        let name = ident(p.setting.as_deref().unwrap_or_default());
        let ty = param_type(p.ty);
        quote!(#name: Option<#ty>,)
    });
    let mut getters = Vec::new();
    let mut setters = Vec::new();
    let mut inits = Vec::new();
    let mut back = Vec::new();
    for p in &settings {
        let name = ident(p.setting.as_deref().unwrap_or_default());
        let value = match p.ty {
            EndpointParamType::Bool => quote!(self.#name),
            EndpointParamType::String => quote!(self.#name.clone()),
        };
        back.push(if p.default.is_some() {
            quote!(#name: Some(#value),)
        } else {
            quote!(#name: #value,)
        });
        let docs = item_docs(p.docs, &format!("The `{}` endpoint parameter.", p.name));
        let ty = param_type(p.ty);
        let (getter_ty, getter) = match (p.ty, p.default.is_some()) {
            (EndpointParamType::Bool, true) => (quote!(bool), quote!(self.#name)),
            (EndpointParamType::Bool, false) => (quote!(Option<bool>), quote!(self.#name)),
            (EndpointParamType::String, true) => (quote!(&str), quote!(&self.#name)),
            (EndpointParamType::String, false) => {
                (quote!(Option<&str>), quote!(self.#name.as_deref()))
            }
        };
        getters.push(quote!(#docs pub fn #name(&self) -> #getter_ty { #getter }));
        setters.push(if p.ty == EndpointParamType::Bool {
            quote!(#docs pub fn #name(mut self, value: bool) -> Self { self.#name = Some(value); self })
        } else {
            quote!(#docs pub fn #name(mut self, value: impl Into<#ty>) -> Self { self.#name = Some(value.into()); self })
        });
        inits.push(match p.default {
            Some(default) if p.ty == EndpointParamType::Bool => {
                let value = param_value(p, default, true)?;
                quote!(#name: self.#name.unwrap_or(#value),)
            }
            Some(default) => {
                let value = param_value(p, default, true)?;
                quote!(#name: self.#name.unwrap_or_else(|| #value),)
            }
            None => quote!(#name: self.#name,),
        });
    }
    let env_settings = settings.iter().filter_map(|p| {
        let (var, name) = (p.env_var?, ident(p.setting.as_deref()?));
        Some(match p.ty {
            EndpointParamType::Bool => quote! {
                if let Some(value) = env.get(#var) {
                    builder.#name = Some(value.trim().eq_ignore_ascii_case("true"));
                }
            },
            EndpointParamType::String => quote!(builder.#name = env.get(#var);),
        })
    });
    let env_docs = settings.iter().filter_map(|p| {
        let (var, name) = (p.env_var?, p.setting.as_deref()?);
        let value = if p.ty == EndpointParamType::Bool {
            "=true"
        } else {
            ""
        };
        Some(doc(&format!(
            "`{var}{value}` sets [`{name}`](ConfigBuilder::{name})."
        )))
    });
    let env_docs = quote!(#(#env_docs)*);
    let session_settings = ir.service.session_auth.as_ref().map(|auth| {
        let mode_type = ident(&auth.mode_type);
        let doc = doc(&format!(
            "The mode of the sessions the client creates for session auth; by default none is \
             sent, so the service grants what its policy allows. Sessions of each mode are \
             cached apart (see [`{}`](crate::operation::{})).",
            auth.operation, auth.operation
        ));
        quote! {
            /// The capacity and refresh window of a new session cache for session auth. Clients
            /// built from this configuration and its clones share it; each base identity and
            /// mode has sessions of its own.
            pub fn session_cache(mut self, cache: s3_runtime::express::SessionCacheConfig) -> Self {
                self.runtime = self.runtime.session_cache(cache);
                self
            }

            #doc
            pub fn session_mode(mut self, mode: crate::types::#mode_type) -> Self {
                self.runtime = self.runtime.session_mode(Some(mode.as_str()));
                self
            }
        }
    });
    let region_setting = settings
        .iter()
        .any(|p| p.setting.as_deref() == Some("region"))
        .then(|| {
            quote! {
                builder.region = s3_runtime::region::load(&env)?;
            }
        });
    Ok(quote! {
        //! Client configuration: credentials, retries, timeouts, HTTP, and the endpoint settings
        //! of the service's endpoint rule set.

        /// How a [`Client`](crate::Client) signs, sends and addresses requests.
        #[derive(Clone, Debug)]
        pub struct Config {
            runtime: s3_runtime::client::ClientConfig,
            #(#fields)*
        }

        impl Config {
            /// A builder with every setting at its default.
            pub fn builder() -> ConfigBuilder {
                ConfigBuilder::default()
            }

            /// The configuration from the environment: the region from `AWS_REGION`,
            /// `AWS_DEFAULT_REGION` or the shared config file, and credentials from the default
            /// chain (environment, then shared files), loaded on first use.
            #env_docs
            pub fn from_env() -> Result<Self, s3_runtime::profile::ProfileError> {
                Self::from_env_with(s3_runtime::profile::Env::process())
            }

            /// The configuration [`from_env`](Self::from_env) gives, from `env` rather than the
            /// process's environment.
            pub fn from_env_with(env: s3_runtime::profile::Env) -> Result<Self, s3_runtime::profile::ProfileError> {
                let mut builder = Self::builder();
                #region_setting
                #(#env_settings)*
                builder.runtime = builder.runtime.credentials_from_env(env);
                Ok(builder.build())
            }

            /// A builder holding this configuration, to change some of it.
            pub fn to_builder(&self) -> ConfigBuilder {
                ConfigBuilder {
                    runtime: self.runtime.clone(),
                    #(#back)*
                }
            }

            /// The runtime's settings: credentials, retries, timeouts, HTTP client and clock.
            pub fn runtime(&self) -> &s3_runtime::client::ClientConfig {
                &self.runtime
            }

            #(#getters)*
        }

        /// A builder for [`Config`].
        #[derive(Clone, Debug, Default)]
        pub struct ConfigBuilder {
            runtime: s3_runtime::client::ClientConfig,
            #(#builder_fields)*
        }

        impl ConfigBuilder {
            /// The credentials to sign with.
            pub fn credentials(mut self, provider: impl s3_runtime::credentials::ProvideCredentials + 'static) -> Self {
                self.runtime = self.runtime.credentials(provider);
                self
            }

            /// The retry policy (standard mode with 3 attempts by default).
            pub fn retry(mut self, retry: s3_runtime::retry::RetryConfig) -> Self {
                self.runtime = self.runtime.retry(retry);
                self
            }

            /// The connect, read, stalled-body, attempt and operation timeouts.
            pub fn timeouts(mut self, timeouts: s3_runtime::http::TimeoutConfig) -> Self {
                self.runtime = self.runtime.timeouts(timeouts);
                self
            }

            /// The largest response body read into memory (64 MiB by default); a larger one
            /// fails the call.
            pub fn max_response_body(mut self, bytes: usize) -> Self {
                self.runtime = self.runtime.max_response_body(bytes);
                self
            }

            /// The HTTP client, for example one shared between clients.
            pub fn http_client(mut self, http: s3_runtime::http::HttpClient) -> Self {
                self.runtime = self.runtime.http_client(http);
                self
            }

            /// The clock that dates signatures and expires credentials (tests inject their own).
            pub fn clock(mut self, clock: s3_runtime::time::SharedClock) -> Self {
                self.runtime = self.runtime.clock(clock);
                self
            }

            #session_settings

            #(#setters)*

            /// Builds the [`Config`].
            pub fn build(self) -> Config {
                Config {
                    runtime: self.runtime,
                    #(#inits)*
                }
            }
        }
    })
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
    let bucket = match session_auth {
        Some(auth) => {
            let scope = ident(&auth.scope);
            quote!(params.#scope)
        }
        None => quote!(None),
    };
    let sessions = session_auth.map(sessions);
    // The built-in settings a bad value of which the rules would misreport.
    let setting_checks = ir.service.endpoint_params.iter().filter_map(|p| {
        let check = match p.setting.as_deref()? {
            "region" => quote!(s3_runtime::endpoint::check_region),
            "endpoint_url" => quote!(s3_runtime::endpoint::check_endpoint_url),
            _ => return None,
        };
        let field = ident(&p.field);
        (p.ty == EndpointParamType::String && p.default.is_none())
            .then(|| quote!(if let Some(value) = params.#field { #check(value)?; }))
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

            /// Resolves the endpoint for `params`, then signs, sends and retries `request`;
            /// `error_in_success`: a 2xx response may carry an `<Error>` body.
            pub(crate) async fn invoke<O, E>(
                &self,
                name: &'static str,
                error_in_success: bool,
                request: s3_runtime::rest::SerializedRequest,
                params: &crate::endpoint::Params<'_>,
                deserialize: fn(&http::Response<bytes::Bytes>) -> Result<O, s3_runtime::error::ResponseError>,
                deserialize_error: fn(&http::Response<bytes::Bytes>, &s3_runtime::error::ErrorMetadata) -> E,
            ) -> Result<O, s3_runtime::error::Error<E>> {
                #(#setting_checks)*
                let endpoint = crate::endpoint::resolve(params)
                    .map_err(|e| s3_runtime::error::BuildError::endpoint(e.to_string()))?;
                self.runtime()
                    .invoke(s3_runtime::client::Operation {
                        name,
                        bucket: #bucket,
                        error_in_success,
                        request,
                        endpoint,
                        deserialize,
                        deserialize_error,
                    })
                    .await
            }

            #(#methods)*
        }

        #sessions
    }
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

/// The operation's fluent builder: the input's setters, then `send`.
pub fn fluent_builder(op: &OperationIr<'_>, ir: &Ir<'_>) -> Result<TokenStream, Error> {
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
    let error_in_success = op.error_in_success;
    // A paginated operation sends through `send_input(client, &mut input)`, which `send` and
    // the paginator's pages share; any other sends from `send` alone.
    let paged = op.pagination.is_some();
    let (client, input) = if paged {
        (quote!(client), quote!(input))
    } else {
        (quote!(self.client), quote!(&input))
    };
    let invoke = quote! {
        let params = endpoint_params(#client.config(), #input);
        #client
            .invoke(#op_name, #error_in_success, serialize(#input)?, &params, deserialize, deserialize_error)
            .await
    };
    let (body, url_decode) = match &op.url_encoded_response {
        None if paged => (invoke, None),
        None => (quote!(let input = #build; #invoke), None),
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
        }

        #params_fn
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

/// `wait_until_<waiter>()`: polls the operation until an acceptor decides, documented with the
/// acceptors in the order they are tried.
fn waiter(op: &OperationIr<'_>, waiter: &Waiter<'_>) -> TokenStream {
    let method = format_ident!(
        "wait_until_{}",
        crate::naming::snake(waiter.name).trim_start_matches("r#")
    );
    let output = ident(&op.output.name);
    let error = format_ident!("{}Error", op.name);
    let (min, max) = (waiter.min_delay, waiter.max_delay);
    let mut lines = vec![format!(
        "Waits until `{}`: sends `{}` every {min} s to {max} s (growing, randomised) until an \
         acceptor decides, or gives up after `max_wait`. The acceptors, in order:",
        waiter.name, op.name
    )];
    let mut checks = Vec::new();
    for acceptor in &waiter.acceptors {
        let (when, condition) = match &acceptor.matcher {
            Matcher::Success(true) => ("the request succeeds".to_owned(), quote!(result.is_ok())),
            Matcher::Success(false) => ("the request fails".to_owned(), quote!(result.is_err())),
            Matcher::ErrorType(code) => (
                format!("the error is `{code}`"),
                quote!(result.as_ref().err().and_then(|e| e.code()) == Some(#code)),
            ),
        };
        let (state, action) = match acceptor.state {
            AcceptorState::Success => ("success", quote!(return Ok(result.ok());)),
            AcceptorState::Failure => (
                "failure",
                quote!(return Err(s3_runtime::waiter::WaitError::Failure(result.err()));),
            ),
            AcceptorState::Retry => ("retry", quote!(poller.wait().await?; continue;)),
        };
        lines.push(format!("- {when}: {state};"));
        checks.push(quote!(if #condition { #action }));
    }
    lines.push(
        "- any other error ends the wait. On success, the output is `None` when an error matched."
            .to_owned(),
    );
    let mut text = crate::emit::doc_text(waiter.docs, &[]);
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(&lines.join("\n"));
    let docs = super::doc_lines(&text);
    quote! {
        #docs
        pub async fn #method(
            self,
            max_wait: std::time::Duration,
        ) -> Result<Option<#output>, s3_runtime::waiter::WaitError<#error>> {
            let mut poller = self.client.runtime().poller(
                std::time::Duration::from_secs(#min),
                std::time::Duration::from_secs(#max),
                max_wait,
            );
            loop {
                let result = self.clone().send().await;
                #(#checks)*
                if let Err(e) = result {
                    return Err(s3_runtime::waiter::WaitError::Operation(e));
                }
                poller.wait().await?;
            }
        }
    }
}

/// `into_paginator()`, and `into_items()` when the trait names the items: the runtime's
/// [`Paginator`](s3_runtime::paginator::Paginator) given the built input, two token accessors
/// and `send_input`, so the stream itself is written once, in the runtime.
fn paginator(
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
            let doc = doc(&format!(
                "Every item of every page's `{}`, in order: the pages of \
                 [`into_paginator`](Self::into_paginator), flattened.",
                items.field
            ));
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

/// `endpoint_params(config, input)`: what `send` resolves the endpoint from, public for the
/// endpoint tests and for callers who resolve endpoints themselves.
fn endpoint_params_fn(op: &OperationIr<'_>, ir: &Ir<'_>) -> Result<TokenStream, Error> {
    let input_ty = ident(&op.input.name);
    let params = endpoint_params(op, ir)?;
    let reads_input = op.input.members.iter().any(|m| {
        m.context_param.is_some_and(|name| {
            ir.service.endpoint_params.iter().any(|p| p.name == name)
                && !op.static_context_params.iter().any(|(s, _)| *s == name)
        })
    });
    let input = if reads_input {
        quote!(input)
    } else {
        quote!(_input)
    };
    let reads_config = ir.service.endpoint_params.iter().any(|p| {
        p.setting.is_some()
            && !op.static_context_params.iter().any(|(s, _)| *s == p.name)
            && !op
                .input
                .members
                .iter()
                .any(|m| m.context_param == Some(p.name))
    });
    let config = if reads_config {
        quote!(config)
    } else {
        quote!(_config)
    };
    Ok(quote! {
        /// The endpoint parameters of a request: the client's settings, the input's context
        /// parameters, and the operation's own.
        pub fn endpoint_params<'a>(#config: &'a crate::Config, #input: &'a #input_ty) -> crate::endpoint::Params<'a> {
            #params
        }
    })
}

/// The operation's endpoint parameters: client settings, then the input's context parameters,
/// then the operation's static ones.
fn endpoint_params(op: &OperationIr<'_>, ir: &Ir<'_>) -> Result<TokenStream, Error> {
    let mut fields = Vec::new();
    for p in &ir.service.endpoint_params {
        let field = ident(&p.field);
        let wrap = |value: TokenStream| {
            if p.default.is_some() {
                value
            } else {
                quote!(Some(#value))
            }
        };
        let value = if let Some((_, value)) = op
            .static_context_params
            .iter()
            .find(|(name, _)| *name == p.name)
        {
            wrap(param_value(p, value, false)?)
        } else if let Some(m) = op
            .input
            .members
            .iter()
            .find(|m| m.context_param == Some(p.name))
        {
            let member = ident(&m.field);
            let value = match p.ty {
                EndpointParamType::String if m.optional() => quote!(input.#member.as_deref()),
                EndpointParamType::String => quote!(Some(input.#member.as_str())),
                EndpointParamType::Bool if m.optional() => quote!(input.#member),
                EndpointParamType::Bool => quote!(Some(input.#member)),
            };
            match &p.default {
                Some(default) => {
                    let default = param_value(p, default, false)?;
                    quote!(#value.unwrap_or(#default))
                }
                None => value,
            }
        } else if let Some(setting) = &p.setting {
            let setting = ident(setting);
            quote!(config.#setting())
        } else if let Some(default) = p.default {
            param_value(p, default, false)?
        } else {
            quote!(None)
        };
        fields.push(quote!(#field: #value));
    }
    Ok(quote!(crate::endpoint::Params { #(#fields,)* }))
}
