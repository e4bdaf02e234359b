//! TLS for PostgreSQL connections (rustls), with libpq's `sslmode` semantics:
//! `prefer`/`require` encrypt without verifying, `verify-ca` checks the chain,
//! `verify-full` checks the chain and the host name.

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, Error, RootCertStore, SignatureScheme,
};

use super::conninfo::SslMode;

/// Builds the rustls client configuration for a mode.
pub fn client_config(mode: SslMode, rootcert: Option<&str>) -> Result<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .context("setting up TLS")?;
    let verifier: Arc<dyn ServerCertVerifier> = match mode {
        SslMode::Disable | SslMode::Allow | SslMode::Prefer | SslMode::Require => {
            Arc::new(NoVerify(provider))
        }
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let roots = Arc::new(load_roots(rootcert, mode)?);
            let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider)
                .build()
                .context("building the TLS certificate verifier")?;
            if mode == SslMode::VerifyCa {
                Arc::new(ChainOnly(webpki))
            } else {
                webpki
            }
        }
    };
    Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

/// Root certificates: the `sslrootcert` file, `system` for the OS store, or libpq's
/// default `~/.postgresql/root.crt`.
fn load_roots(rootcert: Option<&str>, mode: SslMode) -> Result<RootCertStore> {
    let mut store = RootCertStore::empty();
    let path = match rootcert {
        Some("system") => {
            let found = rustls_native_certs::load_native_certs();
            for cert in found.certs {
                let _ = store.add(cert);
            }
            if store.is_empty() {
                bail!("sslrootcert=system: no system root certificates found");
            }
            return Ok(store);
        }
        Some(p) => std::path::PathBuf::from(p),
        None => dirs::home_dir()
            .map(|h| h.join(".postgresql").join("root.crt"))
            .filter(|p| p.is_file())
            .with_context(|| {
                format!(
                    "sslmode={} needs root certificates: set sslrootcert=/path/to/ca.pem \
                     (or sslrootcert=system), or create ~/.postgresql/root.crt",
                    if mode == SslMode::VerifyCa {
                        "verify-ca"
                    } else {
                        "verify-full"
                    }
                )
            })?,
    };
    let certs = CertificateDer::pem_file_iter(&path)
        .with_context(|| format!("reading root certificates from {}", path.display()))?;
    for cert in certs {
        let cert =
            cert.with_context(|| format!("parsing root certificates in {}", path.display()))?;
        store
            .add(cert)
            .with_context(|| format!("adding a root certificate from {}", path.display()))?;
    }
    if store.is_empty() {
        bail!("no certificates in {}", path.display());
    }
    Ok(store)
}

/// Accepts any certificate but still checks handshake signatures (`require`).
#[derive(Debug)]
struct NoVerify(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Verifies the chain but not the host name (`verify-ca`).
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(Error::InvalidCertificate(CertificateError::NotValidForName))
            | Err(Error::InvalidCertificate(CertificateError::NotValidForNameContext { .. })) => {
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mode_builds_or_says_what_it_needs() {
        for mode in [SslMode::Disable, SslMode::Prefer, SslMode::Require] {
            client_config(mode, None).unwrap();
        }
        let e = client_config(SslMode::VerifyFull, Some("/nonexistent/ca.pem")).unwrap_err();
        assert!(format!("{e:#}").contains("/nonexistent/ca.pem"), "{e:#}");
    }
}
