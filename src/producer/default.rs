//! `Producer`: sends messages (sync, async, oneway, batch, ordered, to a
//! queue, request-reply) with retries, fault avoidance, compression and hooks.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use parking_lot::{Mutex, RwLock};
use tokio::sync::Semaphore;

use super::config::{BackPressure, ProducerConfig};
use super::fault::FaultStrategy;
use super::hooks::{run_contained, ForbiddenHook, SendContext, SendHook};
use super::result::{SendResult, SendStatus};
use super::selector::{
    select_one_queue, select_with, QueueSelector, SelectContext, SendQueueIndex,
};
use crate::client::instance::now_ms;
use crate::client::{ClientInstance, ProducerHandle};
use crate::common::{delay, names, namespace, validate};
use crate::protocol::body::route::{publish_queues, TopicRouteData};
use crate::protocol::codes::{request, response, SEND_RETRIABLE_CODES};
use crate::protocol::compress;
use crate::protocol::headers::{
    CheckTransactionStateRequestHeader, CommandHeader, RpcBase, SendMessageRequestHeader,
    SendMessageResponseHeader,
};
use crate::protocol::message::{self, property, sysflag, Message, MessageExt};
use crate::protocol::{msg_id, ExtFields, MessageQueue, RemotingCommand};
use crate::{Error, ErrorKind, Result};

const CREATED: u8 = 0;
const RUNNING: u8 = 1;
const SHUT_DOWN: u8 = 2;
/// The pause before a failed route lookup of a send is asked again.
const ROUTE_RETRY_PAUSE: Duration = Duration::from_millis(100);

/// How a send travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Sync,
    Async,
    Oneway,
}

/// The queues a topic can be sent to.
#[derive(Debug, Clone)]
pub struct PublishInfo {
    pub queues: Vec<MessageQueue>,
    pub route: Arc<TopicRouteData>,
    /// True when the route is the auto-create (TBW102) route.
    pub from_default_topic: bool,
}

/// Handles a CHECK_TRANSACTION_STATE for a producer (set by the transaction producer).
pub(crate) type CheckHandler =
    Arc<dyn Fn(String, MessageExt, CheckTransactionStateRequestHeader) + Send + Sync>;

pub(crate) struct Inner {
    pub(crate) config: ProducerConfig,
    state: AtomicU8,
    instance: RwLock<Option<Arc<ClientInstance>>>,
    topics: RwLock<HashSet<String>>,
    index: SendQueueIndex,
    fault: FaultStrategy,
    hooks: RwLock<Vec<Arc<dyn SendHook>>>,
    forbidden: RwLock<Vec<Arc<dyn ForbiddenHook>>>,
    inflight_count: Arc<Semaphore>,
    inflight_bytes: Arc<Semaphore>,
    pub(crate) check_handler: RwLock<Option<CheckHandler>>,
    shutdown_lock: Mutex<()>,
}

/// A producer. Cheap to clone; clones share the producer.
#[derive(Clone)]
pub struct Producer {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Producer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Producer")
            .field("group", &self.inner.config.group)
            .finish_non_exhaustive()
    }
}

struct Handle(std::sync::Weak<Inner>);

impl ProducerHandle for Handle {
    fn group(&self) -> String {
        self.0
            .upgrade()
            .map(|i| i.group_on_wire())
            .unwrap_or_default()
    }
    fn publish_topics(&self) -> Vec<String> {
        self.0
            .upgrade()
            .map(|i| i.topics.read().iter().cloned().collect())
            .unwrap_or_default()
    }
    fn check_transaction_state(
        &self,
        addr: String,
        msg: MessageExt,
        header: CheckTransactionStateRequestHeader,
    ) {
        if let Some(inner) = self.0.upgrade() {
            let handler = inner.check_handler.read().clone();
            if let Some(h) = handler {
                h(addr, msg, header);
            }
        }
    }
}

impl Producer {
    /// A producer with `config`, validated; not started.
    pub fn new(config: ProducerConfig) -> Result<Producer> {
        config.validate()?;
        let max_bytes = config.max_inflight_bytes.min(Semaphore::MAX_PERMITS);
        Ok(Producer {
            inner: Arc::new(Inner {
                fault: FaultStrategy::new(config.fault.clone()),
                inflight_count: Arc::new(Semaphore::new(
                    config.max_inflight_async.min(Semaphore::MAX_PERMITS),
                )),
                inflight_bytes: Arc::new(Semaphore::new(max_bytes)),
                config,
                state: AtomicU8::new(CREATED),
                instance: RwLock::new(None),
                topics: RwLock::new(HashSet::new()),
                index: SendQueueIndex::random(),
                hooks: RwLock::new(Vec::new()),
                forbidden: RwLock::new(Vec::new()),
                check_handler: RwLock::new(None),
                shutdown_lock: Mutex::new(()),
            }),
        })
    }

    pub fn config(&self) -> &ProducerConfig {
        &self.inner.config
    }

    /// Joins (or creates) the client instance and registers the group.
    pub fn start(&self) -> Result<()> {
        let _g = self.inner.shutdown_lock.lock();
        match self.inner.state.load(Ordering::Acquire) {
            RUNNING => return Ok(()),
            SHUT_DOWN => {
                return Err(Error::new(
                    ErrorKind::ShutDown,
                    "the producer was shut down; create a new one",
                ))
            }
            _ => {}
        }
        let instance = ClientInstance::acquire(&self.inner.config.client)?;
        instance.register_producer(Arc::new(Handle(Arc::downgrade(&self.inner))))?;
        *self.inner.instance.write() = Some(instance);
        self.inner.state.store(RUNNING, Ordering::Release);
        crate::log::info(
            "producer",
            format_args!("producer group {} started", self.inner.config.group),
        );
        Ok(())
    }

    /// Stops accepting sends, waits (up to the send timeout) for async sends in
    /// flight, unregisters from brokers and releases the client instance. Sends
    /// still in flight after that fail; every callback is called exactly once.
    /// Idempotent.
    pub async fn shutdown(&self) {
        let instance = {
            let _g = self.inner.shutdown_lock.lock();
            if self.inner.state.swap(SHUT_DOWN, Ordering::AcqRel) != RUNNING {
                return;
            }
            self.inner.instance.write().take()
        };
        let max = self
            .inner
            .config
            .max_inflight_async
            .min(Semaphore::MAX_PERMITS) as u32;
        let drained = tokio::time::timeout(
            self.inner.config.send_timeout,
            self.inner.inflight_count.acquire_many(max),
        )
        .await;
        if drained.is_err() {
            crate::log::warn(
                "producer",
                format_args!(
                    "producer group {}: async sends still in flight after {} ms; they fail",
                    self.inner.config.group,
                    self.inner.config.send_timeout.as_millis()
                ),
            );
        }
        if let Some(instance) = instance {
            instance
                .unregister_producer(&self.inner.group_on_wire())
                .await;
        }
        crate::log::info(
            "producer",
            format_args!("producer group {} shut down", self.inner.config.group),
        );
    }

    /// [`shutdown`](Self::shutdown) from a plain (non-runtime) thread.
    pub fn shutdown_blocking(&self) -> Result<()> {
        crate::runtime::block_on(self.shutdown())
    }

    pub fn add_send_hook(&self, hook: Arc<dyn SendHook>) {
        self.inner.hooks.write().push(hook);
    }
    pub fn add_forbidden_hook(&self, hook: Arc<dyn ForbiddenHook>) {
        self.inner.forbidden.write().push(hook);
    }

    /// The client instance, once started.
    pub fn instance(&self) -> Result<Arc<ClientInstance>> {
        self.inner.instance()
    }

    // ----- sends ---------------------------------------------------------------

    /// Sends and waits for the broker's answer, retrying on another broker
    /// after retriable failures, within the send timeout.
    pub async fn send(&self, msg: Message) -> Result<SendResult> {
        self.inner.send_default(msg, Mode::Sync, None).await
    }

    /// [`send`](Self::send) from a plain thread.
    pub fn send_blocking(&self, msg: Message) -> Result<SendResult> {
        crate::runtime::block_on(self.send(msg))?
    }

    /// Sends without waiting for an answer (no retries).
    pub async fn send_oneway(&self, msg: Message) -> Result<()> {
        self.inner
            .send_default(msg, Mode::Oneway, None)
            .await
            .map(|_| ())
    }

    /// Sends to `queue` (which must belong to the topic's route).
    pub async fn send_to_queue(&self, msg: Message, queue: &MessageQueue) -> Result<SendResult> {
        self.inner.send_to_queue(msg, queue, Mode::Sync).await
    }

    /// Sends to `queue` without waiting for an answer.
    pub async fn send_oneway_to_queue(&self, msg: Message, queue: &MessageQueue) -> Result<()> {
        self.inner
            .send_to_queue(msg, queue, Mode::Oneway)
            .await
            .map(|_| ())
    }

    /// Sends to the queue chosen by `selector` (ordered sends); no retries on
    /// another queue, as ordering would break.
    pub async fn send_with_selector(
        &self,
        msg: Message,
        selector: &dyn QueueSelector,
        arg: Option<super::selector::SelectArg<'_>>,
    ) -> Result<SendResult> {
        let queue = self.inner.select_queue(&msg, selector, arg).await?;
        self.inner.send_to_queue(msg, &queue, Mode::Sync).await
    }

    /// Oneway variant of [`send_with_selector`](Self::send_with_selector).
    pub async fn send_oneway_with_selector(
        &self,
        msg: Message,
        selector: &dyn QueueSelector,
        arg: Option<super::selector::SelectArg<'_>>,
    ) -> Result<()> {
        let queue = self.inner.select_queue(&msg, selector, arg).await?;
        self.inner
            .send_to_queue(msg, &queue, Mode::Oneway)
            .await
            .map(|_| ())
    }

    /// Sends a batch (one topic, no delay, each message its own unique key).
    pub async fn send_batch(&self, msgs: Vec<Message>) -> Result<SendResult> {
        let batch = self.inner.batch(msgs)?;
        self.inner.send_default(batch, Mode::Sync, None).await
    }

    /// Sends a batch to `queue`.
    pub async fn send_batch_to_queue(
        &self,
        msgs: Vec<Message>,
        queue: &MessageQueue,
    ) -> Result<SendResult> {
        let batch = self.inner.batch(msgs)?;
        self.inner.send_to_queue(batch, queue, Mode::Sync).await
    }

    /// Sends asynchronously; `callback` runs exactly once, on the library's
    /// callback thread (never a runtime worker), with the result. At the
    /// in-flight bound this waits or fails as configured.
    pub fn send_async<F>(&self, msg: Message, callback: F) -> Result<()>
    where
        F: FnOnce(Result<SendResult>) + Send + 'static,
    {
        self.send_async_with(msg, None, callback)
    }

    /// [`send_async`](Self::send_async) to a given queue or, with `None`, to any.
    pub fn send_async_with<F>(
        &self,
        msg: Message,
        queue: Option<MessageQueue>,
        callback: F,
    ) -> Result<()>
    where
        F: FnOnce(Result<SendResult>) + Send + 'static,
    {
        self.inner.check_running()?;
        let permits = self.inner.acquire_inflight(msg.body.len())?;
        let inner = self.inner.clone();
        crate::runtime::handle().spawn(async move {
            let result = match queue {
                Some(q) => inner.send_to_queue(msg, &q, Mode::Async).await,
                None => inner.send_default(msg, Mode::Async, None).await,
            };
            drop(permits);
            crate::runtime::completion_thread().execute(move || callback(result));
        });
        Ok(())
    }

    /// Sends asynchronously and returns a future of the result (for async Rust callers).
    pub async fn send_async_future(&self, msg: Message) -> Result<SendResult> {
        self.inner.check_running()?;
        let n = msg
            .body
            .len()
            .clamp(1, self.inner.config.max_inflight_bytes) as u32;
        let c = self.inner.inflight_count.clone().acquire_owned().await;
        let b = self
            .inner
            .inflight_bytes
            .clone()
            .acquire_many_owned(n)
            .await;
        let result = self.inner.send_default(msg, Mode::Async, None).await;
        drop((c, b));
        result
    }

    /// The queues `topic` can be sent to (fetching its route if needed).
    pub async fn publish_queues(&self, topic: &str) -> Result<Vec<MessageQueue>> {
        let topic = self.inner.wrap(topic);
        let info = self.inner.publish_info(&topic).await?;
        Ok(info
            .queues
            .into_iter()
            .map(|mut q| {
                q.topic = self.inner.unwrap(&q.topic);
                q
            })
            .collect())
    }

    // ----- request-reply ---------------------------------------------------------

    /// Sends `msg` as a request and waits up to `timeout` for its reply.
    pub async fn request(&self, mut msg: Message, timeout: Duration) -> Result<MessageExt> {
        self.inner.check_running()?;
        let instance = self.inner.instance()?;
        let correlation_id = msg_id::new_unique_key();
        msg.set_property(property::CORRELATION_ID, correlation_id.clone());
        msg.set_property(property::REPLY_TO_CLIENT, instance.client_id().to_owned());
        msg.set_property(property::TTL, timeout.as_millis().to_string());
        let start = Instant::now();
        // The broker pushes the reply on the channel it knows us by.
        let info = self
            .inner
            .publish_info(&self.inner.wrap(&msg.topic))
            .await?;
        for b in &info.route.broker_datas {
            if let Some(addr) = b.master_addr() {
                instance.ensure_heartbeat(addr).await?;
            }
        }
        let rx = instance.expect_reply(&correlation_id);
        let remaining = timeout.saturating_sub(start.elapsed());
        let sent = self
            .inner
            .send_default(msg, Mode::Sync, Some(remaining))
            .await;
        if let Err(e) = sent {
            instance.cancel_reply(&correlation_id);
            return Err(e);
        }
        let remaining = timeout.saturating_sub(start.elapsed());
        match tokio::time::timeout(remaining, rx).await {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(_)) => Err(Error::new(
                ErrorKind::ShutDown,
                "the client shut down while waiting for a reply",
            )),
            Err(_) => {
                instance.cancel_reply(&correlation_id);
                Err(Error::timeout(format!(
                    "no reply within {} ms (correlation id {correlation_id})",
                    timeout.as_millis()
                )))
            }
        }
    }

    /// Builds and sends the reply to `request` (a received request message).
    pub async fn reply(&self, request: &MessageExt, body: impl Into<Bytes>) -> Result<SendResult> {
        let reply = reply_message(|k| request.property(k).map(str::to_owned), body)?;
        self.inner.send_default(reply, Mode::Sync, None).await
    }
}

/// The reply to a request whose properties `request` gives: to the request
/// cluster's reply topic, with its correlation id, reply-to client and TTL.
/// Send it with any producer.
pub fn reply_message(
    request: impl Fn(&str) -> Option<String>,
    body: impl Into<Bytes>,
) -> Result<Message> {
    let cluster = request(property::CLUSTER)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            Error::invalid("the request message has no CLUSTER property: is it a request?")
        })?;
    let mut reply = Message::new(names::reply_topic(&cluster), body);
    reply.set_property(property::MSG_TYPE, "reply");
    for key in [
        property::CORRELATION_ID,
        property::REPLY_TO_CLIENT,
        property::TTL,
    ] {
        let v = request(key)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::invalid(format!("the request message has no {key} property")))?;
        reply.set_property(key, v);
    }
    Ok(reply)
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(instance) = self.instance.get_mut().take() {
            let group = self.group_on_wire();
            crate::runtime::handle()
                .spawn(async move { instance.unregister_producer(&group).await });
        }
    }
}

struct InflightPermits(
    #[allow(dead_code)] tokio::sync::OwnedSemaphorePermit,
    #[allow(dead_code)] tokio::sync::OwnedSemaphorePermit,
);

impl Inner {
    fn check_running(&self) -> Result<()> {
        match self.state.load(Ordering::Acquire) {
            RUNNING => Ok(()),
            CREATED => Err(Error::new(
                ErrorKind::NotStarted,
                "the producer is not started",
            )),
            _ => Err(Error::new(ErrorKind::ShutDown, "the producer is shut down")),
        }
    }

    pub(crate) fn instance(&self) -> Result<Arc<ClientInstance>> {
        self.check_running()?;
        self.instance
            .read()
            .clone()
            .ok_or_else(|| Error::new(ErrorKind::NotStarted, "the producer is not started"))
    }

    pub(crate) fn group_on_wire(&self) -> String {
        match &self.config.client.namespace {
            Some(ns) => namespace::wrap(ns, &self.config.group),
            None => self.config.group.clone(),
        }
    }

    pub(crate) fn wrap(&self, topic: &str) -> String {
        match &self.config.client.namespace {
            Some(ns) => namespace::wrap(ns, topic),
            None => topic.to_owned(),
        }
    }

    pub(crate) fn unwrap(&self, topic: &str) -> String {
        match &self.config.client.namespace {
            Some(ns) => namespace::without_namespace_of(topic, ns),
            None => topic.to_owned(),
        }
    }

    fn acquire_inflight(&self, body_len: usize) -> Result<InflightPermits> {
        let n = body_len.clamp(
            1,
            self.config.max_inflight_bytes.min(Semaphore::MAX_PERMITS),
        ) as u32;
        match self.config.back_pressure {
            BackPressure::Fail => {
                let c = self.inflight_count.clone().try_acquire_owned();
                let b = self.inflight_bytes.clone().try_acquire_many_owned(n);
                match (c, b) {
                    (Ok(c), Ok(b)) => Ok(InflightPermits(c, b)),
                    _ => Err(Error::new(
                        ErrorKind::Busy,
                        "too many async sends in flight (back-pressure limit reached)",
                    )),
                }
            }
            BackPressure::Wait => {
                let count = self.inflight_count.clone();
                let bytes = self.inflight_bytes.clone();
                let fut = async move {
                    let c = count.acquire_owned().await;
                    let b = bytes.acquire_many_owned(n).await;
                    (c, b)
                };
                let (c, b) = if crate::runtime::in_runtime() {
                    // Cannot block here: fail rather than stall the runtime.
                    let c = self.inflight_count.clone().try_acquire_owned();
                    let b = self.inflight_bytes.clone().try_acquire_many_owned(n);
                    match (c, b) {
                        (Ok(c), Ok(b)) => return Ok(InflightPermits(c, b)),
                        _ => return Err(Error::new(
                            ErrorKind::Busy,
                            "too many async sends in flight; use send_async_future from async code",
                        )),
                    }
                } else {
                    crate::runtime::block_on(fut)?
                };
                match (c, b) {
                    (Ok(c), Ok(b)) => Ok(InflightPermits(c, b)),
                    _ => Err(Error::new(ErrorKind::ShutDown, "the producer is shut down")),
                }
            }
        }
    }

    /// Checks a message before it is sent: topic, body, properties, delay.
    fn check_message(&self, msg: &Message) -> Result<()> {
        validate::check_topic(&msg.topic)?;
        validate::check_send_topic(&msg.topic)?;
        validate::check_body(&msg.body, self.config.max_message_size)?;
        let level = msg.delay_level();
        if level != 0 {
            delay::check_delay_level(level)?;
        }
        let props_len = message::properties_encoded_len(&msg.properties);
        if props_len > message::MAX_PROPERTIES_LEN {
            return Err(Error::invalid(format!(
                "the message properties take {props_len} bytes; at most {} are allowed",
                message::MAX_PROPERTIES_LEN
            )));
        }
        Ok(())
    }

    /// The queues of `topic` (namespace applied): from the route, or from the
    /// auto-create route when the name servers do not know the topic yet.
    pub(crate) async fn publish_info(&self, topic: &str) -> Result<PublishInfo> {
        let instance = self.instance()?;
        if !self.topics.read().contains(topic) {
            self.topics.write().insert(topic.to_owned());
        }
        match instance.topic_route(topic).await {
            Ok(route) => {
                let queues = publish_queues(topic, &route);
                if queues.is_empty() {
                    return Err(Error::new(
                        ErrorKind::NoRoute,
                        format!("the topic {topic} has no writable queue on any master"),
                    ));
                }
                Ok(PublishInfo {
                    queues,
                    route,
                    from_default_topic: false,
                })
            }
            Err(e) if e.kind() == ErrorKind::NoRoute => {
                let mut route = instance
                    .topic_route(&self.config.create_topic_key)
                    .await
                    .map_err(|_| e.clone())?
                    .as_ref()
                    .clone();
                for qd in &mut route.queue_datas {
                    let n = qd.read_queue_nums.min(self.config.default_topic_queue_nums);
                    qd.read_queue_nums = n;
                    qd.write_queue_nums = n;
                }
                let queues = publish_queues(topic, &route);
                if queues.is_empty() {
                    return Err(e.context("no broker allows auto-creating topics"));
                }
                Ok(PublishInfo {
                    queues,
                    route: Arc::new(route),
                    from_default_topic: true,
                })
            }
            Err(e) => Err(e),
        }
    }

    /// [`publish_info`](Self::publish_info), asked again while `deadline`
    /// (`total` after the send began) allows when a lookup failed on the way
    /// (a name server that did not answer in time, a broken connection): one
    /// slow lookup does not fail a send that has time left.
    async fn publish_info_by(
        &self,
        topic: &str,
        deadline: Instant,
        total: Duration,
    ) -> Result<PublishInfo> {
        loop {
            let err = match tokio::time::timeout_at(deadline.into(), self.publish_info(topic)).await
            {
                Ok(Ok(info)) => return Ok(info),
                Ok(Err(e)) => e,
                Err(_) => {
                    return Err(Error::timeout(format!(
                        "no route for {topic} within {} ms",
                        total.as_millis()
                    )))
                }
            };
            let retriable = matches!(err.kind(), ErrorKind::Timeout | ErrorKind::Network);
            if !retriable || Instant::now() + ROUTE_RETRY_PAUSE >= deadline {
                return Err(err);
            }
            crate::log::warn(
                "producer",
                format_args!("looking up the route of {topic} failed, asking again: {err}"),
            );
            tokio::time::sleep(ROUTE_RETRY_PAUSE).await;
        }
    }

    async fn select_queue(
        &self,
        msg: &Message,
        selector: &dyn QueueSelector,
        arg: Option<super::selector::SelectArg<'_>>,
    ) -> Result<MessageQueue> {
        self.check_running()?;
        self.check_message(msg)?;
        let topic = self.wrap(&msg.topic);
        let info = self.publish_info(&topic).await?;
        let ctx = SelectContext {
            arg,
            sharding_key: msg.sharding_key(),
        };
        let q = select_with(selector, &info.queues, &ctx)?;
        let mut q = q.clone();
        q.topic = self.unwrap(&q.topic);
        Ok(q)
    }

    fn batch(&self, msgs: Vec<Message>) -> Result<Message> {
        let first = msgs
            .first()
            .ok_or_else(|| Error::invalid("a batch needs at least one message"))?;
        let topic = first.topic.clone();
        let wait = first.wait_store_msg_ok();
        for m in &msgs {
            if m.topic != topic {
                return Err(Error::invalid(format!(
                    "every message of a batch must have the same topic ({topic} and {})",
                    m.topic
                )));
            }
            if m.delay_level() > 0 || m.deliver_time_ms().is_some() {
                return Err(Error::invalid("delayed messages cannot be sent in a batch"));
            }
            if names::is_retry_topic(&m.topic) {
                return Err(Error::invalid("retry topics cannot be sent in a batch"));
            }
            if m.wait_store_msg_ok() != wait {
                return Err(Error::invalid(
                    "every message of a batch must have the same WAIT setting",
                ));
            }
            validate::check_topic(&m.topic)?;
            validate::check_body(&m.body, self.config.max_message_size)?;
        }
        let mut msgs = msgs;
        let mut keys = Vec::with_capacity(msgs.len());
        for m in &mut msgs {
            if m.unique_key().is_none() {
                m.set_unique_key(msg_id::new_unique_key());
            }
            keys.push(m.unique_key().unwrap_or_default().to_owned());
            if let Some(ns) = &self.config.client.namespace {
                m.set_property(property::INSTANCE_ID, ns.clone());
            }
        }
        let body = message::encode_batch(&msgs)?;
        if body.len() > self.config.max_message_size {
            return Err(Error::invalid(format!(
                "the batch encodes to {} bytes, over the maximum message size of {} bytes; send smaller batches",
                body.len(),
                self.config.max_message_size
            )));
        }
        let mut batch = Message::new(topic, body);
        batch.set_wait_store_msg_ok(wait);
        batch.set_property(BATCH_MARK, keys.join(","));
        Ok(batch)
    }

    async fn send_to_queue(
        &self,
        msg: Message,
        queue: &MessageQueue,
        mode: Mode,
    ) -> Result<SendResult> {
        self.check_running()?;
        self.check_message(&msg)?;
        let topic = self.wrap(&msg.topic);
        let mut q = queue.clone();
        q.topic = self.wrap(&q.topic);
        if q.topic != topic {
            return Err(Error::invalid(format!(
                "the queue's topic {} is not the message's topic {}",
                queue.topic, msg.topic
            )));
        }
        let info = self.publish_info(&topic).await?;
        if !info.queues.contains(&q) {
            return Err(Error::invalid(format!(
                "{queue} is not a writable queue of the topic's route"
            )));
        }
        let deadline = Instant::now() + self.config.send_timeout;
        self.send_kernel(&msg, &q, mode, deadline).await
    }

    /// Picks queues and sends, retrying retriable failures on another broker.
    pub(crate) async fn send_default(
        &self,
        msg: Message,
        mode: Mode,
        timeout: Option<Duration>,
    ) -> Result<SendResult> {
        self.check_running()?;
        self.check_message(&msg)?;
        let start = Instant::now();
        let total = timeout.unwrap_or(self.config.send_timeout);
        let deadline = start + total;
        let topic = self.wrap(&msg.topic);
        let info = self.publish_info_by(&topic, deadline, total).await?;
        let attempts = match mode {
            Mode::Oneway => 1,
            _ => 1 + self.config.retry_times,
        };
        let mut last_broker: Option<String> = None;
        let mut last_err: Option<Error> = None;
        let mut made = 0;
        for attempt in 0..attempts {
            if Instant::now() >= deadline {
                break;
            }
            made += 1;
            let q = select_one_queue(
                &info.queues,
                &self.index,
                last_broker.as_deref(),
                &self.fault,
                attempt > 0,
            )
            .ok_or_else(|| Error::new(ErrorKind::NoRoute, format!("no queue for {topic}")))?
            .clone();
            last_broker = Some(q.broker_name.clone());
            let began = Instant::now();
            match self.send_kernel(&msg, &q, mode, deadline).await {
                Ok(r) => {
                    self.fault.update_fault_item(
                        &q.broker_name,
                        began.elapsed().as_millis() as i64,
                        false,
                        true,
                    );
                    if r.status != SendStatus::SendOk
                        && self.config.retry_another_broker_when_not_store_ok
                        && attempt + 1 < attempts
                    {
                        continue;
                    }
                    return Ok(r);
                }
                Err(e) => {
                    let elapsed = began.elapsed().as_millis() as i64;
                    let (retry, isolate) = match e.kind() {
                        ErrorKind::Network => (true, true),
                        ErrorKind::Timeout => (true, true),
                        ErrorKind::Broker => (e.is_retriable(), false),
                        ErrorKind::NoRoute => (true, false),
                        _ => (false, false),
                    };
                    self.fault
                        .update_fault_item(&q.broker_name, elapsed, isolate, !isolate);
                    if !retry {
                        return Err(e);
                    }
                    if attempt + 1 < attempts {
                        crate::log::info(
                            "producer",
                            format_args!(
                                "send to {topic} on {} failed ({e}); retrying on another queue",
                                q.broker_name
                            ),
                        );
                    }
                    last_err = Some(e);
                }
            }
        }
        match last_err {
            // Every attempt was made: the last failure, its kind and broker
            // code kept (as the Java client reports it).
            Some(e) if made == attempts => Err(e.context(format!(
                "sending to {topic} failed after {attempts} attempt(s)"
            ))),
            last => {
                let tried = last
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "no attempt was made".into());
                Err(Error::timeout(format!(
                    "sending to {topic} did not succeed within {} ms ({made} of {attempts} attempt(s) made); last error: {tried}",
                    total.as_millis()
                ))
                .with_retriable(true))
            }
        }
    }

    /// One attempt: builds the request for `q` and sends it.
    async fn send_kernel(
        &self,
        msg: &Message,
        q: &MessageQueue,
        mode: Mode,
        deadline: Instant,
    ) -> Result<SendResult> {
        let instance = self.instance()?;
        let addr = match instance.broker_addr(&q.broker_name, true) {
            Some(a) => a,
            None => {
                instance.refresh_all_routes().await;
                instance.broker_addr(&q.broker_name, true).ok_or_else(|| {
                    Error::new(
                        ErrorKind::NoRoute,
                        format!("no master address for broker {}", q.broker_name),
                    )
                })?
            }
        };
        let is_batch = msg.property(BATCH_MARK).is_some();
        let mut msg = msg.clone();
        let batch_keys = msg.remove_property(BATCH_MARK);
        if !is_batch && msg.unique_key().is_none() {
            msg.set_unique_key(msg_id::new_unique_key());
        }
        if let Some(ns) = &self.config.client.namespace {
            msg.set_property(property::INSTANCE_ID, ns.clone());
        }
        let mut sys_flag = 0;
        let mut body = msg.body.clone();
        if !is_batch && body.len() >= self.config.compress_over {
            let ty = self.config.compress_type;
            body = Bytes::from(compress::compress(&body, ty, self.config.compress_level)?);
            sys_flag |= sysflag::COMPRESSED | ty.sys_flag();
        }
        if msg.is_transaction_prepared() {
            sys_flag |= sysflag::TRANSACTION_PREPARED_TYPE;
        }
        {
            let ctx = SendContext {
                group: &self.config.group,
                message: &msg,
                queue: q,
                broker_addr: &addr,
                result: None,
                cost_ms: 0,
            };
            for h in self.forbidden.read().iter() {
                h.check(&ctx)
                    .map_err(|e| e.context(format!("send vetoed by {}", h.name())))?;
            }
            for h in self.hooks.read().iter() {
                run_contained(|| h.before_send(&ctx));
            }
        }
        let topic = q.topic.clone();
        let mut reconsume_times = Some(0);
        let mut max_reconsume_times = None;
        if names::is_retry_topic(&topic) {
            if let Some(v) = msg.remove_property(property::RECONSUME_TIME) {
                reconsume_times = v.parse().ok();
            }
            if let Some(v) = msg.remove_property(property::MAX_RECONSUME_TIMES) {
                max_reconsume_times = v.parse().ok();
            }
        }
        let is_reply = msg.property(property::MSG_TYPE) == Some("reply");
        let header = SendMessageRequestHeader {
            rpc: RpcBase::with_broker(q.broker_name.clone()),
            producer_group: self.group_on_wire(),
            topic,
            default_topic: self.config.create_topic_key.clone(),
            default_topic_queue_nums: self.config.default_topic_queue_nums,
            queue_id: q.queue_id,
            sys_flag,
            born_timestamp: now_ms(),
            flag: msg.flag,
            properties: Some(message::properties_to_string(&msg.properties)),
            reconsume_times,
            unit_mode: Some(false),
            batch: Some(is_batch),
            max_reconsume_times,
            ..Default::default()
        };
        let (code, ext) = if self.config.send_header_v2 || is_batch {
            let code = if is_batch {
                request::SEND_BATCH_MESSAGE
            } else if is_reply {
                request::SEND_REPLY_MESSAGE_V2
            } else {
                request::SEND_MESSAGE_V2
            };
            (code, header.into_ext_v2())
        } else {
            let mut ext = ExtFields::with_capacity(16);
            header.write_v1(&mut ext);
            (
                if is_reply {
                    request::SEND_REPLY_MESSAGE
                } else {
                    request::SEND_MESSAGE
                },
                ext,
            )
        };
        let req = RemotingCommand::request(code, ext).with_body(body);
        let remoting = instance.remoting();
        let target = remoting.broker_addr(&addr, true).into_owned();
        let now = Instant::now();
        if now >= deadline {
            return Err(Error::timeout("the send timed out before the attempt"));
        }
        let attempt_timeout = match self.config.attempt_timeout {
            Some(t) => t.min(deadline - now),
            None => deadline - now,
        };
        let began = Instant::now();
        let result = if mode == Mode::Oneway {
            remoting
                .invoke_oneway(&target, req, attempt_timeout)
                .await
                .map(|_| SendResult {
                    status: SendStatus::SendOk,
                    msg_id: msg.unique_key().unwrap_or_default().to_owned(),
                    offset_msg_id: String::new(),
                    queue: MessageQueue::new(
                        self.unwrap(&q.topic),
                        q.broker_name.clone(),
                        q.queue_id,
                    ),
                    queue_offset: -1,
                    transaction_id: None,
                    region_id: String::new(),
                    trace_on: false,
                })
        } else {
            match remoting.invoke(&target, req, attempt_timeout).await {
                Ok(resp) => self.process_send_response(&resp, &msg, q, batch_keys.as_deref()),
                Err(e) => Err(e),
            }
        };
        if let Err(e) = &result {
            if e.kind() == ErrorKind::Network {
                instance.invalidate_broker(&addr);
            }
        }
        let hooks = self.hooks.read().clone();
        if !hooks.is_empty() {
            let ctx = SendContext {
                group: &self.config.group,
                message: &msg,
                queue: q,
                broker_addr: &addr,
                result: Some(&result),
                cost_ms: began.elapsed().as_millis() as u64,
            };
            for h in hooks.iter() {
                run_contained(|| h.after_send(&ctx));
            }
        }
        result
    }

    fn process_send_response(
        &self,
        resp: &RemotingCommand,
        msg: &Message,
        q: &MessageQueue,
        batch_keys: Option<&str>,
    ) -> Result<SendResult> {
        let status = match SendStatus::from_code(resp.code) {
            Some(s) => s,
            None => {
                let retriable = SEND_RETRIABLE_CODES.contains(&resp.code);
                return Err(
                    Error::broker(resp.code, resp.remark.as_deref()).with_retriable(retriable)
                );
            }
        };
        let h = SendMessageResponseHeader::read_from(&resp.ext_fields)?;
        let msg_id = match (&h.batch_uniq_id, batch_keys) {
            (Some(id), _) => id.clone(),
            (None, Some(keys)) => keys.to_owned(),
            (None, None) => msg.unique_key().unwrap_or_default().to_owned(),
        };
        let transaction_id = h.transaction_id.clone().or_else(|| {
            msg.is_transaction_prepared()
                .then(|| msg.unique_key().unwrap_or_default().to_owned())
        });
        Ok(SendResult {
            status,
            msg_id,
            offset_msg_id: h.msg_id.clone(),
            queue: MessageQueue::new(self.unwrap(&q.topic), q.broker_name.clone(), h.queue_id),
            queue_offset: h.queue_offset,
            transaction_id,
            region_id: h.region().to_owned(),
            trace_on: h.trace_enabled(),
        })
    }
}

/// Internal property marking a batch wrapper; removed before sending. Holds the
/// comma-joined unique keys of the batch's messages.
const BATCH_MARK: &str = "__RMQ.TRANSIENT.BATCH_KEYS";

/// Not needed by the engine: keeps `response` referenced for future codes.
#[allow(dead_code)]
const _SUCCESS: i32 = response::SUCCESS;
