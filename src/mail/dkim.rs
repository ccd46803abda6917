//! DKIM signing of every outgoing message, when a key is configured (`DKIM_SELECTOR` and
//! `DKIM_PRIVATE_KEY_FILE`, an RSA key in PKCS#1 PEM). The signature covers the
//! List-Unsubscribe headers, as mailbox providers expect for one-click unsubscribe.

use std::sync::Arc;

use lettre::Message;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm, DkimSigningKey,
};
use lettre::message::header::HeaderName;

/// The headers the signature covers (those missing from a message are signed as absent).
const SIGNED_HEADERS: [&str; 8] =
    ["From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"];

#[derive(Clone)]
pub struct DkimSigner {
    selector: String,
    config: Arc<DkimConfig>,
}

impl std::fmt::Debug for DkimSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key.
        write!(f, "DkimSigner({})", self.selector)
    }
}

impl DkimSigner {
    pub fn new(selector: &str, domain: &str, private_key_pem: &str) -> Result<Self, String> {
        let key = DkimSigningKey::new(private_key_pem, DkimSigningAlgorithm::Rsa)
            .map_err(|e| format!("geen bruikbare RSA-sleutel in PKCS#1-PEM ({e})"))?;
        let config = DkimConfig::new(
            selector.to_owned(),
            domain.to_owned(),
            key,
            SIGNED_HEADERS.iter().map(|h| HeaderName::new_from_ascii_str(h)).collect(),
            DkimCanonicalization {
                header: DkimCanonicalizationType::Relaxed,
                body: DkimCanonicalizationType::Relaxed,
            },
        );
        Ok(Self { selector: selector.to_owned(), config: Arc::new(config) })
    }

    pub fn sign(&self, message: &mut Message) {
        message.sign(&self.config);
    }
}
