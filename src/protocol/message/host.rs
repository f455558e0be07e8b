//! Hosts in the stored-message layout and in message ids: the IP octets
//! (4 for IPv4, 16 for IPv6) followed by the port as a big-endian i32.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::{Error, Result};

/// Encoded size of an IPv4 host (4 + 4).
pub const IPV4_HOST_LEN: usize = 8;
/// Encoded size of an IPv6 host (16 + 4).
pub const IPV6_HOST_LEN: usize = 20;

/// Encoded size of `addr`: 8 for IPv4, 20 for IPv6.
pub fn host_len(addr: &SocketAddr) -> usize {
    match addr {
        SocketAddr::V4(_) => IPV4_HOST_LEN,
        SocketAddr::V6(_) => IPV6_HOST_LEN,
    }
}

/// Appends the IP octets of `addr` and its port as an i32.
pub fn put_host(out: &mut Vec<u8>, addr: &SocketAddr) {
    match addr.ip() {
        IpAddr::V4(ip) => out.extend_from_slice(&ip.octets()),
        IpAddr::V6(ip) => out.extend_from_slice(&ip.octets()),
    }
    out.extend_from_slice(&i32::from(addr.port()).to_be_bytes());
}

/// Builds an address from 4 or 16 IP octets.
pub fn ip_from_octets(octets: &[u8]) -> Option<IpAddr> {
    match octets.len() {
        4 => {
            let a: [u8; 4] = octets.try_into().ok()?;
            Some(IpAddr::V4(Ipv4Addr::from(a)))
        }
        16 => {
            let a: [u8; 16] = octets.try_into().ok()?;
            Some(IpAddr::V6(Ipv6Addr::from(a)))
        }
        _ => None,
    }
}

/// A port read off the wire as an i32; only 0..=65535 is valid.
pub fn port_from_i32(port: i32) -> Result<u16> {
    u16::try_from(port).map_err(|_| Error::protocol(format!("invalid port {port}")))
}

/// Reads a host from the start of `b`: IPv6 (20 bytes) if `v6`, else IPv4 (8 bytes).
/// Returns the address and the number of bytes used.
pub fn read_host(b: &[u8], v6: bool) -> Result<(SocketAddr, usize)> {
    let ip_len = if v6 { 16 } else { 4 };
    let Some(raw) = b.get(..ip_len + 4) else {
        return Err(Error::protocol(format!(
            "truncated host: need {} bytes, have {}",
            ip_len + 4,
            b.len()
        )));
    };
    let ip = ip_from_octets(&raw[..ip_len]).ok_or_else(|| Error::protocol("bad host"))?;
    let port = i32::from_be_bytes([
        raw[ip_len],
        raw[ip_len + 1],
        raw[ip_len + 2],
        raw[ip_len + 3],
    ]);
    Ok((SocketAddr::new(ip, port_from_i32(port)?), ip_len + 4))
}

/// The IP octets used in a message id: an IPv4-mapped IPv6 address counts as
/// IPv4, as it does for the reference implementation. Returns the octet
/// buffer and how many of its bytes are used (4 or 16).
pub fn id_ip_octets(ip: &IpAddr) -> ([u8; 16], usize) {
    let v4 = match ip {
        IpAddr::V4(v4) => *v4,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4,
            None => return (v6.octets(), 16),
        },
    };
    let mut buf = [0u8; 16];
    buf[..4].copy_from_slice(&v4.octets());
    (buf, 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_hosts() {
        let mut v = Vec::new();
        put_host(&mut v, &"127.0.0.1:10911".parse().unwrap());
        assert_eq!(v, [127, 0, 0, 1, 0, 0, 0x2A, 0x9F]);
        let mut v = Vec::new();
        put_host(&mut v, &"[::1]:65535".parse().unwrap());
        let mut want = [0u8; 20];
        want[15] = 1;
        want[18] = 0xFF;
        want[19] = 0xFF;
        assert_eq!(v, want);
        assert_eq!(
            read_host(&want, true).unwrap(),
            ("[::1]:65535".parse().unwrap(), 20)
        );
        assert_eq!(
            read_host(&[10, 0, 0, 1, 0, 0, 0, 80, 99], false).unwrap(),
            ("10.0.0.1:80".parse().unwrap(), 8)
        );
    }

    #[test]
    fn bad_hosts() {
        assert!(read_host(&[1, 2, 3, 4, 0, 0, 0], false).is_err());
        assert!(read_host(&[0; 19], true).is_err());
        assert!(
            read_host(&[1, 2, 3, 4, 0, 1, 0, 0], false).is_err(),
            "port 65536"
        );
        assert!(
            read_host(&[1, 2, 3, 4, 0xFF, 0xFF, 0xFF, 0xFF], false).is_err(),
            "port -1"
        );
        assert!(ip_from_octets(&[1, 2, 3]).is_none());
    }

    #[test]
    fn id_octets() {
        let (b, n) = id_ip_octets(&"::ffff:10.1.2.3".parse().unwrap());
        assert_eq!(&b[..n], [10, 1, 2, 3]);
        let (b, n) = id_ip_octets(&"10.1.2.3".parse().unwrap());
        assert_eq!(&b[..n], [10, 1, 2, 3]);
        let (b, n) = id_ip_octets(&"fe80::1".parse().unwrap());
        assert_eq!(n, 16);
        assert_eq!(b[0], 0xFE);
    }
}
