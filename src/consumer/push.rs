//! `PushConsumer`: pulls with long polling, caches per queue, and calls the
//! subscriptions' listeners on its own threads (concurrently or orderly);
//! rebalances queues within its group, commits offsets, sends failed
//! messages back, and answers the brokers' consumer requests.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use tokio::sync::{oneshot, watch, Notify};
use tokio::task::JoinHandle;

use super::allocate::{AllocateAveragely, AllocateStrategy};
use super::listener::{ConsumeHook, FilterMessageHook, MessageListener};
use super::offset_store::{default_local_offset_dir, local_offset_path, OffsetStore};
use super::pool::ConsumePool;
use super::process_queue::ProcessQueue;
use crate::client::instance::now_ms;
use crate::client::{ClientConfig, ClientInstance, ConsumerHandle};
use crate::common::filter::FilterExpression;
use crate::common::{names, namespace, validate};
use crate::protocol::body::heartbeat::{
    ConsumeFromWhere, ConsumeType, ConsumerData, MessageModel, SubscriptionData,
};
use crate::protocol::body::{ConsumeMessageDirectlyResult, ConsumerRunningInfo, TopicRouteData};
use crate::protocol::message::MessageExt;
use crate::protocol::MessageQueue;
use crate::{Error, ErrorKind, Result};

const CREATED: u8 = 0;
const RUNNING: u8 = 1;
const STOPPING: u8 = 2;
const SHUT_DOWN: u8 = 3;

/// Settings of a push consumer, with the Java client's defaults.
#[derive(Clone)]
pub struct PushConsumerConfig {
    /// Name servers, instance name, credentials and timings.
    pub client: ClientConfig,
    /// The consumer group.
    pub group: String,
    /// Clustering (the group shares the queues) or broadcasting.
    pub message_model: MessageModel,
    /// Where a group with no stored offset starts.
    pub consume_from_where: ConsumeFromWhere,
    /// For `ConsumeFromWhere::Timestamp`: ms since the epoch; `None` means
    /// half an hour before the start.
    pub consume_timestamp: Option<i64>,
    /// How the group's queues are shared (clustering).
    pub allocate_strategy: Arc<dyn AllocateStrategy>,
    /// Threads running listeners (Java: 20).
    pub consume_thread_count: usize,
    /// Most messages per listener call (Java: 1).
    pub consume_batch_size: usize,
    /// Most messages per pull (Java: 32).
    pub pull_batch_size: i32,
    /// Most bytes per pull (5.x brokers; Java: 256 KiB).
    pub pull_batch_size_in_bytes: i32,
    /// Pause between pulls of a queue (Java: 0).
    pub pull_interval: Duration,
    /// Cached messages per queue before pulling pauses (Java: 1000).
    pub pull_threshold_for_queue: usize,
    /// Cached MiB per queue before pulling pauses (Java: 100).
    pub pull_threshold_size_for_queue: usize,
    /// Cached messages per topic, shared by its queues; off when `None`.
    pub pull_threshold_for_topic: Option<usize>,
    /// Cached MiB per topic, shared by its queues; off when `None`.
    pub pull_threshold_size_for_topic: Option<usize>,
    /// Largest offset span cached per queue, concurrent consumption (Java: 2000).
    pub consume_concurrently_max_span: i64,
    /// Deliveries before the dead-letter queue; `None`: 16 concurrently,
    /// unlimited orderly.
    pub max_reconsume_times: Option<i32>,
    /// Orderly: pause after a failed batch (Java: 1 s).
    pub suspend_current_queue_time: Duration,
    /// Messages in a listener longer than this are sent back (Java: 15 min).
    pub consume_timeout: Duration,
    /// Periodic rebalance (Java: 20 s).
    pub rebalance_interval: Duration,
    /// Orderly: broker lock renewal (Java: 20 s).
    pub lock_interval: Duration,
    /// Long polling: how long the broker may hold a pull (Java: 15 s).
    pub broker_suspend_max_time: Duration,
    /// RPC timeout of a long-polling pull (Java: 30 s).
    pub pull_timeout: Duration,
    /// Send the expression with each pull (Java: false).
    pub post_subscription_when_pull: bool,
    /// How long shutdown waits for listeners to finish.
    pub shutdown_timeout: Duration,
    /// How long a queue moving to another consumer waits for its listeners.
    pub queue_drain_timeout: Duration,
    /// Directory of broadcasting offset files; `~/.rocketmq_offsets` by default.
    pub local_offset_dir: Option<PathBuf>,
}

impl std::fmt::Debug for PushConsumerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushConsumerConfig")
            .field("group", &self.group)
            .field("message_model", &self.message_model)
            .field("consume_from_where", &self.consume_from_where)
            .field("allocate_strategy", &self.allocate_strategy.name())
            .field("consume_thread_count", &self.consume_thread_count)
            .finish_non_exhaustive()
    }
}

impl PushConsumerConfig {
    /// Defaults for `group` on the name servers `namesrv_addr`.
    pub fn new(namesrv_addr: impl Into<String>, group: impl Into<String>) -> Self {
        PushConsumerConfig {
            client: ClientConfig::new(namesrv_addr),
            group: group.into(),
            message_model: MessageModel::Clustering,
            consume_from_where: ConsumeFromWhere::LastOffset,
            consume_timestamp: None,
            allocate_strategy: Arc::new(AllocateAveragely),
            consume_thread_count: 20,
            consume_batch_size: 1,
            pull_batch_size: 32,
            pull_batch_size_in_bytes: 256 * 1024,
            pull_interval: Duration::ZERO,
            pull_threshold_for_queue: 1000,
            pull_threshold_size_for_queue: 100,
            pull_threshold_for_topic: None,
            pull_threshold_size_for_topic: None,
            consume_concurrently_max_span: 2000,
            max_reconsume_times: None,
            suspend_current_queue_time: Duration::from_millis(1000),
            consume_timeout: Duration::from_secs(15 * 60),
            rebalance_interval: Duration::from_secs(20),
            lock_interval: Duration::from_secs(20),
            broker_suspend_max_time: Duration::from_secs(15),
            pull_timeout: Duration::from_secs(30),
            post_subscription_when_pull: false,
            shutdown_timeout: Duration::from_secs(10),
            queue_drain_timeout: Duration::from_secs(5),
            local_offset_dir: None,
        }
    }

    /// Checks every setting, with a clear error for the first bad one.
    pub fn validate(&self) -> Result<()> {
        self.client.validate()?;
        validate::check_consumer_group(&self.group)?;
        if self.consume_thread_count == 0 || self.consume_thread_count > 1000 {
            return Err(Error::invalid("consume_thread_count must be in 1..=1000"));
        }
        if self.consume_batch_size == 0 || self.consume_batch_size > 1024 {
            return Err(Error::invalid("consume_batch_size must be in 1..=1024"));
        }
        if !(1..=1024).contains(&self.pull_batch_size) {
            return Err(Error::invalid("pull_batch_size must be in 1..=1024"));
        }
        if self.pull_batch_size_in_bytes <= 0 {
            return Err(Error::invalid("pull_batch_size_in_bytes must be positive"));
        }
        if !(1..=65535).contains(&self.pull_threshold_for_queue) {
            return Err(Error::invalid(
                "pull_threshold_for_queue must be in 1..=65535",
            ));
        }
        if !(1..=1024).contains(&self.pull_threshold_size_for_queue) {
            return Err(Error::invalid(
                "pull_threshold_size_for_queue (MiB) must be in 1..=1024",
            ));
        }
        if self.pull_threshold_for_topic == Some(0) || self.pull_threshold_size_for_topic == Some(0)
        {
            return Err(Error::invalid("per-topic thresholds must be positive"));
        }
        if !(1..=65535).contains(&self.consume_concurrently_max_span) {
            return Err(Error::invalid(
                "consume_concurrently_max_span must be in 1..=65535",
            ));
        }
        if let Some(m) = self.max_reconsume_times {
            if m < -1 {
                return Err(Error::invalid("max_reconsume_times must be -1 or more"));
            }
        }
        for (what, d) in [
            ("consume timeout", self.consume_timeout),
            ("rebalance interval", self.rebalance_interval),
            ("lock interval", self.lock_interval),
            ("pull timeout", self.pull_timeout),
        ] {
            if d.is_zero() {
                return Err(Error::invalid(format!("the {what} must be positive")));
            }
        }
        if self.pull_timeout <= self.broker_suspend_max_time {
            return Err(Error::invalid(
                "the pull timeout must be longer than the broker suspend time",
            ));
        }
        Ok(())
    }

    /// The maximum deliveries for concurrent (`orderly == false`) or orderly consumption.
    pub fn effective_max_reconsume_times(&self, orderly: bool) -> i32 {
        match self.max_reconsume_times {
            Some(m) if m >= 0 => m,
            _ if orderly => i32::MAX,
            _ => 16,
        }
    }
}

/// What shutdown achieved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Every running listener finished before the deadline.
    pub drained: bool,
    /// Queues whose final offset could not be written.
    pub offset_persist_failures: usize,
    /// Every consume thread was joined.
    pub threads_joined: bool,
}

/// One subscription: its heartbeat data, filter and listener.
#[derive(Clone)]
pub(crate) struct Subscription {
    pub data: SubscriptionData,
    pub filter: FilterExpression,
    /// `None` for the group's retry topic.
    pub listener: Option<MessageListener>,
}

/// Counters of one topic.
#[derive(Debug, Default)]
pub(crate) struct TopicStats {
    pub pulls: AtomicU64,
    pub pull_rt_ms: AtomicU64,
    pub consume_ok: AtomicU64,
    pub consume_failed: AtomicU64,
    pub consume_rt_ms: AtomicU64,
}

pub(crate) struct Inner {
    pub config: PushConsumerConfig,
    state: AtomicU8,
    lifecycle: Mutex<()>,
    pub instance: RwLock<Option<Arc<ClientInstance>>>,
    /// Wire topic to subscription (the retry topic included once started).
    pub subs: RwLock<BTreeMap<String, Subscription>>,
    pub offset_store: RwLock<Option<Arc<OffsetStore>>>,
    pub pqs: Mutex<HashMap<MessageQueue, Arc<ProcessQueue>>>,
    pub pull_tasks: Mutex<HashMap<MessageQueue, JoinHandle<()>>>,
    pub pool: RwLock<Option<Arc<ConsumePool>>>,
    pub rebalance_notify: Notify,
    pub rebalance_lock: tokio::sync::Mutex<()>,
    pub rebalance_failures: std::sync::atomic::AtomicU32,
    /// Pulling paused; in-flight pulls are abandoned when it turns true.
    pub paused: watch::Sender<bool>,
    pub stop: watch::Sender<bool>,
    pub orderly: AtomicBool,
    pub start_ms: AtomicI64,
    pub hooks: RwLock<Vec<Arc<dyn ConsumeHook>>>,
    pub filter_hooks: RwLock<Vec<Arc<dyn FilterMessageHook>>>,
    pub stats: RwLock<HashMap<String, Arc<TopicStats>>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    last_report: Mutex<Option<ShutdownReport>>,
}

/// A push consumer. Cheap to clone; clones share the consumer.
///
/// Call [`shutdown`](Self::shutdown) when done: background work holds the
/// consumer alive until then.
#[derive(Clone)]
pub struct PushConsumer {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for PushConsumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushConsumer")
            .field("group", &self.inner.config.group)
            .finish_non_exhaustive()
    }
}

impl PushConsumer {
    /// A consumer with `config`, validated; not started.
    pub fn new(config: PushConsumerConfig) -> Result<PushConsumer> {
        config.validate()?;
        let (stop, _) = watch::channel(false);
        Ok(PushConsumer {
            inner: Arc::new(Inner {
                config,
                state: AtomicU8::new(CREATED),
                lifecycle: Mutex::new(()),
                instance: RwLock::new(None),
                subs: RwLock::new(BTreeMap::new()),
                offset_store: RwLock::new(None),
                pqs: Mutex::new(HashMap::new()),
                pull_tasks: Mutex::new(HashMap::new()),
                pool: RwLock::new(None),
                rebalance_notify: Notify::new(),
                rebalance_lock: tokio::sync::Mutex::new(()),
                rebalance_failures: std::sync::atomic::AtomicU32::new(0),
                paused: watch::channel(false).0,
                stop,
                orderly: AtomicBool::new(false),
                start_ms: AtomicI64::new(0),
                hooks: RwLock::new(Vec::new()),
                filter_hooks: RwLock::new(Vec::new()),
                stats: RwLock::new(HashMap::new()),
                tasks: Mutex::new(Vec::new()),
                last_report: Mutex::new(None),
            }),
        })
    }

    /// The consumer's settings.
    pub fn config(&self) -> &PushConsumerConfig {
        &self.inner.config
    }

    /// Subscribes `topic` with a tag expression (`*`, `a || b`) and its listener.
    /// Subscribing a topic again replaces its expression and listener. All
    /// listeners of a consumer are concurrent, or all orderly.
    pub fn subscribe(
        &self,
        topic: &str,
        tag_expression: &str,
        listener: MessageListener,
    ) -> Result<()> {
        self.subscribe_with(topic, FilterExpression::tag(tag_expression)?, listener)
    }

    /// Subscribes `topic` with an SQL92 expression (the broker needs
    /// `enablePropertyFilter=true`).
    pub fn subscribe_sql92(&self, topic: &str, sql: &str, listener: MessageListener) -> Result<()> {
        self.subscribe_with(topic, FilterExpression::sql92(sql)?, listener)
    }

    /// Subscribes `topic` with a parsed expression.
    pub fn subscribe_with(
        &self,
        topic: &str,
        filter: FilterExpression,
        listener: MessageListener,
    ) -> Result<()> {
        validate::check_topic(topic)?;
        let inner = &self.inner;
        let state = inner.state.load(Ordering::Acquire);
        if state >= STOPPING {
            return Err(Error::new(ErrorKind::ShutDown, "the consumer is shut down"));
        }
        {
            let subs = inner.subs.read();
            if let Some(other) = subs
                .values()
                .filter_map(|s| s.listener.as_ref())
                .find(|l| l.is_orderly() != listener.is_orderly())
            {
                let _ = other;
                return Err(Error::invalid(
                    "a consumer's listeners must all be concurrent or all orderly",
                ));
            }
        }
        let wire = inner.wrap(topic);
        let data = subscription_data(&wire, &filter);
        inner.subs.write().insert(
            wire,
            Subscription {
                data,
                filter,
                listener: Some(listener.clone()),
            },
        );
        if state == RUNNING {
            if let Ok(inst) = inner.instance() {
                inst.heartbeat_soon();
            }
            inner.rebalance_notify.notify_one();
        } else {
            inner
                .orderly
                .store(listener.is_orderly(), Ordering::Release);
        }
        Ok(())
    }

    /// Stops consuming `topic`; its queues are released at the next rebalance.
    pub fn unsubscribe(&self, topic: &str) {
        let wire = self.inner.wrap(topic);
        self.inner.subs.write().remove(&wire);
        if self.inner.state.load(Ordering::Acquire) == RUNNING {
            if let Ok(inst) = self.inner.instance() {
                inst.heartbeat_soon();
            }
            self.inner.rebalance_notify.notify_one();
        }
    }

    /// Adds a hook called around every listener call.
    pub fn add_consume_hook(&self, hook: Arc<dyn ConsumeHook>) {
        self.inner.hooks.write().push(hook);
    }

    /// Adds a filter run on pulled messages after the tag check.
    pub fn add_filter_hook(&self, hook: Arc<dyn FilterMessageHook>) {
        self.inner.filter_hooks.write().push(hook);
    }

    /// Starts consuming: joins the client instance, registers the group and
    /// starts the pull, rebalance, offset and lock tasks.
    pub fn start(&self) -> Result<()> {
        let inner = &self.inner;
        let _g = inner.lifecycle.lock();
        match inner.state.load(Ordering::Acquire) {
            RUNNING => return Ok(()),
            STOPPING | SHUT_DOWN => {
                return Err(Error::new(
                    ErrorKind::ShutDown,
                    "the consumer was shut down; create a new one",
                ))
            }
            _ => {}
        }
        let listeners: Vec<bool> = inner
            .subs
            .read()
            .values()
            .filter_map(|s| s.listener.as_ref().map(|l| l.is_orderly()))
            .collect();
        if listeners.is_empty() {
            return Err(Error::invalid(
                "subscribe at least one topic with a listener before starting",
            ));
        }
        let orderly = listeners[0];
        inner.orderly.store(orderly, Ordering::Release);
        let group = inner.group_on_wire();
        if inner.config.message_model == MessageModel::Clustering {
            let retry = names::retry_topic(&group);
            let filter = FilterExpression::tag("*")?;
            let data = subscription_data(&retry, &filter);
            inner.subs.write().insert(
                retry,
                Subscription {
                    data,
                    filter,
                    listener: None,
                },
            );
        }
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
        let pool = Arc::new(ConsumePool::new(
            &format!("ConsumeMessageThread_{}", inner.config.group),
            inner.config.consume_thread_count,
        )?);
        let handle: Arc<dyn ConsumerHandle> = Arc::new(Handle(Arc::downgrade(inner)));
        if let Err(e) = instance.register_consumer(handle) {
            pool.join(Duration::from_secs(1));
            return Err(e);
        }
        *inner.offset_store.write() = Some(Arc::new(store));
        *inner.pool.write() = Some(pool);
        *inner.instance.write() = Some(instance);
        inner.start_ms.store(now_ms(), Ordering::Release);
        inner.state.store(RUNNING, Ordering::Release);
        inner.spawn_tasks();
        Ok(())
    }

    /// Stops pulling at once (pulls in flight are abandoned; messages
    /// already cached are still consumed).
    pub fn pause(&self) {
        self.inner.paused.send_replace(true);
    }

    /// Resumes pulling.
    pub fn resume(&self) {
        self.inner.paused.send_replace(false);
    }

    /// Whether pulling is paused.
    pub fn is_paused(&self) -> bool {
        *self.inner.paused.borrow()
    }

    /// Triggers a rebalance now.
    pub fn rebalance_now(&self) {
        self.inner.rebalance_notify.notify_one();
    }

    /// The queues this consumer currently owns.
    pub fn assigned_queues(&self) -> Vec<MessageQueue> {
        let mut v: Vec<MessageQueue> = self
            .inner
            .pqs
            .lock()
            .iter()
            .filter(|(_, pq)| !pq.is_dropped())
            .map(|(mq, _)| self.inner.unwrap_mq(mq))
            .collect();
        v.sort();
        v
    }

    /// The in-memory committed offsets of `topic`'s queues.
    pub fn committed_offsets(&self, topic: &str) -> BTreeMap<MessageQueue, i64> {
        let wire = self.inner.wrap(topic);
        match self.inner.offset_store.read().as_ref() {
            Some(s) => s
                .offsets_of_topic(&wire)
                .into_iter()
                .map(|(mq, o)| (self.inner.unwrap_mq(&mq), o))
                .collect(),
            None => BTreeMap::new(),
        }
    }

    /// The client instance, once started.
    pub fn instance(&self) -> Result<Arc<ClientInstance>> {
        self.inner.instance()
    }

    /// The running info the brokers' GET_CONSUMER_RUNNING_INFO sees.
    pub fn running_info(&self) -> ConsumerRunningInfo {
        self.inner.running_info()
    }

    /// Stops in order, within the shutdown timeout: stop pulling, let running
    /// listeners finish, persist offsets, unlock orderly queues, unregister,
    /// release the client instance, join the consume threads. Messages not
    /// consumed by then are not committed and come again. Idempotent. An
    /// error when called from one of this consumer's listeners.
    pub async fn shutdown(&self) -> Result<ShutdownReport> {
        if self.inner.in_own_listener() {
            return Err(own_listener_error());
        }
        // On the library's runtime, whatever runtime the caller uses.
        let inner = self.inner.clone();
        crate::runtime::handle()
            .spawn(async move { inner.shutdown().await })
            .await
            .map_err(|e| Error::new(ErrorKind::Internal, format!("shutdown failed: {e}")))?
    }

    /// [`shutdown`](Self::shutdown) from a plain (non-runtime) thread.
    pub fn shutdown_blocking(&self) -> Result<ShutdownReport> {
        if self.inner.in_own_listener() {
            return Err(own_listener_error());
        }
        crate::runtime::block_on(self.shutdown())?
    }
}

fn own_listener_error() -> Error {
    Error::invalid("a consumer cannot be shut down from one of its own listeners")
}

/// Heartbeat subscription data for `topic` and `filter`, versioned now.
pub(crate) fn subscription_data(topic: &str, filter: &FilterExpression) -> SubscriptionData {
    SubscriptionData {
        class_filter_mode: false,
        code_set: filter.codes.clone(),
        expression_type: filter.expression_type.as_str().to_owned(),
        sub_string: filter.sub_string.clone(),
        sub_version: now_ms(),
        tags_set: filter.tags.clone(),
        topic: topic.to_owned(),
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
        match self.0.upgrade() {
            Some(i) => i.consumer_data(),
            None => ConsumerData::default(),
        }
    }
    fn subscribed_topics(&self) -> Vec<String> {
        self.0
            .upgrade()
            .map(|i| i.subs.read().keys().cloned().collect())
            .unwrap_or_default()
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
    fn reset_offset(&self, topic: &str, offsets: BTreeMap<MessageQueue, i64>) {
        if let Some(i) = self.0.upgrade() {
            let topic = topic.to_owned();
            crate::runtime::handle().spawn(async move {
                i.reset_offset(&topic, offsets).await;
            });
        }
    }
    fn consumer_status(&self, topic: &str) -> BTreeMap<MessageQueue, i64> {
        match self.0.upgrade() {
            Some(i) => i
                .offset_store
                .read()
                .as_ref()
                .map(|s| s.offsets_of_topic(topic))
                .unwrap_or_default(),
            None => BTreeMap::new(),
        }
    }
    fn running_info(&self) -> Option<ConsumerRunningInfo> {
        self.0.upgrade().map(|i| i.running_info())
    }
    fn consume_message_directly(
        &self,
        msg: MessageExt,
        broker_name: Option<String>,
    ) -> Option<oneshot::Receiver<ConsumeMessageDirectlyResult>> {
        let inner = self.0.upgrade()?;
        Some(inner.consume_message_directly(msg, broker_name))
    }
}

impl Inner {
    pub fn instance(&self) -> Result<Arc<ClientInstance>> {
        self.instance
            .read()
            .clone()
            .ok_or_else(|| Error::new(ErrorKind::NotStarted, "the consumer is not started"))
    }

    pub fn offset_store(&self) -> Option<Arc<OffsetStore>> {
        self.offset_store.read().clone()
    }

    pub fn pool(&self) -> Option<Arc<ConsumePool>> {
        self.pool.read().clone()
    }

    pub fn is_running(&self) -> bool {
        self.state.load(Ordering::Acquire) == RUNNING
    }

    pub fn is_orderly(&self) -> bool {
        self.orderly.load(Ordering::Acquire)
    }

    pub fn in_own_listener(&self) -> bool {
        self.pool().is_some_and(|p| p.is_current())
    }

    pub fn group_on_wire(&self) -> String {
        match &self.config.client.namespace {
            Some(ns) => namespace::wrap(ns, &self.config.group),
            None => self.config.group.clone(),
        }
    }

    pub fn wrap(&self, topic: &str) -> String {
        match &self.config.client.namespace {
            Some(ns) => namespace::wrap(ns, topic),
            None => topic.to_owned(),
        }
    }

    pub fn unwrap(&self, topic: &str) -> String {
        match &self.config.client.namespace {
            Some(ns) => namespace::without_namespace_of(topic, ns),
            None => topic.to_owned(),
        }
    }

    pub fn unwrap_mq(&self, mq: &MessageQueue) -> MessageQueue {
        MessageQueue::new(self.unwrap(&mq.topic), mq.broker_name.clone(), mq.queue_id)
    }

    pub fn max_reconsume_times(&self) -> i32 {
        self.config.effective_max_reconsume_times(self.is_orderly())
    }

    pub fn topic_stats(&self, topic: &str) -> Arc<TopicStats> {
        if let Some(s) = self.stats.read().get(topic) {
            return s.clone();
        }
        self.stats
            .write()
            .entry(topic.to_owned())
            .or_default()
            .clone()
    }

    pub fn consumer_data(&self) -> ConsumerData {
        ConsumerData {
            consume_from_where: self.config.consume_from_where,
            consume_type: ConsumeType::Passively,
            group_name: self.group_on_wire(),
            message_model: self.config.message_model,
            subscription_data_set: self.subs.read().values().map(|s| s.data.clone()).collect(),
            unit_mode: false,
        }
    }

    /// The listener for messages whose (restored) topic is `topic`.
    pub fn listener_for(&self, topic: &str) -> Option<MessageListener> {
        self.subs.read().get(topic).and_then(|s| s.listener.clone())
    }

    fn spawn_tasks(self: &Arc<Self>) {
        let rt = crate::runtime::handle();
        let mut tasks = self.tasks.lock();
        // Routes, a heartbeat, then the first rebalance.
        let me = self.clone();
        tasks.push(rt.spawn(async move {
            if let Ok(inst) = me.instance() {
                let topics: Vec<String> = me.subs.read().keys().cloned().collect();
                for t in topics {
                    let _ = inst.topic_route(&t).await;
                }
                inst.send_heartbeat_to_all_brokers().await;
            }
            me.rebalance_notify.notify_one();
        }));
        tasks.push(rt.spawn(rebalance_loop(Arc::downgrade(self), self.stop.subscribe())));
        tasks.push(rt.spawn(persist_loop(Arc::downgrade(self), self.stop.subscribe())));
        if self.is_orderly() && self.config.message_model == MessageModel::Clustering {
            tasks.push(rt.spawn(lock_loop(Arc::downgrade(self), self.stop.subscribe())));
        }
        if !self.is_orderly() {
            tasks.push(rt.spawn(sweep_loop(Arc::downgrade(self), self.stop.subscribe())));
        }
    }

    /// Writes out the offsets of every owned queue.
    pub async fn persist_offsets(&self) -> usize {
        let Some(store) = self.offset_store() else {
            return 0;
        };
        let mqs: Vec<MessageQueue> = self
            .pqs
            .lock()
            .iter()
            .filter(|(_, pq)| !pq.is_removed())
            .map(|(mq, _)| mq.clone())
            .collect();
        store.persist_all(&mqs).await
    }

    async fn shutdown(self: &Arc<Self>) -> Result<ShutdownReport> {
        if self.in_own_listener() {
            return Err(own_listener_error());
        }
        let clean = ShutdownReport {
            drained: true,
            offset_persist_failures: 0,
            threads_joined: true,
        };
        let state = {
            let _g = self.lifecycle.lock();
            let state = self.state.load(Ordering::Acquire);
            match state {
                CREATED => self.state.store(SHUT_DOWN, Ordering::Release),
                RUNNING => self.state.store(STOPPING, Ordering::Release),
                _ => {}
            }
            state
        };
        match state {
            CREATED => {
                *self.last_report.lock() = Some(clean.clone());
                return Ok(clean);
            }
            RUNNING => {}
            _ => {
                // Another call is shutting down: wait for its report.
                let give_up = tokio::time::Instant::now()
                    + self.config.shutdown_timeout
                    + Duration::from_secs(5);
                while self.state.load(Ordering::Acquire) != SHUT_DOWN
                    && tokio::time::Instant::now() < give_up
                {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                return Ok(self.last_report.lock().clone().unwrap_or(ShutdownReport {
                    drained: false,
                    offset_persist_failures: 0,
                    threads_joined: false,
                }));
            }
        }
        let deadline = tokio::time::Instant::now() + self.config.shutdown_timeout;
        // 1. Stop pulling: background tasks end, queues are dropped, queued
        //    (not started) batches are skipped and stay uncommitted.
        let _ = self.stop.send(true);
        let rebalance_guard = tokio::time::timeout_at(deadline, self.rebalance_lock.lock())
            .await
            .ok();
        let pqs: Vec<Arc<ProcessQueue>> = self.pqs.lock().values().cloned().collect();
        for pq in &pqs {
            pq.set_dropped();
        }
        for t in self.pull_tasks.lock().drain() {
            t.1.abort();
        }
        // 2. Drain the listeners that are running.
        let mut drained = true;
        if let Some(pool) = self.pool() {
            loop {
                let (queued, running) = pool.load();
                if queued == 0 && running == 0 {
                    break;
                }
                if tokio::time::Instant::now() >= deadline {
                    drained = false;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        // 3. Persist offsets (confirmed), then freeze them.
        let failures = self.persist_offsets().await;
        for pq in &pqs {
            pq.set_removed();
        }
        // 4. Unlock orderly queues.
        if self.is_orderly() && self.config.message_model == MessageModel::Clustering {
            let mqs: Vec<MessageQueue> = pqs.iter().map(|p| p.mq.clone()).collect();
            self.unlock_all(&mqs, false).await;
        }
        drop(rebalance_guard);
        self.pqs.lock().clear();
        for t in self.tasks.lock().drain(..) {
            t.abort();
        }
        // 5-6. Unregister; the instance closes its connections when unused.
        let instance = self.instance.write().take();
        if let Some(inst) = instance {
            inst.unregister_consumer(&self.group_on_wire()).await;
        }
        // 7. Join the consume threads.
        let mut threads_joined = true;
        let pool = self.pool.write().take();
        if let Some(pool) = pool {
            let left = deadline
                .saturating_duration_since(tokio::time::Instant::now())
                .max(Duration::from_millis(50));
            threads_joined = tokio::task::spawn_blocking(move || pool.join(left))
                .await
                .unwrap_or(false);
        }
        let report = ShutdownReport {
            drained,
            offset_persist_failures: failures,
            threads_joined,
        };
        *self.last_report.lock() = Some(report.clone());
        self.state.store(SHUT_DOWN, Ordering::Release);
        Ok(report)
    }

    pub fn running_info(&self) -> ConsumerRunningInfo {
        let mut info = ConsumerRunningInfo::default();
        let c = &self.config;
        let p = &mut info.properties;
        p.insert("consumerGroup".into(), c.group.clone());
        p.insert("messageModel".into(), c.message_model.name().into());
        p.insert(
            "consumeFromWhere".into(),
            c.consume_from_where.name().into(),
        );
        p.insert(
            "allocateMessageQueueStrategy".into(),
            c.allocate_strategy.name().into(),
        );
        p.insert(
            "consumeThreadMin".into(),
            c.consume_thread_count.to_string(),
        );
        p.insert(
            "consumeThreadMax".into(),
            c.consume_thread_count.to_string(),
        );
        p.insert(
            "consumeMessageBatchMaxSize".into(),
            c.consume_batch_size.to_string(),
        );
        p.insert("pullBatchSize".into(), c.pull_batch_size.to_string());
        p.insert(
            "pullInterval".into(),
            c.pull_interval.as_millis().to_string(),
        );
        p.insert(
            "pullThresholdForQueue".into(),
            c.pull_threshold_for_queue.to_string(),
        );
        p.insert(
            "pullThresholdSizeForQueue".into(),
            c.pull_threshold_size_for_queue.to_string(),
        );
        p.insert(
            "consumeConcurrentlyMaxSpan".into(),
            c.consume_concurrently_max_span.to_string(),
        );
        p.insert(
            "maxReconsumeTimes".into(),
            self.max_reconsume_times().to_string(),
        );
        p.insert(
            "consumeTimeout".into(),
            (c.consume_timeout.as_secs() / 60).to_string(),
        );
        p.insert(
            "suspendCurrentQueueTimeMillis".into(),
            c.suspend_current_queue_time.as_millis().to_string(),
        );
        p.insert(
            ConsumerRunningInfo::PROP_THREADPOOL_CORE_SIZE.into(),
            c.consume_thread_count.to_string(),
        );
        p.insert(
            ConsumerRunningInfo::PROP_CONSUME_ORDERLY.into(),
            self.is_orderly().to_string(),
        );
        p.insert(
            ConsumerRunningInfo::PROP_CONSUME_TYPE.into(),
            ConsumeType::Passively.name().into(),
        );
        p.insert(
            ConsumerRunningInfo::PROP_CONSUMER_START_TIMESTAMP.into(),
            self.start_ms.load(Ordering::Acquire).to_string(),
        );
        info.subscription_set = self.subs.read().values().map(|s| s.data.clone()).collect();
        let store = self.offset_store();
        for (mq, pq) in self.pqs.lock().iter() {
            let committed = store
                .as_ref()
                .and_then(|s| s.memory_offset(mq))
                .unwrap_or(-1);
            info.mq_table.insert(mq.clone(), pq.info(committed));
        }
        let elapsed_s =
            ((now_ms() - self.start_ms.load(Ordering::Acquire)).max(1000) as f64) / 1000.0;
        for (topic, s) in self.stats.read().iter() {
            let pulls = s.pulls.load(Ordering::Relaxed);
            let ok = s.consume_ok.load(Ordering::Relaxed);
            let failed = s.consume_failed.load(Ordering::Relaxed);
            let consumed = ok + failed;
            info.status_table.insert(
                topic.clone(),
                crate::protocol::body::ConsumeStatus {
                    pull_rt: if pulls > 0 {
                        s.pull_rt_ms.load(Ordering::Relaxed) as f64 / pulls as f64
                    } else {
                        0.0
                    },
                    pull_tps: pulls as f64 / elapsed_s,
                    consume_rt: if consumed > 0 {
                        s.consume_rt_ms.load(Ordering::Relaxed) as f64 / consumed as f64
                    } else {
                        0.0
                    },
                    consume_ok_tps: ok as f64 / elapsed_s,
                    consume_failed_tps: failed as f64 / elapsed_s,
                    consume_failed_msgs: failed as i64,
                },
            );
        }
        info
    }

    /// RESET_CONSUMER_CLIENT_OFFSET: drop the topic's queues, store the new
    /// offsets, and let the next rebalance take the queues again.
    pub async fn reset_offset(self: &Arc<Self>, topic: &str, offsets: BTreeMap<MessageQueue, i64>) {
        if !self.is_running() {
            return;
        }
        let Some(store) = self.offset_store() else {
            return;
        };
        let _g = self.rebalance_lock.lock().await;
        let pqs: Vec<Arc<ProcessQueue>> = self
            .pqs
            .lock()
            .values()
            .filter(|pq| pq.mq.topic == topic)
            .cloned()
            .collect();
        for pq in &pqs {
            pq.set_dropped();
        }
        for pq in &pqs {
            pq.wait_idle(self.config.queue_drain_timeout).await;
            pq.clear();
        }
        for (mq, off) in &offsets {
            if mq.topic == topic {
                let _ = store.update_and_persist(mq, *off).await;
            }
        }
        for pq in &pqs {
            if offsets.contains_key(&pq.mq) {
                pq.set_removed();
                self.remove_pq(&pq.mq, pq);
                if self.is_orderly() && self.config.message_model == MessageModel::Clustering {
                    self.unlock_all(std::slice::from_ref(&pq.mq), true).await;
                }
            } else {
                // Not reset: keep consuming it.
                self.restart_pq(pq).await;
            }
        }
        drop(_g);
        self.rebalance_notify.notify_one();
    }

    /// Removes `pq` from the table if it is still the queue's process queue.
    pub fn remove_pq(&self, mq: &MessageQueue, pq: &Arc<ProcessQueue>) {
        let mut t = self.pqs.lock();
        if t.get(mq).is_some_and(|p| Arc::ptr_eq(p, pq)) {
            t.remove(mq);
            if let Some(h) = self.pull_tasks.lock().remove(mq) {
                h.abort();
            }
        }
    }

    /// Replaces a dropped process queue by a fresh one at the stored offset.
    async fn restart_pq(self: &Arc<Self>, pq: &Arc<ProcessQueue>) {
        pq.set_removed();
        self.remove_pq(&pq.mq, pq);
        self.rebalance_notify.notify_one();
    }

    /// CONSUME_MESSAGE_DIRECTLY: runs the listener of the message's topic on
    /// a thread of its own and reports the result.
    pub fn consume_message_directly(
        self: &Arc<Self>,
        mut msg: MessageExt,
        broker_name: Option<String>,
    ) -> oneshot::Receiver<ConsumeMessageDirectlyResult> {
        let (tx, rx) = oneshot::channel();
        let me = self.clone();
        let spawn = std::thread::Builder::new()
            .name("ConsumeMessageDirectly".into())
            .spawn(move || {
                super::pull_api::restore_retry_topic(
                    &names::retry_topic(&me.group_on_wire()),
                    &mut msg,
                );
                let mq = MessageQueue::new(
                    me.unwrap(&msg.topic),
                    broker_name.unwrap_or_default(),
                    msg.queue_id,
                );
                let r = super::consume_concurrently::consume_directly(&me, msg, mq);
                let _ = tx.send(r);
            });
        if spawn.is_err() {
            let (tx2, rx2) = oneshot::channel();
            let _ = tx2.send(ConsumeMessageDirectlyResult {
                remark: Some("no thread to consume the message".into()),
                ..Default::default()
            });
            return rx2;
        }
        rx
    }
}

/// Periodic and on-demand rebalances, serialized.
async fn rebalance_loop(weak: Weak<Inner>, mut stop: watch::Receiver<bool>) {
    loop {
        let (interval, notified) = {
            let Some(me) = weak.upgrade() else { return };
            (me.config.rebalance_interval, Arc::clone(&me))
        };
        tokio::select! {
            _ = notified.rebalance_notify.notified() => {}
            _ = tokio::time::sleep(interval) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        drop(notified);
        let Some(me) = weak.upgrade() else { return };
        if !me.is_running() {
            return;
        }
        me.do_rebalance().await;
        drop(me);
        // At most one rebalance a second, as Java's minimum interval.
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// Writes the offsets out every persist interval.
async fn persist_loop(weak: Weak<Inner>, mut stop: watch::Receiver<bool>) {
    let every = match weak.upgrade() {
        Some(me) => me.config.client.persist_offset_interval,
        None => return,
    };
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let Some(me) = weak.upgrade() else { return };
        if !me.is_running() {
            return;
        }
        me.persist_offsets().await;
    }
}

/// Orderly clustering: renews the broker locks of owned queues.
async fn lock_loop(weak: Weak<Inner>, mut stop: watch::Receiver<bool>) {
    let every = match weak.upgrade() {
        Some(me) => me.config.lock_interval,
        None => return,
    };
    let mut tick = tokio::time::interval_at(
        tokio::time::Instant::now() + Duration::from_millis(1000),
        every,
    );
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let Some(me) = weak.upgrade() else { return };
        if !me.is_running() {
            return;
        }
        me.lock_all().await;
    }
}

/// Concurrent consumption: sends back messages stuck in a listener longer
/// than the consume timeout.
async fn sweep_loop(weak: Weak<Inner>, mut stop: watch::Receiver<bool>) {
    let every = match weak.upgrade() {
        Some(me) => me.config.consume_timeout,
        None => return,
    };
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let Some(me) = weak.upgrade() else { return };
        if !me.is_running() {
            return;
        }
        me.clean_expired_messages().await;
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for t in self.tasks.get_mut().drain(..) {
            t.abort();
        }
        if let Some(p) = self.pool.get_mut().take() {
            p.close();
        }
    }
}

/// Whether `e` is worth a fresh heartbeat (the broker lacks our subscription).
pub(crate) fn needs_heartbeat(e: &Error) -> bool {
    use crate::protocol::codes::response;
    matches!(
        e.response_code(),
        Some(response::SUBSCRIPTION_NOT_EXIST)
            | Some(response::SUBSCRIPTION_NOT_LATEST)
            | Some(response::SUBSCRIPTION_GROUP_NOT_EXIST)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_defaults_and_validation() {
        let c = PushConsumerConfig::new("127.0.0.1:9876", "G");
        assert!(c.validate().is_ok());
        assert_eq!(c.consume_thread_count, 20);
        assert_eq!(c.pull_batch_size, 32);
        assert_eq!(c.pull_threshold_for_queue, 1000);
        assert_eq!(c.pull_threshold_size_for_queue, 100);
        assert_eq!(c.consume_concurrently_max_span, 2000);
        assert_eq!(c.consume_timeout, Duration::from_secs(900));
        assert_eq!(c.effective_max_reconsume_times(false), 16);
        assert_eq!(c.effective_max_reconsume_times(true), i32::MAX);
        let mut c2 = c.clone();
        c2.max_reconsume_times = Some(3);
        assert_eq!(c2.effective_max_reconsume_times(true), 3);
        for bad in [
            PushConsumerConfig {
                consume_thread_count: 0,
                ..c.clone()
            },
            PushConsumerConfig {
                pull_batch_size: 0,
                ..c.clone()
            },
            PushConsumerConfig {
                group: String::new(),
                ..c.clone()
            },
            PushConsumerConfig {
                pull_timeout: Duration::from_secs(10),
                ..c.clone()
            },
            PushConsumerConfig {
                pull_threshold_for_topic: Some(0),
                ..c.clone()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn listeners_must_agree() {
        let c = PushConsumer::new(PushConsumerConfig::new("127.0.0.1:9876", "G")).unwrap();
        c.subscribe(
            "A",
            "*",
            MessageListener::concurrently(
                |_: &[MessageExt], _: &mut super::super::listener::ConsumeConcurrentlyContext| {
                    super::super::listener::ConsumeConcurrentlyStatus::ConsumeSuccess
                },
            ),
        )
        .unwrap();
        let e = c
            .subscribe(
                "B",
                "*",
                MessageListener::orderly(
                    |_: &[MessageExt], _: &mut super::super::listener::ConsumeOrderlyContext| {
                        super::super::listener::ConsumeOrderlyStatus::Success
                    },
                ),
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(c.subscribe("bad topic!", "*", MessageListener::concurrently(|_: &[MessageExt], _: &mut super::super::listener::ConsumeConcurrentlyContext| {
            super::super::listener::ConsumeConcurrentlyStatus::ConsumeSuccess
        })).is_err());
        // Not started: shutdown is a no-op that succeeds.
        let r = c.shutdown_blocking().unwrap();
        assert!(r.drained && r.threads_joined);
        assert_eq!(c.shutdown_blocking().unwrap(), r);
        assert!(c.start().is_err());
    }

    #[test]
    fn subscription_data_from_filter() {
        let f = FilterExpression::tag("a || b").unwrap();
        let d = subscription_data("T", &f);
        assert_eq!(d.topic, "T");
        assert_eq!(d.sub_string, "a || b");
        assert_eq!(d.tags_set.len(), 2);
        assert_eq!(d.code_set.len(), 2);
        assert_eq!(d.expression_type, "TAG");
        assert!(d.sub_version > 0);
        let f = FilterExpression::sql92("a > 1").unwrap();
        assert_eq!(subscription_data("T", &f).expression_type, "SQL92");
    }
}
