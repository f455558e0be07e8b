//! `LitePullConsumer`: pulls in the background into a bounded buffer and
//! hands messages out through [`LitePullConsumer::poll`] on the caller's
//! thread. Queues come from subscriptions (rebalanced within the group) or
//! are assigned by the caller. Offsets can be sought, committed
//! automatically or by hand, and read back.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex, RwLock};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

use super::allocate::{AllocateAveragely, AllocateStrategy};
use super::offset_store::{
    default_local_offset_dir, local_offset_path, OffsetStore, ReadOffsetType,
};
use super::pull_api::{self, sysflag, PullArgs, PullStatus};
use super::push::needs_heartbeat;
use super::rebalance::allocate_topic;
use crate::client::instance::now_ms;
use crate::client::{ClientConfig, ClientInstance, ConsumerHandle};
use crate::common::filter::{ExpressionType, FilterExpression};
use crate::common::{namespace, validate};
use crate::protocol::body::heartbeat::{
    ConsumeFromWhere, ConsumeType, ConsumerData, MessageModel, SubscriptionData,
};
use crate::protocol::body::route::subscribe_queues;
use crate::protocol::body::{ConsumerRunningInfo, ProcessQueueInfo, TopicRouteData};
use crate::protocol::message::MessageExt;
use crate::protocol::MessageQueue;
use crate::{Error, ErrorKind, Result};

const CREATED: u8 = 0;
const RUNNING: u8 = 1;
const SHUT_DOWN: u8 = 2;

const MIB: usize = 1024 * 1024;

/// Settings of a lite pull consumer, with the Java client's defaults.
#[derive(Clone)]
pub struct LitePullConsumerConfig {
    /// Name servers, instance name, credentials and timings.
    pub client: ClientConfig,
    /// The consumer group.
    pub group: String,
    /// Clustering (the group shares the queues) or broadcasting.
    pub message_model: MessageModel,
    /// Where a queue with no stored offset starts.
    pub consume_from_where: ConsumeFromWhere,
    /// For `ConsumeFromWhere::Timestamp`: ms since the epoch; `None` means
    /// half an hour before the start.
    pub consume_timestamp: Option<i64>,
    /// How the group's queues are shared (subscribe mode).
    pub allocate_strategy: Arc<dyn AllocateStrategy>,
    /// Most messages per pull, and per poll (Java: 10).
    pub pull_batch_size: i32,
    /// Messages buffered over all queues before pulling pauses (Java: 10000).
    pub pull_threshold_for_all: usize,
    /// Messages buffered per queue (Java: 1000).
    pub pull_threshold_for_queue: usize,
    /// MiB buffered per queue (Java: 100).
    pub pull_threshold_size_for_queue: usize,
    /// Commit polled offsets automatically (Java: true).
    pub auto_commit: bool,
    /// Automatic commit period (Java: 5 s, at least 1 s).
    pub auto_commit_interval: Duration,
    /// Long polling: how long the broker may hold a pull (Java: 20 s).
    pub broker_suspend_max_time: Duration,
    /// RPC timeout of a long-polling pull (Java: 30 s).
    pub pull_timeout: Duration,
    /// Pause after a failed pull (Java: 1 s).
    pub pull_delay_on_error: Duration,
    /// Subscribe mode: periodic rebalance (Java: 20 s).
    pub rebalance_interval: Duration,
    /// Directory of broadcasting offset files.
    pub local_offset_dir: Option<PathBuf>,
}

impl std::fmt::Debug for LitePullConsumerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LitePullConsumerConfig")
            .field("group", &self.group)
            .field("message_model", &self.message_model)
            .field("auto_commit", &self.auto_commit)
            .finish_non_exhaustive()
    }
}

impl LitePullConsumerConfig {
    /// Defaults for `group` on the name servers `namesrv_addr`.
    pub fn new(namesrv_addr: impl Into<String>, group: impl Into<String>) -> Self {
        LitePullConsumerConfig {
            client: ClientConfig::new(namesrv_addr),
            group: group.into(),
            message_model: MessageModel::Clustering,
            consume_from_where: ConsumeFromWhere::LastOffset,
            consume_timestamp: None,
            allocate_strategy: Arc::new(AllocateAveragely),
            pull_batch_size: 10,
            pull_threshold_for_all: 10_000,
            pull_threshold_for_queue: 1000,
            pull_threshold_size_for_queue: 100,
            auto_commit: true,
            auto_commit_interval: Duration::from_secs(5),
            broker_suspend_max_time: Duration::from_secs(20),
            pull_timeout: Duration::from_secs(30),
            pull_delay_on_error: Duration::from_secs(1),
            rebalance_interval: Duration::from_secs(20),
            local_offset_dir: None,
        }
    }

    /// Checks every setting.
    pub fn validate(&self) -> Result<()> {
        self.client.validate()?;
        validate::check_consumer_group(&self.group)?;
        if !(1..=1024).contains(&self.pull_batch_size) {
            return Err(Error::invalid("pull_batch_size must be in 1..=1024"));
        }
        if self.pull_threshold_for_all == 0
            || self.pull_threshold_for_queue == 0
            || self.pull_threshold_size_for_queue == 0
        {
            return Err(Error::invalid("pull thresholds must be positive"));
        }
        if self.auto_commit_interval < Duration::from_secs(1) {
            return Err(Error::invalid("auto_commit_interval must be at least 1 s"));
        }
        if self.pull_timeout <= self.broker_suspend_max_time {
            return Err(Error::invalid(
                "the pull timeout must be longer than the broker suspend time",
            ));
        }
        if self.rebalance_interval.is_zero() {
            return Err(Error::invalid("the rebalance interval must be positive"));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Unset,
    Subscribe,
    Assign,
}

/// One queue being pulled.
struct LiteQueue {
    mq: MessageQueue,
    /// Next offset to pull; -1 until known.
    pull_offset: AtomicI64,
    /// One past the last polled message; -1 until known.
    consume_offset: AtomicI64,
    /// The broker id the last pull response suggested (0: the master).
    suggest_broker_id: AtomicI64,
    paused: AtomicBool,
    dropped: AtomicBool,
    /// Bumped by seeks and drops: stale pulls and buffered batches are discarded.
    epoch: watch::Sender<u64>,
    cached: AtomicUsize,
    cached_bytes: AtomicUsize,
    last_pull_ms: AtomicI64,
}

impl LiteQueue {
    fn new(mq: MessageQueue) -> Self {
        let (epoch, _) = watch::channel(0);
        LiteQueue {
            mq,
            pull_offset: AtomicI64::new(-1),
            consume_offset: AtomicI64::new(-1),
            suggest_broker_id: AtomicI64::new(0),
            paused: AtomicBool::new(false),
            dropped: AtomicBool::new(false),
            epoch,
            cached: AtomicUsize::new(0),
            cached_bytes: AtomicUsize::new(0),
            last_pull_ms: AtomicI64::new(0),
        }
    }
    fn epoch(&self) -> u64 {
        *self.epoch.borrow()
    }
    fn bump(&self) {
        self.epoch.send_modify(|e| *e += 1);
    }
    fn is_dropped(&self) -> bool {
        self.dropped.load(Ordering::SeqCst)
    }
}

struct Batch {
    queue: Arc<LiteQueue>,
    epoch: u64,
    msgs: Vec<MessageExt>,
    bytes: usize,
}

struct Subscription {
    data: SubscriptionData,
    filter: FilterExpression,
}

struct Inner {
    config: LitePullConsumerConfig,
    state: AtomicU8,
    lifecycle: Mutex<()>,
    mode: Mutex<Mode>,
    instance: RwLock<Option<Arc<ClientInstance>>>,
    store: RwLock<Option<Arc<OffsetStore>>>,
    subs: RwLock<BTreeMap<String, Subscription>>,
    queues: Mutex<HashMap<MessageQueue, Arc<LiteQueue>>>,
    tasks: Mutex<HashMap<MessageQueue, JoinHandle<()>>>,
    background: Mutex<Vec<JoinHandle<()>>>,
    buffer: Mutex<VecDeque<Batch>>,
    buffered: AtomicUsize,
    ready: Condvar,
    rebalance_notify: Notify,
    rebalance_lock: tokio::sync::Mutex<()>,
    stop: watch::Sender<bool>,
    next_auto_commit: AtomicI64,
    start_ms: AtomicI64,
}

/// A lite pull consumer. Cheap to clone; clones share the consumer.
#[derive(Clone)]
pub struct LitePullConsumer {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for LitePullConsumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LitePullConsumer")
            .field("group", &self.inner.config.group)
            .finish_non_exhaustive()
    }
}

fn not_running() -> Error {
    Error::new(
        ErrorKind::NotStarted,
        "the lite pull consumer is not running",
    )
}

impl LitePullConsumer {
    /// A consumer with `config`, validated; not started.
    pub fn new(config: LitePullConsumerConfig) -> Result<Self> {
        config.validate()?;
        let (stop, _) = watch::channel(false);
        Ok(LitePullConsumer {
            inner: Arc::new(Inner {
                config,
                state: AtomicU8::new(CREATED),
                lifecycle: Mutex::new(()),
                mode: Mutex::new(Mode::Unset),
                instance: RwLock::new(None),
                store: RwLock::new(None),
                subs: RwLock::new(BTreeMap::new()),
                queues: Mutex::new(HashMap::new()),
                tasks: Mutex::new(HashMap::new()),
                background: Mutex::new(Vec::new()),
                buffer: Mutex::new(VecDeque::new()),
                buffered: AtomicUsize::new(0),
                ready: Condvar::new(),
                rebalance_notify: Notify::new(),
                rebalance_lock: tokio::sync::Mutex::new(()),
                stop,
                next_auto_commit: AtomicI64::new(0),
                start_ms: AtomicI64::new(0),
            }),
        })
    }

    /// The consumer's settings.
    pub fn config(&self) -> &LitePullConsumerConfig {
        &self.inner.config
    }

    fn set_mode(&self, m: Mode) -> Result<()> {
        let mut mode = self.inner.mode.lock();
        if *mode != Mode::Unset && *mode != m {
            return Err(Error::invalid(
                "subscribe and assign cannot be mixed in one consumer",
            ));
        }
        *mode = m;
        Ok(())
    }

    /// Subscribes `topic` with a tag expression; queues come from rebalancing.
    pub fn subscribe(&self, topic: &str, tag_expression: &str) -> Result<()> {
        self.subscribe_with(topic, FilterExpression::tag(tag_expression)?)
    }

    /// Subscribes `topic` with an SQL92 expression.
    pub fn subscribe_sql92(&self, topic: &str, sql: &str) -> Result<()> {
        self.subscribe_with(topic, FilterExpression::sql92(sql)?)
    }

    fn subscribe_with(&self, topic: &str, filter: FilterExpression) -> Result<()> {
        validate::check_topic(topic)?;
        self.set_mode(Mode::Subscribe)?;
        let wire = self.inner.wrap(topic);
        let data = super::push::subscription_data(&wire, &filter);
        self.inner
            .subs
            .write()
            .insert(wire, Subscription { data, filter });
        if self.inner.is_running() {
            if let Ok(i) = self.inner.instance() {
                i.heartbeat_soon();
            }
            self.inner.rebalance_notify.notify_one();
        }
        Ok(())
    }

    /// Stops consuming `topic` (subscribe mode).
    pub fn unsubscribe(&self, topic: &str) {
        let wire = self.inner.wrap(topic);
        self.inner.subs.write().remove(&wire);
        if self.inner.is_running() {
            self.inner.rebalance_notify.notify_one();
        }
    }

    /// Consumes exactly `queues` (assign mode), replacing any earlier
    /// assignment. Queues are named without namespace.
    pub fn assign(&self, queues: Vec<MessageQueue>) -> Result<()> {
        self.set_mode(Mode::Assign)?;
        let wanted: BTreeSet<MessageQueue> = queues.iter().map(|q| self.inner.wrap_mq(q)).collect();
        if self.inner.is_running() {
            self.inner.update_queues(None, wanted);
        } else {
            let mut t = self.inner.queues.lock();
            t.clear();
            for mq in wanted {
                t.insert(mq.clone(), Arc::new(LiteQueue::new(mq)));
            }
        }
        Ok(())
    }

    /// The queues of `topic` (from its route).
    pub fn fetch_message_queues(&self, topic: &str) -> Result<Vec<MessageQueue>> {
        let instance = self.inner.instance()?;
        let wire = self.inner.wrap(topic);
        let route = crate::runtime::block_on(async { instance.fetch_route(&wire).await })??;
        instance.store_route(&wire, route.clone());
        Ok(subscribe_queues(&wire, &route)
            .into_iter()
            .map(|mq| self.inner.unwrap_mq(&mq))
            .collect())
    }

    /// The queues consumed now.
    pub fn assignment(&self) -> Vec<MessageQueue> {
        let mut v: Vec<MessageQueue> = self
            .inner
            .queues
            .lock()
            .keys()
            .map(|mq| self.inner.unwrap_mq(mq))
            .collect();
        v.sort();
        v
    }

    /// Starts: joins the client instance, registers the group, starts pulling.
    pub fn start(&self) -> Result<()> {
        let inner = &self.inner;
        let _g = inner.lifecycle.lock();
        match inner.state.load(Ordering::Acquire) {
            RUNNING => return Ok(()),
            SHUT_DOWN => {
                return Err(Error::new(
                    ErrorKind::ShutDown,
                    "the consumer was shut down; create a new one",
                ))
            }
            _ => {}
        }
        let group = inner.group_on_wire();
        let instance = ClientInstance::acquire(&inner.config.client)?;
        let store = match inner.config.message_model {
            MessageModel::Clustering => OffsetStore::remote(instance.clone(), group.clone())
                // Java leaves the flag unset, so a new group on a queue whose
                // first message is in memory starts at 0 whatever its start
                // position; a timestamp start is honoured here.
                .with_zero_if_not_found(
                    (inner.config.consume_from_where == ConsumeFromWhere::Timestamp)
                        .then_some(false),
                ),
            MessageModel::Broadcasting => {
                let dir = inner
                    .config
                    .local_offset_dir
                    .clone()
                    .unwrap_or_else(default_local_offset_dir);
                OffsetStore::local(local_offset_path(&dir, instance.client_id(), &group))
            }
        };
        store.load()?;
        instance.register_consumer(Arc::new(Handle(Arc::downgrade(inner))))?;
        *inner.store.write() = Some(Arc::new(store));
        *inner.instance.write() = Some(instance);
        inner.start_ms.store(now_ms(), Ordering::Release);
        inner.next_auto_commit.store(
            now_ms() + inner.config.auto_commit_interval.as_millis() as i64,
            Ordering::Release,
        );
        inner.state.store(RUNNING, Ordering::Release);
        let assigned: Vec<Arc<LiteQueue>> = inner.queues.lock().values().cloned().collect();
        for q in assigned {
            inner.spawn_pull(q);
        }
        let rt = crate::runtime::handle();
        let me = inner.clone();
        let mut bg = inner.background.lock();
        bg.push(rt.spawn(async move {
            if let Ok(inst) = me.instance() {
                let topics: Vec<String> = me.subs.read().keys().cloned().collect();
                for t in topics {
                    let _ = inst.topic_route(&t).await;
                }
                inst.send_heartbeat_to_all_brokers().await;
            }
            me.rebalance_notify.notify_one();
        }));
        bg.push(rt.spawn(rebalance_loop(
            Arc::downgrade(inner),
            inner.stop.subscribe(),
        )));
        Ok(())
    }

    /// Messages pulled and not yet handed out, waiting up to `timeout` for
    /// some. Runs on the caller's thread (never call it on a runtime worker).
    /// Commits automatically when due.
    pub fn poll(&self, timeout: Duration) -> Result<Vec<MessageExt>> {
        let inner = &self.inner;
        if !inner.is_running() {
            return Err(not_running());
        }
        if inner.config.auto_commit {
            let now = now_ms();
            let due = inner.next_auto_commit.load(Ordering::Acquire);
            if now >= due
                && inner
                    .next_auto_commit
                    .compare_exchange(
                        due,
                        now + inner.config.auto_commit_interval.as_millis() as i64,
                        Ordering::AcqRel,
                        Ordering::Acquire,
                    )
                    .is_ok()
            {
                let me = inner.clone();
                crate::runtime::handle().spawn(async move {
                    me.commit_all().await;
                });
            }
        }
        let deadline = Instant::now() + timeout;
        let mut buf = inner.buffer.lock();
        loop {
            let mut i = 0;
            while i < buf.len() {
                let b = &buf[i];
                let stale = b.queue.is_dropped() || b.epoch != b.queue.epoch();
                if stale {
                    let b = buf.remove(i).expect("index in range");
                    inner.release(&b);
                    continue;
                }
                if b.queue.paused.load(Ordering::Acquire) {
                    i += 1;
                    continue;
                }
                let b = buf.remove(i).expect("index in range");
                drop(buf);
                inner.release(&b);
                if let Some(last) = b.msgs.last() {
                    b.queue
                        .consume_offset
                        .store(last.queue_offset + 1, Ordering::SeqCst);
                }
                let msgs = b
                    .msgs
                    .into_iter()
                    .map(|mut m| {
                        m.topic = inner.unwrap(&m.topic);
                        m
                    })
                    .collect();
                return Ok(msgs);
            }
            if !inner.is_running() || inner.ready.wait_until(&mut buf, deadline).timed_out() {
                return Ok(Vec::new());
            }
        }
    }

    fn queue(&self, mq: &MessageQueue) -> Result<Arc<LiteQueue>> {
        let wire = self.inner.wrap_mq(mq);
        self.inner
            .queues
            .lock()
            .get(&wire)
            .cloned()
            .ok_or_else(|| Error::invalid(format!("{mq} is not assigned to this consumer")))
    }

    /// Continues `mq` at `offset` (within the queue's min and max offsets):
    /// buffered messages of the queue are dropped.
    pub fn seek(&self, mq: &MessageQueue, offset: i64) -> Result<()> {
        let q = self.queue(mq)?;
        let instance = self.inner.instance()?;
        let timeout = instance.config().api_timeout;
        let (min, max) = crate::runtime::block_on(async {
            let min = pull_api::min_offset(&instance, &q.mq, timeout).await?;
            let max = pull_api::max_offset(&instance, &q.mq, timeout).await?;
            Ok::<_, Error>((min, max))
        })??;
        if offset < min || offset > max {
            return Err(Error::invalid(format!(
                "seek offset {offset} is outside [{min}, {max}] of {mq}"
            )));
        }
        self.inner.seek_queue(&q, offset);
        Ok(())
    }

    /// Continues `mq` at its first stored message.
    pub fn seek_to_begin(&self, mq: &MessageQueue) -> Result<()> {
        let q = self.queue(mq)?;
        let instance = self.inner.instance()?;
        let timeout = instance.config().api_timeout;
        let min = crate::runtime::block_on(pull_api::min_offset(&instance, &q.mq, timeout))??;
        self.inner.seek_queue(&q, min);
        Ok(())
    }

    /// Continues `mq` after its last stored message.
    pub fn seek_to_end(&self, mq: &MessageQueue) -> Result<()> {
        let q = self.queue(mq)?;
        let instance = self.inner.instance()?;
        let timeout = instance.config().api_timeout;
        let max = crate::runtime::block_on(pull_api::max_offset(&instance, &q.mq, timeout))??;
        self.inner.seek_queue(&q, max);
        Ok(())
    }

    /// Continues `mq` at the first message stored at or after `timestamp_ms`.
    pub fn seek_to_timestamp(&self, mq: &MessageQueue, timestamp_ms: i64) -> Result<()> {
        let offset = self.offset_for_timestamp(mq, timestamp_ms)?;
        let q = self.queue(mq)?;
        self.inner.seek_queue(&q, offset);
        Ok(())
    }

    /// The offset of the first message of `mq` stored at or after `timestamp_ms`.
    pub fn offset_for_timestamp(&self, mq: &MessageQueue, timestamp_ms: i64) -> Result<i64> {
        let instance = self.inner.instance()?;
        let wire = self.inner.wrap_mq(mq);
        let timeout = instance.config().api_timeout;
        crate::runtime::block_on(pull_api::search_offset(
            &instance,
            &wire,
            timestamp_ms,
            timeout,
        ))?
    }

    /// One pull of `mq` (any queue of a topic, consumed or not) at `offset`,
    /// outside the consumer's buffering: nothing is committed and no queue
    /// moves (see [`pull_api::pull_once`]). `tag_expression` filters by
    /// tags; `None` uses this consumer's subscription of the queue's topic
    /// (tags or SQL92), or `*` for a topic it does not subscribe. Waits up
    /// to `timeout`; the messages keep the queue's topic as given.
    pub fn pull_from(
        &self,
        mq: &MessageQueue,
        tag_expression: Option<&str>,
        offset: i64,
        max_nums: i32,
        timeout: Duration,
    ) -> Result<pull_api::PullResult> {
        let instance = self.inner.instance()?;
        let wire = self.inner.wrap_mq(mq);
        let filter = match tag_expression {
            Some(tags) => FilterExpression::tag(tags)?,
            None => match self.inner.subs.read().get(&wire.topic) {
                Some(sub) => sub.filter.clone(),
                None => FilterExpression::tag("*")?,
            },
        };
        let mut r = crate::runtime::block_on(pull_api::pull_once(
            &instance,
            &self.inner.group_on_wire(),
            &wire,
            &filter,
            offset,
            max_nums,
            timeout,
        ))??;
        for m in &mut r.msgs {
            m.topic = mq.topic.clone();
        }
        Ok(r)
    }

    /// Stops pulling `queues`; `poll` skips their buffered messages.
    pub fn pause(&self, queues: &[MessageQueue]) {
        for mq in queues {
            if let Ok(q) = self.queue(mq) {
                q.paused.store(true, Ordering::Release);
            }
        }
    }

    /// Resumes `queues`.
    pub fn resume(&self, queues: &[MessageQueue]) {
        for mq in queues {
            if let Ok(q) = self.queue(mq) {
                q.paused.store(false, Ordering::Release);
                q.epoch.send_modify(|_| {});
            }
        }
        self.inner.ready.notify_all();
    }

    /// Commits the offsets of everything polled so far and writes them to
    /// the broker (or the local file), waiting for the writes.
    pub fn commit_sync(&self) -> Result<()> {
        if !self.inner.is_running() {
            return Err(not_running());
        }
        let failed = crate::runtime::block_on(self.inner.commit_all())?;
        if failed > 0 {
            return Err(Error::network(format!(
                "{failed} queue offsets could not be written"
            )));
        }
        Ok(())
    }

    /// Commits the given offsets (next offsets to consume) and, with
    /// `persist`, writes them at once.
    pub fn commit(&self, offsets: &BTreeMap<MessageQueue, i64>, persist: bool) -> Result<()> {
        let store = self.inner.store().ok_or_else(not_running)?;
        let mut wire = Vec::new();
        for (mq, off) in offsets {
            if *off < 0 {
                return Err(Error::invalid(format!("offset {off} of {mq} is negative")));
            }
            let w = self.inner.wrap_mq(mq);
            store.update(&w, *off, false);
            wire.push(w);
        }
        if persist {
            let failed = crate::runtime::block_on(store.persist_all(&wire))?;
            if failed > 0 {
                return Err(Error::network(format!(
                    "{failed} queue offsets could not be written"
                )));
            }
        }
        Ok(())
    }

    /// The committed offset of `mq` as its store (the broker or the file)
    /// has it; -1 when there is none.
    pub fn committed(&self, mq: &MessageQueue) -> Result<i64> {
        let store = self.inner.store().ok_or_else(not_running)?;
        let wire = self.inner.wrap_mq(mq);
        crate::runtime::block_on(store.read(&wire, ReadOffsetType::Store))?
    }

    /// Stops pulling, commits (when auto-committing), unregisters and
    /// releases the client instance. Idempotent.
    pub async fn shutdown(&self) {
        // On the library's runtime, whatever runtime the caller uses.
        let inner = self.inner.clone();
        let _ = crate::runtime::handle()
            .spawn(async move { inner.shutdown().await })
            .await;
    }

    /// [`shutdown`](Self::shutdown) from a plain thread.
    pub fn shutdown_blocking(&self) -> Result<()> {
        crate::runtime::block_on(self.shutdown())
    }
}

impl Inner {
    async fn shutdown(self: &Arc<Self>) {
        let inner = self;
        {
            let _g = inner.lifecycle.lock();
            if inner.state.swap(SHUT_DOWN, Ordering::AcqRel) != RUNNING {
                return;
            }
        }
        let _ = inner.stop.send(true);
        for (_, t) in inner.tasks.lock().drain() {
            t.abort();
        }
        for t in inner.background.lock().drain(..) {
            t.abort();
        }
        let queues: Vec<Arc<LiteQueue>> = inner.queues.lock().values().cloned().collect();
        for q in &queues {
            q.dropped.store(true, Ordering::SeqCst);
            q.bump();
        }
        if inner.config.auto_commit {
            inner.commit_all().await;
        }
        inner.buffer.lock().clear();
        inner.buffered.store(0, Ordering::SeqCst);
        inner.ready.notify_all();
        let instance = inner.instance.write().take();
        if let Some(i) = instance {
            i.unregister_consumer(&inner.group_on_wire()).await;
        }
    }
}

struct Handle(Weak<Inner>);

impl ConsumerHandle for Handle {
    fn group(&self) -> String {
        self.0
            .upgrade()
            .map(|i| i.group_on_wire())
            .unwrap_or_default()
    }
    fn consumer_data(&self) -> ConsumerData {
        let Some(i) = self.0.upgrade() else {
            return ConsumerData::default();
        };
        let subscription_data_set = i.subs.read().values().map(|s| s.data.clone()).collect();
        ConsumerData {
            consume_from_where: i.config.consume_from_where,
            consume_type: ConsumeType::Actively,
            group_name: i.group_on_wire(),
            message_model: i.config.message_model,
            subscription_data_set,
            unit_mode: false,
        }
    }
    fn subscribed_topics(&self) -> Vec<String> {
        let Some(i) = self.0.upgrade() else {
            return Vec::new();
        };
        let mut t: BTreeSet<String> = i.subs.read().keys().cloned().collect();
        t.extend(i.queues.lock().keys().map(|mq| mq.topic.clone()));
        t.into_iter().collect()
    }
    fn on_consumer_ids_changed(&self) {
        if let Some(i) = self.0.upgrade() {
            i.rebalance_notify.notify_one();
        }
    }
    fn on_route_changed(&self, _topic: &str, _route: &TopicRouteData) {
        if let Some(i) = self.0.upgrade() {
            i.rebalance_notify.notify_one();
        }
    }
    fn consumer_status(&self, topic: &str) -> BTreeMap<MessageQueue, i64> {
        self.0
            .upgrade()
            .and_then(|i| i.store().map(|s| s.offsets_of_topic(topic)))
            .unwrap_or_default()
    }
    fn running_info(&self) -> Option<ConsumerRunningInfo> {
        let i = self.0.upgrade()?;
        let mut info = ConsumerRunningInfo::default();
        info.properties
            .insert("consumerGroup".into(), i.config.group.clone());
        info.properties.insert(
            ConsumerRunningInfo::PROP_CONSUME_TYPE.into(),
            ConsumeType::Actively.name().into(),
        );
        info.properties.insert(
            ConsumerRunningInfo::PROP_CONSUMER_START_TIMESTAMP.into(),
            i.start_ms.load(Ordering::Acquire).to_string(),
        );
        info.subscription_set = i.subs.read().values().map(|s| s.data.clone()).collect();
        let store = i.store();
        for (mq, q) in i.queues.lock().iter() {
            let committed = store
                .as_ref()
                .and_then(|s| s.memory_offset(mq))
                .unwrap_or(-1);
            info.mq_table.insert(
                mq.clone(),
                ProcessQueueInfo {
                    commit_offset: committed,
                    cached_msg_count: q.cached.load(Ordering::Relaxed) as i32,
                    cached_msg_size_in_mib: (q.cached_bytes.load(Ordering::Relaxed) / MIB) as i32,
                    droped: q.is_dropped(),
                    last_pull_timestamp: q.last_pull_ms.load(Ordering::Relaxed),
                    ..Default::default()
                },
            );
        }
        Some(info)
    }
}

impl Inner {
    fn is_running(&self) -> bool {
        self.state.load(Ordering::Acquire) == RUNNING
    }
    fn instance(&self) -> Result<Arc<ClientInstance>> {
        self.instance.read().clone().ok_or_else(not_running)
    }
    fn store(&self) -> Option<Arc<OffsetStore>> {
        self.store.read().clone()
    }
    fn group_on_wire(&self) -> String {
        match &self.config.client.namespace {
            Some(ns) => namespace::wrap(ns, &self.config.group),
            None => self.config.group.clone(),
        }
    }
    fn wrap(&self, topic: &str) -> String {
        match &self.config.client.namespace {
            Some(ns) => namespace::wrap(ns, topic),
            None => topic.to_owned(),
        }
    }
    fn unwrap(&self, topic: &str) -> String {
        match &self.config.client.namespace {
            Some(ns) => namespace::without_namespace_of(topic, ns),
            None => topic.to_owned(),
        }
    }
    fn wrap_mq(&self, mq: &MessageQueue) -> MessageQueue {
        MessageQueue::new(self.wrap(&mq.topic), mq.broker_name.clone(), mq.queue_id)
    }
    fn unwrap_mq(&self, mq: &MessageQueue) -> MessageQueue {
        MessageQueue::new(self.unwrap(&mq.topic), mq.broker_name.clone(), mq.queue_id)
    }

    /// Accounts for a batch leaving the buffer.
    fn release(&self, b: &Batch) {
        self.buffered.fetch_sub(b.msgs.len(), Ordering::SeqCst);
        b.queue.cached.fetch_sub(b.msgs.len(), Ordering::SeqCst);
        b.queue.cached_bytes.fetch_sub(b.bytes, Ordering::SeqCst);
    }

    fn seek_queue(&self, q: &Arc<LiteQueue>, offset: i64) {
        // The buffer lock orders the seek against `poll`.
        let _buf = self.buffer.lock();
        q.pull_offset.store(offset, Ordering::SeqCst);
        q.consume_offset.store(offset, Ordering::SeqCst);
        q.bump();
    }

    /// Commits every queue's polled position; returns the failed writes.
    async fn commit_all(&self) -> usize {
        let Some(store) = self.store() else { return 0 };
        let mut mqs = Vec::new();
        for (mq, q) in self.queues.lock().iter() {
            let off = q.consume_offset.load(Ordering::SeqCst);
            if off >= 0 {
                store.update(mq, off, false);
                mqs.push(mq.clone());
            }
        }
        store.persist_all(&mqs).await
    }

    /// Makes the consumed queues (of `topic`, or all when `None`) exactly
    /// `wanted`.
    fn update_queues(self: &Arc<Self>, topic: Option<&str>, wanted: BTreeSet<MessageQueue>) {
        let mut removed = Vec::new();
        let mut added = Vec::new();
        {
            let mut t = self.queues.lock();
            t.retain(|mq, q| {
                let in_scope = topic.is_none_or(|tp| mq.topic == tp);
                if in_scope && !wanted.contains(mq) {
                    q.dropped.store(true, Ordering::SeqCst);
                    q.bump();
                    removed.push(q.clone());
                    false
                } else {
                    true
                }
            });
            for mq in wanted {
                if let std::collections::hash_map::Entry::Vacant(e) = t.entry(mq) {
                    let q = Arc::new(LiteQueue::new(e.key().clone()));
                    e.insert(q.clone());
                    added.push(q);
                }
            }
        }
        {
            let mut tasks = self.tasks.lock();
            for q in &removed {
                if let Some(h) = tasks.remove(&q.mq) {
                    h.abort();
                }
            }
        }
        if !removed.is_empty() {
            // Commit what was polled from the queues that left.
            if let Some(store) = self.store() {
                let mqs: Vec<MessageQueue> = removed
                    .iter()
                    .filter_map(|q| {
                        let off = q.consume_offset.load(Ordering::SeqCst);
                        (off >= 0).then(|| {
                            store.update(&q.mq, off, false);
                            q.mq.clone()
                        })
                    })
                    .collect();
                crate::runtime::handle().spawn(async move {
                    store.persist_all(&mqs).await;
                    for mq in &mqs {
                        store.remove(mq);
                    }
                });
            }
        }
        for q in added {
            self.spawn_pull(q);
        }
    }

    fn spawn_pull(self: &Arc<Self>, q: Arc<LiteQueue>) {
        let h = crate::runtime::handle().spawn(pull_loop(self.clone(), q.clone()));
        if let Some(old) = self.tasks.lock().insert(q.mq.clone(), h) {
            old.abort();
        }
    }

    /// Where a queue starts: its stored offset, else the configured position.
    async fn initial_offset(&self, mq: &MessageQueue) -> Result<i64> {
        let store = self.store().ok_or_else(not_running)?;
        let instance = self.instance()?;
        let stored = store.read(mq, ReadOffsetType::Store).await?;
        if stored >= 0 {
            return Ok(stored);
        }
        let timeout = instance.config().api_timeout;
        match self.config.consume_from_where {
            ConsumeFromWhere::FirstOffset => pull_api::min_offset(&instance, mq, timeout).await,
            ConsumeFromWhere::Timestamp => {
                let ts = self
                    .config
                    .consume_timestamp
                    .unwrap_or_else(|| self.start_ms.load(Ordering::Acquire) - 30 * 60 * 1000);
                pull_api::search_offset(&instance, mq, ts, timeout).await
            }
            _ => pull_api::max_offset(&instance, mq, timeout).await,
        }
    }

    /// One pull of `q`; returns the pause before the next.
    async fn pull_once(self: &Arc<Self>, q: &Arc<LiteQueue>) -> Duration {
        q.last_pull_ms.store(now_ms(), Ordering::Relaxed);
        if q.paused.load(Ordering::Acquire) {
            return Duration::from_millis(1000);
        }
        if self.buffered.load(Ordering::SeqCst) > self.config.pull_threshold_for_all
            || q.cached.load(Ordering::SeqCst) > self.config.pull_threshold_for_queue
            || q.cached_bytes.load(Ordering::SeqCst) / MIB
                > self.config.pull_threshold_size_for_queue
        {
            return Duration::from_millis(50);
        }
        let Ok(instance) = self.instance() else {
            return self.config.pull_delay_on_error;
        };
        let epoch = q.epoch();
        if q.pull_offset.load(Ordering::SeqCst) < 0 {
            match self.initial_offset(&q.mq).await {
                Ok(o) => {
                    let _buf = self.buffer.lock();
                    if q.epoch() == epoch && q.pull_offset.load(Ordering::SeqCst) < 0 {
                        q.pull_offset.store(o, Ordering::SeqCst);
                        q.consume_offset.store(o, Ordering::SeqCst);
                    }
                }
                Err(_) => return self.config.pull_delay_on_error,
            }
        }
        let (expr, sub_version, expr_type, filter) = match self.subs.read().get(&q.mq.topic) {
            Some(s) => (
                s.data.sub_string.clone(),
                if s.filter.expression_type == ExpressionType::Tag {
                    0
                } else {
                    s.data.sub_version
                },
                s.data.expression_type.clone(),
                Some(s.filter.clone()),
            ),
            None => ("*".to_owned(), 0, "TAG".to_owned(), None),
        };
        let group = self.group_on_wire();
        let offset = q.pull_offset.load(Ordering::SeqCst);
        let args = PullArgs {
            group: &group,
            mq: &q.mq,
            offset,
            max_nums: self.config.pull_batch_size,
            max_bytes: None,
            sys_flag: sysflag::build(false, true, true, false, true),
            commit_offset: 0,
            suspend: self.config.broker_suspend_max_time,
            subscription: Some(&expr),
            sub_version,
            expression_type: &expr_type,
            broker_id: q.suggest_broker_id.load(Ordering::Relaxed),
            timeout: self.config.pull_timeout,
        };
        let mut epoch_rx = q.epoch.subscribe();
        let result = tokio::select! {
            r = pull_api::pull(&instance, &args, filter.as_ref()) => r,
            _ = epoch_rx.changed() => return Duration::ZERO,
        };
        let r = match result {
            Ok(r) => r,
            Err(e) => {
                if needs_heartbeat(&e) {
                    instance.heartbeat_soon();
                }
                // A slave that fails: back to the master.
                q.suggest_broker_id.store(0, Ordering::Relaxed);
                return self.config.pull_delay_on_error;
            }
        };
        // The broker says where to pull next (a slave while the master is busy).
        q.suggest_broker_id
            .store(r.suggest_which_broker_id, Ordering::Relaxed);
        let mut buf = self.buffer.lock();
        if q.epoch() != epoch || q.is_dropped() {
            return Duration::ZERO;
        }
        match r.status {
            PullStatus::Found => {
                q.pull_offset.store(r.next_begin_offset, Ordering::SeqCst);
                if r.msgs.is_empty() {
                    if q.cached.load(Ordering::SeqCst) == 0 {
                        q.consume_offset
                            .store(r.next_begin_offset, Ordering::SeqCst);
                    }
                    return Duration::ZERO;
                }
                let n = r.msgs.len();
                let bytes: usize = r.msgs.iter().map(|m| m.body.len()).sum();
                self.buffered.fetch_add(n, Ordering::SeqCst);
                q.cached.fetch_add(n, Ordering::SeqCst);
                q.cached_bytes.fetch_add(bytes, Ordering::SeqCst);
                buf.push_back(Batch {
                    queue: q.clone(),
                    epoch,
                    msgs: r.msgs,
                    bytes,
                });
                drop(buf);
                self.ready.notify_all();
                Duration::ZERO
            }
            PullStatus::NoNewMsg | PullStatus::NoMatchedMsg => {
                q.pull_offset.store(r.next_begin_offset, Ordering::SeqCst);
                if q.cached.load(Ordering::SeqCst) == 0 {
                    q.consume_offset
                        .store(r.next_begin_offset, Ordering::SeqCst);
                }
                Duration::ZERO
            }
            PullStatus::OffsetIllegal => {
                q.pull_offset.store(r.next_begin_offset, Ordering::SeqCst);
                q.consume_offset
                    .store(r.next_begin_offset, Ordering::SeqCst);
                q.bump();
                Duration::ZERO
            }
        }
    }

    async fn rebalance(self: &Arc<Self>) {
        let _g = self.rebalance_lock.lock().await;
        if !self.is_running() || *self.mode.lock() != Mode::Subscribe {
            return;
        }
        let Ok(instance) = self.instance() else {
            return;
        };
        let group = self.group_on_wire();
        let topics: Vec<String> = self.subs.read().keys().cloned().collect();
        for topic in &topics {
            if let Ok(Some(mine)) = allocate_topic(
                &instance,
                &group,
                topic,
                self.config.message_model,
                &self.config.allocate_strategy,
            )
            .await
            {
                self.update_queues(Some(topic), mine);
            }
        }
        // Queues of unsubscribed topics leave.
        let stale: BTreeSet<String> = self
            .queues
            .lock()
            .keys()
            .filter(|mq| !topics.contains(&mq.topic))
            .map(|mq| mq.topic.clone())
            .collect();
        for t in stale {
            self.update_queues(Some(&t), BTreeSet::new());
        }
    }
}

async fn pull_loop(me: Arc<Inner>, q: Arc<LiteQueue>) {
    let mut stop = me.stop.subscribe();
    loop {
        if q.is_dropped() || !me.is_running() {
            return;
        }
        let delay = tokio::select! {
            d = me.pull_once(&q) => d,
            _ = stop.wait_for(|s| *s) => return,
        };
        if !delay.is_zero() {
            let mut epoch = q.epoch.subscribe();
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = epoch.changed() => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    }
}

async fn rebalance_loop(weak: Weak<Inner>, mut stop: watch::Receiver<bool>) {
    loop {
        let (interval, me) = {
            let Some(me) = weak.upgrade() else { return };
            (me.config.rebalance_interval, me)
        };
        tokio::select! {
            _ = me.rebalance_notify.notified() => {}
            _ = tokio::time::sleep(interval) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        if !me.is_running() {
            return;
        }
        me.rebalance().await;
        drop(me);
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_defaults_and_validation() {
        let c = LitePullConsumerConfig::new("127.0.0.1:9876", "G");
        assert!(c.validate().is_ok());
        assert_eq!(c.pull_batch_size, 10);
        assert_eq!(c.pull_threshold_for_all, 10_000);
        assert!(c.auto_commit);
        assert_eq!(c.auto_commit_interval, Duration::from_secs(5));
        assert_eq!(c.broker_suspend_max_time, Duration::from_secs(20));
        let mut bad = c.clone();
        bad.auto_commit_interval = Duration::from_millis(500);
        assert!(bad.validate().is_err());
        let mut bad = c.clone();
        bad.pull_batch_size = 0;
        assert!(bad.validate().is_err());
    }

    #[test]
    fn modes_cannot_mix() {
        let c = LitePullConsumer::new(LitePullConsumerConfig::new("127.0.0.1:9876", "G")).unwrap();
        c.subscribe("T", "*").unwrap();
        assert!(c.assign(vec![MessageQueue::new("T", "b", 0)]).is_err());
        let c = LitePullConsumer::new(LitePullConsumerConfig::new("127.0.0.1:9876", "G")).unwrap();
        c.assign(vec![MessageQueue::new("T", "b", 0)]).unwrap();
        assert!(c.subscribe("T", "*").is_err());
        assert_eq!(c.assignment(), vec![MessageQueue::new("T", "b", 0)]);
        assert!(c.poll(Duration::from_millis(1)).is_err(), "not started");
    }
}
