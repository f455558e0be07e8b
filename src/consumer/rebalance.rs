//! Rebalancing: which queues a consumer owns, and the moves in and out.
//!
//! Clustering consumers ask a broker for the group's consumer ids, sort them
//! and the topic's queues, and allocate with the configured strategy;
//! broadcasting consumers own every queue. A queue leaves only after its
//! running listeners finished and its offset was persisted; an orderly
//! queue is locked on its broker before it is taken and unlocked when it
//! leaves.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use super::allocate::AllocateStrategy;
use super::offset_store::ReadOffsetType;
use super::process_queue::ProcessQueue;
use super::pull_api;
use super::push::Inner;
use crate::client::ClientInstance;
use crate::common::java::java_cmp;
use crate::common::names;
use crate::protocol::body::heartbeat::{ConsumeFromWhere, MessageModel};
use crate::protocol::body::route::subscribe_queues;
use crate::protocol::body::{
    ConsumerListBody, JsonBody, LockBatchRequestBody, LockBatchResponseBody, UnlockBatchRequestBody,
};
use crate::protocol::codes::{request, response};
use crate::protocol::headers::{CommandHeader, GetConsumerListByGroupRequestHeader, RpcBase};
use crate::protocol::{MessageQueue, RemotingCommand};
use crate::{Error, ErrorKind, Result};

/// Timeout of lock and unlock requests (Java: 1000 ms).
pub const LOCK_TIMEOUT: Duration = Duration::from_millis(1000);

/// The client ids of `group`, as a broker serving `topic` knows them.
pub async fn find_consumer_ids(
    instance: &ClientInstance,
    group: &str,
    topic: &str,
) -> Result<Vec<String>> {
    let route = instance.topic_route(topic).await?;
    let n = route.broker_datas.len();
    if n == 0 {
        return Err(Error::new(
            ErrorKind::NoRoute,
            format!("the route of {topic} has no broker"),
        ));
    }
    let start = crate::common::rng::SplitMix64::from_entropy().below(n);
    let mut last_err = None;
    for i in 0..n {
        let bd = &route.broker_datas[(start + i) % n];
        let Some(addr) = bd.select_addr() else {
            continue;
        };
        let header = GetConsumerListByGroupRequestHeader {
            rpc: RpcBase::with_broker(bd.broker_name.clone()),
            consumer_group: group.to_owned(),
        };
        let req = RemotingCommand::request(request::GET_CONSUMER_LIST_BY_GROUP, header.to_ext());
        match instance
            .remoting()
            .invoke(addr, req, instance.config().api_timeout)
            .await
        {
            Ok(resp) if resp.code == response::SUCCESS => {
                let body = resp.body.as_deref().unwrap_or_default();
                return Ok(ConsumerListBody::decode(body)?.consumer_id_list);
            }
            Ok(resp) => {
                last_err = Some(Error::broker(resp.code, resp.remark.as_deref()));
            }
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or_else(|| Error::new(ErrorKind::NoRoute, "no broker address")))
}

/// The queues of `topic` this client owns: all of them when broadcasting,
/// its share of the group's when clustering. `None` when the topic has no
/// readable queue or the group has no consumer yet.
pub async fn allocate_topic(
    instance: &ClientInstance,
    group: &str,
    topic: &str,
    model: MessageModel,
    strategy: &Arc<dyn AllocateStrategy>,
) -> Result<Option<BTreeSet<MessageQueue>>> {
    let route = instance.topic_route(topic).await?;
    let all = subscribe_queues(topic, &route);
    if all.is_empty() {
        return Ok(None);
    }
    if model == MessageModel::Broadcasting {
        return Ok(Some(all.into_iter().collect()));
    }
    let mut cids = find_consumer_ids(instance, group, topic).await?;
    if cids.is_empty() {
        return Ok(None);
    }
    cids.sort_by(|a, b| java_cmp(a, b));
    cids.dedup();
    // A strategy may be user code (a C, Go or Python callback): it runs on a
    // library thread of its own, never on a runtime thread.
    let strategy = strategy.clone();
    let (group, cid) = (group.to_owned(), instance.client_id().to_owned());
    let mine = crate::runtime::run_on_own_thread("rmq-allocate", move || {
        strategy.allocate(&group, &cid, &all, &cids)
    })
    .await??;
    Ok(Some(mine.into_iter().collect()))
}

/// LOCK_BATCH_MQ for queues of one broker; the queues now locked.
pub async fn lock_batch(
    instance: &ClientInstance,
    group: &str,
    broker_name: &str,
    mqs: BTreeSet<MessageQueue>,
) -> Result<BTreeSet<MessageQueue>> {
    let probe = mqs
        .iter()
        .next()
        .cloned()
        .ok_or_else(|| Error::invalid("no queue to lock"))?;
    let addr = super::offset_store::master_addr(instance, &probe).await?;
    let body = LockBatchRequestBody {
        client_id: instance.client_id().to_owned(),
        consumer_group: group.to_owned(),
        mq_set: mqs,
        only_this_broker: false,
    };
    let req = RemotingCommand::request(
        request::LOCK_BATCH_MQ,
        RpcBase::with_broker(broker_name).to_ext(),
    )
    .with_body(Bytes::from(body.encode()?));
    let resp = instance.remoting().invoke(&addr, req, LOCK_TIMEOUT).await?;
    if resp.code != response::SUCCESS {
        return Err(Error::broker(resp.code, resp.remark.as_deref()).context("lock queues"));
    }
    let body = resp.body.as_deref().unwrap_or_default();
    Ok(LockBatchResponseBody::decode(body)?.lock_ok_mq_set)
}

/// UNLOCK_BATCH_MQ for queues of one broker.
pub async fn unlock_batch(
    instance: &ClientInstance,
    group: &str,
    broker_name: &str,
    mqs: BTreeSet<MessageQueue>,
    oneway: bool,
) -> Result<()> {
    let Some(probe) = mqs.iter().next().cloned() else {
        return Ok(());
    };
    let addr = super::offset_store::master_addr(instance, &probe).await?;
    let body = UnlockBatchRequestBody {
        client_id: instance.client_id().to_owned(),
        consumer_group: group.to_owned(),
        mq_set: mqs,
        only_this_broker: false,
    };
    let req = RemotingCommand::request(
        request::UNLOCK_BATCH_MQ,
        RpcBase::with_broker(broker_name).to_ext(),
    )
    .with_body(Bytes::from(body.encode()?));
    if oneway {
        instance
            .remoting()
            .invoke_oneway(&addr, req, LOCK_TIMEOUT)
            .await
    } else {
        let resp = instance.remoting().invoke(&addr, req, LOCK_TIMEOUT).await?;
        resp.check_success().map(|_| ())
    }
}

fn by_broker(mqs: &[MessageQueue]) -> BTreeMap<String, BTreeSet<MessageQueue>> {
    let mut m: BTreeMap<String, BTreeSet<MessageQueue>> = BTreeMap::new();
    for mq in mqs {
        m.entry(mq.broker_name.clone())
            .or_default()
            .insert(mq.clone());
    }
    m
}

/// After a failed round the next comes after 0.5 s, doubling up to 2^5 times
/// (never later than the rebalance interval).
const RETRY_DOUBLINGS: u32 = 5;

impl Inner {
    /// One rebalance of every subscribed topic; serialized.
    pub(crate) async fn do_rebalance(self: &Arc<Self>) {
        let guard = self.rebalance_lock.lock().await;
        if !self.is_running() {
            return;
        }
        let Ok(instance) = self.instance() else {
            return;
        };
        let group = self.group_on_wire();
        let topics: Vec<String> = self.subs.read().keys().cloned().collect();
        let mut failed = false;
        for topic in &topics {
            match allocate_topic(
                &instance,
                &group,
                topic,
                self.config.message_model,
                &self.config.allocate_strategy,
            )
            .await
            {
                Ok(Some(mine)) => {
                    // A queue not taken (its lock is still held elsewhere):
                    // try again soon rather than at the next period.
                    if !self.update_queues(topic, mine).await {
                        failed = true;
                    }
                }
                Ok(None) => {
                    // No queue or no consumer known yet: keep what we have.
                    failed = true;
                }
                Err(_) => failed = true,
            }
        }
        // Queues of topics no longer subscribed leave.
        let stale: Vec<Arc<ProcessQueue>> = self
            .pqs
            .lock()
            .values()
            .filter(|pq| !topics.contains(&pq.mq.topic))
            .cloned()
            .collect();
        self.retire_all(stale).await;
        drop(guard);
        if failed {
            let me = Arc::downgrade(self);
            let tries = self
                .rebalance_failures
                .fetch_add(1, Ordering::Relaxed)
                .min(RETRY_DOUBLINGS);
            let delay = Duration::from_millis(500 << tries).min(self.config.rebalance_interval);
            crate::runtime::handle().spawn(async move {
                tokio::time::sleep(delay).await;
                if let Some(me) = me.upgrade() {
                    me.rebalance_notify.notify_one();
                }
            });
        } else {
            self.rebalance_failures.store(0, Ordering::Relaxed);
        }
    }

    /// Makes the owned queues of `topic` exactly `mine`; false when some
    /// queue could not be taken yet.
    async fn update_queues(self: &Arc<Self>, topic: &str, mine: BTreeSet<MessageQueue>) -> bool {
        let (leaving, dead_tasks, present): (Vec<_>, Vec<_>, BTreeSet<MessageQueue>) = {
            let table = self.pqs.lock();
            let tasks = self.pull_tasks.lock();
            let mut leaving = Vec::new();
            let mut dead = Vec::new();
            let mut present = BTreeSet::new();
            for (mq, pq) in table.iter().filter(|(mq, _)| mq.topic == topic) {
                if !mine.contains(mq) {
                    leaving.push(pq.clone());
                } else {
                    present.insert(mq.clone());
                    // A pull loop that ended without its queue being dropped
                    // (it panicked): start it again.
                    if !pq.is_dropped() && tasks.get(mq).is_none_or(|h| h.is_finished()) {
                        dead.push(pq.clone());
                    }
                }
            }
            (leaving, dead, present)
        };
        self.retire_all(leaving).await;
        for pq in dead_tasks {
            self.spawn_pull(pq);
        }
        let orderly_locks =
            self.is_orderly() && self.config.message_model == MessageModel::Clustering;
        let Some(store) = self.offset_store() else {
            return false;
        };
        let mut complete = true;
        for mq in mine.into_iter().filter(|mq| !present.contains(mq)) {
            if !self.is_running() {
                return false;
            }
            if orderly_locks && !self.lock_one(&mq).await {
                complete = false;
                continue;
            }
            store.remove(&mq);
            let offset = match self.compute_pull_from_where(&mq).await {
                Ok(o) if o >= 0 => o,
                _ => {
                    if orderly_locks {
                        self.unlock_all(std::slice::from_ref(&mq), true).await;
                    }
                    complete = false;
                    continue;
                }
            };
            let pq = Arc::new(ProcessQueue::new(mq.clone(), offset));
            if orderly_locks {
                pq.set_locked(true);
            }
            {
                let mut table = self.pqs.lock();
                if table.contains_key(&mq) {
                    continue;
                }
                table.insert(mq.clone(), pq.clone());
            }
            self.spawn_pull(pq);
        }
        complete
    }

    /// Retires queues concurrently.
    pub(crate) async fn retire_all(self: &Arc<Self>, pqs: Vec<Arc<ProcessQueue>>) {
        if pqs.is_empty() {
            return;
        }
        let futs = pqs.into_iter().map(|pq| {
            let me = self.clone();
            async move { me.retire(pq).await }
        });
        crate::client::instance::futures_join_all(futs).await;
    }

    /// A queue leaves: stop pulling, let running listeners finish (up to the
    /// drain timeout), persist its offset, forget it, unlock it.
    async fn retire(self: &Arc<Self>, pq: Arc<ProcessQueue>) {
        pq.set_dropped();
        pq.wait_idle(self.config.queue_drain_timeout).await;
        if let Some(store) = self.offset_store() {
            if let Some(cp) = pq.commit_point() {
                store.update(&pq.mq, cp, true);
            }
            let _ = store.persist(&pq.mq).await;
            store.remove(&pq.mq);
        }
        pq.set_removed();
        self.remove_pq(&pq.mq, &pq);
        if self.is_orderly() && self.config.message_model == MessageModel::Clustering {
            self.unlock_all(std::slice::from_ref(&pq.mq), true).await;
        }
    }

    /// Where a newly owned queue starts (Java's `computePullFromWhere`).
    pub(crate) async fn compute_pull_from_where(&self, mq: &MessageQueue) -> Result<i64> {
        let store = self
            .offset_store()
            .ok_or_else(|| Error::new(ErrorKind::NotStarted, "no offset store"))?;
        let instance = self.instance()?;
        let last = store.read(mq, ReadOffsetType::Store).await?;
        if last >= 0 {
            return Ok(last);
        }
        let timeout = instance.config().api_timeout;
        let retry = names::is_retry_topic(&mq.topic);
        match self.config.consume_from_where {
            ConsumeFromWhere::FirstOffset => Ok(0),
            ConsumeFromWhere::Timestamp => {
                if retry {
                    pull_api::max_offset(&instance, mq, timeout).await
                } else {
                    let ts = self
                        .config
                        .consume_timestamp
                        .unwrap_or_else(|| self.start_ms.load(Ordering::Acquire) - 30 * 60 * 1000);
                    pull_api::search_offset(&instance, mq, ts, timeout).await
                }
            }
            _ => {
                if retry {
                    Ok(0)
                } else {
                    pull_api::max_offset(&instance, mq, timeout).await
                }
            }
        }
    }

    /// Locks one queue on its broker.
    pub(crate) async fn lock_one(&self, mq: &MessageQueue) -> bool {
        let Ok(instance) = self.instance() else {
            return false;
        };
        let set: BTreeSet<MessageQueue> = std::iter::once(mq.clone()).collect();
        match lock_batch(&instance, &self.group_on_wire(), &mq.broker_name, set).await {
            Ok(locked) => {
                let ok = locked.contains(mq);
                if let Some(pq) = self.pqs.lock().get(mq) {
                    if ok {
                        pq.set_locked(true);
                    }
                }
                ok
            }
            Err(_) => false,
        }
    }

    /// Renews the broker locks of every owned queue.
    pub(crate) async fn lock_all(self: &Arc<Self>) {
        let Ok(instance) = self.instance() else {
            return;
        };
        let group = self.group_on_wire();
        let pqs: HashMap<MessageQueue, Arc<ProcessQueue>> = self
            .pqs
            .lock()
            .iter()
            .filter(|(_, pq)| !pq.is_dropped())
            .map(|(mq, pq)| (mq.clone(), pq.clone()))
            .collect();
        let mqs: Vec<MessageQueue> = pqs.keys().cloned().collect();
        for (broker, set) in by_broker(&mqs) {
            match lock_batch(&instance, &group, &broker, set.clone()).await {
                Ok(locked) => {
                    for mq in &set {
                        if let Some(pq) = pqs.get(mq) {
                            let ok = locked.contains(mq);
                            let was = pq.is_locked();
                            pq.set_locked(ok);
                            if ok && !was {
                                self.kick_orderly(pq);
                            }
                        }
                    }
                }
                Err(_) => {
                    // Keep the local locks until they expire.
                }
            }
        }
    }

    /// Unlocks queues on their brokers.
    pub(crate) async fn unlock_all(&self, mqs: &[MessageQueue], oneway: bool) {
        let Ok(instance) = self.instance() else {
            return;
        };
        let group = self.group_on_wire();
        for (broker, set) in by_broker(mqs) {
            let _ = unlock_batch(&instance, &group, &broker, set.clone(), oneway).await;
            for mq in &set {
                if let Some(pq) = self.pqs.lock().get(mq) {
                    pq.set_locked(false);
                    pq.inc_try_unlock();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_by_broker() {
        let mqs = vec![
            MessageQueue::new("T", "b", 1),
            MessageQueue::new("T", "a", 0),
            MessageQueue::new("T", "b", 0),
        ];
        let g = by_broker(&mqs);
        assert_eq!(g.len(), 2);
        assert_eq!(g["a"].len(), 1);
        assert_eq!(g["b"].len(), 2);
        assert!(by_broker(&[]).is_empty());
    }
}
