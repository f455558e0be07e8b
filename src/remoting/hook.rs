//! Request hooks: decoration applied to every request just before it is sent
//! (ACL signing, namespace fields).

use std::collections::BTreeMap;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::protocol::RemotingCommand;
use crate::{Error, Result};

/// A hook run on every request the client sends, in registration order, after
/// the opaque, language, version and serialization are set. A hook that signs
/// the request must therefore be registered after every hook that changes it.
pub trait RpcHook: Send + Sync {
    /// Called before `req` is sent to `addr`; an error aborts the request.
    fn before_request(&self, addr: &str, req: &mut RemotingCommand) -> Result<()>;
    /// Called with the response to a request of code `request_code` from `addr`;
    /// an error replaces the response.
    fn after_response(
        &self,
        addr: &str,
        request_code: i32,
        resp: &mut RemotingCommand,
    ) -> Result<()> {
        let _ = (addr, request_code, resp);
        Ok(())
    }
}

/// Ext field carrying the access key.
pub const ACCESS_KEY: &str = "AccessKey";
/// Ext field carrying the signature.
pub const SIGNATURE: &str = "Signature";
/// Ext field carrying the optional security token.
pub const SECURITY_TOKEN: &str = "SecurityToken";

/// ACL signing (ACL 1.0, and ACL 2.0 which kept the same wire format).
#[derive(Clone)]
pub struct AclHook {
    pub access_key: String,
    pub secret_key: String,
    pub security_token: Option<String>,
}

impl std::fmt::Debug for AclHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret and the token never appear in logs.
        f.debug_struct("AclHook")
            .field("access_key", &self.access_key)
            .finish_non_exhaustive()
    }
}

impl AclHook {
    /// A hook signing with `access_key` / `secret_key`; both must be non-empty.
    pub fn new(
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
        security_token: Option<String>,
    ) -> Result<Self> {
        let hook = AclHook {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            security_token: security_token.filter(|t| !t.is_empty()),
        };
        if hook.access_key.is_empty() || hook.secret_key.is_empty() {
            return Err(Error::invalid(
                "the ACL access key and secret key must not be empty",
            ));
        }
        Ok(hook)
    }
}

/// The ACL signature of `req` with `secret_key`: HmacSHA1 over the values of
/// all ext fields but `Signature`, sorted by key, followed by the raw body;
/// standard base64 with padding. A key present twice counts once, with its
/// last value, as the server's map sees it.
pub fn acl_signature(secret_key: &str, req: &RemotingCommand) -> String {
    let mut fields: BTreeMap<&str, &str> = BTreeMap::new();
    for (k, v) in req.ext_fields.iter() {
        if k != SIGNATURE {
            fields.insert(k, v);
        }
    }
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(secret_key.as_bytes())
        .expect("HMAC accepts keys of any length");
    for v in fields.values() {
        mac.update(v.as_bytes());
    }
    if let Some(body) = &req.body {
        mac.update(body);
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

impl RpcHook for AclHook {
    fn before_request(&self, _addr: &str, req: &mut RemotingCommand) -> Result<()> {
        req.ext_fields.remove(SIGNATURE);
        req.ext_fields.insert(ACCESS_KEY, self.access_key.clone());
        if let Some(token) = &self.security_token {
            req.ext_fields.insert(SECURITY_TOKEN, token.clone());
        }
        let signature = acl_signature(&self.secret_key, req);
        req.ext_fields.insert(SIGNATURE, signature);
        Ok(())
    }
}

/// Namespace v2 (5.x): adds `nsd=true` and `ns=<namespace>` to every request.
#[derive(Debug, Clone)]
pub struct NamespaceV2Hook {
    pub namespace: String,
}

impl NamespaceV2Hook {
    pub fn new(namespace: impl Into<String>) -> Self {
        NamespaceV2Hook {
            namespace: namespace.into(),
        }
    }
}

impl RpcHook for NamespaceV2Hook {
    fn before_request(&self, _addr: &str, req: &mut RemotingCommand) -> Result<()> {
        req.ext_fields.insert("nsd", "true");
        req.ext_fields.insert("ns", self.namespace.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ExtFields;

    fn request() -> RemotingCommand {
        let mut ext = ExtFields::new();
        ext.push("topic", "TopicA");
        ext.push("producerGroup", "PG");
        ext.push("bname", "broker-a");
        RemotingCommand::request(10, ext)
    }

    // Expected values computed independently over the concatenated bytes with
    // `openssl dgst -sha1 -hmac 12345678 -binary | base64` and with
    // javax.crypto HmacSHA1 plus java.util.Base64; both agree.
    #[test]
    fn acl_signature_known_vector_with_body() {
        let hook = AclHook::new("RocketMQ", "12345678", None).unwrap();
        let mut req = request().with_body(&b"hello"[..]);
        hook.before_request("127.0.0.1:10911", &mut req).unwrap();
        // Sorted keys: AccessKey, bname, producerGroup, topic; then the body:
        // "RocketMQ" "broker-a" "PG" "TopicA" "hello".
        assert_eq!(req.ext_fields.get(ACCESS_KEY), Some("RocketMQ"));
        assert_eq!(
            req.ext_fields.get(SIGNATURE),
            Some("KlM0R5tufHN4JZsZt8act15pi+U=")
        );
        assert_eq!(req.ext_fields.get(SECURITY_TOKEN), None);
    }

    #[test]
    fn acl_signature_known_vector_with_token_no_body() {
        let hook = AclHook::new("RocketMQ", "12345678", Some("tok".into())).unwrap();
        let mut req = request();
        hook.before_request("x:1", &mut req).unwrap();
        // "RocketMQ" "tok" "broker-a" "PG" "TopicA" (SecurityToken sorts before bname).
        assert_eq!(req.ext_fields.get(SECURITY_TOKEN), Some("tok"));
        assert_eq!(
            req.ext_fields.get(SIGNATURE),
            Some("5LV+kSLRi76ceYmMEfwbY3pkbLA=")
        );
    }

    #[test]
    fn signing_twice_gives_the_same_signature() {
        // A retried request is signed again; the old signature must not be signed.
        let hook = AclHook::new("RocketMQ", "12345678", None).unwrap();
        let mut req = request().with_body(&b"hello"[..]);
        hook.before_request("a:1", &mut req).unwrap();
        hook.before_request("a:1", &mut req).unwrap();
        assert_eq!(
            req.ext_fields.get(SIGNATURE),
            Some("KlM0R5tufHN4JZsZt8act15pi+U=")
        );
        assert_eq!(
            req.ext_fields
                .iter()
                .filter(|(k, _)| *k == SIGNATURE)
                .count(),
            1
        );
    }

    #[test]
    fn duplicated_keys_count_once_with_the_last_value() {
        let mut req = request();
        req.ext_fields.push("topic", "Other");
        req.ext_fields.push("topic", "TopicA");
        req.ext_fields.insert(ACCESS_KEY, "RocketMQ");
        req.ext_fields.insert(SECURITY_TOKEN, "tok");
        assert_eq!(
            acl_signature("12345678", &req),
            "5LV+kSLRi76ceYmMEfwbY3pkbLA="
        );
    }

    #[test]
    fn empty_credentials_are_refused() {
        assert!(AclHook::new("", "s", None).is_err());
        assert!(AclHook::new("a", "", None).is_err());
        let h = AclHook::new("ak", "topsecret", Some(String::new())).unwrap();
        assert_eq!(h.security_token, None);
        assert!(!format!("{h:?}").contains("topsecret"));
    }

    #[test]
    fn namespace_v2_fields() {
        let mut req = request();
        NamespaceV2Hook::new("ns1")
            .before_request("a:1", &mut req)
            .unwrap();
        assert_eq!(req.ext_fields.get("nsd"), Some("true"));
        assert_eq!(req.ext_fields.get("ns"), Some("ns1"));
    }
}
