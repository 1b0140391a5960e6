//! The TLS configuration of the default client: the system's root certificates, loaded once per
//! process, plus any PEM bundle the configuration names.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

/// The system's roots, or why there are none usable. Loading them reads and parses every file
/// of the system's store (tens of milliseconds, hundreds of certificates), so it is done once,
/// not per client; the error is kept as text since it is reported to every client that asks.
static NATIVE_ROOTS: OnceLock<Result<Arc<RootCertStore>, String>> = OnceLock::new();

/// The TLS configuration trusting the system's roots alone, shared by every client without a
/// bundle.
static NATIVE: OnceLock<Result<Arc<ClientConfig>, String>> = OnceLock::new();

/// The system's roots, or the message of why there are none.
fn native_roots() -> Result<&'static Arc<RootCertStore>, &'static str> {
    NATIVE_ROOTS
        .get_or_init(|| {
            let found = rustls_native_certs::load_native_certs();
            for error in &found.errors {
                tracing::debug!(%error, "skipping part of the system's root certificates");
            }
            let mut roots = RootCertStore::empty();
            let (_, skipped) = roots.add_parsable_certificates(found.certs);
            if roots.is_empty() {
                let why = match found.errors.first() {
                    Some(error) => format!(": {error}"),
                    None if skipped > 0 => format!(": none of {skipped} is usable"),
                    None => String::new(),
                };
                return Err(format!("cannot load the system's root certificates{why}"));
            }
            Ok(Arc::new(roots))
        })
        .as_ref()
        .map_err(String::as_str)
}

/// The client TLS configuration: the system's roots, plus the certificates of the PEM file at
/// `ca_bundle`. Without a bundle it is the process's one shared configuration.
///
/// Fails when there is no root to trust, or the bundle cannot be read or holds no certificate.
pub(super) fn client_config(ca_bundle: Option<&Path>) -> Result<Arc<ClientConfig>, String> {
    match ca_bundle {
        None => NATIVE
            .get_or_init(|| config(RootCertStore::clone(native_roots()?)))
            .clone(),
        Some(path) => {
            // A bundle is enough on its own, for a machine without a usable system store.
            let mut roots =
                native_roots().map_or_else(|_| RootCertStore::empty(), |r| (**r).clone());
            add_bundle(&mut roots, path)?;
            config(roots)
        }
    }
}

/// Adds the certificates of the PEM file at `path` to `roots`.
fn add_bundle(roots: &mut RootCertStore, path: &Path) -> Result<(), String> {
    let cannot = |why: String| format!("cannot read CA bundle {}: {why}", path.display());
    let pem = std::fs::read(path).map_err(|e| cannot(e.to_string()))?;
    let mut added = 0;
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| cannot(e.to_string()))?;
        roots.add(cert).map_err(|e| cannot(e.to_string()))?;
        added += 1;
    }
    if added == 0 {
        return Err(cannot("it holds no PEM certificate".into()));
    }
    Ok(())
}

/// TLS 1.2 and 1.3 with the `ring` provider, trusting `roots`, offering HTTP/1.1.
fn config(roots: RootCertStore) -> Result<Arc<ClientConfig>, String> {
    let mut config =
        ClientConfig::builder_with_provider(rustls::crypto::ring::default_provider().into())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("cannot configure TLS: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_without_a_bundle_share_one_configuration() {
        // The test machine may have no system roots; then both fail alike.
        match (client_config(None), client_config(None)) {
            (Ok(a), Ok(b)) => assert!(Arc::ptr_eq(&a, &b)),
            (Err(a), Err(b)) => assert_eq!(a, b),
            _ => panic!("the second load differs from the first"),
        }
        if let (Ok(a), Ok(b)) = (native_roots(), native_roots()) {
            assert!(std::ptr::eq(a, b));
        }
    }
}
