//! Queue choice for sends.
//!
//! - Normal sends ([`select_one_queue`]): a rotating index that starts at a
//!   random value, `(index & 0x7FFFFFFF) % n`, avoiding the broker of the
//!   previous attempt and, with fault tolerance on, preferring available, then
//!   reachable brokers, as the Java client's `MQFaultStrategy` (5.x).
//! - Ordered sends ([`QueueSelector`]): by the Java hash of a key, at random,
//!   round-robin, by the message's sharding key, or by a user closure.

use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};

use parking_lot::Mutex;

use super::fault::FaultStrategy;
use crate::common::java::{java_long_hash, java_string_hash};
use crate::common::rng::{entropy_seed, SplitMix64};
use crate::protocol::MessageQueue;
use crate::{Error, ErrorKind, Result};

const POSITIVE_MASK: i32 = 0x7FFF_FFFF;

/// The rotating send index of a topic (Java's `ThreadLocalIndex`, shared by
/// the producer's threads here rather than kept per thread).
#[derive(Debug)]
pub struct SendQueueIndex {
    value: AtomicI32,
    rng: Mutex<SplitMix64>,
}

impl SendQueueIndex {
    /// Starts at `start`; `seed` drives later resets.
    pub fn new(start: i32, seed: u64) -> Self {
        SendQueueIndex {
            value: AtomicI32::new(start),
            rng: Mutex::new(SplitMix64::new(seed)),
        }
    }

    /// Starts at a random value.
    pub fn random() -> Self {
        let mut rng = SplitMix64::new(entropy_seed());
        let start = rng.next_i32();
        SendQueueIndex {
            value: AtomicI32::new(start),
            rng: Mutex::new(rng),
        }
    }

    /// Increments (wrapping) and returns the new value with the sign bit cleared.
    pub fn increment_and_get(&self) -> i32 {
        self.value.fetch_add(1, Ordering::Relaxed).wrapping_add(1) & POSITIVE_MASK
    }

    /// Jumps to a random non-negative value.
    pub fn reset(&self) {
        let v = self.rng.lock().next_i32() & POSITIVE_MASK;
        self.value.store(v, Ordering::Relaxed);
    }

    /// The next position in `0..n`; `n` must be non-zero.
    fn next_pos(&self, n: usize) -> usize {
        self.increment_and_get() as usize % n
    }
}

/// The next queue passing `filter`: up to `queues.len()` steps of the index,
/// or `None`.
pub fn select_filtered<'a>(
    queues: &'a [MessageQueue],
    index: &SendQueueIndex,
    filter: impl Fn(&MessageQueue) -> bool,
) -> Option<&'a MessageQueue> {
    if queues.is_empty() {
        return None;
    }
    (0..queues.len())
        .map(|_| &queues[index.next_pos(queues.len())])
        .find(|mq| filter(mq))
}

/// The queue for one send attempt. `last_broker` is the broker of the previous
/// attempt, avoided if possible. With fault tolerance on, `reset_index`
/// (set on retries) first moves the index to a random place, and brokers are
/// tried available first, then reachable, then any. `None` only for an empty
/// queue list.
pub fn select_one_queue<'a>(
    queues: &'a [MessageQueue],
    index: &SendQueueIndex,
    last_broker: Option<&str>,
    fault: &FaultStrategy,
    reset_index: bool,
) -> Option<&'a MessageQueue> {
    if queues.is_empty() {
        return None;
    }
    let not_last = |mq: &MessageQueue| last_broker.is_none_or(|b| mq.broker_name != b);
    if fault.enabled() {
        if reset_index {
            index.reset();
        }
        if let Some(mq) = select_filtered(queues, index, |mq| {
            fault.is_available(&mq.broker_name) && not_last(mq)
        }) {
            return Some(mq);
        }
        if let Some(mq) = select_filtered(queues, index, |mq| {
            fault.is_reachable(&mq.broker_name) && not_last(mq)
        }) {
            return Some(mq);
        }
        return Some(&queues[index.next_pos(queues.len())]);
    }
    select_filtered(queues, index, not_last).or_else(|| Some(&queues[index.next_pos(queues.len())]))
}

/// The argument of an ordered send, hashed as Java hashes the same value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectArg<'a> {
    /// A `String` argument.
    Str(&'a str),
    /// An `Integer` argument.
    Int(i32),
    /// A `Long` argument.
    Long(i64),
}

impl SelectArg<'_> {
    /// Java's `hashCode()` of the same value.
    pub fn java_hash_code(&self) -> i32 {
        match *self {
            SelectArg::Str(s) => java_string_hash(s),
            SelectArg::Int(i) => i,
            SelectArg::Long(l) => java_long_hash(l),
        }
    }
}

/// What an ordered-send selector may look at besides the queues.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SelectContext<'a> {
    /// The user's argument.
    pub arg: Option<SelectArg<'a>>,
    /// The message's sharding key (property `__SHARDINGKEY`).
    pub sharding_key: Option<&'a str>,
}

/// Chooses the queue of an ordered send: returns an index into `queues`,
/// which is never empty when called through [`select_with`].
pub trait QueueSelector: Send + Sync {
    fn select(&self, queues: &[MessageQueue], ctx: &SelectContext<'_>) -> Result<usize>;
}

/// Runs `selector` and checks its answer.
pub fn select_with<'a>(
    selector: &dyn QueueSelector,
    queues: &'a [MessageQueue],
    ctx: &SelectContext<'_>,
) -> Result<&'a MessageQueue> {
    if queues.is_empty() {
        return Err(Error::new(ErrorKind::NoRoute, "no queue to select from"));
    }
    let i = selector.select(queues, ctx)?;
    queues.get(i).ok_or_else(|| {
        Error::invalid(format!(
            "queue selector returned index {i}, out of range for {} queues",
            queues.len()
        ))
    })
}

/// Java's `SelectMessageQueueByHash` position: `|hash % n|`.
pub fn hash_position(hash: i32, n: usize) -> usize {
    let n = i64::try_from(n).unwrap_or(i64::MAX).max(1);
    (i64::from(hash) % n).unsigned_abs() as usize
}

/// By the Java hash of the argument: `|arg.hashCode() % n|`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SelectByHash;

impl QueueSelector for SelectByHash {
    fn select(&self, queues: &[MessageQueue], ctx: &SelectContext<'_>) -> Result<usize> {
        let arg = ctx
            .arg
            .ok_or_else(|| Error::invalid("select by hash needs an argument"))?;
        Ok(hash_position(arg.java_hash_code(), queues.len()))
    }
}

/// By the Java string hash of the message's sharding key, as [`SelectByHash`].
#[derive(Debug, Default, Clone, Copy)]
pub struct SelectByShardingKey;

impl QueueSelector for SelectByShardingKey {
    fn select(&self, queues: &[MessageQueue], ctx: &SelectContext<'_>) -> Result<usize> {
        let key = ctx.sharding_key.ok_or_else(|| {
            Error::invalid("select by sharding key: the message has no sharding key")
        })?;
        Ok(hash_position(java_string_hash(key), queues.len()))
    }
}

/// Uniformly at random.
#[derive(Debug)]
pub struct SelectByRandom {
    rng: Mutex<SplitMix64>,
}

impl SelectByRandom {
    pub fn new(seed: u64) -> Self {
        SelectByRandom {
            rng: Mutex::new(SplitMix64::new(seed)),
        }
    }
}

impl Default for SelectByRandom {
    fn default() -> Self {
        Self::new(entropy_seed())
    }
}

impl QueueSelector for SelectByRandom {
    fn select(&self, queues: &[MessageQueue], _ctx: &SelectContext<'_>) -> Result<usize> {
        Ok(self.rng.lock().below(queues.len()))
    }
}

/// Each call takes the next queue, from 0.
#[derive(Debug, Default)]
pub struct SelectByRoundRobin {
    next: AtomicU32,
}

impl QueueSelector for SelectByRoundRobin {
    fn select(&self, queues: &[MessageQueue], _ctx: &SelectContext<'_>) -> Result<usize> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) & POSITIVE_MASK as u32;
        Ok(i as usize % queues.len().max(1))
    }
}

/// A user closure.
pub struct SelectByFn<F>(pub F);

impl<F> QueueSelector for SelectByFn<F>
where
    F: Fn(&[MessageQueue], &SelectContext<'_>) -> Result<usize> + Send + Sync,
{
    fn select(&self, queues: &[MessageQueue], ctx: &SelectContext<'_>) -> Result<usize> {
        (self.0)(queues, ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::clock::ManualClock;
    use crate::producer::fault::FaultConfig;
    use std::sync::Arc;

    fn queues(brokers: &[&str], per: i32) -> Vec<MessageQueue> {
        brokers
            .iter()
            .flat_map(|b| (0..per).map(move |i| MessageQueue::new("T", *b, i)))
            .collect()
    }

    fn label(mq: &MessageQueue) -> String {
        format!("{}:{}", mq.broker_name, mq.queue_id)
    }

    #[test]
    fn index_masks_and_wraps() {
        let i = SendQueueIndex::new(5, 1);
        assert_eq!(i.increment_and_get(), 6);
        assert_eq!(i.increment_and_get(), 7);
        let i = SendQueueIndex::new(i32::MAX - 1, 1);
        assert_eq!(i.increment_and_get(), i32::MAX);
        // i32::MIN & 0x7FFFFFFF = 0
        assert_eq!(i.increment_and_get(), 0);
        assert_eq!(i.increment_and_get(), 1);
        let i = SendQueueIndex::new(-10, 1);
        assert_eq!(i.increment_and_get(), -9 & 0x7FFF_FFFF);
        // Resets are non-negative and deterministic per seed.
        let a = SendQueueIndex::new(0, 42);
        let b = SendQueueIndex::new(0, 42);
        a.reset();
        b.reset();
        let (x, y) = (a.increment_and_get(), b.increment_and_get());
        assert_eq!(x, y);
        assert!(x >= 0);
        let r = SendQueueIndex::random();
        assert!(r.increment_and_get() >= 0);
    }

    #[test]
    fn round_robin_over_queues() {
        let q = queues(&["a", "b"], 2);
        let idx = SendQueueIndex::new(-1, 0);
        let f = FaultStrategy::default();
        let got: Vec<String> = (0..5)
            .map(|_| label(select_one_queue(&q, &idx, None, &f, false).unwrap()))
            .collect();
        assert_eq!(got, vec!["a:0", "a:1", "b:0", "b:1", "a:0"]);
        assert!(select_one_queue(&[], &idx, None, &f, false).is_none());
    }

    #[test]
    fn retry_avoids_last_broker() {
        let q = queues(&["a", "b"], 2);
        let f = FaultStrategy::default();
        // Index lands on a:1 next; the last broker was "a", so b:0 follows.
        let idx = SendQueueIndex::new(0, 0);
        assert_eq!(
            label(select_one_queue(&q, &idx, Some("a"), &f, true).unwrap()),
            "b:0"
        );
        // Only one broker: it is used anyway.
        let single = queues(&["a"], 3);
        let idx = SendQueueIndex::new(-1, 0);
        let mq = select_one_queue(&single, &idx, Some("a"), &f, false).unwrap();
        assert_eq!(mq.broker_name, "a");
    }

    fn enabled_fault() -> (FaultStrategy, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new(0));
        let cfg = FaultConfig {
            send_latency_enable: true,
            ..FaultConfig::default()
        };
        (FaultStrategy::with_clock(cfg, clock.clone()), clock)
    }

    #[test]
    fn fault_tolerance_prefers_available_then_reachable() {
        let q = queues(&["a", "b", "c"], 1);
        let (f, clock) = enabled_fault();
        f.update_fault_item("a", 20000, false, true); // unavailable 30 s, reachable
        f.update_fault_item("b", 10, true, false); // unavailable 10 s, unreachable
        let idx = SendQueueIndex::new(-1, 0);
        for _ in 0..6 {
            assert_eq!(
                select_one_queue(&q, &idx, None, &f, false)
                    .unwrap()
                    .broker_name,
                "c"
            );
        }
        // "c" was the last broker: no available one is left, so a reachable one.
        for _ in 0..6 {
            assert_eq!(
                select_one_queue(&q, &idx, Some("c"), &f, false)
                    .unwrap()
                    .broker_name,
                "a"
            );
        }
        // Nothing available or reachable apart from the last: any queue.
        f.update_fault_item("a", 10, true, false);
        let mq = select_one_queue(&q, &idx, Some("c"), &f, false);
        assert!(mq.is_some());
        // After 10 s "b" is available again, though still unreachable.
        clock.advance(10000);
        assert_eq!(
            select_one_queue(&q, &idx, Some("c"), &f, true)
                .unwrap()
                .broker_name,
            "b"
        );
    }

    #[test]
    fn fault_tolerance_off_ignores_records() {
        let q = queues(&["a", "b"], 1);
        let (on, _) = enabled_fault();
        on.update_fault_item("a", 20000, false, false);
        let off = FaultStrategy::default();
        off.update_fault_item("a", 20000, false, false);
        let idx = SendQueueIndex::new(-1, 0);
        assert_eq!(
            select_one_queue(&q, &idx, None, &off, false)
                .unwrap()
                .broker_name,
            "a"
        );
        let idx = SendQueueIndex::new(-1, 0);
        assert_eq!(
            select_one_queue(&q, &idx, None, &on, false)
                .unwrap()
                .broker_name,
            "b"
        );
    }

    #[test]
    fn hash_selector_matches_java() {
        let q = queues(&["a"], 8);
        let ctx = |arg| SelectContext {
            arg: Some(arg),
            sharding_key: None,
        };
        let pick = |arg| select_with(&SelectByHash, &q, &ctx(arg)).unwrap().queue_id;
        // "TagA".hashCode() = 2598919, % 8 = 7.
        assert_eq!(pick(SelectArg::Str("TagA")), 7);
        // Negative hash: |(-17) % 8| = 1.
        assert_eq!(pick(SelectArg::Int(-17)), 1);
        assert_eq!(pick(SelectArg::Int(12)), 4);
        // Integer.MIN_VALUE % 8 = 0.
        assert_eq!(pick(SelectArg::Str("polygenelubricants")), 0);
        // Long hash: (1 << 32) hashes to 1.
        assert_eq!(pick(SelectArg::Long(1 << 32)), 1);
        assert_eq!(hash_position(i32::MIN, 3), 2);
        assert_eq!(hash_position(-7, 3), 1);
        assert!(select_with(&SelectByHash, &q, &SelectContext::default()).is_err());
    }

    #[test]
    fn sharding_key_selector() {
        let q = queues(&["a"], 5);
        let ctx = SelectContext {
            arg: Some(SelectArg::Str("ignored")),
            sharding_key: Some("hello"),
        };
        // "hello".hashCode() = 99162322, % 5 = 2.
        assert_eq!(
            select_with(&SelectByShardingKey, &q, &ctx)
                .unwrap()
                .queue_id,
            2
        );
        let e = select_with(&SelectByShardingKey, &q, &SelectContext::default()).unwrap_err();
        assert!(e.message().contains("sharding key"));
    }

    #[test]
    fn random_selector_is_seeded() {
        let q = queues(&["a"], 7);
        let a = SelectByRandom::new(9);
        let b = SelectByRandom::new(9);
        let ctx = SelectContext::default();
        let xs: Vec<i32> = (0..20)
            .map(|_| select_with(&a, &q, &ctx).unwrap().queue_id)
            .collect();
        let ys: Vec<i32> = (0..20)
            .map(|_| select_with(&b, &q, &ctx).unwrap().queue_id)
            .collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().any(|x| *x != xs[0]));
        let _ = select_with(&SelectByRandom::default(), &q, &ctx).unwrap();
    }

    #[test]
    fn round_robin_selector() {
        let q = queues(&["a"], 3);
        let s = SelectByRoundRobin::default();
        let ctx = SelectContext::default();
        let xs: Vec<i32> = (0..7)
            .map(|_| select_with(&s, &q, &ctx).unwrap().queue_id)
            .collect();
        assert_eq!(xs, vec![0, 1, 2, 0, 1, 2, 0]);
    }

    #[test]
    fn closure_selector_is_checked() {
        let q = queues(&["a"], 3);
        let last = SelectByFn(|qs: &[MessageQueue], _: &SelectContext<'_>| Ok(qs.len() - 1));
        let ctx = SelectContext::default();
        assert_eq!(select_with(&last, &q, &ctx).unwrap().queue_id, 2);
        let bad = SelectByFn(|_: &[MessageQueue], _: &SelectContext<'_>| Ok(3));
        assert!(select_with(&bad, &q, &ctx)
            .unwrap_err()
            .message()
            .contains("out of range"));
        let failing =
            SelectByFn(|_: &[MessageQueue], _: &SelectContext<'_>| Err(Error::invalid("no")));
        assert!(select_with(&failing, &q, &ctx).is_err());
        let e = select_with(&last, &[], &ctx).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NoRoute);
    }

    proptest::proptest! {
        #[test]
        fn normal_selection_stays_in_list_and_avoids_last(
            brokers in 1usize..5,
            per in 1i32..5,
            start in proptest::prelude::any::<i32>(),
            last in 0usize..6,
            unavailable in proptest::collection::vec(proptest::prelude::any::<bool>(), 5),
            enabled in proptest::prelude::any::<bool>(),
        ) {
            let names = ["a", "b", "c", "d", "e"];
            let q = queues(&names[..brokers], per);
            let clock = Arc::new(ManualClock::new(0));
            let f = FaultStrategy::with_clock(
                FaultConfig { send_latency_enable: enabled, ..FaultConfig::default() },
                clock,
            );
            for (name, down) in names.iter().zip(&unavailable) {
                if *down {
                    f.update_fault_item(name, 20000, false, true);
                }
            }
            let idx = SendQueueIndex::new(start, 3);
            let last_broker = names.get(last).copied();
            let mq = select_one_queue(&q, &idx, last_broker, &f, true).unwrap();
            proptest::prop_assert!(q.contains(mq));
            if brokers > 1 && !enabled {
                proptest::prop_assert_ne!(Some(mq.broker_name.as_str()), last_broker);
            }
            if enabled {
                let good = q.iter().any(|m| f.is_available(&m.broker_name) && Some(m.broker_name.as_str()) != last_broker);
                if good {
                    proptest::prop_assert!(f.is_available(&mq.broker_name));
                    proptest::prop_assert_ne!(Some(mq.broker_name.as_str()), last_broker);
                }
            }
        }

        #[test]
        fn hash_selection_in_range(n in 1usize..64, key in "\\PC{0,20}", i in proptest::prelude::any::<i64>()) {
            let q = queues(&["a"], n as i32);
            for arg in [SelectArg::Str(&key), SelectArg::Long(i), SelectArg::Int(i as i32)] {
                let ctx = SelectContext { arg: Some(arg), sharding_key: Some(&key) };
                let p = select_with(&SelectByHash, &q, &ctx).unwrap();
                let expect = (i64::from(arg.java_hash_code()) % n as i64).unsigned_abs() as i32;
                proptest::prop_assert_eq!(p.queue_id, expect);
                proptest::prop_assert!(select_with(&SelectByShardingKey, &q, &ctx).is_ok());
            }
        }
    }
}
