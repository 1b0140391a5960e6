//! The endpoint module of a service whose model has no endpoint rules: requests go to the
//! configured endpoint URL, signed with SigV4 for the configured region.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::Ir;
use crate::Error;

/// `endpoint.rs` for a service without rules.
pub(crate) fn module(ir: &Ir<'_>) -> Result<TokenStream, Error> {
    let signing_name = ir.service.signing_name.ok_or_else(|| {
        Error::new(format!(
            "{}: no endpoint rules and no aws.auth#sigv4 trait",
            ir.service.id
        ))
    })?;
    Ok(quote! {
        //! Endpoint resolution: the model has no endpoint rules, so requests go to the configured
        //! endpoint URL, signed for the configured region.

        use s3_runtime::endpoint as rt;

        /// The inputs of endpoint resolution, from the client configuration.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        #[non_exhaustive]
        pub struct Params<'a> {
            /// The region to sign for.
            pub region: Option<&'a str>,
            /// The URL to send requests to, checked and parsed when the configuration was built.
            pub endpoint: Option<&'a rt::EndpointUrl>,
        }

        /// The configured endpoint URL, with SigV4 signing for the configured region.
        pub fn resolve(params: &Params<'_>) -> Result<rt::Endpoint, rt::ResolveError> {
            let url = rt::need(params.endpoint, "Endpoint")?.as_str();
            let region = rt::need(params.region, "Region")?;
            let auth = rt::AuthScheme::new("sigv4")
                .signing_name(#signing_name)
                .signing_region(region.to_owned());
            Ok(rt::Endpoint::new(url).with_auth_schemes([auth]))
        }
    })
}
