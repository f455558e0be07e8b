//! Typed custom headers: one struct per Java header class, written to and read
//! from a command's [`ExtFields`] under the Java field names.
//!
//! - [`send`]: send, reply, end/check transaction, recall;
//! - [`offset`]: pull, consumer offsets, min/max/search offsets, send-back;
//! - [`client`]: heartbeat, unregister, consumer list, broker-to-client requests, query/view message;
//! - [`namesrv`]: route, KV config, topics by cluster, delete from name server;
//! - [`admin`]: create and delete topics on brokers;
//! - [`pop`]: pop, ack, change invisible time, notification, peek, polling info.
//!
//! Conventions (as the Java reflection codec): every non-null field is written
//! as its string form; booleans are `"true"`/`"false"`; a missing required
//! field or an unparsable value is a protocol error naming the field.

use crate::protocol::ExtFields;
use crate::{Error, Result};

#[macro_use]
mod macros;

pub mod admin;
pub mod client;
pub mod namesrv;
pub mod offset;
pub mod pop;
pub mod send;

pub use admin::*;
pub use client::*;
pub use namesrv::*;
pub use offset::*;
pub use pop::*;
pub use send::*;

/// A typed custom header.
pub trait CommandHeader: Sized {
    /// Writes the fields into the custom header (null fields omitted). Keys are
    /// appended, so `ext` should not already hold them.
    fn write_to(&self, ext: &mut ExtFields);
    /// Reads the header, with a protocol error naming any missing required field or invalid value.
    fn read_from(ext: &ExtFields) -> Result<Self>;
    /// The fields as a new custom header.
    fn to_ext(&self) -> ExtFields {
        let mut ext = ExtFields::with_capacity(16);
        self.write_to(&mut ext);
        ext
    }
}

/// The 5.x base fields of Java's `RpcRequestHeader`, shared by most requests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RpcBase {
    /// `ns`: namespace (namespace v2).
    pub namespace: Option<String>,
    /// `nsd`: whether resources are already namespaced.
    pub namespaced: Option<bool>,
    /// `bname`: target broker name (required by 5.x proxies).
    pub broker_name: Option<String>,
    /// `oway`: oneway request.
    pub oneway: Option<bool>,
}

impl RpcBase {
    /// A base carrying only the target broker name.
    pub fn with_broker(broker_name: impl Into<String>) -> Self {
        RpcBase {
            broker_name: Some(broker_name.into()),
            ..Default::default()
        }
    }
}

impl CommandHeader for RpcBase {
    fn write_to(&self, ext: &mut ExtFields) {
        if let Some(v) = &self.namespace {
            ext.push("ns", v.clone());
        }
        if let Some(v) = self.namespaced {
            ext.push("nsd", bool_str(v));
        }
        if let Some(v) = &self.broker_name {
            ext.push("bname", v.clone());
        }
        if let Some(v) = self.oneway {
            ext.push("oway", bool_str(v));
        }
    }
    fn read_from(ext: &ExtFields) -> Result<Self> {
        Ok(RpcBase {
            namespace: ext.string_opt("ns"),
            namespaced: ext.bool_opt("nsd"),
            broker_name: ext.string_opt("bname"),
            oneway: ext.bool_opt("oway"),
        })
    }
}

/// Java's `BoundaryType` for SEARCH_OFFSET_BY_TIMESTAMP: which of several
/// messages stored at the same timestamp to pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BoundaryType {
    /// The first (the default).
    #[default]
    Lower,
    /// The last.
    Upper,
}

impl BoundaryType {
    /// The Java enum name.
    pub fn name(self) -> &'static str {
        match self {
            BoundaryType::Lower => "LOWER",
            BoundaryType::Upper => "UPPER",
        }
    }
}

/// A value a header field can hold: its text form in the custom header.
pub trait HeaderValue: Sized {
    /// The text written into the custom header.
    fn to_header(&self) -> String;
    /// Parses the text form; `None` when invalid.
    fn from_header(s: &str) -> Option<Self>;
}

impl HeaderValue for String {
    fn to_header(&self) -> String {
        self.clone()
    }
    fn from_header(s: &str) -> Option<Self> {
        Some(s.to_owned())
    }
}

impl HeaderValue for i32 {
    fn to_header(&self) -> String {
        self.to_string()
    }
    fn from_header(s: &str) -> Option<Self> {
        s.trim().parse().ok()
    }
}

impl HeaderValue for i64 {
    fn to_header(&self) -> String {
        self.to_string()
    }
    fn from_header(s: &str) -> Option<Self> {
        s.trim().parse().ok()
    }
}

/// Parsed like Java's `Boolean.parseBoolean`: `"true"` in any case is true,
/// anything else false.
impl HeaderValue for bool {
    fn to_header(&self) -> String {
        bool_str(*self).to_owned()
    }
    fn from_header(s: &str) -> Option<Self> {
        Some(s.trim().eq_ignore_ascii_case("true"))
    }
}

/// Written as the Java name; read like Java's `BoundaryType.getType`
/// (`"upper"` in any case is `Upper`, anything else `Lower`).
impl HeaderValue for BoundaryType {
    fn to_header(&self) -> String {
        self.name().to_owned()
    }
    fn from_header(s: &str) -> Option<Self> {
        Some(if s.trim().eq_ignore_ascii_case("upper") {
            BoundaryType::Upper
        } else {
            BoundaryType::Lower
        })
    }
}

pub(crate) fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

fn invalid(key: &str, v: &str) -> Error {
    Error::protocol(format!("the custom field {key} is not valid: {v:?}"))
}

/// Reads a required field.
pub(crate) fn read_req<T: HeaderValue>(ext: &ExtFields, key: &str) -> Result<T> {
    let v = ext.required(key)?;
    T::from_header(v).ok_or_else(|| invalid(key, v))
}

/// Reads an optional field: absent is `None`, present and invalid an error.
pub(crate) fn read_opt<T: HeaderValue>(ext: &ExtFields, key: &str) -> Result<Option<T>> {
    match ext.get(key) {
        None => Ok(None),
        Some(v) => T::from_header(v).map(Some).ok_or_else(|| invalid(key, v)),
    }
}

/// Reads a field that has a default when absent.
pub(crate) fn read_def<T: HeaderValue>(
    ext: &ExtFields,
    key: &str,
    default: impl FnOnce() -> T,
) -> Result<T> {
    Ok(read_opt(ext, key)?.unwrap_or_else(default))
}

#[cfg(test)]
pub(crate) mod testkit {
    //! Property-test support: every header builds itself from a list of seeds.
    use super::{BoundaryType, RpcBase};
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    pub struct Seed {
        present: bool,
        s: String,
        n: i64,
        b: bool,
    }

    pub fn seeds() -> impl Strategy<Value = Vec<Seed>> {
        let seed = (
            any::<bool>(),
            "\\PC{0,12}",
            prop_oneof![any::<i64>(), -5i64..5, Just(i64::MIN), Just(i64::MAX)],
            any::<bool>(),
        )
            .prop_map(|(present, s, n, b)| Seed { present, s, n, b });
        proptest::collection::vec(seed, 20)
    }

    pub type Seeds<'a> = std::slice::Iter<'a, Seed>;

    pub trait FromSeeds {
        fn from_seeds(it: &mut Seeds<'_>) -> Self;
    }

    fn next<'a>(it: &mut Seeds<'a>) -> &'a Seed {
        it.next().expect("enough seeds")
    }

    impl FromSeeds for String {
        fn from_seeds(it: &mut Seeds<'_>) -> Self {
            next(it).s.clone()
        }
    }
    impl FromSeeds for i64 {
        fn from_seeds(it: &mut Seeds<'_>) -> Self {
            next(it).n
        }
    }
    impl FromSeeds for i32 {
        fn from_seeds(it: &mut Seeds<'_>) -> Self {
            next(it).n as i32
        }
    }
    impl FromSeeds for bool {
        fn from_seeds(it: &mut Seeds<'_>) -> Self {
            next(it).b
        }
    }
    impl FromSeeds for BoundaryType {
        fn from_seeds(it: &mut Seeds<'_>) -> Self {
            if next(it).b {
                BoundaryType::Upper
            } else {
                BoundaryType::Lower
            }
        }
    }
    impl<T: FromSeeds> FromSeeds for Option<T> {
        fn from_seeds(it: &mut Seeds<'_>) -> Self {
            let present = it.as_slice().first().is_some_and(|s| s.present);
            let v = T::from_seeds(it);
            present.then_some(v)
        }
    }
    impl FromSeeds for RpcBase {
        fn from_seeds(it: &mut Seeds<'_>) -> Self {
            RpcBase {
                namespace: FromSeeds::from_seeds(it),
                namespaced: FromSeeds::from_seeds(it),
                broker_name: FromSeeds::from_seeds(it),
                oneway: FromSeeds::from_seeds(it),
            }
        }
    }

    /// One proptest per header type: `write_to` then `read_from` gives it back.
    macro_rules! roundtrip_tests {
        ($($name:ident: $ty:ty),* $(,)?) => {
            proptest::proptest! {
                $(
                    #[test]
                    fn $name(seeds in $crate::protocol::headers::testkit::seeds()) {
                        let h = <$ty as $crate::protocol::headers::testkit::FromSeeds>::from_seeds(&mut seeds.iter());
                        let ext = $crate::protocol::headers::CommandHeader::to_ext(&h);
                        let back = <$ty as $crate::protocol::headers::CommandHeader>::read_from(&ext).unwrap();
                        proptest::prop_assert_eq!(back, h);
                    }
                )*
            }
        };
    }
    pub(crate) use roundtrip_tests;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rpc_base_fields() {
        let b = RpcBase {
            namespace: Some("ns1".into()),
            namespaced: Some(true),
            broker_name: Some("broker-a".into()),
            oneway: Some(false),
        };
        let ext = b.to_ext();
        assert_eq!(
            ext.sorted(),
            vec![
                ("bname", "broker-a"),
                ("ns", "ns1"),
                ("nsd", "true"),
                ("oway", "false")
            ]
        );
        assert_eq!(RpcBase::read_from(&ext).unwrap(), b);
        assert!(RpcBase::default().to_ext().is_empty());
        assert_eq!(RpcBase::with_broker("b").broker_name.as_deref(), Some("b"));
    }

    #[test]
    fn values_parse_like_java() {
        assert_eq!(bool::from_header("TRUE"), Some(true));
        assert_eq!(bool::from_header("yes"), Some(false));
        assert_eq!(
            BoundaryType::from_header("upper"),
            Some(BoundaryType::Upper)
        );
        assert_eq!(
            BoundaryType::from_header("LOWER"),
            Some(BoundaryType::Lower)
        );
        assert_eq!(BoundaryType::Upper.to_header(), "UPPER");
        assert_eq!(i32::from_header(" 12 "), Some(12));
        assert_eq!(i32::from_header("3000000000"), None);
        assert_eq!(i64::from_header("x"), None);
    }

    proptest! {
        #[test]
        fn reading_arbitrary_fields_never_panics(
            entries in proptest::collection::vec(
                (prop_oneof![
                    Just("topic"), Just("queueId"), Just("a"), Just("b"), Just("g"), Just("offset"),
                    Just("consumerGroup"), Just("msgId"), Just("queueOffset"), Just("isForce"),
                    Just("timestamp"), Just("popTime"), Just("n"), Just("bname"),
                ], "\\PC{0,8}"),
                0..16,
            )
        ) {
            let ext: ExtFields = entries.into_iter().collect();
            let _ = SendMessageRequestHeader::read_from(&ext);
            let _ = SendMessageResponseHeader::read_from(&ext);
            let _ = PullMessageRequestHeader::read_from(&ext);
            let _ = ResetOffsetRequestHeader::read_from(&ext);
            let _ = PopMessageResponseHeader::read_from(&ext);
            let _ = QueryConsumerOffsetResponseHeader::read_from(&ext);
        }
    }
}
