//! Subscription expressions: tag expressions (`*`, `""`, `"a || b"`) parsed
//! into the subscription's `subString`, tag set and code set, SQL92
//! expressions passed through, and the client-side tag match.

use std::collections::BTreeSet;

use super::java::{java_split, java_string_hash, java_trim};
use crate::{Error, Result};

/// The expression that matches every message.
pub const SUB_ALL: &str = "*";

/// Kind of a subscription expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ExpressionType {
    #[default]
    Tag,
    Sql92,
}

impl ExpressionType {
    /// The Java name: `"TAG"` or `"SQL92"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExpressionType::Tag => "TAG",
            ExpressionType::Sql92 => "SQL92",
        }
    }

    /// Parses a Java name; an empty name means `TAG`, as in Java.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "" | "TAG" => Ok(ExpressionType::Tag),
            "SQL92" => Ok(ExpressionType::Sql92),
            other => Err(Error::invalid(format!(
                "unknown expression type [{other}], expected TAG or SQL92"
            ))),
        }
    }
}

impl std::fmt::Display for ExpressionType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed subscription expression, ready for `SubscriptionData`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterExpression {
    pub expression_type: ExpressionType,
    /// `subString`: `*` for match-all tag expressions, otherwise the expression as given.
    pub sub_string: String,
    /// `tagsSet`: trimmed, non-empty tags (empty for match-all and SQL92).
    pub tags: BTreeSet<String>,
    /// `codeSet`: the Java string hash of each tag.
    pub codes: BTreeSet<i32>,
}

impl FilterExpression {
    /// Parses a tag expression: empty or exactly `*` matches everything;
    /// otherwise the expression is split on `||`, each part trimmed and empty
    /// parts dropped. An expression made only of `||` separators is rejected,
    /// as Java's parser rejects it.
    pub fn tag(expression: &str) -> Result<Self> {
        let mut f = FilterExpression {
            expression_type: ExpressionType::Tag,
            sub_string: SUB_ALL.to_string(),
            tags: BTreeSet::new(),
            codes: BTreeSet::new(),
        };
        if expression.is_empty() || expression == SUB_ALL {
            return Ok(f);
        }
        let parts = java_split(expression, "||");
        if parts.is_empty() {
            return Err(Error::invalid(format!(
                "tag expression [{expression}] has no tags"
            )));
        }
        f.sub_string = expression.to_string();
        for tag in parts.iter().map(|p| java_trim(p)).filter(|t| !t.is_empty()) {
            f.codes.insert(java_string_hash(tag));
            f.tags.insert(tag.to_string());
        }
        Ok(f)
    }

    /// An SQL92 expression, kept as given; it must not be empty.
    pub fn sql92(expression: &str) -> Result<Self> {
        if expression.is_empty() {
            return Err(Error::invalid("SQL92 expression can not be empty"));
        }
        Ok(FilterExpression {
            expression_type: ExpressionType::Sql92,
            sub_string: expression.to_string(),
            tags: BTreeSet::new(),
            codes: BTreeSet::new(),
        })
    }

    /// Parses `expression` as `expression_type`.
    pub fn new(expression: &str, expression_type: ExpressionType) -> Result<Self> {
        match expression_type {
            ExpressionType::Tag => Self::tag(expression),
            ExpressionType::Sql92 => Self::sql92(expression),
        }
    }

    /// Whether the expression matches every tag (`*` or an empty tag set).
    pub fn is_all(&self) -> bool {
        self.tags.is_empty()
    }

    /// Client-side re-check of a pulled message's tag: with an empty tag set
    /// everything passes; otherwise the message needs a tag in the set.
    pub fn matches_tag(&self, tag: Option<&str>) -> bool {
        if self.tags.is_empty() {
            return true;
        }
        tag.is_some_and(|t| self.tags.contains(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn set(v: &[&str]) -> BTreeSet<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn match_all() {
        for e in ["", "*"] {
            let f = FilterExpression::tag(e).unwrap();
            assert_eq!(f.sub_string, "*");
            assert!(f.tags.is_empty() && f.codes.is_empty());
            assert!(f.is_all());
            assert!(f.matches_tag(None));
            assert!(f.matches_tag(Some("x")));
        }
    }

    #[test]
    fn tags_and_codes() {
        let f = FilterExpression::tag("TagA || TagB").unwrap();
        assert_eq!(f.sub_string, "TagA || TagB");
        assert_eq!(f.tags, set(&["TagA", "TagB"]));
        assert_eq!(f.codes, [2_598_919, 2_598_920].into_iter().collect());
        assert!(f.matches_tag(Some("TagA")));
        assert!(!f.matches_tag(Some("TagC")));
        assert!(!f.matches_tag(None));
        assert_eq!(f.expression_type.as_str(), "TAG");

        let f = FilterExpression::tag(" a ||  || b||a||").unwrap();
        assert_eq!(f.tags, set(&["a", "b"]));
        assert_eq!(f.codes, [97, 98].into_iter().collect());

        // Whitespace around `*` makes it a literal tag, as in Java.
        let f = FilterExpression::tag(" * ").unwrap();
        assert_eq!(f.tags, set(&["*"]));
        // A single `|` is part of a tag.
        let f = FilterExpression::tag("a|b").unwrap();
        assert_eq!(f.tags, set(&["a|b"]));
        // Only characters up to U+0020 are trimmed.
        let f = FilterExpression::tag("\u{3000}x || \ty\n").unwrap();
        assert_eq!(f.tags, set(&["\u{3000}x", "y"]));
        let f = FilterExpression::tag("a|b").unwrap();
        assert_eq!(f.tags, set(&["a|b"]));
        // Only blanks: no tags, so everything passes client-side.
        let f = FilterExpression::tag(" ").unwrap();
        assert_eq!(f.sub_string, " ");
        assert!(f.tags.is_empty());
    }

    #[test]
    fn only_separators_is_an_error() {
        assert!(FilterExpression::tag("||").is_err());
        assert!(FilterExpression::tag("||||").is_err());
        let f = FilterExpression::tag("|||").unwrap();
        assert_eq!(f.tags, set(&["|"]));
    }

    #[test]
    fn sql92_and_types() {
        let f = FilterExpression::new("a > 5", ExpressionType::Sql92).unwrap();
        assert_eq!(f.sub_string, "a > 5");
        assert!(f.tags.is_empty());
        assert_eq!(f.expression_type.to_string(), "SQL92");
        assert!(FilterExpression::sql92("").is_err());
        assert_eq!(ExpressionType::parse("TAG").unwrap(), ExpressionType::Tag);
        assert_eq!(ExpressionType::parse("").unwrap(), ExpressionType::Tag);
        assert_eq!(
            ExpressionType::parse("SQL92").unwrap(),
            ExpressionType::Sql92
        );
        assert!(ExpressionType::parse("sql92").is_err());
    }

    proptest! {
        #[test]
        fn codes_are_hashes_of_tags(e in "[ a-c|*]{0,20}") {
            if let Ok(f) = FilterExpression::tag(&e) {
                let codes: BTreeSet<i32> = f.tags.iter().map(|t| java_string_hash(t)).collect();
                prop_assert_eq!(&f.codes, &codes);
                for t in &f.tags {
                    prop_assert!(!t.is_empty() && java_trim(t) == t && !t.contains("||"));
                    prop_assert!(f.matches_tag(Some(t)));
                }
            }
        }
    }
}
