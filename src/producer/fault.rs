//! Latency fault tolerance for sends, as the Java client's `MQFaultStrategy`
//! and `LatencyFaultToleranceImpl` (5.x): each send's latency (or a failure)
//! marks its broker unavailable for a while, and may mark it unreachable until
//! a detector or a later success says otherwise. Off by default.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::common::clock::{Clock, SystemClock};

/// Latency thresholds and the unavailability each one causes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatencyTable {
    /// Ascending latency thresholds in ms.
    pub latency_max: Vec<i64>,
    /// Unavailability in ms for a latency at or above the threshold of the same index.
    pub not_available_duration: Vec<i64>,
    /// The latency a failure ("isolation") counts as.
    pub isolation_latency: i64,
}

impl LatencyTable {
    /// The 5.x tables: `{50, 100, 550, 1800, 3000, 5000, 15000}` →
    /// `{0, 0, 2000, 5000, 6000, 10000, 30000}`; a failure counts as 10000 ms.
    pub fn v5() -> Self {
        LatencyTable {
            latency_max: vec![50, 100, 550, 1800, 3000, 5000, 15000],
            not_available_duration: vec![0, 0, 2000, 5000, 6000, 10000, 30000],
            isolation_latency: 10000,
        }
    }

    /// The 4.x tables: `{50, 100, 550, 1000, 2000, 3000, 15000}` →
    /// `{0, 0, 30000, 60000, 120000, 180000, 600000}`; a failure counts as 30000 ms.
    pub fn v4() -> Self {
        LatencyTable {
            latency_max: vec![50, 100, 550, 1000, 2000, 3000, 15000],
            not_available_duration: vec![0, 0, 30000, 60000, 120000, 180000, 600000],
            isolation_latency: 30000,
        }
    }

    /// The unavailability for `latency_ms`: scanning from the largest
    /// threshold down, the first one `latency_ms` reaches; 0 below all.
    pub fn not_available_duration_for(&self, latency_ms: i64) -> i64 {
        self.latency_max
            .iter()
            .zip(&self.not_available_duration)
            .rev()
            .find(|(max, _)| latency_ms >= **max)
            .map_or(0, |(_, d)| *d)
    }
}

impl Default for LatencyTable {
    fn default() -> Self {
        Self::v5()
    }
}

/// Fault-tolerance settings (Java `ClientConfig` defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultConfig {
    /// `sendLatencyEnable`: off by default; when off, nothing is recorded.
    pub send_latency_enable: bool,
    /// `startDetectorEnable`: whether a detector probes unreachable brokers.
    pub start_detector_enable: bool,
    /// `detectInterval`: at most one probe per broker per interval, ms.
    pub detect_interval_ms: i64,
    /// `detectTimeout`: the probe's timeout, ms.
    pub detect_timeout_ms: i64,
    pub table: LatencyTable,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            send_latency_enable: false,
            start_detector_enable: false,
            detect_interval_ms: 2000,
            detect_timeout_ms: 200,
            table: LatencyTable::v5(),
        }
    }
}

/// What is recorded about one broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultItem {
    pub broker_name: String,
    /// The latency of the last send, ms.
    pub current_latency_ms: i64,
    /// The broker is unavailable before this time (ms since the epoch).
    pub start_timestamp_ms: i64,
    pub reachable: bool,
    /// The next time the detector may probe this broker.
    pub check_stamp_ms: i64,
}

/// Per-broker fault records and the rules that read them.
pub struct FaultStrategy {
    config: FaultConfig,
    clock: Arc<dyn Clock>,
    items: Mutex<HashMap<String, FaultItem>>,
    which_item_worst: AtomicU32,
}

impl std::fmt::Debug for FaultStrategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultStrategy")
            .field("config", &self.config)
            .field("items", &*self.items.lock())
            .finish_non_exhaustive()
    }
}

impl Default for FaultStrategy {
    fn default() -> Self {
        Self::new(FaultConfig::default())
    }
}

impl FaultStrategy {
    /// A strategy on the system clock.
    pub fn new(config: FaultConfig) -> Self {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    pub fn with_clock(config: FaultConfig, clock: Arc<dyn Clock>) -> Self {
        FaultStrategy {
            config,
            clock,
            items: Mutex::new(HashMap::new()),
            which_item_worst: AtomicU32::new(0),
        }
    }

    pub fn config(&self) -> &FaultConfig {
        &self.config
    }

    /// Whether latency fault tolerance is on.
    pub fn enabled(&self) -> bool {
        self.config.send_latency_enable
    }

    /// Records a send to `broker` that took `current_latency_ms`. A failure
    /// (`isolation`) counts as the table's isolation latency when computing the
    /// unavailability, which only ever extends an earlier one. Does nothing
    /// when disabled.
    pub fn update_fault_item(
        &self,
        broker: &str,
        current_latency_ms: i64,
        isolation: bool,
        reachable: bool,
    ) {
        if !self.enabled() {
            return;
        }
        let t = &self.config.table;
        let duration = t.not_available_duration_for(if isolation {
            t.isolation_latency
        } else {
            current_latency_ms
        });
        let now = self.clock.now_millis();
        let mut items = self.items.lock();
        let item = items
            .entry(broker.to_string())
            .or_insert_with(|| FaultItem {
                broker_name: broker.to_string(),
                current_latency_ms: 0,
                start_timestamp_ms: 0,
                reachable: false,
                check_stamp_ms: 0,
            });
        item.current_latency_ms = current_latency_ms;
        let until = now.saturating_add(duration);
        if duration > 0 && until > item.start_timestamp_ms {
            item.start_timestamp_ms = until;
        }
        item.reachable = reachable;
    }

    /// Whether `broker` may be used now (unknown brokers are).
    pub fn is_available(&self, broker: &str) -> bool {
        let now = self.clock.now_millis();
        self.items
            .lock()
            .get(broker)
            .is_none_or(|i| now >= i.start_timestamp_ms)
    }

    /// Whether `broker` is reachable (unknown brokers are).
    pub fn is_reachable(&self, broker: &str) -> bool {
        self.items.lock().get(broker).is_none_or(|i| i.reachable)
    }

    /// Forgets `broker`.
    pub fn remove(&self, broker: &str) {
        self.items.lock().remove(broker);
    }

    /// Marks `broker` reachable or not (e.g. after a detector probe).
    pub fn set_reachable(&self, broker: &str, reachable: bool) {
        if let Some(i) = self.items.lock().get_mut(broker) {
            i.reachable = reachable;
        }
    }

    /// A copy of what is recorded about `broker`.
    pub fn item(&self, broker: &str) -> Option<FaultItem> {
        self.items.lock().get(broker).cloned()
    }

    /// The brokers a detector should probe now: every recorded broker whose
    /// check time has come; each one's next check is pushed `detect_interval_ms`
    /// ahead. The caller resolves and probes them, then calls
    /// [`set_reachable`](Self::set_reachable) on success, or
    /// [`remove`](Self::remove) for brokers no longer in any route.
    pub fn due_for_detection(&self) -> Vec<String> {
        let now = self.clock.now_millis();
        let mut due: Vec<String> = self
            .items
            .lock()
            .values_mut()
            .filter(|i| now >= i.check_stamp_ms)
            .map(|i| {
                i.check_stamp_ms = now.saturating_add(self.config.detect_interval_ms);
                i.broker_name.clone()
            })
            .collect();
        due.sort();
        due
    }

    /// The least bad recorded broker when none is good: reachable brokers
    /// ranked available first, then by lower latency, then by earlier end of
    /// unavailability; successive calls rotate over the better half.
    pub fn pick_least_bad(&self) -> Option<String> {
        let now = self.clock.now_millis();
        let mut candidates: Vec<FaultItem> = self
            .items
            .lock()
            .values()
            .filter(|i| i.reachable)
            .cloned()
            .collect();
        if candidates.is_empty() {
            return None;
        }
        candidates.sort_by(|a, b| {
            let unavailable = |i: &FaultItem| now < i.start_timestamp_ms;
            unavailable(a)
                .cmp(&unavailable(b))
                .then(a.current_latency_ms.cmp(&b.current_latency_ms))
                .then(a.start_timestamp_ms.cmp(&b.start_timestamp_ms))
                .then_with(|| a.broker_name.cmp(&b.broker_name))
        });
        let half = candidates.len() / 2;
        let pick = if half == 0 {
            0
        } else {
            self.which_item_worst.fetch_add(1, Ordering::Relaxed) as usize % half
        };
        Some(candidates.swap_remove(pick).broker_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::clock::ManualClock;

    fn enabled(table: LatencyTable) -> (FaultStrategy, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new(1_000_000));
        let cfg = FaultConfig {
            send_latency_enable: true,
            table,
            ..FaultConfig::default()
        };
        (FaultStrategy::with_clock(cfg, clock.clone()), clock)
    }

    #[test]
    fn tables() {
        let t = LatencyTable::v5();
        let cases = [
            (0, 0),
            (49, 0),
            (50, 0),
            (100, 0),
            (549, 0),
            (550, 2000),
            (1799, 2000),
            (1800, 5000),
            (3000, 6000),
            (5000, 10000),
            (10000, 10000),
            (15000, 30000),
            (i64::MAX, 30000),
            (-5, 0),
        ];
        for (lat, want) in cases {
            assert_eq!(t.not_available_duration_for(lat), want, "{lat}");
        }
        let t = LatencyTable::v4();
        let cases = [
            (549, 0),
            (550, 30000),
            (1000, 60000),
            (2000, 120000),
            (3000, 180000),
            (30000, 600000),
        ];
        for (lat, want) in cases {
            assert_eq!(t.not_available_duration_for(lat), want, "{lat}");
        }
        assert_eq!(LatencyTable::default(), LatencyTable::v5());
    }

    #[test]
    fn off_by_default_records_nothing() {
        let f = FaultStrategy::default();
        assert!(!f.enabled());
        assert_eq!(f.config().detect_interval_ms, 2000);
        assert_eq!(f.config().detect_timeout_ms, 200);
        f.update_fault_item("b", 20000, true, false);
        assert!(f.is_available("b"));
        assert!(f.is_reachable("b"));
        assert!(f.item("b").is_none());
    }

    #[test]
    fn latency_marks_unavailable_for_a_while() {
        let (f, clock) = enabled(LatencyTable::v5());
        f.update_fault_item("b", 600, false, true);
        assert!(!f.is_available("b"));
        assert!(f.is_available("other"));
        clock.advance(1999);
        assert!(!f.is_available("b"));
        clock.advance(1);
        assert!(f.is_available("b"));
        // Fast sends never make a broker unavailable.
        f.update_fault_item("c", 99, false, true);
        assert!(f.is_available("c"));
    }

    #[test]
    fn isolation_counts_as_ten_seconds_in_v5() {
        let (f, clock) = enabled(LatencyTable::v5());
        f.update_fault_item("b", 3, true, true);
        let item = f.item("b").unwrap();
        assert_eq!(item.current_latency_ms, 3);
        assert_eq!(item.start_timestamp_ms, 1_000_000 + 10000);
        clock.advance(9999);
        assert!(!f.is_available("b"));
        clock.advance(1);
        assert!(f.is_available("b"));

        let (f, _) = enabled(LatencyTable::v4());
        f.update_fault_item("b", 3, true, true);
        assert_eq!(f.item("b").unwrap().start_timestamp_ms, 1_000_000 + 600000);
    }

    #[test]
    fn unavailability_only_extends() {
        let (f, clock) = enabled(LatencyTable::v5());
        f.update_fault_item("b", 20000, false, true); // 30 s
        f.update_fault_item("b", 600, false, true); // 2 s would end earlier
        assert_eq!(f.item("b").unwrap().start_timestamp_ms, 1_000_000 + 30000);
        clock.advance(20000);
        f.update_fault_item("b", 15000, false, true); // now + 30 s is later
        assert_eq!(f.item("b").unwrap().start_timestamp_ms, 1_020_000 + 30000);
        // A fast send records the latency but keeps the unavailability.
        f.update_fault_item("b", 10, false, true);
        assert_eq!(f.item("b").unwrap().current_latency_ms, 10);
        assert!(!f.is_available("b"));
    }

    #[test]
    fn reachability_and_detection() {
        let (f, clock) = enabled(LatencyTable::v5());
        assert!(f.is_reachable("b"));
        f.update_fault_item("b", 10, true, false);
        f.update_fault_item("a", 10, false, true);
        assert!(!f.is_reachable("b"));
        assert!(f.is_reachable("a"));
        // Everything is due once, then again only after the interval.
        assert_eq!(
            f.due_for_detection(),
            vec!["a".to_string(), "b".to_string()]
        );
        assert!(f.due_for_detection().is_empty());
        clock.advance(1999);
        assert!(f.due_for_detection().is_empty());
        clock.advance(1);
        assert_eq!(f.due_for_detection().len(), 2);
        f.set_reachable("b", true);
        assert!(f.is_reachable("b"));
        // A later send result overrides.
        f.update_fault_item("b", 10, true, false);
        assert!(!f.is_reachable("b"));
        f.remove("b");
        assert!(f.is_reachable("b") && f.is_available("b"));
        assert!(f.item("b").is_none());
    }

    #[test]
    fn pick_least_bad_ranks_and_rotates() {
        let (f, clock) = enabled(LatencyTable::v5());
        assert_eq!(f.pick_least_bad(), None);
        f.update_fault_item("slow", 4000, false, true); // 6 s
        f.update_fault_item("fast", 600, false, true); // 2 s
        f.update_fault_item("gone", 1, true, false); // unreachable: never picked
                                                     // Two reachable, half = 1: always the best one.
        assert_eq!(f.pick_least_bad().as_deref(), Some("fast"));
        assert_eq!(f.pick_least_bad().as_deref(), Some("fast"));
        f.update_fault_item("mid", 2000, false, true); // 5 s
        f.update_fault_item("worst", 16000, false, true); // 30 s
                                                          // Ranked: fast(600), mid(2000), slow(4000), worst(16000); half = 2.
        let picks: Vec<String> = (0..4).filter_map(|_| f.pick_least_bad()).collect();
        assert_eq!(picks, vec!["fast", "mid", "fast", "mid"]);
        // Once "slow" is available again it ranks first despite its latency.
        clock.advance(6000);
        f.update_fault_item("fast", 600, false, true);
        f.update_fault_item("mid", 2000, false, true);
        let picks: Vec<String> = (0..2).filter_map(|_| f.pick_least_bad()).collect();
        assert!(picks.contains(&"slow".to_string()), "{picks:?}");
        // Only one reachable broker: it is the pick.
        let (g, _) = enabled(LatencyTable::v5());
        g.update_fault_item("only", 20000, false, true);
        assert_eq!(g.pick_least_bad().as_deref(), Some("only"));
    }
}
