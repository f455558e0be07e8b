//! [`Message`] (to send) and [`MessageExt`] (received).

use std::borrow::Cow;
use std::net::{Ipv4Addr, SocketAddr};

use bytes::Bytes;

use super::property::{self, is_reserved, KEY_SEPARATOR};
use super::props::{Properties, NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR};
use crate::protocol::msg_id::encode_offset_msg_id;
use crate::{Error, Result};

/// Whether `s` is blank the way a Java `trim()` sees it: empty or only chars `<= ' '`.
fn is_blank(s: &str) -> bool {
    s.chars().all(|c| c <= ' ')
}

fn check_user_property(name: &str, value: &str) -> Result<()> {
    if is_reserved(name) {
        return Err(Error::invalid(format!(
            "property name {name:?} is reserved for the system"
        )));
    }
    if is_blank(name) || is_blank(value) {
        return Err(Error::invalid("property name and value must not be blank"));
    }
    let bad = |s: &str| s.contains(NAME_VALUE_SEPARATOR) || s.contains(PROPERTY_SEPARATOR);
    if bad(name) || bad(value) {
        return Err(Error::invalid(
            "property name and value must not contain the characters 0x01 or 0x02",
        ));
    }
    Ok(())
}

/// Read accessors shared by [`Message`] and [`MessageExt`], plus raw property edits.
macro_rules! property_accessors {
    () => {
        /// The property `name`, if set.
        pub fn property(&self, name: &str) -> Option<&str> {
            self.properties.get(name).map(String::as_str)
        }

        /// Sets a property without any check (system properties included).
        pub fn set_property(&mut self, name: impl Into<String>, value: impl Into<String>) {
            self.properties.insert(name.into(), value.into());
        }

        /// Removes a property, returning its value.
        pub fn remove_property(&mut self, name: &str) -> Option<String> {
            self.properties.remove(name)
        }

        /// The tags (`TAGS`).
        pub fn tags(&self) -> Option<&str> {
            self.property(property::TAGS)
        }

        /// The keys (`KEYS` split on spaces, empty pieces dropped).
        pub fn keys(&self) -> Vec<&str> {
            self.property(property::KEYS)
                .map(|k| k.split(KEY_SEPARATOR).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default()
        }

        /// The client message id (`UNIQ_KEY`).
        pub fn unique_key(&self) -> Option<&str> {
            self.property(property::UNIQ_KEY)
        }

        /// The sharding key (`__SHARDINGKEY`).
        pub fn sharding_key(&self) -> Option<&str> {
            self.property(property::SHARDING_KEY)
        }

        /// The delay level (`DELAY`); 0 when absent or not a number.
        pub fn delay_level(&self) -> i32 {
            self.property(property::DELAY)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        }

        /// The absolute delivery time (`TIMER_DELIVER_MS`), if set and a number.
        pub fn deliver_time_ms(&self) -> Option<i64> {
            self.property(property::TIMER_DELIVER_MS)
                .and_then(|v| v.parse().ok())
        }

        /// Whether the broker should answer only once stored (`WAIT`; true when absent,
        /// otherwise true only for a case-insensitive `"true"`).
        pub fn wait_store_msg_ok(&self) -> bool {
            self.property(property::WAIT)
                .map_or(true, |v| v.eq_ignore_ascii_case("true"))
        }

        /// Whether this is a half transactional message (`TRAN_MSG` is `"true"`).
        pub fn is_transaction_prepared(&self) -> bool {
            self.property(property::TRAN_MSG)
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        }

        /// The properties whose names are not reserved, in name order.
        pub fn user_properties(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
            self.properties
                .iter()
                .filter(|(k, _)| !is_reserved(k))
                .map(|(k, v)| (k.as_str(), v.as_str()))
        }
    };
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    pub topic: String,
    /// User flag, carried as is.
    pub flag: i32,
    pub properties: Properties,
    pub body: Bytes,
    /// Transaction id, set by the producer for transactional messages.
    pub transaction_id: Option<String>,
}

impl Message {
    /// A message for `topic` with `WAIT` set to `"true"`, as the reference client's constructors do.
    pub fn new(topic: impl Into<String>, body: impl Into<Bytes>) -> Self {
        let mut m = Message {
            topic: topic.into(),
            body: body.into(),
            ..Default::default()
        };
        m.set_wait_store_msg_ok(true);
        m
    }

    property_accessors!();

    /// Sets the tags; an empty string removes them.
    pub fn set_tags(&mut self, tags: impl Into<String>) {
        self.set_or_remove(property::TAGS, tags.into());
    }

    /// Builder form of [`set_tags`](Self::set_tags).
    pub fn with_tags(mut self, tags: impl Into<String>) -> Self {
        self.set_tags(tags);
        self
    }

    /// Sets the keys, joined with spaces; no keys removes the property.
    pub fn set_keys<I, S>(&mut self, keys: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut joined = String::new();
        for k in keys {
            if !joined.is_empty() {
                joined.push_str(KEY_SEPARATOR);
            }
            joined.push_str(k.as_ref());
        }
        self.set_or_remove(property::KEYS, joined);
    }

    /// Builder form of [`set_keys`](Self::set_keys).
    pub fn with_keys<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.set_keys(keys);
        self
    }

    /// Builder: sets the user flag.
    pub fn with_flag(mut self, flag: i32) -> Self {
        self.flag = flag;
        self
    }

    fn set_or_remove(&mut self, name: &str, value: String) {
        if value.is_empty() {
            self.properties.remove(name);
        } else {
            self.properties.insert(name.to_owned(), value);
        }
    }

    /// Sets a user property. Fails on a reserved name ([`property::RESERVED`]),
    /// a blank name or value, or either containing 0x01 or 0x02.
    pub fn put_user_property(
        &mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<()> {
        let (name, value) = (name.into(), value.into());
        check_user_property(&name, &value)?;
        self.properties.insert(name, value);
        Ok(())
    }

    /// Sets several user properties; nothing is set if any pair is rejected
    /// (see [`put_user_property`](Self::put_user_property)).
    pub fn set_user_properties<I, K, V>(&mut self, props: I) -> Result<()>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let pairs: Vec<(String, String)> = props
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        for (k, v) in &pairs {
            check_user_property(k, v)?;
        }
        self.properties.extend(pairs);
        Ok(())
    }

    /// Sets the delay level (`DELAY`).
    pub fn set_delay_level(&mut self, level: i32) {
        self.set_property(property::DELAY, level.to_string());
    }

    /// Sets an absolute delivery time in epoch ms (`TIMER_DELIVER_MS`, 5.x timer).
    pub fn set_deliver_time_ms(&mut self, epoch_ms: i64) {
        self.set_property(property::TIMER_DELIVER_MS, epoch_ms.to_string());
    }

    /// Sets a relative delay in ms (`TIMER_DELAY_MS`, 5.x timer).
    pub fn set_delay_ms(&mut self, ms: i64) {
        self.set_property(property::TIMER_DELAY_MS, ms.to_string());
    }

    /// Sets a relative delay in seconds (`TIMER_DELAY_SEC`, 5.x timer).
    pub fn set_delay_sec(&mut self, sec: i64) {
        self.set_property(property::TIMER_DELAY_SEC, sec.to_string());
    }

    /// Sets the sharding key (`__SHARDINGKEY`).
    pub fn set_sharding_key(&mut self, key: impl Into<String>) {
        self.set_property(property::SHARDING_KEY, key);
    }

    /// Sets `WAIT` to `"true"` or `"false"`.
    pub fn set_wait_store_msg_ok(&mut self, wait: bool) {
        self.set_property(property::WAIT, if wait { "true" } else { "false" });
    }

    /// Sets the client message id (`UNIQ_KEY`).
    pub fn set_unique_key(&mut self, key: impl Into<String>) {
        self.set_property(property::UNIQ_KEY, key);
    }
}

/// A received (stored) message with its broker metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageExt {
    /// Size of the stored record.
    pub store_size: i32,
    /// CRC32 of the stored body, masked to 31 bits.
    pub body_crc: i32,
    pub queue_id: i32,
    /// User flag.
    pub flag: i32,
    pub queue_offset: i64,
    pub commit_log_offset: i64,
    /// System flag; the compressed bit is cleared once the body is decompressed.
    pub sys_flag: i32,
    pub born_timestamp: i64,
    pub born_host: SocketAddr,
    pub store_timestamp: i64,
    pub store_host: SocketAddr,
    pub reconsume_times: i32,
    pub prepared_transaction_offset: i64,
    pub topic: String,
    pub properties: Properties,
    pub body: Bytes,
}

impl Default for MessageExt {
    fn default() -> Self {
        let any = SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), 0);
        MessageExt {
            store_size: 0,
            body_crc: 0,
            queue_id: 0,
            flag: 0,
            queue_offset: 0,
            commit_log_offset: 0,
            sys_flag: 0,
            born_timestamp: 0,
            born_host: any,
            store_timestamp: 0,
            store_host: any,
            reconsume_times: 0,
            prepared_transaction_offset: 0,
            topic: String::new(),
            properties: Properties::new(),
            body: Bytes::new(),
        }
    }
}

impl MessageExt {
    property_accessors!();

    /// The broker-assigned id: store host and commit-log offset as upper-case hex.
    pub fn offset_msg_id(&self) -> String {
        encode_offset_msg_id(self.store_host, self.commit_log_offset)
    }

    /// The message id: `UNIQ_KEY` when present, otherwise [`offset_msg_id`](Self::offset_msg_id).
    pub fn msg_id(&self) -> Cow<'_, str> {
        match self.unique_key() {
            Some(k) => Cow::Borrowed(k),
            None => Cow::Owned(self.offset_msg_id()),
        }
    }

    /// A [`Message`] with this message's topic, flag, properties and body.
    pub fn to_message(&self) -> Message {
        Message {
            topic: self.topic.clone(),
            flag: self.flag,
            properties: self.properties.clone(),
            body: self.body.clone(),
            transaction_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn new_sets_wait() {
        let m = Message::new("T", &b"body"[..]);
        assert_eq!(m.topic, "T");
        assert_eq!(m.body, Bytes::from_static(b"body"));
        assert_eq!(m.property("WAIT"), Some("true"));
        assert!(m.wait_store_msg_ok());
        let mut m = m;
        m.set_wait_store_msg_ok(false);
        assert_eq!(m.property("WAIT"), Some("false"));
        assert!(!m.wait_store_msg_ok());
        m.remove_property("WAIT");
        assert!(m.wait_store_msg_ok(), "absent means true");
        m.set_property("WAIT", "TRUE");
        assert!(m.wait_store_msg_ok());
        m.set_property("WAIT", "yes");
        assert!(!m.wait_store_msg_ok());
    }

    #[test]
    fn tags_and_keys() {
        let mut m = Message::new("T", Bytes::new())
            .with_tags("TagA")
            .with_keys(["k1", "k2"]);
        assert_eq!(m.tags(), Some("TagA"));
        assert_eq!(m.property("KEYS"), Some("k1 k2"));
        assert_eq!(m.keys(), vec!["k1", "k2"]);
        m.set_property("KEYS", " a  b ");
        assert_eq!(m.keys(), vec!["a", "b"]);
        m.set_keys(Vec::<String>::new());
        assert_eq!(m.property("KEYS"), None);
        assert!(m.keys().is_empty());
        m.set_tags("");
        assert_eq!(m.tags(), None);
        assert_eq!(m.clone().with_flag(7).flag, 7);
    }

    #[test]
    fn system_setters() {
        let mut m = Message::new("T", Bytes::new());
        m.set_delay_level(3);
        m.set_deliver_time_ms(1_700_000_000_123);
        m.set_delay_ms(1500);
        m.set_delay_sec(-2);
        m.set_sharding_key("order-1");
        m.set_unique_key("ABC");
        assert_eq!(m.property("DELAY"), Some("3"));
        assert_eq!(m.delay_level(), 3);
        assert_eq!(m.property("TIMER_DELIVER_MS"), Some("1700000000123"));
        assert_eq!(m.deliver_time_ms(), Some(1_700_000_000_123));
        assert_eq!(m.property("TIMER_DELAY_MS"), Some("1500"));
        assert_eq!(m.property("TIMER_DELAY_SEC"), Some("-2"));
        assert_eq!(m.property("__SHARDINGKEY"), Some("order-1"));
        assert_eq!(m.sharding_key(), Some("order-1"));
        assert_eq!(m.unique_key(), Some("ABC"));
        m.set_property("DELAY", "x");
        assert_eq!(m.delay_level(), 0);
        assert!(!m.is_transaction_prepared());
        m.set_property("TRAN_MSG", "true");
        assert!(m.is_transaction_prepared());
    }

    #[test]
    fn user_properties() {
        let mut m = Message::new("T", Bytes::new()).with_tags("t");
        m.put_user_property("color", "red").unwrap();
        m.put_user_property("__SHARDINGKEY", "not reserved")
            .unwrap();
        for reserved in ["KEYS", "UNIQ_KEY", "WAIT", "TIMER_DELIVER_MS", "__CRC32#"] {
            let e = m.put_user_property(reserved, "x").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{reserved}");
        }
        for (k, v) in [
            ("", "v"),
            ("k", ""),
            ("  ", "v"),
            ("k", " \t\n"),
            ("k\u{1}", "v"),
            ("k", "a\u{2}b"),
        ] {
            assert!(m.put_user_property(k, v).is_err(), "{k:?}={v:?}");
        }
        // Blank means Java-trim blank: a non-ASCII space is not blank.
        m.put_user_property("nbsp", "\u{a0}").unwrap();
        let user: Vec<_> = m.user_properties().collect();
        assert_eq!(
            user,
            vec![
                ("__SHARDINGKEY", "not reserved"),
                ("color", "red"),
                ("nbsp", "\u{a0}")
            ]
        );
        // All or nothing.
        let before = m.properties.clone();
        assert!(m.set_user_properties([("a", "1"), ("TAGS", "2")]).is_err());
        assert_eq!(m.properties, before);
        m.set_user_properties([("a", "1"), ("b", "2")]).unwrap();
        assert_eq!(m.property("a"), Some("1"));
        assert_eq!(m.property("b"), Some("2"));
    }

    #[test]
    fn message_ext_ids() {
        let mut m = MessageExt {
            store_host: "127.0.0.1:10911".parse().unwrap(),
            commit_log_offset: 0,
            ..Default::default()
        };
        assert_eq!(m.offset_msg_id(), "7F00000100002A9F0000000000000000");
        assert_eq!(m.msg_id(), "7F00000100002A9F0000000000000000");
        m.set_property("UNIQ_KEY", "0A0B0C0D");
        assert_eq!(m.msg_id(), "0A0B0C0D");
        m.set_property("TAGS", "t");
        m.set_property("KEYS", "a b");
        m.set_property("u", "v");
        assert_eq!(m.tags(), Some("t"));
        assert_eq!(m.keys(), vec!["a", "b"]);
        assert_eq!(m.user_properties().collect::<Vec<_>>(), vec![("u", "v")]);
        m.topic = "T".into();
        m.flag = 9;
        m.body = Bytes::from_static(b"x");
        let msg = m.to_message();
        assert_eq!(
            (msg.topic.as_str(), msg.flag, &msg.body[..]),
            ("T", 9, &b"x"[..])
        );
        assert_eq!(msg.properties, m.properties);
    }
}
