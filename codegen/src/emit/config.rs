//! `src/config.rs`: `Config`, the runtime's settings plus the endpoint rule set's client
//! settings, and its builder.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::params::param_value;
use super::{doc, doc_lines, file, item_docs};
use crate::ir::{EndpointParam, EndpointParamType, Ir};
use crate::naming::ident;
use crate::{Error, GeneratedFile};

/// `src/config.rs`.
pub(super) fn config_file(ir: &Ir<'_>) -> Result<GeneratedFile, Error> {
    file("src/config.rs", config(ir)?)
}

/// The type of a setting in the configuration.
fn param_type(ty: EndpointParamType) -> TokenStream {
    match ty {
        EndpointParamType::Bool => quote!(bool),
        EndpointParamType::String => quote!(String),
        EndpointParamType::EndpointUrl => quote!(s3_runtime::endpoint::EndpointUrl),
    }
}

/// The type of a setting in the builder: the endpoint URL is checked and parsed by `build`.
fn builder_type(ty: EndpointParamType) -> TokenStream {
    match ty {
        EndpointParamType::Bool => quote!(bool),
        EndpointParamType::String | EndpointParamType::EndpointUrl => quote!(String),
    }
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
    // `SDK::Endpoint` from `AWS_ENDPOINT_URL_<SDK id>`, `AWS_ENDPOINT_URL` or the profile.
    let sdk_id = ir
        .service
        .traits
        .get("aws.api#service")
        .and_then(|t| t.get("sdkId"))
        .and_then(serde_json::Value::as_str);
    let fields = settings.iter().map(|p| {
        let name = ident(p.setting.as_deref().unwrap_or_default());
        let ty = param_field_type(p);
        quote!(#name: #ty,)
    });
    let builder_fields = settings.iter().map(|p| {
        let name = ident(p.setting.as_deref().unwrap_or_default());
        let ty = builder_type(p.ty);
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
            EndpointParamType::EndpointUrl => {
                quote!(self.#name.as_ref().map(|url| url.as_str().to_owned()))
            }
        };
        back.push(if p.default.is_some() {
            quote!(#name: Some(#value),)
        } else {
            quote!(#name: #value,)
        });
        let docs = item_docs(p.docs, &format!("The `{}` endpoint parameter.", p.name));
        let ty = builder_type(p.ty);
        let (getter_ty, getter) = match (p.ty, p.default.is_some()) {
            (EndpointParamType::Bool, true) => (quote!(bool), quote!(self.#name)),
            (EndpointParamType::Bool, false) => (quote!(Option<bool>), quote!(self.#name)),
            (EndpointParamType::String, true) => (quote!(&str), quote!(&self.#name)),
            (EndpointParamType::String, false) => {
                (quote!(Option<&str>), quote!(self.#name.as_deref()))
            }
            (EndpointParamType::EndpointUrl, _) => (
                quote!(Option<&str>),
                quote!(self.#name.as_ref().map(s3_runtime::endpoint::EndpointUrl::as_str)),
            ),
        };
        getters.push(quote!(#docs pub fn #name(&self) -> #getter_ty { #getter }));
        if p.ty == EndpointParamType::EndpointUrl {
            let parsed = parsed_getter(p.setting.as_deref().unwrap_or_default());
            getters.push(quote! {
                /// The endpoint URL as requests read it: checked and parsed once.
                pub(crate) fn #parsed(&self) -> Option<&s3_runtime::endpoint::EndpointUrl> {
                    self.#name.as_ref()
                }
            });
        }
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
            None if p.ty == EndpointParamType::EndpointUrl => {
                quote!(#name: self.#name.map(s3_runtime::endpoint::EndpointUrl::new),)
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
            EndpointParamType::String | EndpointParamType::EndpointUrl => {
                quote!(builder.#name = env.get(#var);)
            }
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
    let endpoint_docs = sdk_id.map(|id| {
        doc_lines(&format!(
            "`AWS_ENDPOINT_URL_{}`, else `AWS_ENDPOINT_URL`, else the profile's `endpoint_url`\n\
             sets the endpoint URL (unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`).",
            id.to_ascii_uppercase().replace(' ', "_")
        ))
    });
    let env_docs = quote! {
        #endpoint_docs
        #(#env_docs)*
        /// `AWS_SDK_UA_APP_ID` sets [`app_name`](ConfigBuilder::app_name), `AWS_CA_BUNDLE`
        /// [`ca_bundle`](ConfigBuilder::ca_bundle), and `HTTPS_PROXY`, `HTTP_PROXY` and
        /// `NO_PROXY` (or their lowercase forms) [`proxy`](ConfigBuilder::proxy).
    };
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
    let cross_region = super::client::follows_buckets(ir).then(|| {
        quote! {
            /// Whether a request to a bucket in another region follows S3 there (default off):
            /// sent once more to the region S3 names, which the client then remembers for the
            /// bucket. See [`ClientConfig::cross_region_access`](s3_runtime::client::ClientConfig::cross_region_access).
            pub fn cross_region_access(mut self, enabled: bool) -> Self {
                self.runtime = self.runtime.cross_region_access(enabled);
                self
            }
        }
    });
    let endpoint_setting = settings
        .iter()
        .find(|p| p.builtin == Some("SDK::Endpoint"))
        .zip(sdk_id)
        .map(|(p, sdk_id)| {
            let name = ident(p.setting.as_deref().unwrap_or_default());
            quote! {
                if let Some(url) = s3_runtime::endpoint::configured_endpoint_url(&env, #sdk_id)? {
                    builder.#name = Some(url);
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
            /// `AWS_DEFAULT_REGION` or the shared config file, and credentials from the standard
            /// chain (environment, web identity, profile, container, instance metadata), loaded
            /// on first use.
            #env_docs
            pub fn from_env() -> Result<Self, s3_runtime::profile::ProfileError> {
                Self::from_env_with(s3_runtime::profile::Env::process())
            }

            /// The configuration [`from_env`](Self::from_env) gives, from `env` rather than the
            /// process's environment.
            pub fn from_env_with(env: s3_runtime::profile::Env) -> Result<Self, s3_runtime::profile::ProfileError> {
                let mut builder = Self::builder();
                #region_setting
                #endpoint_setting
                #(#env_settings)*
                if let Some(app) = env.get("AWS_SDK_UA_APP_ID") {
                    builder.runtime = builder.runtime.app_name(&app);
                }
                builder.runtime = builder.runtime.http_from_env(&env);
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

            /// The application's name, at the end of the `User-Agent` (`app/<name>`; from
            /// `AWS_SDK_UA_APP_ID` in [`Config::from_env`]).
            pub fn app_name(mut self, name: &str) -> Self {
                self.runtime = self.runtime.app_name(name);
                self
            }

            /// When requests carry a checksum: where the operation requires one or the caller
            /// chose an algorithm (`WhenRequired`, the default), or on every upload that can.
            pub fn checksum_policy(mut self, policy: s3_runtime::checksum::ChecksumPolicy) -> Self {
                self.runtime = self.runtime.checksum_policy(policy);
                self
            }

            /// Which request bodies are signed with their SHA-256 (by default all but files
            /// over HTTPS).
            pub fn payload_signing(mut self, signing: s3_runtime::client::PayloadSigning) -> Self {
                self.runtime = self.runtime.payload_signing(signing);
                self
            }

            /// What sends the requests: an `s3_runtime::http::HttpClient` shared between
            /// clients, or any [`HttpSend`](s3_runtime::http::HttpSend) of your own. The
            /// timeouts and response size cap of this configuration apply whatever sends.
            pub fn http_client(mut self, http: impl s3_runtime::http::HttpSend + 'static) -> Self {
                self.runtime = self.runtime.http_client(http);
                self
            }

            /// A PEM file of certificates trusted besides the system's roots (from
            /// `AWS_CA_BUNDLE` in [`Config::from_env`]); one that cannot be read fails every
            /// request before it is sent.
            pub fn ca_bundle(mut self, path: impl Into<std::path::PathBuf>) -> Self {
                self.runtime = self.runtime.ca_bundle(path);
                self
            }

            /// The proxies requests go through (from `HTTPS_PROXY`, `HTTP_PROXY` and
            /// `NO_PROXY` in [`Config::from_env`]).
            pub fn proxy(mut self, proxy: s3_runtime::http::ProxyConfig) -> Self {
                self.runtime = self.runtime.proxy(proxy);
                self
            }

            /// The clock that dates signatures and expires credentials (tests inject their own).
            pub fn clock(mut self, clock: s3_runtime::time::SharedClock) -> Self {
                self.runtime = self.runtime.clock(clock);
                self
            }

            #session_settings

            #cross_region

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

/// The crate-private getter of the endpoint URL setting `setting` as requests read it, checked
/// and parsed ([`EndpointParamType::EndpointUrl`]).
pub(super) fn parsed_getter(setting: &str) -> proc_macro2::Ident {
    format_ident!("parsed_{setting}")
}
