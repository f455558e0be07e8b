//! `ProcessQueue`: the messages of one queue pulled and not yet committed,
//! ordered by queue offset, with the queue's flow-control figures, its pull
//! position and its lifecycle flags.
//!
//! Lifecycle: a queue is *dropped* when it leaves the consumer (no more pulls,
//! no new consumption), then *removed* once its in-flight work is done and its
//! offset persisted; after that its results no longer move the offset.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::{watch, Notify};

use crate::client::instance::now_ms;
use crate::protocol::message::MessageExt;
use crate::protocol::MessageQueue;

/// Local lock validity of an orderly queue (Java `lockMaxLiveTime`).
pub const LOCK_MAX_LIVE: Duration = Duration::from_millis(30_000);
/// A queue with no pull for this long is considered stuck.
pub const PULL_MAX_IDLE: Duration = Duration::from_millis(120_000);

/// One cached message.
#[derive(Debug, Clone)]
pub struct CachedMessage {
    /// The message.
    pub msg: Arc<MessageExt>,
    /// When its consumption started (ms), 0 before.
    pub consume_start_ms: i64,
}

#[derive(Debug, Default)]
struct State {
    /// Pulled, not committed (for orderly: not yet taken).
    msgs: BTreeMap<i64, CachedMessage>,
    /// Orderly: taken by the consuming thread, not yet committed.
    consuming: BTreeMap<i64, CachedMessage>,
    /// Bytes of the bodies in `msgs` and `consuming`.
    size: usize,
    /// Highest queue offset ever put.
    max_offset: i64,
    /// Orderly: a consume request is scheduled or running.
    orderly_active: bool,
}

/// The state of one assigned queue.
#[derive(Debug)]
pub struct ProcessQueue {
    /// The queue.
    pub mq: MessageQueue,
    state: Mutex<State>,
    dropped: AtomicBool,
    removed: AtomicBool,
    cancel: watch::Sender<bool>,
    locked: AtomicBool,
    last_lock_ms: AtomicI64,
    last_pull_ms: AtomicI64,
    last_consume_ms: AtomicI64,
    try_unlock_times: AtomicI64,
    /// Consume batches between start and result processing.
    in_progress: AtomicUsize,
    idle: Notify,
    /// The next offset to pull.
    next_offset: AtomicI64,
    /// The broker node the last pull response suggested.
    suggest_broker_id: AtomicI64,
    /// Orderly: one consuming thread at a time.
    pub consume_lock: Mutex<()>,
}

impl ProcessQueue {
    /// A queue pulled from `next_offset`.
    pub fn new(mq: MessageQueue, next_offset: i64) -> Self {
        let (cancel, _) = watch::channel(false);
        let now = now_ms();
        ProcessQueue {
            mq,
            state: Mutex::new(State {
                max_offset: -1,
                ..Default::default()
            }),
            dropped: AtomicBool::new(false),
            removed: AtomicBool::new(false),
            cancel,
            locked: AtomicBool::new(false),
            last_lock_ms: AtomicI64::new(0),
            last_pull_ms: AtomicI64::new(now),
            last_consume_ms: AtomicI64::new(now),
            try_unlock_times: AtomicI64::new(0),
            in_progress: AtomicUsize::new(0),
            idle: Notify::new(),
            next_offset: AtomicI64::new(next_offset),
            suggest_broker_id: AtomicI64::new(0),
            consume_lock: Mutex::new(()),
        }
    }

    // ----- lifecycle -----------------------------------------------------------

    /// Stops pulling and new consumption; wakes the pull loop.
    pub fn set_dropped(&self) {
        self.dropped.store(true, Ordering::SeqCst);
        let _ = self.cancel.send(true);
    }
    /// Whether the queue left (or is leaving).
    pub fn is_dropped(&self) -> bool {
        self.dropped.load(Ordering::SeqCst)
    }
    /// Final: the queue left; its results no longer move the offset.
    pub fn set_removed(&self) {
        self.set_dropped();
        self.removed.store(true, Ordering::SeqCst);
    }
    /// Whether the queue is gone for good.
    pub fn is_removed(&self) -> bool {
        self.removed.load(Ordering::SeqCst)
    }
    /// Resolves once the queue is dropped.
    pub async fn dropped_signal(&self) {
        let mut rx = self.cancel.subscribe();
        let _ = rx.wait_for(|d| *d).await;
    }

    /// Marks a consume batch as started; `None` when the queue is dropped.
    pub fn begin_consume(self: &Arc<Self>) -> Option<InProgress> {
        self.in_progress.fetch_add(1, Ordering::SeqCst);
        if self.is_dropped() {
            self.end_consume();
            return None;
        }
        Some(InProgress(self.clone()))
    }
    fn end_consume(&self) {
        if self.in_progress.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.idle.notify_waiters();
        }
    }
    /// Consume batches currently running.
    pub fn in_progress(&self) -> usize {
        self.in_progress.load(Ordering::SeqCst)
    }
    /// Waits until no consume batch runs, up to `timeout`; true when idle.
    pub async fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.in_progress() == 0 {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.in_progress() == 0;
            }
        }
    }

    // ----- pull position -----------------------------------------------------

    /// The next offset to pull.
    pub fn next_offset(&self) -> i64 {
        self.next_offset.load(Ordering::SeqCst)
    }
    /// Sets the next offset to pull.
    pub fn set_next_offset(&self, offset: i64) {
        self.next_offset.store(offset, Ordering::SeqCst);
    }
    /// The broker node the last pull suggested.
    pub fn suggest_broker_id(&self) -> i64 {
        self.suggest_broker_id.load(Ordering::Relaxed)
    }
    /// Records the suggested broker node.
    pub fn set_suggest_broker_id(&self, id: i64) {
        self.suggest_broker_id.store(id, Ordering::Relaxed);
    }
    /// Records a pull attempt now.
    pub fn touch_pull(&self) {
        self.last_pull_ms.store(now_ms(), Ordering::Relaxed);
    }
    /// When the queue was last pulled (ms).
    pub fn last_pull_ms(&self) -> i64 {
        self.last_pull_ms.load(Ordering::Relaxed)
    }
    /// When a listener last took messages of the queue (ms).
    pub fn last_consume_ms(&self) -> i64 {
        self.last_consume_ms.load(Ordering::Relaxed)
    }
    /// No pull for longer than [`PULL_MAX_IDLE`].
    pub fn is_pull_expired(&self) -> bool {
        now_ms() - self.last_pull_ms() > PULL_MAX_IDLE.as_millis() as i64
    }

    // ----- locks (orderly) -------------------------------------------------------

    /// Whether the broker lock is held (orderly).
    pub fn is_locked(&self) -> bool {
        self.locked.load(Ordering::SeqCst)
    }
    /// Records the broker lock state; taking it renews the local lock.
    pub fn set_locked(&self, locked: bool) {
        self.locked.store(locked, Ordering::SeqCst);
        if locked {
            self.last_lock_ms.store(now_ms(), Ordering::SeqCst);
        }
    }
    /// When the lock was last taken (ms).
    pub fn last_lock_ms(&self) -> i64 {
        self.last_lock_ms.load(Ordering::SeqCst)
    }
    /// The local lock is older than [`LOCK_MAX_LIVE`].
    pub fn is_lock_expired(&self) -> bool {
        now_ms() - self.last_lock_ms() > LOCK_MAX_LIVE.as_millis() as i64
    }
    /// Counts an unlock.
    pub fn inc_try_unlock(&self) {
        self.try_unlock_times.fetch_add(1, Ordering::Relaxed);
    }

    // ----- messages ----------------------------------------------------------------

    /// Caches pulled messages (duplicates of cached offsets are ignored) and
    /// returns the newly cached ones. For orderly queues, `start_orderly` is
    /// true when a consume request should be scheduled (none active yet).
    pub fn put(&self, msgs: Vec<Arc<MessageExt>>) -> (Vec<Arc<MessageExt>>, bool) {
        let mut st = self.state.lock();
        let mut added = Vec::with_capacity(msgs.len());
        for m in msgs {
            let off = m.queue_offset;
            if st.msgs.contains_key(&off) || st.consuming.contains_key(&off) {
                continue;
            }
            st.size += m.body.len();
            st.max_offset = st.max_offset.max(off);
            st.msgs.insert(
                off,
                CachedMessage {
                    msg: m.clone(),
                    consume_start_ms: 0,
                },
            );
            added.push(m);
        }
        let start = !st.msgs.is_empty() && !st.orderly_active;
        if start {
            st.orderly_active = true;
        }
        (added, start)
    }

    /// Cached messages (taken ones included).
    pub fn msg_count(&self) -> usize {
        let st = self.state.lock();
        st.msgs.len() + st.consuming.len()
    }
    /// Bytes of cached bodies.
    pub fn msg_size(&self) -> usize {
        self.state.lock().size
    }
    /// Offset distance between the first and last cached message.
    pub fn max_span(&self) -> i64 {
        let st = self.state.lock();
        match (st.msgs.keys().next(), st.msgs.keys().next_back()) {
            (Some(a), Some(b)) => b - a,
            _ => 0,
        }
    }
    /// (min, max) cached offsets.
    pub fn offset_range(&self) -> Option<(i64, i64)> {
        let st = self.state.lock();
        let min = st
            .consuming
            .keys()
            .next()
            .into_iter()
            .chain(st.msgs.keys().next())
            .min()
            .copied()?;
        let max = st
            .consuming
            .keys()
            .next_back()
            .into_iter()
            .chain(st.msgs.keys().next_back())
            .max()
            .copied()?;
        Some((min, max))
    }

    /// Records when consumption of `offsets` started.
    pub fn mark_consume_start(&self, offsets: &[i64], now: i64) {
        let mut st = self.state.lock();
        for o in offsets {
            if let Some(c) = st.msgs.get_mut(o) {
                c.consume_start_ms = now;
            }
        }
        self.last_consume_ms.store(now, Ordering::Relaxed);
    }

    /// Replaces a cached message (a local retry bumps its reconsume times).
    pub fn replace(&self, msg: Arc<MessageExt>) {
        let mut st = self.state.lock();
        if let Some(c) = st.msgs.get_mut(&msg.queue_offset) {
            c.msg = msg;
            c.consume_start_ms = 0;
        }
    }

    /// Removes consumed messages. Returns the offset to commit: the smallest
    /// cached offset, or one past the largest ever cached when the cache is
    /// now empty; -1 when the cache was already empty.
    pub fn remove(&self, offsets: &[i64]) -> i64 {
        let mut st = self.state.lock();
        if st.msgs.is_empty() {
            return -1;
        }
        let mut result = st.max_offset + 1;
        for o in offsets {
            if let Some(c) = st.msgs.remove(o) {
                st.size = st.size.saturating_sub(c.msg.body.len());
            }
        }
        if let Some(first) = st.msgs.keys().next() {
            result = *first;
        }
        self.last_consume_ms.store(now_ms(), Ordering::Relaxed);
        result
    }

    /// The offset to commit now: the smallest cached offset, or `None` when
    /// nothing is cached.
    pub fn commit_point(&self) -> Option<i64> {
        let st = self.state.lock();
        st.consuming
            .keys()
            .next()
            .into_iter()
            .chain(st.msgs.keys().next())
            .min()
            .copied()
    }

    /// Up to `max` of the first cached messages whose consumption started
    /// before `started_before` (the consume-timeout sweep).
    pub fn expired(&self, started_before: i64, max: usize) -> Vec<Arc<MessageExt>> {
        let st = self.state.lock();
        st.msgs
            .values()
            .take(max)
            .filter(|c| c.consume_start_ms > 0 && c.consume_start_ms < started_before)
            .map(|c| c.msg.clone())
            .collect()
    }

    /// Drops every cached message (reset or seek); returns how many.
    pub fn clear(&self) -> usize {
        let mut st = self.state.lock();
        let n = st.msgs.len() + st.consuming.len();
        st.msgs.clear();
        st.consuming.clear();
        st.size = 0;
        n
    }

    // ----- orderly -------------------------------------------------------------------

    /// Takes up to `n` of the first cached messages for orderly consumption.
    /// When none are left the orderly request ends (`orderly_active` cleared).
    pub fn take(&self, n: usize) -> Vec<Arc<MessageExt>> {
        let mut st = self.state.lock();
        let mut out = Vec::with_capacity(n);
        let now = now_ms();
        while out.len() < n {
            let Some((off, mut c)) = st.msgs.pop_first() else {
                break;
            };
            c.consume_start_ms = now;
            out.push(c.msg.clone());
            st.consuming.insert(off, c);
        }
        if out.is_empty() {
            st.orderly_active = false;
        }
        self.last_consume_ms.store(now, Ordering::Relaxed);
        out
    }

    /// Ends the orderly request (the consumer stops for now).
    pub fn end_orderly(&self) {
        self.state.lock().orderly_active = false;
    }

    /// Orderly: whether a request is active; sets it when not and messages wait.
    pub fn try_start_orderly(&self) -> bool {
        let mut st = self.state.lock();
        if st.orderly_active || st.msgs.is_empty() {
            return false;
        }
        st.orderly_active = true;
        true
    }

    /// Orderly: the taken messages are consumed. Returns the offset to
    /// commit (one past the last taken), or -1 when nothing was taken.
    pub fn commit(&self) -> i64 {
        let mut st = self.state.lock();
        let Some(last) = st.consuming.keys().next_back().copied() else {
            return -1;
        };
        let taken = std::mem::take(&mut st.consuming);
        for c in taken.values() {
            st.size = st.size.saturating_sub(c.msg.body.len());
        }
        last + 1
    }

    /// Orderly: puts taken messages back to be consumed again, with their
    /// reconsume times increased.
    pub fn make_consume_again(&self, msgs: &[Arc<MessageExt>]) {
        let mut st = self.state.lock();
        for m in msgs {
            if let Some(mut c) = st.consuming.remove(&m.queue_offset) {
                let mut bumped = (*c.msg).clone();
                bumped.reconsume_times += 1;
                c.msg = Arc::new(bumped);
                c.consume_start_ms = 0;
                st.msgs.insert(m.queue_offset, c);
            }
        }
    }

    /// Figures for GET_CONSUMER_RUNNING_INFO.
    pub fn info(&self, commit_offset: i64) -> crate::protocol::body::ProcessQueueInfo {
        let (min, max) = self.offset_range().unwrap_or((0, 0));
        let st = self.state.lock();
        crate::protocol::body::ProcessQueueInfo {
            commit_offset,
            cached_msg_min_offset: min,
            cached_msg_max_offset: max,
            cached_msg_count: (st.msgs.len() + st.consuming.len()) as i32,
            cached_msg_size_in_mib: (st.size / (1024 * 1024)) as i32,
            transaction_msg_min_offset: 0,
            transaction_msg_max_offset: 0,
            transaction_msg_count: 0,
            locked: self.is_locked(),
            try_unlock_times: self.try_unlock_times.load(Ordering::Relaxed),
            last_lock_timestamp: self.last_lock_ms(),
            droped: self.is_dropped(),
            last_pull_timestamp: self.last_pull_ms(),
            last_consume_timestamp: self.last_consume_ms(),
        }
    }
}

/// A running consume batch; ends when dropped.
pub struct InProgress(Arc<ProcessQueue>);

impl Drop for InProgress {
    fn drop(&mut self) {
        self.0.end_consume();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use proptest::prelude::*;

    fn msg(off: i64, len: usize) -> Arc<MessageExt> {
        Arc::new(MessageExt {
            queue_offset: off,
            body: Bytes::from(vec![0u8; len]),
            ..Default::default()
        })
    }

    fn pq() -> Arc<ProcessQueue> {
        Arc::new(ProcessQueue::new(MessageQueue::new("T", "b", 0), 0))
    }

    #[test]
    fn commit_is_the_minimum_in_flight() {
        let q = pq();
        let (added, _) = q.put((10..15).map(|o| msg(o, 3)).collect());
        assert_eq!(added.len(), 5);
        assert_eq!(q.msg_count(), 5);
        assert_eq!(q.msg_size(), 15);
        assert_eq!(q.max_span(), 4);
        // Duplicates are ignored.
        let (added, _) = q.put(vec![msg(12, 3)]);
        assert!(added.is_empty());
        // 11 and 13 done; 10 still in flight.
        assert_eq!(q.remove(&[11, 13]), 10);
        assert_eq!(q.remove(&[10]), 12);
        assert_eq!(q.commit_point(), Some(12));
        assert_eq!(q.remove(&[12, 14]), 15);
        assert_eq!(q.msg_count(), 0);
        assert_eq!(q.msg_size(), 0);
        assert_eq!(q.commit_point(), None);
        // Nothing cached: no commit.
        assert_eq!(q.remove(&[15]), -1);
    }

    #[test]
    fn orderly_take_commit_and_again() {
        let q = pq();
        let (_, start) = q.put((0..5).map(|o| msg(o, 1)).collect());
        assert!(start);
        let (_, start) = q.put(vec![msg(5, 1)]);
        assert!(!start, "a request is already active");
        let t = q.take(2);
        assert_eq!(t.iter().map(|m| m.queue_offset).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(q.msg_count(), 6);
        q.make_consume_again(&t);
        let t = q.take(2);
        assert_eq!(t[0].queue_offset, 0);
        assert_eq!(t[0].reconsume_times, 1);
        assert_eq!(q.commit(), 2);
        assert_eq!(q.msg_count(), 4);
        assert_eq!(q.commit(), -1);
        let rest = q.take(10);
        assert_eq!(rest.len(), 4);
        assert_eq!(q.commit(), 6);
        assert!(q.take(10).is_empty());
        assert!(!q.try_start_orderly(), "nothing waits");
        q.put(vec![msg(6, 1)]);
        assert_eq!(q.msg_count(), 1);
    }

    #[test]
    fn expiry_and_lifecycle() {
        let q = pq();
        q.put((0..3).map(|o| msg(o, 1)).collect());
        q.mark_consume_start(&[0, 1], 1000);
        assert_eq!(q.expired(2000, 16).len(), 2);
        assert_eq!(q.expired(2000, 1).len(), 1);
        assert!(q.expired(500, 16).is_empty());
        let g = q.begin_consume().unwrap();
        assert_eq!(q.in_progress(), 1);
        q.set_dropped();
        assert!(q.begin_consume().is_none());
        drop(g);
        assert_eq!(q.in_progress(), 0);
        assert!(!q.is_removed());
        q.set_removed();
        assert!(q.is_removed() && q.is_dropped());
        let idle = crate::runtime::block_on(q.wait_idle(Duration::from_millis(10))).unwrap();
        assert!(idle);
        assert_eq!(q.clear(), 3);
    }

    proptest! {
        /// Whatever the completion order, the committed offset never passes
        /// an unfinished message and ends one past the last.
        #[test]
        fn commit_never_skips(order in Just((0..20i64).collect::<Vec<_>>()).prop_shuffle()) {
            let q = pq();
            q.put((0..20).map(|o| msg(o, 1)).collect());
            let mut done = std::collections::BTreeSet::new();
            for o in order {
                done.insert(o);
                let c = q.remove(&[o]);
                let first_unfinished = (0..20).find(|x| !done.contains(x)).unwrap_or(20);
                prop_assert_eq!(c, first_unfinished);
            }
        }
    }
}
