//! Delay levels of scheduled messages: the broker's default table of 18
//! levels (`1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h`) and
//! a parser for the broker's `messageDelayLevel` format.

use std::time::Duration;

use crate::{Error, Result};

const fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// The default delay of each level; level `i` (1-based) is entry `i - 1`.
pub const DEFAULT_DELAY_LEVELS: [Duration; 18] = [
    secs(1),
    secs(5),
    secs(10),
    secs(30),
    secs(60),
    secs(2 * 60),
    secs(3 * 60),
    secs(4 * 60),
    secs(5 * 60),
    secs(6 * 60),
    secs(7 * 60),
    secs(8 * 60),
    secs(9 * 60),
    secs(10 * 60),
    secs(20 * 60),
    secs(30 * 60),
    secs(3600),
    secs(2 * 3600),
];

/// The highest default level.
pub const MAX_DELAY_LEVEL: i32 = 18;

/// A delay level must be in `1..=18`.
pub fn check_delay_level(level: i32) -> Result<()> {
    if (1..=MAX_DELAY_LEVEL).contains(&level) {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "delay level {level} is out of range 1..={MAX_DELAY_LEVEL}"
        )))
    }
}

/// The default delay of `level`, or `None` outside `1..=18`.
pub fn delay_of_level(level: i32) -> Option<Duration> {
    usize::try_from(level)
        .ok()
        .and_then(|l| l.checked_sub(1))
        .and_then(|i| DEFAULT_DELAY_LEVELS.get(i).copied())
}

/// Parses a space-separated level table such as `"1s 5s 1m 2h 1d"`: each
/// item is a non-negative number followed by `s`, `m`, `h` or `d`.
pub fn parse_delay_levels(table: &str) -> Result<Vec<Duration>> {
    table
        .split(' ')
        .map(|item| {
            let bad = || Error::invalid(format!("bad delay level item [{item}] in [{table}]"));
            let unit = match item.chars().last() {
                Some('s') => 1,
                Some('m') => 60,
                Some('h') => 3600,
                Some('d') => 86_400,
                _ => return Err(bad()),
            };
            let num: u64 = item[..item.len() - 1].parse().map_err(|_| bad())?;
            num.checked_mul(unit)
                .map(Duration::from_secs)
                .ok_or_else(bad)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn default_levels() {
        assert_eq!(delay_of_level(1), Some(Duration::from_secs(1)));
        assert_eq!(delay_of_level(4), Some(Duration::from_secs(30)));
        assert_eq!(delay_of_level(5), Some(Duration::from_secs(60)));
        assert_eq!(delay_of_level(16), Some(Duration::from_secs(1800)));
        assert_eq!(delay_of_level(18), Some(Duration::from_secs(7200)));
        assert_eq!(delay_of_level(0), None);
        assert_eq!(delay_of_level(19), None);
        assert_eq!(delay_of_level(-1), None);
        check_delay_level(1).unwrap();
        check_delay_level(18).unwrap();
        assert!(check_delay_level(0).unwrap_err().message().contains('0'));
        assert!(check_delay_level(19).is_err());
    }

    #[test]
    fn parses_the_broker_default() {
        let t = parse_delay_levels("1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h")
            .unwrap();
        assert_eq!(t, DEFAULT_DELAY_LEVELS.to_vec());
        assert_eq!(
            parse_delay_levels("2d").unwrap(),
            vec![Duration::from_secs(172_800)]
        );
        assert!(parse_delay_levels("").is_err());
        assert!(parse_delay_levels("1s  5s").is_err());
        assert!(parse_delay_levels("5x").is_err());
        assert!(parse_delay_levels("-1s").is_err());
        assert!(parse_delay_levels("\u{e9}").is_err());
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = parse_delay_levels(&s);
        }
    }
}
