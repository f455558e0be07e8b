//! `ExtFields`: the string-to-string map that carries a command's custom header.

use std::borrow::Cow;

/// The custom header of a command (Java's `extFields`). Keys are usually
/// static header field names, so they are kept as `Cow<'static, str>` to avoid
/// an allocation per field on the send path. Insertion order is kept; inserting
/// an existing key replaces its value (the last one wins, like Java's HashMap).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtFields {
    entries: Vec<(Cow<'static, str>, String)>,
}

impl ExtFields {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn with_capacity(n: usize) -> Self {
        ExtFields {
            entries: Vec::with_capacity(n),
        }
    }
    /// Sets `key` to `value`, replacing an earlier value of the same key.
    pub fn insert(&mut self, key: impl Into<Cow<'static, str>>, value: impl Into<String>) {
        let key = key.into();
        let value = value.into();
        if let Some(slot) = self.entries.iter_mut().find(|(k, _)| *k == key) {
            slot.1 = value;
        } else {
            self.entries.push((key, value));
        }
    }
    /// Appends without looking for an earlier value of the same key. For
    /// builders that know their keys are distinct (typed headers).
    pub fn push(&mut self, key: &'static str, value: impl Into<String>) {
        self.entries.push((Cow::Borrowed(key), value.into()));
    }
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let pos = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(pos).1)
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == key)
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_ref(), v.as_str()))
    }
    /// Entries sorted by key (byte order, which is Java's String order for ASCII).
    pub fn sorted(&self) -> Vec<(&str, &str)> {
        let mut v: Vec<(&str, &str)> = self.iter().collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v
    }

    /// The value of a required field, or a protocol error naming it.
    pub fn required(&self, key: &str) -> crate::Result<&str> {
        self.get(key)
            .ok_or_else(|| crate::Error::protocol(format!("the custom field {key} is missing")))
    }
    /// Parses a required field.
    pub fn parse<T: std::str::FromStr>(&self, key: &str) -> crate::Result<T> {
        let v = self.required(key)?;
        v.trim().parse().map_err(|_| {
            crate::Error::protocol(format!("the custom field {key} is not valid: {v:?}"))
        })
    }
    /// Parses an optional field: absent is `None`, present and invalid is an error.
    pub fn parse_opt<T: std::str::FromStr>(&self, key: &str) -> crate::Result<Option<T>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v.trim().parse().map(Some).map_err(|_| {
                crate::Error::protocol(format!("the custom field {key} is not valid: {v:?}"))
            }),
        }
    }
    /// Parses an optional boolean the way Java's `Boolean.parseBoolean` does
    /// ("true", any case, is true; anything else false).
    pub fn bool_opt(&self, key: &str) -> Option<bool> {
        self.get(key).map(|v| v.trim().eq_ignore_ascii_case("true"))
    }
    pub fn string_opt(&self, key: &str) -> Option<String> {
        self.get(key).map(str::to_owned)
    }
}

impl<K: Into<Cow<'static, str>>, V: Into<String>> FromIterator<(K, V)> for ExtFields {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut e = ExtFields::new();
        for (k, v) in iter {
            e.insert(k, v);
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_replaces_and_keeps_order() {
        let mut e = ExtFields::new();
        e.insert("b", "1");
        e.insert("a", "2");
        e.insert("b", "3");
        assert_eq!(e.iter().collect::<Vec<_>>(), vec![("b", "3"), ("a", "2")]);
        assert_eq!(e.sorted(), vec![("a", "2"), ("b", "3")]);
        assert_eq!(e.remove("b").as_deref(), Some("3"));
        assert_eq!(e.get("b"), None);
    }

    #[test]
    fn typed_access() {
        let e: ExtFields = [("n", "42"), ("x", "nope"), ("t", "TRUE")]
            .into_iter()
            .collect();
        assert_eq!(e.parse::<i64>("n").unwrap(), 42);
        assert!(e.parse::<i64>("x").is_err());
        assert!(e.parse::<i64>("missing").is_err());
        assert_eq!(e.parse_opt::<i32>("missing").unwrap(), None);
        assert_eq!(e.bool_opt("t"), Some(true));
    }
}
