//! NUL-terminated copies of Rust strings for getters that return `const char *`.

use std::collections::BTreeMap;
use std::ffi::{c_char, CString};
use std::sync::OnceLock;

/// `s` as a C string, cut at its first NUL byte (C would stop there anyway).
pub(crate) fn c_string(s: &str) -> CString {
    let bytes = s.as_bytes();
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).unwrap_or_default()
}

/// A C string computed on first use and kept with its owner.
#[derive(Default)]
pub(crate) struct LazyCStr(OnceLock<CString>);

impl LazyCStr {
    pub(crate) fn get(&self, make: impl FnOnce() -> String) -> *const c_char {
        self.0.get_or_init(|| c_string(&make())).as_ptr()
    }
}

/// C strings of a property map, made on first use and kept with their owner.
#[derive(Default)]
pub(crate) struct LazyProps(OnceLock<Vec<(CString, CString)>>);

impl LazyProps {
    pub(crate) fn all(&self, props: &BTreeMap<String, String>) -> &[(CString, CString)] {
        self.0.get_or_init(|| {
            props
                .iter()
                .map(|(k, v)| (c_string(k), c_string(v)))
                .collect()
        })
    }

    /// The value of `name`, or NULL.
    pub(crate) fn get(&self, props: &BTreeMap<String, String>, name: &str) -> *const c_char {
        let all = self.all(props);
        match all.binary_search_by(|(k, _)| k.as_bytes().cmp(name.as_bytes())) {
            Ok(i) => all[i].1.as_ptr(),
            Err(_) => std::ptr::null(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn cut_at_nul_and_lookup() {
        assert_eq!(c_string("ab\0cd").as_bytes(), b"ab");
        let mut m = BTreeMap::new();
        m.insert("b".to_owned(), "2".to_owned());
        m.insert("a".to_owned(), "1".to_owned());
        let l = LazyProps::default();
        let v = l.get(&m, "b");
        assert_eq!(unsafe { CStr::from_ptr(v) }.to_bytes(), b"2");
        assert!(l.get(&m, "c").is_null());
        assert_eq!(l.all(&m).len(), 2);
    }
}
