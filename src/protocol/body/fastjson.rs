//! Compatibility with the JSON dialect of fastjson 1.x, which Java brokers
//! and name servers use for bodies.
//!
//! Reading: [`normalize`] turns fastjson's non-standard output into standard
//! JSON: unquoted map keys (`{0:"a"}`) become strings (`{"0":"a"}`), and
//! object-typed map keys (`{{"brokerName":"b","queueId":0,"topic":"T"}:12}`)
//! become strings holding the key's JSON. [`from_slice`] parses standard JSON
//! directly and falls back to normalizing. [`mq_map`] and [`mq_offset_map`]
//! then read maps keyed by `MessageQueue` from such string keys, or from the
//! gson-style `[[{mq},v],...]` array form. [`lenient`] reads numbers that
//! were sent as strings.
//!
//! Writing: [`ObjectWriter`] produces fastjson's object-key form, which Java
//! parses for `Map<MessageQueue, _>` fields.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::protocol::MessageQueue;
use crate::{Error, ErrorKind, Result};

/// Deepest nesting of objects and arrays accepted.
const MAX_DEPTH: usize = 128;

/// Rewrites fastjson output as standard JSON (see the module docs). Strings
/// are copied untouched. Malformed input is an error, never a panic; the
/// output is at most a few times larger than the input.
pub fn normalize(input: &[u8]) -> Result<Vec<u8>> {
    let mut n = Normalizer {
        src: input,
        pos: 0,
        depth: 0,
        in_key: false,
    };
    let mut out = Vec::with_capacity(input.len() + input.len() / 8 + 8);
    n.skip_ws();
    n.value(&mut out)?;
    n.skip_ws();
    if n.pos != input.len() {
        return Err(n.error("trailing characters"));
    }
    Ok(out)
}

/// Parses a body: standard JSON directly, fastjson output after [`normalize`].
pub fn from_slice<T: DeserializeOwned>(input: &[u8]) -> Result<T> {
    match serde_json::from_slice(input) {
        Ok(v) => Ok(v),
        Err(e) if e.is_syntax() => {
            let normal = normalize(input)?;
            serde_json::from_slice(&normal).map_err(json_error)
        }
        Err(e) => Err(json_error(e)),
    }
}

fn json_error(e: serde_json::Error) -> Error {
    Error::protocol(format!("invalid JSON body: {e}"))
}

pub(crate) fn ser_error(e: serde_json::Error) -> Error {
    Error::new(ErrorKind::Internal, format!("cannot serialize body: {e}"))
}

struct Normalizer<'a> {
    src: &'a [u8],
    pos: usize,
    depth: usize,
    /// Inside an object-typed key: another object key there is refused, which
    /// keeps the escaping (and so the output size) bounded.
    in_key: bool,
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.' | b'_' | b'$')
}

impl Normalizer<'_> {
    fn error(&self, what: &str) -> Error {
        Error::protocol(format!("invalid JSON body at byte {}: {what}", self.pos))
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn enter(&mut self) -> Result<()> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.depth += 1;
        Ok(())
    }

    fn value(&mut self, out: &mut Vec<u8>) -> Result<()> {
        match self.peek() {
            Some(b'{') => self.object(out),
            Some(b'[') => self.array(out),
            Some(b'"') => self.string(out),
            Some(b) if is_token_byte(b) => {
                let start = self.pos;
                while self.peek().is_some_and(is_token_byte) {
                    self.pos += 1;
                }
                out.extend_from_slice(&self.src[start..self.pos]);
                Ok(())
            }
            Some(_) => Err(self.error("unexpected character")),
            None => Err(self.error("unexpected end")),
        }
    }

    fn object(&mut self, out: &mut Vec<u8>) -> Result<()> {
        self.enter()?;
        self.pos += 1;
        out.push(b'{');
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            out.push(b'}');
            self.depth -= 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            self.key(out)?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':'"));
            }
            self.pos += 1;
            out.push(b':');
            self.skip_ws();
            self.value(out)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    out.push(b',');
                }
                Some(b'}') => {
                    self.pos += 1;
                    out.push(b'}');
                    break;
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
        self.depth -= 1;
        Ok(())
    }

    fn array(&mut self, out: &mut Vec<u8>) -> Result<()> {
        self.enter()?;
        self.pos += 1;
        out.push(b'[');
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            out.push(b']');
            self.depth -= 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            self.value(out)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    out.push(b',');
                }
                Some(b']') => {
                    self.pos += 1;
                    out.push(b']');
                    break;
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Copies a string, escapes included, up to its closing quote.
    fn string(&mut self, out: &mut Vec<u8>) -> Result<()> {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => {
                    if self.pos + 1 >= self.src.len() {
                        return Err(self.error("unterminated string"));
                    }
                    self.pos += 2;
                }
                Some(_) => self.pos += 1,
            }
        }
        out.extend_from_slice(&self.src[start..self.pos]);
        Ok(())
    }

    fn key(&mut self, out: &mut Vec<u8>) -> Result<()> {
        match self.peek() {
            Some(b'"') => self.string(out),
            Some(b'{' | b'[') => {
                if self.in_key {
                    return Err(self.error("object key inside an object key"));
                }
                let mut inner = Vec::new();
                self.in_key = true;
                let r = self.value(&mut inner);
                self.in_key = false;
                r?;
                write_json_string(out, &inner);
                Ok(())
            }
            Some(b) if is_token_byte(b) => {
                let start = self.pos;
                while self.peek().is_some_and(is_token_byte) {
                    self.pos += 1;
                }
                out.push(b'"');
                out.extend_from_slice(&self.src[start..self.pos]);
                out.push(b'"');
                Ok(())
            }
            Some(_) => Err(self.error("unexpected character in a key")),
            None => Err(self.error("unexpected end")),
        }
    }
}

/// Writes `raw` as a JSON string literal.
fn write_json_string(out: &mut Vec<u8>, raw: &[u8]) {
    out.push(b'"');
    for &b in raw {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0..=0x1f => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 0xf) as usize]);
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

/// Writes a queue as fastjson does: `{"brokerName":..,"queueId":..,"topic":..}`.
pub fn write_mq(out: &mut Vec<u8>, mq: &MessageQueue) -> Result<()> {
    out.extend_from_slice(b"{\"brokerName\":");
    serde_json::to_writer(&mut *out, &mq.broker_name).map_err(ser_error)?;
    out.extend_from_slice(b",\"queueId\":");
    out.extend_from_slice(mq.queue_id.to_string().as_bytes());
    out.extend_from_slice(b",\"topic\":");
    serde_json::to_writer(&mut *out, &mq.topic).map_err(ser_error)?;
    out.push(b'}');
    Ok(())
}

/// Writes `{{mq}:v,...}`: a map with object keys, as fastjson writes
/// `Map<MessageQueue, V>` and Java parses it.
pub fn write_mq_key_map<V: Serialize>(
    out: &mut Vec<u8>,
    map: &BTreeMap<MessageQueue, V>,
) -> Result<()> {
    out.push(b'{');
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_mq(out, k)?;
        out.push(b':');
        serde_json::to_writer(&mut *out, v).map_err(ser_error)?;
    }
    out.push(b'}');
    Ok(())
}

/// Writes one JSON object field by field, for bodies that need fastjson's
/// object-key maps. Fields appear in call order; call in Java's sorted order.
pub struct ObjectWriter<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> ObjectWriter<'a> {
    /// Opens the object.
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        ObjectWriter { out, first: true }
    }

    fn name(&mut self, name: &str) -> Result<()> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        serde_json::to_writer(&mut *self.out, name).map_err(ser_error)?;
        self.out.push(b':');
        Ok(())
    }

    /// A field with a standard JSON value.
    pub fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<()> {
        self.name(name)?;
        serde_json::to_writer(&mut *self.out, value).map_err(ser_error)
    }

    /// A field that is omitted when `None`, as fastjson omits nulls.
    pub fn opt_field<T: Serialize>(&mut self, name: &str, value: &Option<T>) -> Result<()> {
        match value {
            Some(v) => self.field(name, v),
            None => Ok(()),
        }
    }

    /// A `Map<MessageQueue, V>` field with object keys.
    pub fn mq_map_field<V: Serialize>(
        &mut self,
        name: &str,
        map: &BTreeMap<MessageQueue, V>,
    ) -> Result<()> {
        self.name(name)?;
        write_mq_key_map(self.out, map)
    }

    /// A field whose value `write` appends as raw JSON text.
    pub fn raw_field(
        &mut self,
        name: &str,
        write: impl FnOnce(&mut Vec<u8>) -> Result<()>,
    ) -> Result<()> {
        self.name(name)?;
        write(self.out)
    }

    /// Closes the object.
    pub fn finish(self) {
        self.out.push(b'}');
    }
}

/// Parses a `MessageQueue` map key: its JSON, or Java's `toString()` form
/// `MessageQueue [topic=T, brokerName=b, queueId=0]`.
pub fn parse_mq_key(key: &str) -> Option<MessageQueue> {
    let key = key.trim();
    if key.starts_with('{') {
        return serde_json::from_str(key).ok();
    }
    let inner = key.strip_prefix("MessageQueue [")?.strip_suffix(']')?;
    let rest = inner.strip_prefix("topic=")?;
    let (topic, rest) = rest.split_once(", brokerName=")?;
    let (broker, qid) = rest.rsplit_once(", queueId=")?;
    Some(MessageQueue::new(topic, broker, qid.trim().parse().ok()?))
}

fn mq_key_string(mq: &MessageQueue) -> Result<String> {
    let mut v = Vec::with_capacity(64);
    write_mq(&mut v, mq)?;
    String::from_utf8(v).map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))
}

struct MqMapVisitor<W>(PhantomData<W>);

impl<'de, W: Deserialize<'de>> Visitor<'de> for MqMapVisitor<W> {
    type Value = BTreeMap<MessageQueue, W>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map keyed by MessageQueue, or an array of [MessageQueue, value] pairs")
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some((k, v)) = map.next_entry::<String, W>()? {
            let mq = parse_mq_key(&k)
                .ok_or_else(|| de::Error::custom(format!("invalid MessageQueue key {k:?}")))?;
            out.insert(mq, v);
        }
        Ok(out)
    }

    fn visit_seq<A: SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some((mq, v)) = seq.next_element::<(MessageQueue, W)>()? {
            out.insert(mq, v);
        }
        Ok(out)
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(BTreeMap::new())
    }
}

/// Serde adapter for `BTreeMap<MessageQueue, V>`: serializes string keys
/// holding the queue's JSON (standard JSON); deserializes those, normalized
/// object keys, or the `[[{mq},v],...]` array form.
pub mod mq_map {
    use super::*;

    pub fn serialize<S: Serializer, V: Serialize>(
        map: &BTreeMap<MessageQueue, V>,
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(map.len()))?;
        for (k, v) in map {
            let key = mq_key_string(k).map_err(serde::ser::Error::custom)?;
            m.serialize_entry(&key, v)?;
        }
        m.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>, V: Deserialize<'de>>(
        d: D,
    ) -> std::result::Result<BTreeMap<MessageQueue, V>, D::Error> {
        d.deserialize_any(MqMapVisitor::<V>(PhantomData))
    }
}

/// Like [`mq_map`] for offsets, with values also accepted as strings.
pub mod mq_offset_map {
    use super::*;

    pub fn serialize<S: Serializer>(
        map: &BTreeMap<MessageQueue, i64>,
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        super::mq_map::serialize(map, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<BTreeMap<MessageQueue, i64>, D::Error> {
        let m = d.deserialize_any(MqMapVisitor::<lenient::Int<i64>>(PhantomData))?;
        Ok(m.into_iter().map(|(k, v)| (k, v.0)).collect())
    }
}

/// Lenient number deserializers: numbers, numbers sent as strings (fastjson
/// `BrowserCompatible` writes big longs as strings), and `null` (as 0).
pub mod lenient {
    use super::*;
    use std::str::FromStr;

    /// An integer read leniently.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub struct Int<T>(pub T);

    impl<'de, T: LenientInt> Deserialize<'de> for Int<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
            d.deserialize_any(IntVisitor::<T>(PhantomData)).map(Int)
        }
    }

    /// Integer types read leniently.
    pub trait LenientInt: Sized + Default + TryFrom<i64> + TryFrom<u64> + FromStr {
        const NAME: &'static str;
    }
    impl LenientInt for i64 {
        const NAME: &'static str = "a 64-bit integer";
    }
    impl LenientInt for i32 {
        const NAME: &'static str = "a 32-bit integer";
    }

    struct IntVisitor<T>(PhantomData<T>);

    impl<T: LenientInt> Visitor<'_> for IntVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(T::NAME)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<T, E> {
            T::try_from(v).map_err(|_| E::custom(format!("{v} out of range for {}", T::NAME)))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<T, E> {
            T::try_from(v).map_err(|_| E::custom(format!("{v} out of range for {}", T::NAME)))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<T, E> {
            if v.fract() == 0.0
                && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&v)
            {
                self.visit_i64(v as i64)
            } else {
                Err(E::custom(format!("{v} is not {}", T::NAME)))
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<T, E> {
            let t = v.trim();
            if t.is_empty() {
                return Ok(T::default());
            }
            t.parse()
                .map_err(|_| E::custom(format!("{v:?} is not {}", T::NAME)))
        }
        fn visit_unit<E: de::Error>(self) -> std::result::Result<T, E> {
            Ok(T::default())
        }
    }

    /// An `i64` or `i32` field.
    pub fn int<'de, D: Deserializer<'de>, T: LenientInt>(d: D) -> std::result::Result<T, D::Error> {
        d.deserialize_any(IntVisitor::<T>(PhantomData))
    }

    /// An optional `i64` or `i32` field (`null` is `None`).
    pub fn opt_int<'de, D: Deserializer<'de>, T: LenientInt>(
        d: D,
    ) -> std::result::Result<Option<T>, D::Error> {
        Option::<Int<T>>::deserialize(d).map(|o| o.map(|i| i.0))
    }

    struct FloatVisitor;

    impl Visitor<'_> for FloatVisitor {
        type Value = f64;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a number")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<f64, E> {
            Ok(v as f64)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<f64, E> {
            Ok(v as f64)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<f64, E> {
            Ok(v)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<f64, E> {
            v.trim()
                .parse()
                .map_err(|_| E::custom(format!("{v:?} is not a number")))
        }
        fn visit_unit<E: de::Error>(self) -> std::result::Result<f64, E> {
            Ok(0.0)
        }
    }

    /// An `f64` field (fastjson writes NaN as `null`).
    pub fn float<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
        d.deserialize_any(FloatVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn norm(s: &str) -> String {
        String::from_utf8(normalize(s.as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn unquoted_integer_keys() {
        assert_eq!(norm(r#"{0:"a",1:"b"}"#), r#"{"0":"a","1":"b"}"#);
        assert_eq!(norm(r#"{ -1 : "x" }"#), r#"{"-1":"x"}"#);
        assert_eq!(
            norm(r#"{"a":{0:"x"},"b":[1,2.5,true,null]}"#),
            r#"{"a":{"0":"x"},"b":[1,2.5,true,null]}"#
        );
    }

    #[test]
    fn object_keys_become_strings() {
        assert_eq!(
            norm(r#"{{"brokerName":"b","queueId":0,"topic":"T"}:12}"#),
            r#"{"{\"brokerName\":\"b\",\"queueId\":0,\"topic\":\"T\"}":12}"#
        );
        // Escapes inside a key object's strings are escaped once more.
        assert_eq!(norm(r#"{{"t":"a\"b"}:1}"#), r#"{"{\"t\":\"a\\\"b\"}":1}"#);
    }

    #[test]
    fn strings_are_untouched() {
        let s = r#"{"k":"{0:\"x\"} \\ \u00e9 é","n":"{{"}"#;
        assert_eq!(norm(s), s);
        assert_eq!(norm(r#""abc""#), r#""abc""#);
    }

    #[test]
    fn malformed_input_is_an_error() {
        for bad in [
            "",
            "{",
            "{0:",
            "{0:1",
            r#"{"a" 1}"#,
            "[1,",
            r#""abc"#,
            r#""ab\"#,
            "{}}",
            "{,}",
            "@",
            r#"{{{"a":1}:1}:2}"#,
            "[1 2]",
        ] {
            assert!(normalize(bad.as_bytes()).is_err(), "{bad}");
        }
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(normalize(deep.as_bytes()).is_err());
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(normalize(ok.as_bytes()).is_ok());
    }

    #[test]
    fn mq_keyed_maps_in_all_forms() {
        #[derive(Deserialize, Serialize, PartialEq, Debug)]
        struct B {
            #[serde(with = "mq_offset_map", default)]
            t: BTreeMap<MessageQueue, i64>,
        }
        let a = MessageQueue::new("T", "b", 0);
        let c = MessageQueue::new("T", "b", 1);
        let want = B {
            t: [(a.clone(), 12), (c.clone(), 9_007_199_254_740_993)]
                .into_iter()
                .collect(),
        };
        let object_keys = br#"{"t":{{"brokerName":"b","queueId":0,"topic":"T"}:12,{"brokerName":"b","queueId":1,"topic":"T"}:"9007199254740993"}}"#;
        assert_eq!(from_slice::<B>(object_keys).unwrap(), want);
        let gson = br#"{"t":[[{"brokerName":"b","queueId":0,"topic":"T"},12],[{"topic":"T","brokerName":"b","queueId":1},9007199254740993]]}"#;
        assert_eq!(from_slice::<B>(gson).unwrap(), want);
        let to_string = br#"{"t":{"MessageQueue [topic=T, brokerName=b, queueId=0]":12,"MessageQueue [topic=T, brokerName=b, queueId=1]":9007199254740993}}"#;
        assert_eq!(from_slice::<B>(to_string).unwrap(), want);
        assert_eq!(from_slice::<B>(br#"{"t":null}"#).unwrap().t.len(), 0);
        assert!(from_slice::<B>(br#"{"t":{"nope":1}}"#).is_err());
        // Standard JSON round trip.
        let std = serde_json::to_vec(&want).unwrap();
        assert_eq!(from_slice::<B>(&std).unwrap(), want);
        // Object-key writer, read back.
        let mut out = Vec::new();
        let mut w = ObjectWriter::new(&mut out);
        w.mq_map_field("t", &want.t).unwrap();
        w.finish();
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            r#"{"t":{{"brokerName":"b","queueId":0,"topic":"T"}:12,{"brokerName":"b","queueId":1,"topic":"T"}:9007199254740993}}"#
        );
        assert_eq!(from_slice::<B>(&out).unwrap(), want);
    }

    #[test]
    fn lenient_numbers() {
        #[derive(Deserialize, Debug)]
        struct N {
            #[serde(deserialize_with = "lenient::int")]
            a: i64,
            #[serde(deserialize_with = "lenient::int")]
            b: i32,
            #[serde(default, deserialize_with = "lenient::opt_int")]
            c: Option<i64>,
            #[serde(deserialize_with = "lenient::float")]
            d: f64,
        }
        let n: N = from_slice(br#"{"a":"9223372036854775807","b":7,"c":"-3","d":null}"#).unwrap();
        assert_eq!((n.a, n.b, n.c, n.d), (i64::MAX, 7, Some(-3), 0.0));
        let n: N = from_slice(br#"{"a":1,"b":"2","c":null,"d":"1.5"}"#).unwrap();
        assert_eq!((n.a, n.b, n.c, n.d), (1, 2, None, 1.5));
        assert!(from_slice::<N>(br#"{"a":"x","b":1,"d":1}"#).is_err());
        assert!(from_slice::<N>(br#"{"a":1,"b":3000000000,"d":1}"#).is_err());
    }

    proptest! {
        #[test]
        fn normalize_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            if let Ok(out) = normalize(&bytes) {
                prop_assert!(out.len() <= bytes.len() * 6 + 8);
            }
            let _ = from_slice::<serde_json::Value>(&bytes);
        }

        #[test]
        fn normalize_never_panics_on_json_like_text(s in "[{}\\[\\]:,\"\\\\a0 -]{0,64}") {
            let _ = normalize(s.as_bytes());
        }

        #[test]
        fn normalize_keeps_standard_json(v in json_value()) {
            let text = serde_json::to_vec(&v).unwrap();
            let out = normalize(&text).unwrap();
            prop_assert_eq!(serde_json::from_slice::<serde_json::Value>(&out).unwrap(), v);
        }
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            "\\PC{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("\\PC{0,6}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
