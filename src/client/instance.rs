//! `ClientInstance`: one per client id, shared by the producers and consumers
//! that use it (keyed also by name servers and credentials).
//!
//! It owns the transport, the topic route table (single-flight fetches), the
//! broker address table, the scheduled tasks (route refresh, heartbeats,
//! cleaning offline brokers) and the handlers of broker-to-client requests.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use bytes::Bytes;
use once_cell::sync::Lazy;
use parking_lot::{Mutex, RwLock};
use tokio::sync::{oneshot, watch};

use super::config::ClientConfig;
use crate::common::names;
use crate::protocol::body::heartbeat::{ConsumerData, HeartbeatData, ProducerData};
use crate::protocol::body::route::TopicRouteData;
use crate::protocol::body::{
    ConsumeMessageDirectlyResult, ConsumerRunningInfo, GetConsumerStatusBody, JsonBody,
    ResetOffsetBody,
};
use crate::protocol::codes::{request, response};
use crate::protocol::headers::{
    CheckTransactionStateRequestHeader, CommandHeader, ConsumeMessageDirectlyResultRequestHeader,
    GetConsumerRunningInfoRequestHeader, GetConsumerStatusRequestHeader, GetRouteInfoRequestHeader,
    HeartbeatRequestHeader, ReplyMessageRequestHeader, ResetOffsetRequestHeader,
    UnregisterClientRequestHeader,
};
use crate::protocol::message::{self, property, DecodeOptions, MessageExt};
use crate::protocol::{MessageQueue, RemotingCommand};
use crate::remoting::hook::{AclHook, NamespaceV2Hook};
use crate::remoting::{processor_fn, RemotingClient};
use crate::{Error, ErrorKind, Result};

/// What the instance needs from a producer registered with it.
pub trait ProducerHandle: Send + Sync {
    /// The producer group, as sent to brokers (namespace applied).
    fn group(&self) -> String;
    /// Topics whose routes the instance keeps fresh for this producer.
    fn publish_topics(&self) -> Vec<String>;
    /// A broker asks for the state of a half message (CHECK_TRANSACTION_STATE).
    /// Must not block: hand the work to a library thread.
    fn check_transaction_state(
        &self,
        _broker_addr: String,
        _msg: MessageExt,
        _header: CheckTransactionStateRequestHeader,
    ) {
    }
}

/// What the instance needs from a consumer registered with it.
pub trait ConsumerHandle: Send + Sync {
    /// The consumer group, as sent to brokers (namespace applied).
    fn group(&self) -> String;
    /// The heartbeat entry of this consumer.
    fn consumer_data(&self) -> ConsumerData;
    /// Topics whose routes the instance keeps fresh for this consumer.
    fn subscribed_topics(&self) -> Vec<String>;
    /// The membership of the group changed (NOTIFY_CONSUMER_IDS_CHANGED).
    fn on_consumer_ids_changed(&self) {}
    /// A topic's route changed.
    fn on_route_changed(&self, _topic: &str, _route: &TopicRouteData) {}
    /// A broker reset the group's offsets of `topic` (RESET_CONSUMER_CLIENT_OFFSET).
    /// Must not block.
    fn reset_offset(&self, _topic: &str, _offsets: BTreeMap<MessageQueue, i64>) {}
    /// The consumer's offsets of `topic`'s queues (GET_CONSUMER_STATUS_FROM_CLIENT).
    fn consumer_status(&self, _topic: &str) -> BTreeMap<MessageQueue, i64> {
        BTreeMap::new()
    }
    /// The consumer's state (GET_CONSUMER_RUNNING_INFO); `None` when unknown.
    fn running_info(&self) -> Option<ConsumerRunningInfo> {
        None
    }
    /// Consumes one message on a broker's request (CONSUME_MESSAGE_DIRECTLY),
    /// on a library thread; `None` when not supported. Must not block.
    fn consume_message_directly(
        &self,
        _msg: MessageExt,
        _broker_name: Option<String>,
    ) -> Option<oneshot::Receiver<ConsumeMessageDirectlyResult>> {
        None
    }
}

/// A reply awaited by a request-reply requester, keyed by correlation id.
type ReplyWaiter = oneshot::Sender<MessageExt>;

#[derive(Clone, PartialEq, Eq, Hash)]
struct InstanceKey {
    client_id: String,
    namesrv: String,
    access_key: Option<String>,
    namespace_v2: Option<String>,
    serialize: u8,
}

static INSTANCES: Lazy<Mutex<HashMap<InstanceKey, Weak<ClientInstance>>>> =
    Lazy::new(|| Mutex::new(HashMap::new()));

/// Counters a test or a status page can read.
#[derive(Debug, Default)]
pub struct InstanceStats {
    /// Route requests sent to name servers.
    pub route_lookups: AtomicU64,
    /// Heartbeat rounds completed.
    pub heartbeats: AtomicU64,
}

/// One client instance. Obtain it with [`ClientInstance::acquire`].
pub struct ClientInstance {
    client_id: String,
    config: ClientConfig,
    remoting: RemotingClient,
    routes: RwLock<HashMap<String, Arc<TopicRouteData>>>,
    /// Broker name to (broker id to address), from every known route.
    brokers: RwLock<HashMap<String, BTreeMap<i64, String>>>,
    /// Broker addresses a heartbeat has been sent to successfully.
    heartbeated: Mutex<HashSet<String>>,
    route_flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    heartbeat_lock: tokio::sync::Mutex<()>,
    producers: RwLock<HashMap<String, Arc<dyn ProducerHandle>>>,
    consumers: RwLock<HashMap<String, Arc<dyn ConsumerHandle>>>,
    replies: Mutex<HashMap<String, ReplyWaiter>>,
    stop: watch::Sender<bool>,
    shut_down: AtomicBool,
    stats: InstanceStats,
    key: InstanceKey,
}

impl std::fmt::Debug for ClientInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientInstance")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// A remoting client for `config`: its name servers, namespace v2 and
/// request signing.
pub fn new_remoting(config: &ClientConfig) -> Result<RemotingClient> {
    let remoting = RemotingClient::new(config.remoting_config())?;
    remoting.set_namesrv_addrs(&config.namesrv_addr)?;
    if let Some(ns) = &config.namespace_v2 {
        remoting.register_hook(Arc::new(NamespaceV2Hook::new(ns.clone())));
    }
    if let Some(c) = &config.credentials {
        // Signing goes last: it covers every field the other hooks added.
        remoting.register_hook(Arc::new(AclHook::new(
            c.access_key.clone(),
            c.secret_key.clone(),
            c.security_token.clone(),
        )?));
    }
    Ok(remoting)
}

/// GET_ROUTEINFO_BY_TOPIC from the name servers (`ErrorKind::NoRoute` when
/// they do not know `topic`).
pub async fn fetch_route(
    remoting: &RemotingClient,
    topic: &str,
    timeout: Duration,
) -> Result<TopicRouteData> {
    let header = GetRouteInfoRequestHeader {
        topic: topic.to_owned(),
        accept_standard_json_only: Some(true),
        ..Default::default()
    };
    let req = RemotingCommand::request(request::GET_ROUTEINFO_BY_TOPIC, header.to_ext());
    let resp = remoting.invoke_namesrv(req, timeout).await?;
    match resp.code {
        response::SUCCESS => {
            let body = resp.body.as_deref().unwrap_or_default();
            TopicRouteData::decode(body).map_err(|e| e.context(format!("route of {topic}")))
        }
        response::TOPIC_NOT_EXIST => Err(Error::new(
            ErrorKind::NoRoute,
            format!("no route info of this topic: {topic}"),
        )
        .with_response_code(resp.code)),
        code => {
            Err(Error::broker(code, resp.remark.as_deref()).context(format!("route of {topic}")))
        }
    }
}

impl ClientInstance {
    /// The instance for `config`'s client id, name servers and credentials:
    /// an existing one, or a new one with its scheduled tasks started.
    pub fn acquire(config: &ClientConfig) -> Result<Arc<ClientInstance>> {
        config.validate()?;
        let instance_name = config.resolved_instance_name();
        let mut client_id = format!("{}@{}", config.resolved_client_ip(), instance_name);
        if let Some(unit) = &config.unit_name {
            client_id.push('@');
            client_id.push_str(unit);
        }
        let key = InstanceKey {
            client_id: client_id.clone(),
            namesrv: config.namesrv_addr.clone(),
            access_key: config.credentials.as_ref().map(|c| c.access_key.clone()),
            namespace_v2: config.namespace_v2.clone(),
            serialize: config.serialize_type.code(),
        };
        let mut table = INSTANCES.lock();
        if let Some(existing) = table.get(&key).and_then(Weak::upgrade) {
            if !existing.is_shut_down() {
                return Ok(existing);
            }
        }
        let remoting = new_remoting(config)?;
        let (stop, _) = watch::channel(false);
        let inst = Arc::new(ClientInstance {
            client_id,
            config: config.clone(),
            remoting,
            routes: RwLock::new(HashMap::new()),
            brokers: RwLock::new(HashMap::new()),
            heartbeated: Mutex::new(HashSet::new()),
            route_flights: Mutex::new(HashMap::new()),
            heartbeat_lock: tokio::sync::Mutex::new(()),
            producers: RwLock::new(HashMap::new()),
            consumers: RwLock::new(HashMap::new()),
            replies: Mutex::new(HashMap::new()),
            stop,
            shut_down: AtomicBool::new(false),
            stats: InstanceStats::default(),
            key: key.clone(),
        });
        inst.register_processors();
        inst.start_tasks();
        table.insert(key, Arc::downgrade(&inst));
        Ok(inst)
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }
    pub fn remoting(&self) -> &RemotingClient {
        &self.remoting
    }
    pub fn stats(&self) -> &InstanceStats {
        &self.stats
    }
    pub fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::Acquire)
    }

    fn check_open(&self) -> Result<()> {
        if self.is_shut_down() {
            Err(Error::new(
                ErrorKind::ShutDown,
                "the client instance is shut down",
            ))
        } else {
            Ok(())
        }
    }

    // ----- registration -------------------------------------------------

    /// Registers a producer group; a group may be registered once per instance.
    pub fn register_producer(&self, handle: Arc<dyn ProducerHandle>) -> Result<()> {
        self.check_open()?;
        let group = handle.group();
        self.register_group(&mut self.producers.write(), "producer", group, handle)
    }

    /// Registers a consumer group; a group may be registered once per instance.
    pub fn register_consumer(&self, handle: Arc<dyn ConsumerHandle>) -> Result<()> {
        self.check_open()?;
        let group = handle.group();
        self.register_group(&mut self.consumers.write(), "consumer", group, handle)
    }

    fn register_group<H: ?Sized>(
        &self,
        table: &mut HashMap<String, Arc<H>>,
        kind: &str,
        group: String,
        handle: Arc<H>,
    ) -> Result<()> {
        if table.contains_key(&group) {
            return Err(Error::invalid(format!(
                "the {kind} group {group} is already registered in client {}; use another group or instance name",
                self.client_id
            )));
        }
        table.insert(group, handle);
        Ok(())
    }

    pub fn producer(&self, group: &str) -> Option<Arc<dyn ProducerHandle>> {
        self.producers.read().get(group).cloned()
    }
    pub fn consumer(&self, group: &str) -> Option<Arc<dyn ConsumerHandle>> {
        self.consumers.read().get(group).cloned()
    }

    /// Removes a producer group, tells every broker (UNREGISTER_CLIENT), and
    /// shuts the instance down when nothing uses it any more.
    pub async fn unregister_producer(&self, group: &str) {
        if self.producers.write().remove(group).is_none() {
            return;
        }
        self.unregister_from_brokers(Some(group), None).await;
        self.shutdown_if_unused().await;
    }

    /// Removes a consumer group, as [`unregister_producer`](Self::unregister_producer).
    pub async fn unregister_consumer(&self, group: &str) {
        if self.consumers.write().remove(group).is_none() {
            return;
        }
        self.unregister_from_brokers(None, Some(group)).await;
        self.shutdown_if_unused().await;
    }

    async fn unregister_from_brokers(&self, producer: Option<&str>, consumer: Option<&str>) {
        let addrs = self.all_broker_addrs(consumer.is_none());
        let futs = addrs.into_iter().map(|addr| {
            let header = UnregisterClientRequestHeader {
                client_id: self.client_id.clone(),
                producer_group: producer.map(str::to_owned),
                consumer_group: consumer.map(str::to_owned),
                ..Default::default()
            };
            let req = RemotingCommand::request(request::UNREGISTER_CLIENT, header.to_ext());
            let timeout = self.config.api_timeout;
            async move {
                let _ = self.remoting.invoke(&addr, req, timeout).await;
            }
        });
        futures_join_all(futs).await;
    }

    async fn shutdown_if_unused(&self) {
        if self.producers.read().is_empty() && self.consumers.read().is_empty() {
            self.shutdown();
        }
    }

    /// Stops the scheduled tasks, fails pending replies, closes every connection.
    pub fn shutdown(&self) {
        if self.shut_down.swap(true, Ordering::AcqRel) {
            return;
        }
        let _ = self.stop.send(true);
        self.replies.lock().clear();
        self.remoting.shutdown();
        let mut table = INSTANCES.lock();
        if table
            .get(&self.key)
            .is_some_and(|w| w.upgrade().is_none_or(|i| std::ptr::eq(&*i, self)))
        {
            table.remove(&self.key);
        }
    }

    // ----- routes ---------------------------------------------------------

    /// The cached route of `topic`, if any.
    pub fn cached_route(&self, topic: &str) -> Option<Arc<TopicRouteData>> {
        self.routes.read().get(topic).cloned()
    }

    /// The route of `topic`: cached, or fetched from the name servers. Fetches
    /// are single-flight: concurrent first uses of a topic cause one lookup.
    pub async fn topic_route(&self, topic: &str) -> Result<Arc<TopicRouteData>> {
        if let Some(r) = self.cached_route(topic) {
            return Ok(r);
        }
        let flight = self
            .route_flights
            .lock()
            .entry(topic.to_owned())
            .or_default()
            .clone();
        let _guard = flight.lock().await;
        if let Some(r) = self.cached_route(topic) {
            return Ok(r);
        }
        let route = self.fetch_route(topic).await?;
        let route = self.store_route(topic, route);
        self.route_flights.lock().remove(topic);
        Ok(route)
    }

    /// Asks the name servers for the route of `topic` (no cache). A topic the
    /// name servers do not know is [`ErrorKind::NoRoute`].
    pub async fn fetch_route(&self, topic: &str) -> Result<TopicRouteData> {
        self.check_open()?;
        self.stats.route_lookups.fetch_add(1, Ordering::Relaxed);
        fetch_route(&self.remoting, topic, self.config.api_timeout).await
    }

    /// Stores `route` for `topic`, updates the broker table, and tells
    /// consumers when it changed. New brokers get a heartbeat at once.
    pub fn store_route(&self, topic: &str, route: TopicRouteData) -> Arc<TopicRouteData> {
        let route = Arc::new(route);
        let changed = {
            let mut routes = self.routes.write();
            let changed = routes.get(topic).is_none_or(|old| **old != *route);
            routes.insert(topic.to_owned(), route.clone());
            changed
        };
        if changed {
            let mut new_addr = false;
            {
                let mut brokers = self.brokers.write();
                for bd in &route.broker_datas {
                    let entry = brokers.entry(bd.broker_name.clone()).or_default();
                    for (id, addr) in &bd.broker_addrs {
                        if entry.insert(*id, addr.clone()).as_ref() != Some(addr) {
                            new_addr = true;
                        }
                    }
                }
            }
            for c in self.consumers.read().values() {
                if c.subscribed_topics().iter().any(|t| t == topic) {
                    c.on_route_changed(topic, &route);
                }
            }
            if new_addr {
                self.spawn_heartbeat();
            }
        }
        route
    }

    /// Forgets the cached routes that use `addr`, so the next use fetches fresh
    /// ones. Called when connecting to that broker failed.
    pub fn invalidate_broker(&self, addr: &str) {
        self.routes.write().retain(|_, r| {
            !r.broker_datas
                .iter()
                .any(|b| b.broker_addrs.values().any(|a| a == addr))
        });
        self.heartbeated.lock().remove(addr);
    }

    /// Refreshes every route producers and consumers use.
    pub async fn refresh_all_routes(&self) {
        let mut topics: HashSet<String> = HashSet::new();
        for p in self.producers.read().values() {
            topics.extend(p.publish_topics());
        }
        for c in self.consumers.read().values() {
            topics.extend(c.subscribed_topics());
        }
        for topic in topics {
            match self.fetch_route(&topic).await {
                Ok(route) => {
                    self.store_route(&topic, route);
                }
                Err(e) if e.kind() == ErrorKind::NoRoute => {
                    // Keep the last known route; the topic may be re-created.
                }
                Err(e) => {
                    crate::log::warn(
                        "client",
                        format_args!("refreshing the route of {topic} failed: {e}"),
                    );
                }
            }
        }
    }

    /// The address of `broker_name`: the master, or any node unless `only_master`.
    pub fn broker_addr(&self, broker_name: &str, only_master: bool) -> Option<String> {
        let brokers = self.brokers.read();
        let addrs = brokers.get(broker_name)?;
        if let Some(m) = addrs.get(&names::MASTER_ID) {
            return Some(m.clone());
        }
        if only_master {
            return None;
        }
        addrs.values().next().cloned()
    }

    /// The address of `broker_name`'s node `broker_id`, falling back to the
    /// master and then any node.
    pub fn broker_addr_by_id(&self, broker_name: &str, broker_id: i64) -> Option<String> {
        let brokers = self.brokers.read();
        let addrs = brokers.get(broker_name)?;
        addrs
            .get(&broker_id)
            .or_else(|| addrs.get(&names::MASTER_ID))
            .or_else(|| addrs.values().next())
            .cloned()
    }

    /// The broker name whose node has address `addr`.
    pub fn broker_name_of(&self, addr: &str) -> Option<String> {
        self.brokers
            .read()
            .iter()
            .find(|(_, ids)| ids.values().any(|a| a == addr))
            .map(|(n, _)| n.clone())
    }

    fn all_broker_addrs(&self, masters_only: bool) -> Vec<String> {
        let brokers = self.brokers.read();
        let mut out = Vec::new();
        for ids in brokers.values() {
            for (id, addr) in ids {
                if !masters_only || *id == names::MASTER_ID {
                    out.push(addr.clone());
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Drops brokers that no route mentions any more.
    pub fn clean_offline_brokers(&self) {
        let live: HashSet<(String, String)> = self
            .routes
            .read()
            .values()
            .flat_map(|r| {
                r.broker_datas.iter().flat_map(|b| {
                    b.broker_addrs
                        .values()
                        .map(move |a| (b.broker_name.clone(), a.clone()))
                })
            })
            .collect();
        let mut brokers = self.brokers.write();
        for (name, ids) in brokers.iter_mut() {
            ids.retain(|_, a| live.contains(&(name.clone(), a.clone())));
        }
        brokers.retain(|_, ids| !ids.is_empty());
    }

    // ----- heartbeats -----------------------------------------------------

    fn heartbeat_data(&self) -> HeartbeatData {
        let mut producer_data_set: Vec<ProducerData> = self
            .producers
            .read()
            .keys()
            .map(|g| ProducerData {
                group_name: g.clone(),
            })
            .collect();
        producer_data_set.push(ProducerData {
            group_name: names::CLIENT_INNER_PRODUCER_GROUP.to_owned(),
        });
        producer_data_set.sort_by(|a, b| a.group_name.cmp(&b.group_name));
        let consumer_data_set = self
            .consumers
            .read()
            .values()
            .map(|c| c.consumer_data())
            .collect();
        HeartbeatData {
            client_id: self.client_id.clone(),
            producer_data_set,
            consumer_data_set,
            ..Default::default()
        }
    }

    /// Sends a heartbeat to every known broker (masters only when the client
    /// has no consumers). Returns how many brokers answered.
    pub async fn send_heartbeat_to_all_brokers(&self) -> usize {
        if self.check_open().is_err() {
            return 0;
        }
        let _guard = self.heartbeat_lock.lock().await;
        let has_consumers = !self.consumers.read().is_empty();
        let addrs = self.all_broker_addrs(!has_consumers);
        if addrs.is_empty() {
            return 0;
        }
        let body = match self.heartbeat_data().encode() {
            Ok(b) => Bytes::from(b),
            Err(_) => return 0,
        };
        let futs = addrs.into_iter().map(|addr| {
            let body = body.clone();
            async move {
                let ok = match self.heartbeat_one(&addr, body).await {
                    Ok(()) => true,
                    Err(e) => {
                        crate::log::warn("client", format_args!("heartbeat to {addr} failed: {e}"));
                        false
                    }
                };
                (addr, ok)
            }
        });
        let results = futures_join_all(futs).await;
        let mut ok = 0;
        let mut done = self.heartbeated.lock();
        for (addr, success) in results {
            if success {
                ok += 1;
                done.insert(addr);
            } else {
                done.remove(&addr);
            }
        }
        self.stats.heartbeats.fetch_add(1, Ordering::Relaxed);
        ok
    }

    async fn heartbeat_one(&self, addr: &str, body: Bytes) -> Result<()> {
        let req = RemotingCommand::request(
            request::HEART_BEAT,
            HeartbeatRequestHeader::default().to_ext(),
        )
        .with_body(body);
        let resp = self
            .remoting
            .invoke(addr, req, self.config.api_timeout)
            .await?;
        resp.check_success().map(|_| ())
    }

    /// Makes sure `addr` has had a heartbeat from this client (request-reply
    /// and transactions need the broker to know us).
    pub async fn ensure_heartbeat(&self, addr: &str) -> Result<()> {
        if self.heartbeated.lock().contains(addr) {
            return Ok(());
        }
        let body = Bytes::from(self.heartbeat_data().encode()?);
        self.heartbeat_one(addr, body).await?;
        self.heartbeated.lock().insert(addr.to_owned());
        Ok(())
    }

    fn spawn_heartbeat(&self) {
        let Some(me) = self.self_arc() else { return };
        crate::runtime::handle().spawn(async move {
            me.send_heartbeat_to_all_brokers().await;
        });
    }

    /// A strong reference to this instance from the registry.
    fn self_arc(&self) -> Option<Arc<ClientInstance>> {
        INSTANCES
            .lock()
            .get(&self.key)
            .and_then(Weak::upgrade)
            .filter(|i| std::ptr::eq(&**i, self))
    }

    /// Triggers a heartbeat round now (after a subscription change, say).
    pub fn heartbeat_soon(&self) {
        self.spawn_heartbeat();
    }

    // ----- scheduled tasks --------------------------------------------------

    fn start_tasks(self: &Arc<Self>) {
        let rt = crate::runtime::handle();
        let weak = Arc::downgrade(self);
        let mut stop = self.stop.subscribe();
        let route_every = self.config.route_refresh_interval;
        rt.spawn(async move {
            let mut tick = tokio::time::interval_at(
                tokio::time::Instant::now() + Duration::from_millis(10),
                route_every,
            );
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stop.changed() => return,
                }
                let Some(me) = weak.upgrade() else { return };
                me.refresh_all_routes().await;
            }
        });
        let weak = Arc::downgrade(self);
        let mut stop = self.stop.subscribe();
        let hb_every = self.config.heartbeat_interval;
        rt.spawn(async move {
            let mut tick = tokio::time::interval_at(
                tokio::time::Instant::now() + Duration::from_millis(1000),
                hb_every,
            );
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stop.changed() => return,
                }
                let Some(me) = weak.upgrade() else { return };
                me.clean_offline_brokers();
                me.send_heartbeat_to_all_brokers().await;
            }
        });
    }

    // ----- request-reply ------------------------------------------------------

    /// Registers a waiter for the reply with `correlation_id`.
    pub fn expect_reply(&self, correlation_id: &str) -> oneshot::Receiver<MessageExt> {
        let (tx, rx) = oneshot::channel();
        self.replies.lock().insert(correlation_id.to_owned(), tx);
        rx
    }

    /// Forgets a waiter (timed out or cancelled).
    pub fn cancel_reply(&self, correlation_id: &str) {
        self.replies.lock().remove(correlation_id);
    }

    fn complete_reply(&self, msg: MessageExt) -> bool {
        let Some(id) = msg.property(property::CORRELATION_ID).map(str::to_owned) else {
            return false;
        };
        match self.replies.lock().remove(&id) {
            Some(tx) => tx.send(msg).is_ok(),
            None => false,
        }
    }

    // ----- broker-to-client requests ------------------------------------------

    /// Serves broker request `code` with `handle`; the instance is held
    /// weakly, so a request arriving after it is gone gets "shut down".
    fn serve<F, Fut>(self: &Arc<Self>, code: i32, handle: F)
    where
        F: Fn(Arc<ClientInstance>, String, RemotingCommand) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Option<RemotingCommand>>> + Send + 'static,
    {
        let weak = Arc::downgrade(self);
        let handle = Arc::new(handle);
        self.remoting.register_processor(
            code,
            processor_fn(move |addr, req| {
                let me = weak.upgrade();
                let handle = handle.clone();
                async move { handle(me.ok_or_else(gone)?, addr, req).await }
            }),
        );
    }

    fn register_processors(self: &Arc<Self>) {
        self.serve(
            request::CHECK_TRANSACTION_STATE,
            |me, addr, req| async move {
                me.on_check_transaction_state(addr, req)?;
                Ok(None)
            },
        );
        self.serve(
            request::PUSH_REPLY_MESSAGE_TO_CLIENT,
            |me, _, req| async move { Ok(Some(me.on_push_reply(&req))) },
        );
        self.serve(
            request::NOTIFY_CONSUMER_IDS_CHANGED,
            |me, _, req| async move {
                if let Some(c) = req
                    .ext_fields
                    .get("consumerGroup")
                    .and_then(|g| me.consumer(g))
                {
                    c.on_consumer_ids_changed();
                }
                Ok(None)
            },
        );
        self.serve(
            request::RESET_CONSUMER_CLIENT_OFFSET,
            |me, _, req| async move {
                me.on_reset_offset(&req)?;
                Ok(None)
            },
        );
        self.serve(
            request::GET_CONSUMER_STATUS_FROM_CLIENT,
            |me, _, req| async move { me.on_get_consumer_status(&req).map(Some) },
        );
        self.serve(
            request::GET_CONSUMER_RUNNING_INFO,
            |me, _, req| async move { me.on_get_running_info(&req).map(Some) },
        );
        self.serve(request::CONSUME_MESSAGE_DIRECTLY, |me, _, req| async move {
            let rx = me.on_consume_message_directly(&req)?;
            let result = rx.await.map_err(|_| {
                Error::new(
                    ErrorKind::ShutDown,
                    "the consumer went away while consuming",
                )
            })?;
            let body = result.encode()?;
            Ok(Some(
                RemotingCommand::response(response::SUCCESS, None).with_body(Bytes::from(body)),
            ))
        });
    }

    fn consumer_or_error(&self, group: &str) -> Result<Arc<dyn ConsumerHandle>> {
        self.consumer(group).ok_or_else(|| {
            Error::invalid(format!(
                "The Consumer Group <{group}> not exist in this consumer"
            ))
        })
    }

    fn on_reset_offset(&self, req: &RemotingCommand) -> Result<()> {
        let h = ResetOffsetRequestHeader::read_from(&req.ext_fields)?;
        let body = req.body.as_deref().unwrap_or_default();
        let mut offsets = if body.is_empty() {
            BTreeMap::new()
        } else {
            ResetOffsetBody::decode(body)?.offset_table
        };
        if let Some(offset) = h.offset.filter(|_| offsets.is_empty()) {
            // A single-queue reset carried in the header (5.x admin).
            if h.queue_id >= 0 {
                if let Some(route) = self.cached_route(&h.topic) {
                    for mq in crate::protocol::body::route::subscribe_queues(&h.topic, &route) {
                        if mq.queue_id == h.queue_id {
                            offsets.insert(mq, offset);
                        }
                    }
                }
            }
        }
        if let Some(c) = self.consumer(&h.group) {
            c.reset_offset(&h.topic, offsets);
        }
        Ok(())
    }

    fn on_get_consumer_status(&self, req: &RemotingCommand) -> Result<RemotingCommand> {
        let h = GetConsumerStatusRequestHeader::read_from(&req.ext_fields)?;
        let table = self
            .consumer(&h.group)
            .map(|c| c.consumer_status(&h.topic))
            .unwrap_or_default();
        let body = GetConsumerStatusBody {
            message_queue_table: table,
            ..Default::default()
        }
        .encode()?;
        Ok(RemotingCommand::response(response::SUCCESS, None).with_body(Bytes::from(body)))
    }

    fn on_get_running_info(&self, req: &RemotingCommand) -> Result<RemotingCommand> {
        let h = GetConsumerRunningInfoRequestHeader::read_from(&req.ext_fields)?;
        let consumer = self.consumer_or_error(&h.consumer_group)?;
        let mut info = consumer.running_info().ok_or_else(|| {
            Error::invalid(format!(
                "The Consumer Group <{}> not exist in this consumer",
                h.consumer_group
            ))
        })?;
        let mut ns = self.remoting.namesrv_addrs().join(";");
        ns.push(';');
        info.properties
            .insert(ConsumerRunningInfo::PROP_NAMESERVER_ADDR.to_owned(), ns);
        info.properties.insert(
            ConsumerRunningInfo::PROP_CLIENT_VERSION.to_owned(),
            CLIENT_VERSION_NAME.to_owned(),
        );
        if h.jstack_enable {
            info.jstack = Some(String::new());
        }
        let body = info.encode()?;
        Ok(RemotingCommand::response(response::SUCCESS, None).with_body(Bytes::from(body)))
    }

    fn on_consume_message_directly(
        &self,
        req: &RemotingCommand,
    ) -> Result<oneshot::Receiver<ConsumeMessageDirectlyResult>> {
        let h = ConsumeMessageDirectlyResultRequestHeader::read_from(&req.ext_fields)?;
        let consumer = self.consumer_or_error(&h.consumer_group)?;
        let body = req
            .body
            .clone()
            .ok_or_else(|| Error::protocol("CONSUME_MESSAGE_DIRECTLY without a message"))?;
        let msg = message::decode_messages(&body, &DecodeOptions::default())?
            .into_iter()
            .next()
            .ok_or_else(|| Error::protocol("CONSUME_MESSAGE_DIRECTLY with an empty message"))?;
        consumer
            .consume_message_directly(msg, h.broker_name.clone())
            .ok_or_else(|| Error::invalid("this consumer cannot consume messages on request"))
    }

    fn on_check_transaction_state(&self, addr: String, req: RemotingCommand) -> Result<()> {
        let header = CheckTransactionStateRequestHeader::read_from(&req.ext_fields)?;
        let body = req
            .body
            .clone()
            .ok_or_else(|| Error::protocol("CHECK_TRANSACTION_STATE without a message"))?;
        let msg = message::decode_messages(&body, &DecodeOptions::default())?
            .into_iter()
            .next()
            .ok_or_else(|| Error::protocol("CHECK_TRANSACTION_STATE with an empty message"))?;
        let group = msg
            .property(property::PGROUP)
            .map(str::to_owned)
            .ok_or_else(|| Error::protocol("half message without a producer group"))?;
        match self.producer(&group) {
            Some(p) => {
                p.check_transaction_state(addr, msg, header);
                Ok(())
            }
            None => Err(Error::invalid(format!(
                "no producer of group {group} in this client"
            ))),
        }
    }

    fn on_push_reply(&self, req: &RemotingCommand) -> RemotingCommand {
        match reply_message(req) {
            Ok(msg) => {
                if self.complete_reply(msg) {
                    RemotingCommand::response(response::SUCCESS, None)
                } else {
                    // Late or unknown: Java logs and still answers success.
                    RemotingCommand::response(response::SUCCESS, None)
                }
            }
            Err(e) => RemotingCommand::response(response::SYSTEM_ERROR, Some(e.to_string())),
        }
    }
}

/// The client version reported in running info (`PROP_CLIENT_VERSION`).
pub const CLIENT_VERSION_NAME: &str = "V5_3_3";

fn gone() -> Error {
    Error::new(ErrorKind::ShutDown, "the client instance is shut down")
}

/// Builds the reply message of a PUSH_REPLY_MESSAGE_TO_CLIENT request.
fn reply_message(req: &RemotingCommand) -> Result<MessageExt> {
    let h = ReplyMessageRequestHeader::read_from(&req.ext_fields)?;
    let mut body = req.body.clone().unwrap_or_default();
    let mut sys_flag = h.sys_flag;
    if sys_flag & message::sysflag::COMPRESSED != 0 {
        body = Bytes::from(crate::protocol::compress::decompress_by_sysflag(
            &body,
            sys_flag,
            DecodeOptions::default().max_body,
        )?);
        sys_flag &= !message::sysflag::COMPRESSED;
    }
    let mut properties = message::string_to_properties(h.properties.as_deref().unwrap_or(""));
    properties.insert(property::ARRIVE_TIME.to_owned(), now_ms().to_string());
    let parse_host = |s: &str| -> std::net::SocketAddr {
        s.parse()
            .unwrap_or_else(|_| std::net::SocketAddr::from(([0, 0, 0, 0], 0)))
    };
    Ok(MessageExt {
        topic: h.topic,
        queue_id: h.queue_id,
        sys_flag,
        born_timestamp: h.born_timestamp,
        flag: h.flag,
        properties,
        reconsume_times: h.reconsume_times.unwrap_or(0),
        born_host: parse_host(&h.born_host),
        store_host: parse_host(&h.store_host),
        store_timestamp: h.store_timestamp,
        body,
        ..Default::default()
    })
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Runs futures concurrently and collects their outputs in order.
pub(crate) async fn futures_join_all<F: std::future::Future>(
    futs: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let futs: Vec<_> = futs.into_iter().map(Box::pin).collect();
    let mut outs: Vec<Option<F::Output>> = futs.iter().map(|_| None).collect();
    let mut pending: Vec<(usize, std::pin::Pin<Box<F>>)> = futs.into_iter().enumerate().collect();
    std::future::poll_fn(|cx| {
        pending.retain_mut(|(i, f)| match f.as_mut().poll(cx) {
            std::task::Poll::Ready(v) => {
                outs[*i] = Some(v);
                false
            }
            std::task::Poll::Pending => true,
        });
        if pending.is_empty() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    outs.into_iter()
        .map(|o| o.expect("every future completed"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::body::CMResult;
    use crate::protocol::message::encode_message_ext;

    struct FakeConsumer {
        resets: Mutex<Vec<(String, BTreeMap<MessageQueue, i64>)>>,
    }

    impl ConsumerHandle for FakeConsumer {
        fn group(&self) -> String {
            "G".into()
        }
        fn consumer_data(&self) -> ConsumerData {
            ConsumerData::default()
        }
        fn subscribed_topics(&self) -> Vec<String> {
            Vec::new()
        }
        fn reset_offset(&self, topic: &str, offsets: BTreeMap<MessageQueue, i64>) {
            self.resets.lock().push((topic.to_owned(), offsets));
        }
        fn consumer_status(&self, topic: &str) -> BTreeMap<MessageQueue, i64> {
            [(MessageQueue::new(topic, "b", 1), 5)]
                .into_iter()
                .collect()
        }
        fn running_info(&self) -> Option<ConsumerRunningInfo> {
            let mut info = ConsumerRunningInfo::default();
            info.properties.insert("consumerGroup".into(), "G".into());
            Some(info)
        }
        fn consume_message_directly(
            &self,
            msg: MessageExt,
            broker_name: Option<String>,
        ) -> Option<oneshot::Receiver<ConsumeMessageDirectlyResult>> {
            let (tx, rx) = oneshot::channel();
            std::thread::spawn(move || {
                let _ = tx.send(ConsumeMessageDirectlyResult {
                    consume_result: Some(CMResult::Success),
                    remark: Some(format!("{}@{}", msg.topic, broker_name.unwrap_or_default())),
                    ..Default::default()
                });
            });
            Some(rx)
        }
    }

    #[test]
    fn consumer_requests_reach_the_consumer() {
        let mut cfg = ClientConfig::new("127.0.0.1:1");
        cfg.instance_name = format!("consumer-requests-{}", now_ms());
        let inst = ClientInstance::acquire(&cfg).unwrap();
        let fake = Arc::new(FakeConsumer {
            resets: Mutex::new(Vec::new()),
        });
        inst.register_consumer(fake.clone()).unwrap();

        // GET_CONSUMER_STATUS_FROM_CLIENT
        let h = GetConsumerStatusRequestHeader {
            topic: "T".into(),
            group: "G".into(),
            ..Default::default()
        };
        let req = RemotingCommand::request(request::GET_CONSUMER_STATUS_FROM_CLIENT, h.to_ext());
        let resp = inst.on_get_consumer_status(&req).unwrap();
        assert_eq!(resp.code, response::SUCCESS);
        let body = GetConsumerStatusBody::decode(resp.body.as_deref().unwrap()).unwrap();
        assert_eq!(body.message_queue_table[&MessageQueue::new("T", "b", 1)], 5);

        // GET_CONSUMER_RUNNING_INFO, known and unknown group
        let h = GetConsumerRunningInfoRequestHeader {
            consumer_group: "G".into(),
            client_id: inst.client_id().into(),
            ..Default::default()
        };
        let req = RemotingCommand::request(request::GET_CONSUMER_RUNNING_INFO, h.to_ext());
        let resp = inst.on_get_running_info(&req).unwrap();
        let info = ConsumerRunningInfo::decode(resp.body.as_deref().unwrap()).unwrap();
        assert_eq!(info.properties["consumerGroup"], "G");
        assert_eq!(
            info.properties[ConsumerRunningInfo::PROP_NAMESERVER_ADDR],
            "127.0.0.1:1;"
        );
        assert!(info
            .properties
            .contains_key(ConsumerRunningInfo::PROP_CLIENT_VERSION));
        let h = GetConsumerRunningInfoRequestHeader {
            consumer_group: "Other".into(),
            client_id: inst.client_id().into(),
            ..Default::default()
        };
        let req = RemotingCommand::request(request::GET_CONSUMER_RUNNING_INFO, h.to_ext());
        let e = inst.on_get_running_info(&req).unwrap_err();
        assert!(e.message().contains("not exist in this consumer"), "{e}");

        // RESET_CONSUMER_CLIENT_OFFSET with an object-keyed body
        let h = ResetOffsetRequestHeader {
            topic: "T".into(),
            group: "G".into(),
            timestamp: 1,
            is_force: true,
            ..Default::default()
        };
        let mut table = BTreeMap::new();
        table.insert(MessageQueue::new("T", "b", 0), 3);
        let body = ResetOffsetBody {
            offset_table: table.clone(),
        }
        .encode()
        .unwrap();
        let req = RemotingCommand::request(request::RESET_CONSUMER_CLIENT_OFFSET, h.to_ext())
            .with_body(Bytes::from(body));
        inst.on_reset_offset(&req).unwrap();
        assert_eq!(fake.resets.lock()[0], ("T".to_owned(), table));
        // A malformed body is an error, not a panic.
        let req = RemotingCommand::request(request::RESET_CONSUMER_CLIENT_OFFSET, h.to_ext())
            .with_body(Bytes::from_static(b"{nonsense"));
        assert!(inst.on_reset_offset(&req).is_err());

        // CONSUME_MESSAGE_DIRECTLY
        let msg = MessageExt {
            topic: "T".into(),
            body: Bytes::from_static(b"hello"),
            ..Default::default()
        };
        let h = ConsumeMessageDirectlyResultRequestHeader {
            consumer_group: "G".into(),
            broker_name: Some("b".into()),
            ..Default::default()
        };
        let req = RemotingCommand::request(request::CONSUME_MESSAGE_DIRECTLY, h.to_ext())
            .with_body(encode_message_ext(&msg).unwrap());
        let rx = inst.on_consume_message_directly(&req).unwrap();
        let result = crate::runtime::block_on(rx).unwrap().unwrap();
        assert_eq!(result.consume_result, Some(CMResult::Success));
        assert_eq!(result.remark.as_deref(), Some("T@b"));
        let req = RemotingCommand::request(request::CONSUME_MESSAGE_DIRECTLY, h.to_ext());
        assert!(inst.on_consume_message_directly(&req).is_err(), "no body");
        inst.shutdown();
    }
}
