//! Java semantics the wire depends on: `String.hashCode`, `Long.hashCode`,
//! `String.length`, `Character.isWhitespace` and `String.split` with a literal
//! separator.

/// Java's `String.hashCode()`: over UTF-16 code units, `h = 31 * h + c` with
/// 32-bit wrap-around.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// Java's `Long.hashCode()`: `(int) (v ^ (v >>> 32))`.
pub fn java_long_hash(v: i64) -> i32 {
    let u = v as u64;
    (u ^ (u >> 32)) as u32 as i32
}

/// Java's `String.length()`: the number of UTF-16 code units.
pub fn java_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Java's `String.compareTo`: lexicographic over UTF-16 code units.
pub fn java_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Java's `Character.isWhitespace`: Unicode space, line and paragraph
/// separators except the no-break spaces, plus `\t \n \u{b} \u{c} \r` and
/// `\u{1c}`..=`\u{1f}`.
pub fn java_is_whitespace(c: char) -> bool {
    match c {
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | '\u{1c}'..='\u{1f}' => true,
        '\u{a0}' | '\u{2007}' | '\u{202f}' | '\u{85}' => false,
        _ => c.is_whitespace(),
    }
}

/// Java's `String.trim()`: strips leading and trailing characters up to
/// U+0020 (spaces and ASCII control characters), nothing else.
pub fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Apache Commons `StringUtils.isBlank` with Java's whitespace rule: empty or
/// only whitespace.
pub fn java_is_blank(s: &str) -> bool {
    s.chars().all(java_is_whitespace)
}

/// Java's `String.split(regex)` (limit 0) for a regex that matches exactly the
/// literal `sep`: without any match the result is the whole input (even when
/// empty); otherwise trailing empty parts are removed.
pub fn java_split<'a>(s: &'a str, sep: &str) -> Vec<&'a str> {
    let mut parts: Vec<&str> = s.split(sep).collect();
    if parts.len() == 1 {
        return parts;
    }
    while parts.last() == Some(&"") {
        parts.pop();
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn string_hash_vectors() {
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        // 84, 84*31+97 = 2701, 2701*31+103 = 83834, 83834*31+65 = 2598919
        assert_eq!(java_string_hash("TagA"), 2_598_919);
        assert_eq!(java_string_hash("TagB"), 2_598_920);
        assert_eq!(java_string_hash("hello"), 99_162_322);
        // Overflows to exactly i32::MIN.
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
        // U+1F600 is the surrogate pair D83D DE00: 0xD83D * 31 + 0xDE00.
        assert_eq!(java_string_hash("\u{1F600}"), 55_357 * 31 + 56_832);
        // U+00E9 is one code unit.
        assert_eq!(java_string_hash("\u{e9}"), 0xe9);
    }

    #[test]
    fn long_hash_vectors() {
        assert_eq!(java_long_hash(0), 0);
        assert_eq!(java_long_hash(42), 42);
        assert_eq!(java_long_hash(-1), 0);
        assert_eq!(java_long_hash(1 << 32), 1);
        assert_eq!(java_long_hash(i64::MIN), i32::MIN);
    }

    #[test]
    fn len_and_blank() {
        assert_eq!(java_len("abc"), 3);
        assert_eq!(java_len("\u{1F600}"), 2);
        assert!(java_is_blank(""));
        assert!(java_is_blank(" \t\r\n\u{1f}"));
        assert!(!java_is_blank("\u{a0}"));
        assert!(!java_is_blank(" a "));
    }

    #[test]
    fn compare_like_java() {
        use std::cmp::Ordering::*;
        assert_eq!(java_cmp("a", "b"), Less);
        assert_eq!(java_cmp("ab", "a"), Greater);
        assert_eq!(java_cmp("x", "x"), Equal);
        // U+FF61 is one unit 0xFF61; U+1F600 starts with 0xD83D, so it sorts first
        // in Java although its code point is larger.
        assert_eq!(java_cmp("\u{1F600}", "\u{FF61}"), Less);
        assert_eq!("\u{1F600}".cmp("\u{FF61}"), Greater);
    }

    #[test]
    fn trim_like_java() {
        assert_eq!(java_trim(" \t a b \x01"), "a b");
        assert_eq!(java_trim("\u{3000}a\u{a0}"), "\u{3000}a\u{a0}");
        assert_eq!(java_trim("   "), "");
    }

    #[test]
    fn split_like_java() {
        assert_eq!(java_split("", "||"), vec![""]);
        assert_eq!(java_split("a", "||"), vec!["a"]);
        assert_eq!(java_split("||", "||"), Vec::<&str>::new());
        assert_eq!(java_split("a||", "||"), vec!["a"]);
        assert_eq!(java_split("||a", "||"), vec!["", "a"]);
        assert_eq!(java_split("a|||b", "||"), vec!["a", "|b"]);
        assert_eq!(java_split("room@name@", "@"), vec!["room", "name"]);
        assert_eq!(java_split("@", "@"), Vec::<&str>::new());
    }

    proptest! {
        #[test]
        fn hash_matches_reference(s in "\\PC{0,40}") {
            let mut h: i64 = 0;
            for c in s.encode_utf16() {
                h = (h * 31 + i64::from(c)) & 0xFFFF_FFFF;
            }
            prop_assert_eq!(java_string_hash(&s), h as u32 as i32);
        }
    }
}
