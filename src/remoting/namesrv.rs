//! Addresses: name server lists (`"a:9876;b:9876"`), validation, VIP ports,
//! and the name server failover state.

use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;

use crate::{Error, Result};

/// Checks that `addr` is `host:port` (IPv6 hosts in brackets, port 1–65535).
pub fn validate_addr(addr: &str) -> Result<()> {
    let bad = |why: &str| Error::invalid(format!("invalid server address {addr:?}: {why}"));
    let (host, port) = addr
        .rsplit_once(':')
        .ok_or_else(|| bad("expected host:port"))?;
    match port.parse::<u16>() {
        Ok(p) if p > 0 => {}
        _ => return Err(bad("the port must be a number from 1 to 65535")),
    }
    if host.is_empty() {
        return Err(bad("the host is empty"));
    }
    if host
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == ';' || c == '/')
    {
        return Err(bad("the host contains an invalid character"));
    }
    if host.contains(':') {
        let inner = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .ok_or_else(|| bad("an IPv6 host must be written in brackets"))?;
        if inner.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(bad("the bracketed host is not an IPv6 address"));
        }
    } else if host.contains('[') || host.contains(']') {
        return Err(bad("unexpected bracket in the host"));
    }
    Ok(())
}

/// Parses a name server list: addresses separated by `;`, blanks around them
/// ignored. An empty list or an invalid address is an error naming it.
pub fn parse_namesrv_addrs(list: &str) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for part in list.split(';') {
        let a = part.trim();
        if a.is_empty() {
            continue;
        }
        validate_addr(a).map_err(|e| e.context("name server list"))?;
        if !out.iter().any(|x| x == a) {
            out.push(a.to_owned());
        }
    }
    if out.is_empty() {
        return Err(Error::invalid(format!(
            "the name server list {list:?} has no address"
        )));
    }
    Ok(out)
}

/// The VIP channel of a broker address: the same host, port − 2 (10911 →
/// 10909). An address without a usable port is returned unchanged.
pub fn vip_addr(addr: &str) -> String {
    match addr.rsplit_once(':') {
        Some((host, port)) => match port.parse::<u16>() {
            Ok(p) if p > 2 => format!("{host}:{}", p - 2),
            _ => addr.to_owned(),
        },
        None => addr.to_owned(),
    }
}

/// `addr` or its VIP channel, as `enabled` says.
pub fn maybe_vip(addr: &str, enabled: bool) -> Cow<'_, str> {
    if enabled {
        Cow::Owned(vip_addr(addr))
    } else {
        Cow::Borrowed(addr)
    }
}

/// The name server list and the index of the one in use.
#[derive(Default)]
pub(crate) struct NameServers {
    list: RwLock<Arc<Vec<String>>>,
    current: AtomicUsize,
}

impl NameServers {
    /// Replaces the list; the first address is used next when it changed.
    pub(crate) fn set(&self, addrs: Vec<String>) {
        let mut list = self.list.write();
        if **list != addrs {
            *list = Arc::new(addrs);
            self.current.store(0, Ordering::Relaxed);
        }
    }
    pub(crate) fn list(&self) -> Arc<Vec<String>> {
        self.list.read().clone()
    }
    pub(crate) fn current_index(&self) -> usize {
        self.current.load(Ordering::Relaxed)
    }
    pub(crate) fn set_current(&self, index: usize) {
        self.current.store(index, Ordering::Relaxed);
    }
    pub(crate) fn current(&self) -> Option<String> {
        let list = self.list();
        if list.is_empty() {
            None
        } else {
            Some(list[self.current_index() % list.len()].clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_lists() {
        assert_eq!(
            parse_namesrv_addrs(" 127.0.0.1:9876 ; ns2:9877;;").unwrap(),
            vec!["127.0.0.1:9876".to_string(), "ns2:9877".to_string()]
        );
        assert_eq!(
            parse_namesrv_addrs("[::1]:9876").unwrap(),
            vec!["[::1]:9876".to_string()]
        );
        assert_eq!(parse_namesrv_addrs("a:1;a:1").unwrap().len(), 1);
    }

    #[test]
    fn refuses_bad_lists_with_a_clear_error() {
        for bad in [
            "",
            " ; ",
            "host",
            "host:",
            ":9876",
            "h:0",
            "h:65536",
            "h:x",
            "::1:9876",
            "a b:1",
            "[1.2.3.4]:1",
        ] {
            let e = parse_namesrv_addrs(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidArgument, "{bad}");
        }
        let e = parse_namesrv_addrs("a:1;b").unwrap_err();
        assert!(e.message().contains("\"b\""), "{e}");
    }

    #[test]
    fn vip_ports() {
        assert_eq!(vip_addr("10.0.0.1:10911"), "10.0.0.1:10909");
        assert_eq!(vip_addr("[::1]:10911"), "[::1]:10909");
        assert_eq!(vip_addr("nohost"), "nohost");
        assert_eq!(vip_addr("h:2"), "h:2");
        assert_eq!(maybe_vip("h:10911", false), "h:10911");
        assert_eq!(maybe_vip("h:10911", true), "h:10909");
    }

    #[test]
    fn current_follows_the_list() {
        let ns = NameServers::default();
        assert_eq!(ns.current(), None);
        ns.set(vec!["a:1".into(), "b:1".into()]);
        ns.set_current(1);
        assert_eq!(ns.current().as_deref(), Some("b:1"));
        ns.set(vec!["a:1".into(), "b:1".into()]);
        assert_eq!(
            ns.current().as_deref(),
            Some("b:1"),
            "an unchanged list keeps its index"
        );
        ns.set(vec!["c:1".into()]);
        assert_eq!(ns.current().as_deref(), Some("c:1"));
    }

    proptest! {
        #[test]
        fn address_parsing_never_panics(s in ".{0,64}") {
            let _ = parse_namesrv_addrs(&s);
            let _ = vip_addr(&s);
        }

        #[test]
        fn valid_lists_round_trip(hosts in proptest::collection::vec(("[a-z][a-z0-9.-]{0,20}", 1u16..), 1..5)) {
            let list: Vec<String> = hosts.iter().map(|(h, p)| format!("{h}:{p}")).collect();
            let parsed = parse_namesrv_addrs(&list.join(";")).unwrap();
            let mut expected: Vec<String> = Vec::new();
            for a in list {
                if !expected.contains(&a) {
                    expected.push(a);
                }
            }
            prop_assert_eq!(parsed, expected);
        }
    }
}
