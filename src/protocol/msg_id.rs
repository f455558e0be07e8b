//! Message ids.
//!
//! - Offset message id (broker-assigned): store host IP + port (i32) +
//!   commit-log offset (i64) as upper-case hex; 32 chars for IPv4, 56 for IPv6.
//! - Unique key (client message id, property `UNIQ_KEY`): client IP, pid
//!   (u16), a per-process i32, ms since the start of the month in the local
//!   time zone (i32) and a 16-bit counter, as upper-case hex; 32 chars with
//!   an IPv4 client address.

use std::hash::{BuildHasher, Hasher};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{FixedOffset, Local, NaiveDateTime, Offset, TimeZone};
use parking_lot::RwLock;

use crate::protocol::message::{id_ip_octets, ip_from_octets, port_from_i32};
use crate::{Error, Result};

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Appends `bytes` as upper-case hex.
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    for &b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 0xF)] as char);
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'F' => Some(c - b'A' + 10),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// Decodes hex (either case) into `out`; `s` must be exactly twice its length.
fn decode_hex_into(s: &str, out: &mut [u8]) -> Option<()> {
    let s = s.as_bytes();
    if s.len() != out.len() * 2 {
        return None;
    }
    for (o, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
        *o = hex_val(pair[0])? << 4 | hex_val(pair[1])?;
    }
    Some(())
}

/// Decodes a 32- or 56-char hex id into its 16 or 28 bytes.
fn id_bytes(id: &str) -> Option<([u8; 28], usize)> {
    let n = match id.len() {
        32 => 16,
        56 => 28,
        _ => return None,
    };
    let mut buf = [0u8; 28];
    decode_hex_into(id, &mut buf[..n])?;
    Some((buf, n))
}

/// The offset message id of a message stored at `commit_log_offset` on
/// `store_host`. An IPv4-mapped IPv6 host is written as IPv4.
pub fn encode_offset_msg_id(store_host: SocketAddr, commit_log_offset: i64) -> String {
    let (ip, ip_len) = id_ip_octets(&store_host.ip());
    let mut s = String::with_capacity((ip_len + 12) * 2);
    push_hex(&mut s, &ip[..ip_len]);
    push_hex(&mut s, &i32::from(store_host.port()).to_be_bytes());
    push_hex(&mut s, &commit_log_offset.to_be_bytes());
    s
}

/// Decodes an offset message id (hex of either case) into the store host and
/// commit-log offset. 32 chars mean IPv4, 56 IPv6; anything else is an error.
pub fn decode_offset_msg_id(id: &str) -> Result<(SocketAddr, i64)> {
    let bad = || Error::invalid(format!("not an offset message id: {id:?}"));
    let (bytes, n) = id_bytes(id).ok_or_else(bad)?;
    let ip_len = n - 12;
    let ip = ip_from_octets(&bytes[..ip_len]).ok_or_else(bad)?;
    let mut port = [0u8; 4];
    port.copy_from_slice(&bytes[ip_len..ip_len + 4]);
    let port = port_from_i32(i32::from_be_bytes(port)).map_err(|_| bad())?;
    let mut offset = [0u8; 8];
    offset.copy_from_slice(&bytes[ip_len + 4..n]);
    Ok((SocketAddr::new(ip, port), i64::from_be_bytes(offset)))
}

// ---------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian, UTC).

const DAY_MS: i64 = 86_400_000;

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m)
}

/// Start (epoch ms, UTC) of the month `delta` months after the one holding `ms`.
fn month_start_utc(ms: i64, delta: i64) -> i64 {
    let (y, m) = civil_from_days(ms.div_euclid(DAY_MS));
    let idx = y * 12 + i64::from(m - 1) + delta;
    let (y, m) = (idx.div_euclid(12), idx.rem_euclid(12) as u32 + 1);
    days_from_civil(y, m, 1).saturating_mul(DAY_MS)
}

/// The time zone whose months unique keys count from.
#[derive(Debug, Clone, Copy)]
enum Zone {
    /// The process's local zone (`TZ`, else `/etc/localtime`), as the
    /// reference client does.
    Local,
    /// A fixed offset (tests).
    #[cfg_attr(not(test), allow(dead_code))]
    Fixed(FixedOffset),
}

impl Zone {
    /// Start (epoch ms) of the month `delta` months after the one holding
    /// `ms`, months as seen in this zone.
    fn month_start(self, ms: i64, delta: i64) -> i64 {
        match self {
            Zone::Local => month_start_in(&Local, ms, delta),
            Zone::Fixed(f) => month_start_in(&f, ms, delta),
        }
    }
}

/// [`Zone::month_start`] in `tz`: the month arithmetic runs on local wall
/// time, whose first of the month at 00:00 is mapped back to an instant (the
/// earlier one when the clock was set back then; an hour later when the
/// clock skipped midnight).
fn month_start_in<Tz: TimeZone>(tz: &Tz, ms: i64, delta: i64) -> i64 {
    let offset_ms = |at: i64| {
        chrono::DateTime::from_timestamp_millis(at).map_or(0, |t| {
            i64::from(
                tz.offset_from_utc_datetime(&t.naive_utc())
                    .fix()
                    .local_minus_utc(),
            ) * 1000
        })
    };
    let wall = month_start_utc(ms.saturating_add(offset_ms(ms)), delta);
    let instant = |wall: i64| {
        let naive: NaiveDateTime = chrono::DateTime::from_timestamp_millis(wall)?.naive_utc();
        Some(
            tz.from_local_datetime(&naive)
                .earliest()?
                .timestamp_millis(),
        )
    };
    instant(wall)
        .or_else(|| instant(wall + 3_600_000))
        .unwrap_or_else(|| wall - offset_ms(ms))
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

// ---------------------------------------------------------------------------
// Unique keys.

/// Generates unique keys from a fixed prefix (IP, pid, per-process salt),
/// the ms since the start of the current month and a counter.
///
/// Months are those of the local time zone, as in the reference client (a
/// reader there gets the time back from its own local month).
struct UniqueKeyGenerator {
    /// Hex of IP + pid + salt.
    prefix: String,
    /// Start of the month the time field counts from, and of the next
    /// month (epoch ms): the zone's rules are consulted only when a month
    /// ends.
    month: RwLock<(i64, i64)>,
    counter: AtomicU32,
    zone: Zone,
}

impl UniqueKeyGenerator {
    fn new(ip: IpAddr, pid: u16, salt: i32, now: i64, zone: Zone) -> Self {
        let (octets, n) = match ip {
            IpAddr::V4(v4) => {
                let mut b = [0u8; 16];
                b[..4].copy_from_slice(&v4.octets());
                (b, 4)
            }
            IpAddr::V6(v6) => (v6.octets(), 16),
        };
        let mut prefix = String::with_capacity((n + 6) * 2);
        push_hex(&mut prefix, &octets[..n]);
        push_hex(&mut prefix, &pid.to_be_bytes());
        push_hex(&mut prefix, &salt.to_be_bytes());
        UniqueKeyGenerator {
            prefix,
            month: RwLock::new((zone.month_start(now, 0), zone.month_start(now, 1))),
            counter: AtomicU32::new(0),
            zone,
        }
    }

    fn next_at(&self, now: i64) -> String {
        let (mut start, next) = *self.month.read();
        if now >= next {
            start = self.zone.month_start(now, 0);
            *self.month.write() = (start, self.zone.month_start(now, 1));
        }
        // Truncated to 32 bits like the reference client; a reader takes the
        // field as unsigned. A small negative value (clock stepped back) is 0.
        let mut diff = now.wrapping_sub(start) as i32;
        if diff < 0 && diff > -1_000_000 {
            diff = 0;
        }
        let count = self.counter.fetch_add(1, Ordering::Relaxed) as u16;
        let mut s = String::with_capacity(self.prefix.len() + 12);
        s.push_str(&self.prefix);
        push_hex(&mut s, &diff.to_be_bytes());
        push_hex(&mut s, &count.to_be_bytes());
        s
    }
}

/// The routed local address toward `target`, if it is a usable unicast one.
/// Connecting a UDP socket only consults the routing table; nothing is sent.
fn udp_probe(bind: &str, target: &str) -> Option<IpAddr> {
    let sock = UdpSocket::bind(bind).ok()?;
    sock.connect(target).ok()?;
    let ip = sock.local_addr().ok()?.ip();
    let usable = match ip {
        IpAddr::V4(v4) => !v4.is_unspecified() && !v4.is_loopback() && !v4.is_link_local(),
        IpAddr::V6(v6) => {
            !v6.is_unspecified() && !v6.is_loopback() && (v6.segments()[0] & 0xFFC0) != 0xFE80
        }
    };
    usable.then_some(ip)
}

/// The client address: the host's outbound IPv4 address, else its outbound
/// IPv6 address, else 127.0.0.1 when the loopback works, else a "fake IP"
/// made of bytes 4..8 of the current time in ms.
fn detect_client_ip() -> IpAddr {
    if let Some(ip) = udp_probe("0.0.0.0:0", "192.0.2.1:9") {
        return ip;
    }
    if let Some(ip) = udp_probe("[::]:0", "[2001:db8::1]:9") {
        return ip;
    }
    if UdpSocket::bind("127.0.0.1:0").is_ok() {
        return IpAddr::V4(Ipv4Addr::LOCALHOST);
    }
    let t = now_ms().to_be_bytes();
    IpAddr::V4(Ipv4Addr::new(t[4], t[5], t[6], t[7]))
}

static CLIENT_IP: LazyLock<IpAddr> = LazyLock::new(detect_client_ip);

static GENERATOR: LazyLock<UniqueKeyGenerator> = LazyLock::new(|| {
    let pid = std::process::id();
    let now = now_ms();
    // A per-process value that differs between processes sharing a pid.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_i64(now);
    h.write_u32(pid);
    let salt = h.finish() as i32;
    UniqueKeyGenerator::new(*CLIENT_IP, pid as u16, salt, now, Zone::Local)
});

/// This host's address as used in unique keys (outbound IPv4 preferred),
/// detected once per process.
pub fn client_ip() -> IpAddr {
    *CLIENT_IP
}

/// A new unique key (client message id): 32 upper-case hex chars with an
/// IPv4 client address, 56 with IPv6.
pub fn new_unique_key() -> String {
    GENERATOR.next_at(now_ms())
}

/// The client IP recorded in a unique key.
pub fn unique_key_ip(id: &str) -> Option<IpAddr> {
    let (b, n) = id_bytes(id)?;
    ip_from_octets(&b[..n - 12])
}

/// The pid (low 16 bits) recorded in a unique key.
pub fn unique_key_pid(id: &str) -> Option<u16> {
    let (b, n) = id_bytes(id)?;
    let at = n - 12;
    Some(u16::from_be_bytes([b[at], b[at + 1]]))
}

/// Approximate creation time (epoch ms) of a unique key, taking the key's
/// month to be the current local one unless that would put it in the
/// future, in which case it is the previous month.
pub fn unique_key_time(id: &str) -> Option<i64> {
    unique_key_time_at(id, now_ms())
}

/// [`unique_key_time`] relative to `now_ms` instead of the clock.
pub fn unique_key_time_at(id: &str, now_ms: i64) -> Option<i64> {
    key_time_in(Zone::Local, id, now_ms)
}

fn key_time_in(zone: Zone, id: &str, now_ms: i64) -> Option<i64> {
    let (b, n) = id_bytes(id)?;
    let at = n - 6;
    let span = i64::from(u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]));
    let mut start = zone.month_start(now_ms, 0);
    if start.saturating_add(span) > now_ms {
        start = zone.month_start(now_ms, -1);
    }
    Some(start.saturating_add(span))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const UTC: Zone = Zone::Fixed(FixedOffset::east_opt(0).unwrap());

    fn east(hours: i32) -> Zone {
        Zone::Fixed(FixedOffset::east_opt(hours * 3600).unwrap())
    }

    #[test]
    fn months_of_the_local_zone() {
        const H: i64 = 3_600_000;
        // 2024-03-31T20:00Z is already April 1 04:00 at UTC+8: its month
        // started at 2024-03-31T16:00Z, and March at 2024-02-29T16:00Z.
        let t = 1_711_915_200_000;
        let april_utc = 1_711_929_600_000; // 2024-04-01T00:00Z
        assert_eq!(east(8).month_start(t, 0), april_utc - 8 * H);
        assert_eq!(east(8).month_start(t, -1), 1_709_251_200_000 - 8 * H);
        assert_eq!(UTC.month_start(t, 0), 1_709_251_200_000);
        // At UTC-5 the same instant is March 31 15:00.
        assert_eq!(east(-5).month_start(t, 0), 1_709_251_200_000 + 5 * H);
        assert_eq!(east(-5).month_start(t, 1), april_utc + 5 * H);
        // A generator at UTC+8 counts from the local month and a reader in
        // the same zone gets the time back.
        let g = UniqueKeyGenerator::new("10.1.2.3".parse().unwrap(), 1, 2, t, east(8));
        let k = g.next_at(t);
        assert_eq!(&k[20..28], format!("{:08X}", 4 * H));
        assert_eq!(key_time_in(east(8), &k, t + 1), Some(t));
        // The local zone gives a month start no more than a day from UTC's.
        let now = now_ms();
        let local = Zone::Local.month_start(now, 0);
        assert!(local <= now && (local - UTC.month_start(now, 0)).abs() <= 26 * H);
    }

    #[test]
    fn offset_msg_id_golden() {
        let addr: SocketAddr = "127.0.0.1:10911".parse().unwrap();
        assert_eq!(
            encode_offset_msg_id(addr, 0),
            "7F00000100002A9F0000000000000000"
        );
        let addr: SocketAddr = "10.1.2.3:8080".parse().unwrap();
        assert_eq!(
            encode_offset_msg_id(addr, 0x0102_0304_0506_0708),
            "0A01020300001F900102030405060708"
        );
        assert_eq!(
            encode_offset_msg_id(addr, -1),
            "0A01020300001F90FFFFFFFFFFFFFFFF"
        );
        let v6: SocketAddr = "[2001:db8::1]:10911".parse().unwrap();
        let id = encode_offset_msg_id(v6, 255);
        assert_eq!(
            id,
            "20010DB800000000000000000000000100002A9F00000000000000FF"
        );
        assert_eq!(id.len(), 56);
        // An IPv4-mapped IPv6 host is written as IPv4.
        let mapped: SocketAddr = "[::ffff:127.0.0.1]:10911".parse().unwrap();
        assert_eq!(
            encode_offset_msg_id(mapped, 0),
            "7F00000100002A9F0000000000000000"
        );
    }

    #[test]
    fn offset_msg_id_decode() {
        assert_eq!(
            decode_offset_msg_id("7f00000100002a9f0000000000000010").unwrap(),
            ("127.0.0.1:10911".parse().unwrap(), 16)
        );
        assert_eq!(
            decode_offset_msg_id("20010DB800000000000000000000000100002A9F00000000000000FF")
                .unwrap(),
            ("[2001:db8::1]:10911".parse().unwrap(), 255)
        );
        for bad in [
            "",
            "7F00000100002A9F000000000000000",   // 31
            "7F00000100002A9F00000000000000000", // 33
            "7G00000100002A9F0000000000000000",  // not hex
            "7F000001FFFFFFFF0000000000000000",  // port -1
            "7F00000100010000000000000000000é",  // multi-byte char
        ] {
            let e = decode_offset_msg_id(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidArgument, "{bad}");
        }
    }

    #[test]
    fn calendar() {
        // 2024-02-29T12:00:00Z
        let t = 1_709_208_000_000;
        assert_eq!(month_start_utc(t, 0), 1_706_745_600_000); // 2024-02-01
        assert_eq!(month_start_utc(t, 1), 1_709_251_200_000); // 2024-03-01
        assert_eq!(month_start_utc(t, -1), 1_704_067_200_000); // 2024-01-01
        assert_eq!(month_start_utc(t, -2), 1_701_388_800_000); // 2023-12-01
        assert_eq!(month_start_utc(1_701_388_800_000, 1), 1_704_067_200_000);
        assert_eq!(month_start_utc(0, 0), 0);
        assert_eq!(month_start_utc(-1, 0), -2_678_400_000); // 1969-12-01
        for days in (-800_000i64..800_000).step_by(997) {
            let (y, m) = civil_from_days(days);
            let first = days_from_civil(y, m, 1);
            assert!(first <= days && days - first < 31, "{days}");
        }
    }

    #[test]
    fn unique_key_layout() {
        // 2024-03-10T00:00:00.123Z, 9 days + 123 ms into the month.
        let now = 1_710_028_800_123;
        let g = UniqueKeyGenerator::new("10.1.2.3".parse().unwrap(), 0x1234, -2, now, UTC);
        let span: i64 = 9 * DAY_MS + 123;
        let a = g.next_at(now);
        let b = g.next_at(now);
        assert_eq!(a, format!("0A0102031234FFFFFFFE{span:08X}0000"));
        assert_eq!(b, format!("0A0102031234FFFFFFFE{span:08X}0001"));
        assert_eq!(unique_key_ip(&a), Some("10.1.2.3".parse().unwrap()));
        assert_eq!(unique_key_pid(&a), Some(0x1234));
        assert_eq!(key_time_in(UTC, &a, now + 5), Some(now));
        assert_eq!(key_time_in(UTC, &a, now), Some(now));
        // A time ahead of `now` belongs to the previous month.
        assert_eq!(
            key_time_in(UTC, &a, now - 1),
            Some(month_start_utc(now, -1) + span)
        );
        // Read back in the next month: still this month.
        assert_eq!(key_time_in(UTC, &a, now + 30 * DAY_MS), Some(now));

        // The counter keeps its low 16 bits.
        g.counter.store(0xFFFF, Ordering::Relaxed);
        assert!(g.next_at(now).ends_with("FFFF"));
        assert!(g.next_at(now).ends_with("0000"));

        // A small step back in time is clamped to 0.
        let start = month_start_utc(now, 0);
        assert_eq!(&g.next_at(start - 500)[20..28], "00000000");
        // Crossing into April restarts the time field.
        let april = month_start_utc(now, 1);
        assert_eq!(&g.next_at(april + 7)[20..28], "00000007");
        assert_eq!(g.month.read().0, april);
        // Past 2^31 ms (day 25 of a month) the field is written as the low 32 bits.
        let late = april + (1i64 << 31) + 5;
        assert_eq!(&g.next_at(late)[20..28], "80000005");
        assert_eq!(key_time_in(UTC, &g.next_at(late), late + 1), Some(late));
    }

    #[test]
    fn unique_key_ipv6() {
        let g = UniqueKeyGenerator::new("2001:db8::7".parse().unwrap(), 1, 2, 0, UTC);
        let k = g.next_at(1000);
        assert_eq!(k.len(), 56);
        assert_eq!(
            k,
            "20010DB8000000000000000000000007000100000002000003E80000"
        );
        assert_eq!(unique_key_ip(&k), Some("2001:db8::7".parse().unwrap()));
        assert_eq!(unique_key_pid(&k), Some(1));
        assert_eq!(key_time_in(UTC, &k, 2000), Some(1000));
    }

    #[test]
    fn global_generator() {
        let a = new_unique_key();
        let b = new_unique_key();
        assert_ne!(a, b);
        assert_eq!(a.len(), b.len());
        assert!(a.len() == 32 || a.len() == 56);
        assert_eq!(a[..a.len() - 12], b[..b.len() - 12], "fixed prefix");
        assert!(a.bytes().all(|c| HEX.contains(&c)), "upper-case hex");
        assert_eq!(unique_key_ip(&a), Some(client_ip()));
        assert_eq!(unique_key_pid(&a), Some(std::process::id() as u16));
        let t = unique_key_time(&a).unwrap();
        assert!((t - now_ms()).abs() < 60_000, "time within a minute");
        assert!(unique_key_time("xyz").is_none());
        assert!(unique_key_ip("").is_none());
        assert!(unique_key_pid("G".repeat(32).as_str()).is_none());
    }

    #[test]
    fn unique_keys_are_unique_across_threads() {
        let handles: Vec<_> = (0..4)
            .map(|_| std::thread::spawn(|| (0..5000).map(|_| new_unique_key()).collect::<Vec<_>>()))
            .collect();
        let mut all: Vec<String> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
    }

    proptest! {
        #[test]
        fn offset_msg_id_round_trip(v6 in any::<bool>(), ip4 in any::<[u8; 4]>(), ip6 in any::<[u8; 16]>(), port in any::<u16>(), offset in any::<i64>(), lower in any::<bool>()) {
            let ip: IpAddr = if v6 {
                let a = std::net::Ipv6Addr::from(ip6);
                prop_assume!(a.to_ipv4_mapped().is_none());
                a.into()
            } else {
                Ipv4Addr::from(ip4).into()
            };
            let addr = SocketAddr::new(ip, port);
            let mut id = encode_offset_msg_id(addr, offset);
            prop_assert_eq!(id.len(), if v6 { 56 } else { 32 });
            if lower {
                id = id.to_lowercase();
            }
            prop_assert_eq!(decode_offset_msg_id(&id).unwrap(), (addr, offset));
        }

        #[test]
        fn unique_key_round_trip(ip4 in any::<[u8; 4]>(), pid in any::<u16>(), salt in any::<i32>(),
                                 now in 0i64..4_102_444_800_000, ahead in 1i64..1_000_000_000,
                                 zone_hours in -12i32..=14) {
            let ip = IpAddr::V4(Ipv4Addr::from(ip4));
            let zone = east(zone_hours);
            let g = UniqueKeyGenerator::new(ip, pid, salt, now, zone);
            let k = g.next_at(now);
            prop_assert_eq!(k.len(), 32);
            prop_assert_eq!(unique_key_ip(&k), Some(ip));
            prop_assert_eq!(unique_key_pid(&k), Some(pid));
            prop_assert_eq!(key_time_in(zone, &k, now + ahead), Some(now));
        }

        #[test]
        fn decode_arbitrary_strings_never_panics(s in "[0-9A-Fa-fxé]{0,60}") {
            if let Ok((addr, _)) = decode_offset_msg_id(&s) {
                prop_assert!(s.len() == 32 || s.len() == 56);
                prop_assert_eq!(addr.is_ipv4(), s.len() == 32);
            }
            let _ = unique_key_time_at(&s, 1_700_000_000_000);
            let _ = unique_key_ip(&s);
            let _ = unique_key_pid(&s);
        }

        #[test]
        fn decode_any_string_never_panics(s in any::<String>()) {
            let _ = decode_offset_msg_id(&s);
            let _ = unique_key_time(&s);
        }
    }
}
