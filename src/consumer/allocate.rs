//! Queue allocation strategies for clustering consumers. Each gives the same
//! result as the Java client's strategy of the same name for the same inputs,
//! so Java clients and this one can share a consumer group.
//!
//! Inputs are expected sorted (queues by `MessageQueue` order, consumer ids by
//! Java string order), as every client sorts them before allocating; unsorted
//! inputs are sorted here first, and duplicate queues dropped.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use md5::{Digest, Md5};

use crate::common::java::{java_cmp, java_split};
use crate::protocol::MessageQueue;
use crate::{Error, Result};

/// Chooses which queues of a topic the consumer `current_cid` of `group` owns.
pub trait AllocateStrategy: Send + Sync {
    /// The Java name of the strategy, e.g. `"AVG"`.
    fn name(&self) -> &str;
    /// The queues of `mq_all` owned by `current_cid` among `cid_all`. An empty
    /// `current_cid`, `mq_all` or `cid_all` is an error; a `current_cid` not in
    /// `cid_all` owns nothing.
    fn allocate(
        &self,
        group: &str,
        current_cid: &str,
        mq_all: &[MessageQueue],
        cid_all: &[String],
    ) -> Result<Vec<MessageQueue>>;
}

impl std::fmt::Debug for dyn AllocateStrategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AllocateStrategy({})", self.name())
    }
}

type Prepared<'a> = (Cow<'a, [MessageQueue]>, Cow<'a, [String]>, usize);

/// The common argument checks; `Ok(None)` when `current_cid` is not a member.
/// Otherwise the sorted inputs and the index of `current_cid`.
fn prepare<'a>(
    group: &str,
    current_cid: &str,
    mq_all: &'a [MessageQueue],
    cid_all: &'a [String],
) -> Result<Option<Prepared<'a>>> {
    if current_cid.is_empty() {
        return Err(Error::invalid(format!(
            "allocate for group [{group}]: current consumer id is empty"
        )));
    }
    if mq_all.is_empty() {
        return Err(Error::invalid(format!(
            "allocate for group [{group}]: queue list is empty"
        )));
    }
    if cid_all.is_empty() {
        return Err(Error::invalid(format!(
            "allocate for group [{group}]: consumer id list is empty"
        )));
    }
    let mqs: Cow<'a, [MessageQueue]> = if mq_all.windows(2).all(|w| w[0] < w[1]) {
        Cow::Borrowed(mq_all)
    } else {
        let mut v = mq_all.to_vec();
        v.sort();
        v.dedup();
        Cow::Owned(v)
    };
    let cids: Cow<'a, [String]> = if cid_all.windows(2).all(|w| java_cmp(&w[0], &w[1]).is_le()) {
        Cow::Borrowed(cid_all)
    } else {
        let mut v = cid_all.to_vec();
        v.sort_by(|a, b| java_cmp(a, b));
        Cow::Owned(v)
    };
    Ok(cids
        .iter()
        .position(|c| c == current_cid)
        .map(|index| (mqs, cids, index)))
}

/// `"AVG"`: consecutive blocks; the first `n % c` consumers get one extra queue.
#[derive(Debug, Default, Clone, Copy)]
pub struct AllocateAveragely;

impl AllocateStrategy for AllocateAveragely {
    fn name(&self) -> &str {
        "AVG"
    }

    fn allocate(
        &self,
        group: &str,
        current_cid: &str,
        mq_all: &[MessageQueue],
        cid_all: &[String],
    ) -> Result<Vec<MessageQueue>> {
        let Some((mqs, cids, index)) = prepare(group, current_cid, mq_all, cid_all)? else {
            return Ok(Vec::new());
        };
        let (n, c) = (mqs.len(), cids.len());
        let rem = n % c;
        let extra = rem > 0 && index < rem;
        let average = if n <= c {
            1
        } else if extra {
            n / c + 1
        } else {
            n / c
        };
        let start = if extra {
            index * average
        } else {
            index * average + rem
        };
        let count = average.min(n.saturating_sub(start));
        Ok(mqs[start.min(n)..start.min(n) + count].to_vec())
    }
}

/// `"AVG_BY_CIRCLE"`: queue `i` goes to consumer `i % c`.
#[derive(Debug, Default, Clone, Copy)]
pub struct AllocateAveragelyByCircle;

impl AllocateStrategy for AllocateAveragelyByCircle {
    fn name(&self) -> &str {
        "AVG_BY_CIRCLE"
    }

    fn allocate(
        &self,
        group: &str,
        current_cid: &str,
        mq_all: &[MessageQueue],
        cid_all: &[String],
    ) -> Result<Vec<MessageQueue>> {
        let Some((mqs, cids, index)) = prepare(group, current_cid, mq_all, cid_all)? else {
            return Ok(Vec::new());
        };
        Ok(mqs
            .iter()
            .skip(index)
            .step_by(cids.len())
            .cloned()
            .collect())
    }
}

/// `"CONFIG"`: always the configured queues, whatever the inputs (no checks,
/// as in Java).
#[derive(Debug, Default, Clone)]
pub struct AllocateByConfig {
    queues: Vec<MessageQueue>,
}

impl AllocateByConfig {
    pub fn new(queues: Vec<MessageQueue>) -> Self {
        AllocateByConfig { queues }
    }
    pub fn queues(&self) -> &[MessageQueue] {
        &self.queues
    }
}

impl AllocateStrategy for AllocateByConfig {
    fn name(&self) -> &str {
        "CONFIG"
    }

    fn allocate(
        &self,
        _group: &str,
        _current_cid: &str,
        _mq_all: &[MessageQueue],
        _cid_all: &[String],
    ) -> Result<Vec<MessageQueue>> {
        Ok(self.queues.clone())
    }
}

/// `"MACHINE_ROOM"`: only queues of brokers named `{room}@{name}` whose room is
/// one of the consumer rooms are allocated: `len / c` consecutive queues each,
/// and the remainder one by one to the first consumers.
#[derive(Debug, Default, Clone)]
pub struct AllocateByMachineRoom {
    consumer_idcs: HashSet<String>,
}

impl AllocateByMachineRoom {
    pub fn new<I, S>(consumer_idcs: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        AllocateByMachineRoom {
            consumer_idcs: consumer_idcs.into_iter().map(Into::into).collect(),
        }
    }

    /// Whether the queue's broker name is `{room}@{name}` with a consumer room.
    /// The name is split as Java's `String.split("@")` does.
    pub fn in_consumer_room(&self, mq: &MessageQueue) -> bool {
        let parts = java_split(&mq.broker_name, "@");
        parts.len() == 2 && self.consumer_idcs.contains(parts[0])
    }
}

impl AllocateStrategy for AllocateByMachineRoom {
    fn name(&self) -> &str {
        "MACHINE_ROOM"
    }

    fn allocate(
        &self,
        group: &str,
        current_cid: &str,
        mq_all: &[MessageQueue],
        cid_all: &[String],
    ) -> Result<Vec<MessageQueue>> {
        let Some((mqs, cids, index)) = prepare(group, current_cid, mq_all, cid_all)? else {
            return Ok(Vec::new());
        };
        let eligible: Vec<&MessageQueue> =
            mqs.iter().filter(|mq| self.in_consumer_room(mq)).collect();
        let c = cids.len();
        let each = eligible.len() / c;
        let rem = eligible.len() % c;
        let mut result: Vec<MessageQueue> = eligible[each * index..each * index + each]
            .iter()
            .map(|mq| (*mq).clone())
            .collect();
        if rem > index {
            result.push(eligible[index + each * c].clone());
        }
        Ok(result)
    }
}

/// Tells which machine room a broker's queue or a consumer is deployed in.
pub trait MachineRoomResolver: Send + Sync {
    /// The room of the queue's broker; `None` or empty is an error when allocating.
    fn broker_deploy_in(&self, mq: &MessageQueue) -> Option<String>;
    /// The room of a consumer; `None` or empty is an error when allocating.
    fn consumer_deploy_in(&self, cid: &str) -> Option<String>;
}

/// A [`MachineRoomResolver`] made of two closures.
pub struct FnMachineRoomResolver<B, C> {
    broker: B,
    consumer: C,
}

impl<B, C> FnMachineRoomResolver<B, C>
where
    B: Fn(&MessageQueue) -> Option<String> + Send + Sync,
    C: Fn(&str) -> Option<String> + Send + Sync,
{
    pub fn new(broker: B, consumer: C) -> Self {
        FnMachineRoomResolver { broker, consumer }
    }
}

impl<B, C> MachineRoomResolver for FnMachineRoomResolver<B, C>
where
    B: Fn(&MessageQueue) -> Option<String> + Send + Sync,
    C: Fn(&str) -> Option<String> + Send + Sync,
{
    fn broker_deploy_in(&self, mq: &MessageQueue) -> Option<String> {
        (self.broker)(mq)
    }
    fn consumer_deploy_in(&self, cid: &str) -> Option<String> {
        (self.consumer)(cid)
    }
}

/// `"MACHINE_ROOM_NEARBY"`: queues of a room with live consumers go only to
/// that room's consumers; queues of rooms without consumers are shared by all.
/// Each share is computed by the wrapped strategy. Its name is
/// `MACHINE_ROOM_NEARBY-{inner name}`, as in Java.
pub struct AllocateMachineRoomNearby {
    inner: Arc<dyn AllocateStrategy>,
    resolver: Arc<dyn MachineRoomResolver>,
    name: String,
}

impl AllocateMachineRoomNearby {
    pub fn new(inner: Arc<dyn AllocateStrategy>, resolver: Arc<dyn MachineRoomResolver>) -> Self {
        let name = format!("MACHINE_ROOM_NEARBY-{}", inner.name());
        AllocateMachineRoomNearby {
            inner,
            resolver,
            name,
        }
    }
}

/// A room name ordered as Java's `TreeMap<String, _>` orders keys.
#[derive(PartialEq, Eq)]
struct Room(String);

impl PartialOrd for Room {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Room {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        java_cmp(&self.0, &other.0)
    }
}

impl AllocateStrategy for AllocateMachineRoomNearby {
    fn name(&self) -> &str {
        &self.name
    }

    fn allocate(
        &self,
        group: &str,
        current_cid: &str,
        mq_all: &[MessageQueue],
        cid_all: &[String],
    ) -> Result<Vec<MessageQueue>> {
        let Some((mqs, cids, _)) = prepare(group, current_cid, mq_all, cid_all)? else {
            return Ok(Vec::new());
        };
        let mut room_queues: BTreeMap<Room, Vec<MessageQueue>> = BTreeMap::new();
        for mq in mqs.iter() {
            match self.resolver.broker_deploy_in(mq) {
                Some(room) if !room.is_empty() => {
                    room_queues.entry(Room(room)).or_default().push(mq.clone())
                }
                _ => return Err(Error::invalid(format!("machine room is unknown for {mq}"))),
            }
        }
        let mut room_consumers: BTreeMap<Room, Vec<String>> = BTreeMap::new();
        for cid in cids.iter() {
            match self.resolver.consumer_deploy_in(cid) {
                Some(room) if !room.is_empty() => room_consumers
                    .entry(Room(room))
                    .or_default()
                    .push(cid.clone()),
                _ => {
                    return Err(Error::invalid(format!(
                        "machine room is unknown for consumer id [{cid}]"
                    )))
                }
            }
        }

        let mut result = Vec::new();
        let current_room = Room(
            self.resolver
                .consumer_deploy_in(current_cid)
                .unwrap_or_default(),
        );
        if let Some(local) = room_queues.remove(&current_room) {
            let local_consumers = room_consumers
                .get(&current_room)
                .map(Vec::as_slice)
                .unwrap_or_default();
            if !local.is_empty() {
                result.extend(
                    self.inner
                        .allocate(group, current_cid, &local, local_consumers)?,
                );
            }
        }
        for (room, queues) in &room_queues {
            if !room_consumers.contains_key(room) {
                result.extend(self.inner.allocate(group, current_cid, queues, &cids)?);
            }
        }
        Ok(result)
    }
}

/// A hash function for the consistent-hash ring.
pub type HashFunction = Arc<dyn Fn(&str) -> i64 + Send + Sync>;

/// The ring's default hash: the first 4 bytes of the MD5 of the key's UTF-8
/// bytes, big-endian, as an unsigned 32-bit value.
pub fn md5_ring_hash(key: &str) -> i64 {
    let d = Md5::digest(key.as_bytes());
    i64::from(u32::from_be_bytes([d[0], d[1], d[2], d[3]]))
}

/// `"CONSISTENT_HASH"`: each consumer id has `virtual_nodes` points on a ring
/// at the hash of `{cid}-{i}`; a queue goes to the first point at or after
/// the hash of its Java `toString()`, wrapping around. Later points replace
/// earlier ones on a hash collision, as in Java's `TreeMap`.
#[derive(Clone)]
pub struct AllocateConsistentHash {
    virtual_nodes: usize,
    hash: HashFunction,
}

impl Default for AllocateConsistentHash {
    fn default() -> Self {
        Self::new(Self::DEFAULT_VIRTUAL_NODES)
    }
}

impl std::fmt::Debug for AllocateConsistentHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AllocateConsistentHash")
            .field("virtual_nodes", &self.virtual_nodes)
            .finish_non_exhaustive()
    }
}

impl AllocateConsistentHash {
    /// Java's default number of virtual nodes per consumer.
    pub const DEFAULT_VIRTUAL_NODES: usize = 10;

    pub fn new(virtual_nodes: usize) -> Self {
        Self::with_hash_function(virtual_nodes, Arc::new(md5_ring_hash))
    }

    pub fn with_hash_function(virtual_nodes: usize, hash: HashFunction) -> Self {
        AllocateConsistentHash {
            virtual_nodes,
            hash,
        }
    }

    fn ring<'a>(&self, cids: &'a [String]) -> BTreeMap<i64, &'a str> {
        let mut ring: BTreeMap<i64, &'a str> = BTreeMap::new();
        let mut added: HashSet<&str> = HashSet::new();
        for cid in cids {
            // A repeated id continues its replica numbering after the points
            // it still holds on the ring.
            let existing = if added.insert(cid.as_str()) {
                0
            } else {
                ring.values().filter(|v| **v == cid.as_str()).count()
            };
            for i in 0..self.virtual_nodes {
                ring.insert(
                    (self.hash)(&format!("{cid}-{}", i + existing)),
                    cid.as_str(),
                );
            }
        }
        ring
    }
}

/// The Java `MessageQueue.toString()` form used as a ring key.
fn queue_key(mq: &MessageQueue) -> String {
    format!(
        "MessageQueue [topic={}, brokerName={}, queueId={}]",
        mq.topic, mq.broker_name, mq.queue_id
    )
}

impl AllocateStrategy for AllocateConsistentHash {
    fn name(&self) -> &str {
        "CONSISTENT_HASH"
    }

    fn allocate(
        &self,
        group: &str,
        current_cid: &str,
        mq_all: &[MessageQueue],
        cid_all: &[String],
    ) -> Result<Vec<MessageQueue>> {
        let Some((mqs, cids, _)) = prepare(group, current_cid, mq_all, cid_all)? else {
            return Ok(Vec::new());
        };
        let ring = self.ring(&cids);
        let owner = |mq: &MessageQueue| {
            let h = (self.hash)(&queue_key(mq));
            ring.range(h..)
                .next()
                .or_else(|| ring.iter().next())
                .map(|(_, cid)| *cid)
        };
        Ok(mqs
            .iter()
            .filter(|mq| owner(mq) == Some(current_cid))
            .cloned()
            .collect())
    }
}

/// The strategies that need no configuration, by Java name: `"AVG"`,
/// `"AVG_BY_CIRCLE"` and `"CONSISTENT_HASH"` (10 virtual nodes).
pub fn strategy_by_name(name: &str) -> Result<Arc<dyn AllocateStrategy>> {
    match name {
        "AVG" => Ok(Arc::new(AllocateAveragely)),
        "AVG_BY_CIRCLE" => Ok(Arc::new(AllocateAveragelyByCircle)),
        "CONSISTENT_HASH" => Ok(Arc::new(AllocateConsistentHash::default())),
        "CONFIG" | "MACHINE_ROOM" | "MACHINE_ROOM_NEARBY" => Err(Error::invalid(format!(
            "allocate strategy [{name}] needs configuration and has no default"
        ))),
        other => Err(Error::invalid(format!(
            "unknown allocate strategy [{other}], expected AVG, AVG_BY_CIRCLE or CONSISTENT_HASH"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use proptest::prelude::*;

    fn mqs(broker_queues: &[(&str, i32)]) -> Vec<MessageQueue> {
        let mut v: Vec<MessageQueue> = broker_queues
            .iter()
            .flat_map(|(b, n)| (0..*n).map(move |i| MessageQueue::new("TopicTest", *b, i)))
            .collect();
        v.sort();
        v
    }

    fn cids(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn ids(v: &[MessageQueue]) -> Vec<(String, i32)> {
        v.iter()
            .map(|m| (m.broker_name.clone(), m.queue_id))
            .collect()
    }

    fn q(b: &str, i: i32) -> (String, i32) {
        (b.to_string(), i)
    }

    /// Every consumer's share, in consumer order.
    fn shares(
        s: &dyn AllocateStrategy,
        mq: &[MessageQueue],
        c: &[String],
    ) -> Vec<Vec<MessageQueue>> {
        c.iter()
            .map(|cid| s.allocate("G", cid, mq, c).unwrap())
            .collect()
    }

    fn counts(s: &dyn AllocateStrategy, mq: &[MessageQueue], c: &[String]) -> Vec<usize> {
        shares(s, mq, c).iter().map(Vec::len).collect()
    }

    #[test]
    fn averagely_formula() {
        let eight = mqs(&[("b", 8)]);
        let three = cids(&["c0", "c1", "c2"]);
        let s = shares(&AllocateAveragely, &eight, &three);
        let qids: Vec<Vec<i32>> = s
            .iter()
            .map(|v| v.iter().map(|m| m.queue_id).collect())
            .collect();
        assert_eq!(qids, vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7]]);

        let five = cids(&["c0", "c1", "c2", "c3", "c4"]);
        let s = shares(&AllocateAveragely, &mqs(&[("b", 3)]), &five);
        let qids: Vec<Vec<i32>> = s
            .iter()
            .map(|v| v.iter().map(|m| m.queue_id).collect())
            .collect();
        assert_eq!(qids, vec![vec![0], vec![1], vec![2], vec![], vec![]]);

        let four = cids(&["c0", "c1", "c2", "c3"]);
        assert_eq!(
            counts(&AllocateAveragely, &mqs(&[("b", 10)]), &four),
            vec![3, 3, 2, 2]
        );
        assert_eq!(
            counts(&AllocateAveragely, &mqs(&[("b", 8)]), &four),
            vec![2, 2, 2, 2]
        );
        assert_eq!(
            counts(&AllocateAveragely, &mqs(&[("b", 1)]), &four),
            vec![1, 0, 0, 0]
        );
    }

    #[test]
    fn by_circle() {
        let s = shares(
            &AllocateAveragelyByCircle,
            &mqs(&[("b", 8)]),
            &cids(&["c0", "c1", "c2"]),
        );
        let qids: Vec<Vec<i32>> = s
            .iter()
            .map(|v| v.iter().map(|m| m.queue_id).collect())
            .collect();
        assert_eq!(qids, vec![vec![0, 3, 6], vec![1, 4, 7], vec![2, 5]]);
    }

    #[test]
    fn argument_checks() {
        let all: Vec<Arc<dyn AllocateStrategy>> = vec![
            Arc::new(AllocateAveragely),
            Arc::new(AllocateAveragelyByCircle),
            Arc::new(AllocateByMachineRoom::new(["r1"])),
            Arc::new(AllocateConsistentHash::default()),
            Arc::new(AllocateMachineRoomNearby::new(
                Arc::new(AllocateAveragely),
                Arc::new(FnMachineRoomResolver::new(
                    |_: &MessageQueue| Some("r".to_string()),
                    |_: &str| Some("r".to_string()),
                )),
            )),
        ];
        let m = mqs(&[("b", 2)]);
        let c = cids(&["c0"]);
        for s in &all {
            for e in [
                s.allocate("G", "", &m, &c),
                s.allocate("G", "c0", &[], &c),
                s.allocate("G", "c0", &m, &[]),
            ] {
                let e = e.unwrap_err();
                assert_eq!(e.kind(), ErrorKind::InvalidArgument);
                assert!(e.message().contains("[G]"), "{}", e.message());
            }
            // Not a member: nothing, and no error.
            assert!(
                s.allocate("G", "other", &m, &c).unwrap().is_empty(),
                "{}",
                s.name()
            );
        }
    }

    #[test]
    fn unsorted_input_is_sorted_first() {
        let mut m = mqs(&[("a", 3), ("b", 3)]);
        let c = cids(&["c0", "c1"]);
        let sorted = shares(&AllocateAveragely, &m, &c);
        m.reverse();
        m.push(m[0].clone());
        let c_rev = cids(&["c1", "c0"]);
        let again: Vec<Vec<MessageQueue>> = c
            .iter()
            .map(|cid| AllocateAveragely.allocate("G", cid, &m, &c_rev).unwrap())
            .collect();
        assert_eq!(sorted, again);
    }

    #[test]
    fn by_config_returns_the_list() {
        let fixed = mqs(&[("a", 2)]);
        let s = AllocateByConfig::new(fixed.clone());
        assert_eq!(s.name(), "CONFIG");
        assert_eq!(s.allocate("G", "", &[], &[]).unwrap(), fixed);
        assert_eq!(s.queues(), &fixed[..]);
    }

    #[test]
    fn by_machine_room() {
        // Brokers: only `room@name` with a consumer room count. "r1@w@" splits
        // as Java does into two parts and counts; "@q" has the empty room.
        let m = mqs(&[
            ("r1@a", 3),
            ("r2@b", 2),
            ("r3@c", 2),
            ("plain", 2),
            ("r1@w@", 1),
            ("r1@x@y", 1),
        ]);
        let s = AllocateByMachineRoom::new(["r1", "r2"]);
        assert_eq!(s.name(), "MACHINE_ROOM");
        let c = cids(&["c0", "c1"]);
        let got: Vec<Vec<(String, i32)>> = shares(&s, &m, &c).iter().map(|v| ids(v)).collect();
        // Eligible in order: r1@a 0..3, r1@w@ 0, r2@b 0..2 = 6 queues, 3 each.
        assert_eq!(
            got,
            vec![
                vec![q("r1@a", 0), q("r1@a", 1), q("r1@a", 2)],
                vec![q("r1@w@", 0), q("r2@b", 0), q("r2@b", 1)],
            ]
        );
        // 5 eligible over 3 consumers: 1 each, then the remainder to c0 and c1.
        let m = mqs(&[("r1@a", 5)]);
        let c = cids(&["c0", "c1", "c2"]);
        let got: Vec<Vec<i32>> = shares(&s, &m, &c)
            .iter()
            .map(|v| v.iter().map(|m| m.queue_id).collect())
            .collect();
        assert_eq!(got, vec![vec![0, 3], vec![1, 4], vec![2]]);
    }

    fn prefix_resolver() -> Arc<dyn MachineRoomResolver> {
        Arc::new(FnMachineRoomResolver::new(
            |mq: &MessageQueue| mq.broker_name.split('-').next().map(str::to_string),
            |cid: &str| cid.split('-').next().map(str::to_string),
        ))
    }

    #[test]
    fn machine_room_nearby() {
        let s = AllocateMachineRoomNearby::new(Arc::new(AllocateAveragely), prefix_resolver());
        assert_eq!(s.name(), "MACHINE_ROOM_NEARBY-AVG");
        // Rooms: hz has 4 queues and two consumers; sh has 2 queues and one
        // consumer; bj has 3 queues and no consumer, so all three share them.
        let m = mqs(&[("hz-b", 4), ("sh-b", 2), ("bj-b", 3)]);
        let c = cids(&["hz-c1", "hz-c2", "sh-c1"]);
        let got: Vec<Vec<(String, i32)>> = shares(&s, &m, &c).iter().map(|v| ids(v)).collect();
        assert_eq!(
            got,
            vec![
                vec![q("hz-b", 0), q("hz-b", 1), q("bj-b", 0)],
                vec![q("hz-b", 2), q("hz-b", 3), q("bj-b", 1)],
                vec![q("sh-b", 0), q("sh-b", 1), q("bj-b", 2)],
            ]
        );
        let bad = AllocateMachineRoomNearby::new(
            Arc::new(AllocateAveragely),
            Arc::new(FnMachineRoomResolver::new(
                |_: &MessageQueue| None,
                |_: &str| Some("r".to_string()),
            )),
        );
        assert!(bad.allocate("G", "hz-c1", &m, &c).is_err());
    }

    #[test]
    fn md5_ring_hash_vectors() {
        // First four MD5 bytes, big-endian, unsigned; checked against the Java ring.
        assert_eq!(md5_ring_hash("c1-0"), 3_886_541_579);
        assert_eq!(
            md5_ring_hash("MessageQueue [topic=T, brokerName=b, queueId=0]"),
            562_732_085
        );
    }

    /// Vectors for the consistent-hash ring. Derived by running the ring by
    /// hand (MD5 of `{cid}-{i}` for the points, MD5 of the queue's
    /// `MessageQueue [topic=.., brokerName=.., queueId=..]` text for the keys,
    /// first point at or after the key, wrapping), and confirmed against the
    /// Java client's `AllocateMessageQueueConsistentHash` on the same inputs.
    #[test]
    fn consistent_hash_vectors() {
        let m = mqs(&[("broker-a", 4), ("broker-b", 4)]);

        let c = cids(&["10.0.0.1@c1", "10.0.0.2@c2", "10.0.0.3@c3"]);
        let got: Vec<Vec<(String, i32)>> = shares(&AllocateConsistentHash::default(), &m, &c)
            .iter()
            .map(|v| ids(v))
            .collect();
        assert_eq!(
            got,
            vec![
                vec![q("broker-a", 0)],
                vec![q("broker-a", 2), q("broker-b", 0)],
                vec![
                    q("broker-a", 1),
                    q("broker-a", 3),
                    q("broker-b", 1),
                    q("broker-b", 2),
                    q("broker-b", 3)
                ],
            ]
        );

        let c = cids(&["10.0.0.1@c1", "10.0.0.2@c2"]);
        let got: Vec<Vec<(String, i32)>> = shares(&AllocateConsistentHash::new(3), &m, &c)
            .iter()
            .map(|v| ids(v))
            .collect();
        assert_eq!(
            got,
            vec![
                vec![q("broker-a", 0), q("broker-a", 1), q("broker-b", 3)],
                vec![
                    q("broker-a", 2),
                    q("broker-a", 3),
                    q("broker-b", 0),
                    q("broker-b", 1),
                    q("broker-b", 2)
                ],
            ]
        );

        // A repeated id gets more points (`c1-10` .. `c1-19`).
        let c = cids(&["c1", "c1", "c2"]);
        let s = AllocateConsistentHash::default();
        assert_eq!(
            ids(&s.allocate("G", "c2", &m, &c).unwrap()),
            vec![q("broker-a", 1), q("broker-b", 1)]
        );
        assert_eq!(s.allocate("G", "c1", &m, &c).unwrap().len(), 6);

        // No virtual nodes: nobody gets anything.
        let s = AllocateConsistentHash::new(0);
        assert!(s.allocate("G", "c1", &m, &c).unwrap().is_empty());
    }

    #[test]
    fn consistent_hash_custom_function() {
        // With a constant hash every point collides; the last consumer wins.
        let s = AllocateConsistentHash::with_hash_function(5, Arc::new(|_: &str| 7));
        let m = mqs(&[("b", 3)]);
        let c = cids(&["a", "b", "c"]);
        assert_eq!(counts(&s, &m, &c), vec![0, 0, 3]);
    }

    #[test]
    fn factory() {
        for n in ["AVG", "AVG_BY_CIRCLE", "CONSISTENT_HASH"] {
            assert_eq!(strategy_by_name(n).unwrap().name(), n);
        }
        assert!(strategy_by_name("CONFIG").is_err());
        assert!(strategy_by_name("nope")
            .unwrap_err()
            .message()
            .contains("nope"));
    }

    fn arb_case() -> impl Strategy<Value = (Vec<MessageQueue>, Vec<String>)> {
        let mq = (0..3usize, 0..6usize, 0..12i32).prop_map(|(t, b, i)| {
            let rooms = ["hz", "sh", "bj"];
            MessageQueue::new(
                format!("T{t}"),
                format!("{}@{}-b{b}", rooms[b % 3], rooms[b % 3]),
                i,
            )
        });
        let cid = (0..3usize, 0..40u32)
            .prop_map(|(r, n)| format!("{}-10.0.0.{n}@1", ["hz", "sh", "bj"][r]));
        (
            prop::collection::btree_set(mq, 1..30),
            prop::collection::btree_set(cid, 1..8),
        )
            .prop_map(|(m, c)| (m.into_iter().collect(), c.into_iter().collect()))
    }

    fn room_resolver() -> Arc<dyn MachineRoomResolver> {
        Arc::new(FnMachineRoomResolver::new(
            |mq: &MessageQueue| mq.broker_name.split('@').next().map(str::to_string),
            |cid: &str| cid.split('-').next().map(str::to_string),
        ))
    }

    /// Every queue in `expected` is owned by exactly one consumer, and nothing else is.
    fn assert_partition(
        s: &dyn AllocateStrategy,
        m: &[MessageQueue],
        c: &[String],
        expected: &[MessageQueue],
    ) -> std::result::Result<(), TestCaseError> {
        let mut seen = std::collections::BTreeMap::new();
        for cid in c {
            for mq in s.allocate("G", cid, m, c).unwrap() {
                prop_assert!(
                    seen.insert(mq.clone(), cid.clone()).is_none(),
                    "{} assigned twice by {}",
                    mq,
                    s.name()
                );
            }
        }
        let got: Vec<&MessageQueue> = seen.keys().collect();
        let want: Vec<&MessageQueue> = expected.iter().collect();
        prop_assert_eq!(got, want, "{}", s.name());
        Ok(())
    }

    proptest! {
        #[test]
        fn every_strategy_partitions((m, c) in arb_case(), vnodes in 1usize..16) {
            let full: Vec<Arc<dyn AllocateStrategy>> = vec![
                Arc::new(AllocateAveragely),
                Arc::new(AllocateAveragelyByCircle),
                Arc::new(AllocateConsistentHash::default()),
                Arc::new(AllocateConsistentHash::new(vnodes)),
                Arc::new(AllocateMachineRoomNearby::new(Arc::new(AllocateAveragely), room_resolver())),
                Arc::new(AllocateMachineRoomNearby::new(Arc::new(AllocateConsistentHash::default()), room_resolver())),
            ];
            for s in &full {
                assert_partition(s.as_ref(), &m, &c, &m)?;
            }
            // Machine room: exactly the queues of the consumer rooms.
            let s = AllocateByMachineRoom::new(["hz", "bj"]);
            let eligible: Vec<MessageQueue> = m.iter().filter(|q| !q.broker_name.starts_with("sh@")).cloned().collect();
            assert_partition(&s, &m, &c, &eligible)?;
            // Config: each consumer configured with its averagely share.
            let mut seen = std::collections::BTreeSet::new();
            for cid in &c {
                let share = AllocateAveragely.allocate("G", cid, &m, &c).unwrap();
                let s = AllocateByConfig::new(share.clone());
                for mq in s.allocate("G", cid, &m, &c).unwrap() {
                    prop_assert!(seen.insert(mq));
                }
            }
            prop_assert_eq!(seen.into_iter().collect::<Vec<_>>(), m.clone());
        }

        #[test]
        fn averagely_sizes_differ_by_at_most_one((m, c) in arb_case()) {
            let sizes = counts(&AllocateAveragely, &m, &c);
            let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            prop_assert!(hi - lo <= 1);
            // Larger shares come first.
            prop_assert!(sizes.windows(2).all(|w| w[0] >= w[1]));
        }
    }
}
