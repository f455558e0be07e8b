//! The properties string: `name 0x01 value 0x02`, repeated.

use std::collections::BTreeMap;

/// Message properties, ordered by name so encodings are deterministic.
pub type Properties = BTreeMap<String, String>;

/// Separates a name from its value.
pub const NAME_VALUE_SEPARATOR: char = '\u{1}';
/// Terminates every name/value pair, the last one included.
pub const PROPERTY_SEPARATOR: char = '\u{2}';

/// Byte length of [`properties_to_string`]`(p)`.
pub fn properties_encoded_len(p: &Properties) -> usize {
    p.iter().map(|(k, v)| k.len() + v.len() + 2).sum()
}

/// Appends the properties string of `p` to `out`.
pub fn write_properties(p: &Properties, out: &mut Vec<u8>) {
    for (k, v) in p {
        out.extend_from_slice(k.as_bytes());
        out.push(NAME_VALUE_SEPARATOR as u8);
        out.extend_from_slice(v.as_bytes());
        out.push(PROPERTY_SEPARATOR as u8);
    }
}

/// Encodes `p` as `name 0x01 value 0x02` for every pair.
pub fn properties_to_string(p: &Properties) -> String {
    let mut s = String::with_capacity(properties_encoded_len(p));
    for (k, v) in p {
        s.push_str(k);
        s.push(NAME_VALUE_SEPARATOR);
        s.push_str(v);
        s.push(PROPERTY_SEPARATOR);
    }
    s
}

/// Parses a properties string. Segments between `0x02` separators whose first
/// `0x01` does not leave a non-empty name and a non-empty value are skipped;
/// a later duplicate name wins. Never fails.
pub fn string_to_properties(s: &str) -> Properties {
    let mut map = Properties::new();
    for segment in s.split(PROPERTY_SEPARATOR) {
        if let Some(i) = segment.find(NAME_VALUE_SEPARATOR) {
            if i > 0 && i + 1 < segment.len() {
                map.insert(segment[..i].to_owned(), segment[i + 1..].to_owned());
            }
        }
    }
    map
}

/// Parses properties from raw bytes; invalid UTF-8 sequences become U+FFFD.
pub fn bytes_to_properties(b: &[u8]) -> Properties {
    string_to_properties(&String::from_utf8_lossy(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn props(pairs: &[(&str, &str)]) -> Properties {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn golden_string() {
        let p = props(&[("WAIT", "true"), ("TAGS", "a"), ("KEYS", "k1 k2")]);
        // Ordered by name, every pair terminated by 0x02.
        let s = properties_to_string(&p);
        assert_eq!(s, "KEYS\u{1}k1 k2\u{2}TAGS\u{1}a\u{2}WAIT\u{1}true\u{2}");
        assert_eq!(
            s.as_bytes(),
            b"KEYS\x01k1 k2\x02TAGS\x01a\x02WAIT\x01true\x02"
        );
        assert_eq!(properties_encoded_len(&p), s.len());
        let mut v = Vec::new();
        write_properties(&p, &mut v);
        assert_eq!(v, s.as_bytes());
        assert_eq!(properties_to_string(&Properties::new()), "");
    }

    #[test]
    fn parse_like_the_reference() {
        assert_eq!(string_to_properties(""), Properties::new());
        // A missing final separator is fine.
        assert_eq!(string_to_properties("a\u{1}b"), props(&[("a", "b")]));
        // Empty name, empty value, no separator, too short: skipped.
        assert_eq!(
            string_to_properties("\u{1}x\u{2}y\u{1}\u{2}zz\u{2}\u{2}q\u{2}k\u{1}v\u{2}"),
            props(&[("k", "v")])
        );
        // Only the first 0x01 splits; the value may contain more.
        assert_eq!(
            string_to_properties("k\u{1}v\u{1}w\u{2}"),
            props(&[("k", "v\u{1}w")])
        );
        // A later duplicate wins.
        assert_eq!(
            string_to_properties("k\u{1}1\u{2}k\u{1}2\u{2}"),
            props(&[("k", "2")])
        );
        // Multi-byte characters.
        assert_eq!(string_to_properties("é\u{1}ü\u{2}"), props(&[("é", "ü")]));
        assert_eq!(
            bytes_to_properties(b"k\x01\xff\x02"),
            props(&[("k", "\u{fffd}")])
        );
    }

    fn key() -> impl Strategy<Value = String> {
        "[^\u{1}\u{2}]{1,12}"
    }

    proptest! {
        #[test]
        fn round_trip(p in prop::collection::btree_map(key(), key(), 0..12)) {
            let s = properties_to_string(&p);
            prop_assert_eq!(s.len(), properties_encoded_len(&p));
            prop_assert_eq!(string_to_properties(&s), p);
        }

        #[test]
        fn arbitrary_strings_never_panic(s in "[a-c\u{1}\u{2}é]{0,40}") {
            let p = string_to_properties(&s);
            for (k, v) in &p {
                prop_assert!(!k.is_empty() && !v.is_empty());
                prop_assert!(!k.contains(NAME_VALUE_SEPARATOR) && !k.contains(PROPERTY_SEPARATOR));
                prop_assert!(!v.contains(PROPERTY_SEPARATOR));
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..64)) {
            let _ = bytes_to_properties(&b);
        }
    }
}
