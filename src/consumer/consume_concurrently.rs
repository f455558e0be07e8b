//! Concurrent consumption: batches run on the consume pool in any order;
//! the committed offset is the smallest message still in flight. Failed
//! messages go back to the broker (CONSUMER_SEND_MSG_BACK), or, when that
//! fails, straight to the retry topic, or else are retried locally.
//! Also the send-back itself, the consume-timeout sweep, and consumption
//! on a broker's request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::listener::{
    ConsumeConcurrentlyContext, ConsumeConcurrentlyStatus, ConsumeHookContext,
    ConsumeOrderlyContext, ConsumeOrderlyStatus, MessageListener,
};
use super::offset_store::master_addr;
use super::process_queue::ProcessQueue;
use super::push::Inner;
use crate::client::instance::now_ms;
use crate::common::names;
use crate::protocol::body::heartbeat::MessageModel;
use crate::protocol::body::route::publish_queues;
use crate::protocol::body::{CMResult, ConsumeMessageDirectlyResult};
use crate::protocol::codes::{request, response};
use crate::protocol::headers::{
    CommandHeader, ConsumerSendMsgBackRequestHeader, RpcBase, SendMessageRequestHeader,
};
use crate::protocol::message::{self, property, MessageExt};
use crate::protocol::{ExtFields, MessageQueue, RemotingCommand};
use crate::{Error, Result};

/// Timeout of a send-back (Java: 5000 ms).
pub const SEND_BACK_TIMEOUT: Duration = Duration::from_millis(5000);
/// Delay before a local retry of messages that could not be sent back.
pub const LOCAL_RETRY_DELAY: Duration = Duration::from_millis(5000);
/// Messages checked per queue by the consume-timeout sweep.
pub const SWEEP_MAX_PER_QUEUE: usize = 16;

/// The messages as the listener gets them: copies with the user topic and
/// `CONSUME_START_TIME`.
pub(crate) fn listener_view(inner: &Inner, msgs: &[Arc<MessageExt>], now: i64) -> Vec<MessageExt> {
    msgs.iter()
        .map(|m| {
            let mut u = (**m).clone();
            u.topic = inner.unwrap(&u.topic);
            u.set_property(property::CONSUME_START_TIME, now.to_string());
            u
        })
        .collect()
}

/// Runs the consume hooks' `before` or `after`, containing panics.
pub(crate) fn run_hooks(inner: &Inner, ctx: &ConsumeHookContext<'_>, after: bool) {
    let hooks = inner.hooks.read().clone();
    for h in hooks.iter() {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if after {
                h.after_consume(ctx)
            } else {
                h.before_consume(ctx)
            }
        }));
    }
}

/// Splits pulled messages into listener batches of at most `size`, never
/// mixing topics (a retry queue holds messages of several topics).
pub(crate) fn batches(msgs: Vec<Arc<MessageExt>>, size: usize) -> Vec<Vec<Arc<MessageExt>>> {
    let mut out: Vec<Vec<Arc<MessageExt>>> = Vec::new();
    for m in msgs {
        match out.last_mut() {
            Some(b) if b.len() < size && b[0].topic == m.topic => b.push(m),
            _ => out.push(vec![m]),
        }
    }
    out
}

impl Inner {
    /// Queues the consumption of newly cached messages.
    pub(crate) fn submit_concurrently(
        self: &Arc<Self>,
        pq: &Arc<ProcessQueue>,
        msgs: Vec<Arc<MessageExt>>,
    ) {
        let Some(pool) = self.pool() else { return };
        for batch in batches(msgs, self.config.consume_batch_size) {
            let me = self.clone();
            let pq = pq.clone();
            // Refused only when the pool is closed: the messages stay cached
            // and uncommitted.
            pool.submit(move || me.consume_batch(&pq, batch));
        }
    }

    fn consume_batch(self: &Arc<Self>, pq: &Arc<ProcessQueue>, msgs: Vec<Arc<MessageExt>>) {
        let Some(_running) = pq.begin_consume() else {
            return;
        };
        let offsets: Vec<i64> = msgs.iter().map(|m| m.queue_offset).collect();
        let listener = match self.listener_for(&msgs[0].topic) {
            Some(MessageListener::Concurrently(l)) => l,
            _ => {
                // No listener for the topic any more: nothing to deliver to.
                self.commit_removed(pq, &offsets);
                return;
            }
        };
        let now = now_ms();
        pq.mark_consume_start(&offsets, now);
        let view = listener_view(self, &msgs, now);
        let queue = self.unwrap_mq(&pq.mq);
        let mut ctx = ConsumeConcurrentlyContext::new(queue.clone());
        let group = self.config.group.clone();
        run_hooks(
            self,
            &ConsumeHookContext {
                group: &group,
                queue: &queue,
                msgs: &view,
                success: None,
                elapsed: None,
            },
            false,
        );
        let began = Instant::now();
        let status = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            listener.consume(&view, &mut ctx)
        }))
        .unwrap_or(ConsumeConcurrentlyStatus::ReconsumeLater);
        let elapsed = began.elapsed();
        run_hooks(
            self,
            &ConsumeHookContext {
                group: &group,
                queue: &queue,
                msgs: &view,
                success: Some(status == ConsumeConcurrentlyStatus::ConsumeSuccess),
                elapsed: Some(elapsed),
            },
            true,
        );
        drop(view);
        self.process_concurrent_result(pq, msgs, status, &ctx, elapsed);
    }

    fn commit_removed(&self, pq: &ProcessQueue, offsets: &[i64]) {
        let off = pq.remove(offsets);
        if off >= 0 && !pq.is_removed() {
            if let Some(store) = self.offset_store() {
                store.update(&pq.mq, off, true);
            }
        }
    }

    fn process_concurrent_result(
        self: &Arc<Self>,
        pq: &Arc<ProcessQueue>,
        msgs: Vec<Arc<MessageExt>>,
        status: ConsumeConcurrentlyStatus,
        ctx: &ConsumeConcurrentlyContext,
        elapsed: Duration,
    ) {
        let n = msgs.len() as i32;
        let ack = match status {
            ConsumeConcurrentlyStatus::ConsumeSuccess => ctx.ack_index.clamp(-1, n - 1),
            ConsumeConcurrentlyStatus::ReconsumeLater => -1,
        };
        let ok = (ack + 1) as usize;
        let stats = self.topic_stats(&pq.mq.topic);
        use std::sync::atomic::Ordering::Relaxed;
        stats.consume_ok.fetch_add(ok as u64, Relaxed);
        stats
            .consume_failed
            .fetch_add((msgs.len() - ok) as u64, Relaxed);
        stats
            .consume_rt_ms
            .fetch_add(elapsed.as_millis() as u64 * msgs.len() as u64, Relaxed);
        let mut retry_locally = Vec::new();
        if self.config.message_model == MessageModel::Clustering {
            for m in &msgs[ok..] {
                let sent = crate::runtime::block_on(self.send_message_back(
                    m,
                    ctx.delay_level_when_next_consume,
                    &pq.mq,
                ))
                .and_then(|r| r);
                if sent.is_err() {
                    retry_locally.push(m.clone());
                }
            }
        }
        // Broadcasting: failed messages are not redelivered (as in Java).
        let done: Vec<i64> = msgs
            .iter()
            .filter(|m| {
                !retry_locally
                    .iter()
                    .any(|r| r.queue_offset == m.queue_offset)
            })
            .map(|m| m.queue_offset)
            .collect();
        self.commit_removed(pq, &done);
        if !retry_locally.is_empty() {
            let bumped: Vec<Arc<MessageExt>> = retry_locally
                .into_iter()
                .map(|m| {
                    let mut b = (*m).clone();
                    b.reconsume_times += 1;
                    let b = Arc::new(b);
                    pq.replace(b.clone());
                    b
                })
                .collect();
            let me = self.clone();
            let pq = pq.clone();
            crate::runtime::handle().spawn(async move {
                tokio::time::sleep(LOCAL_RETRY_DELAY).await;
                if !pq.is_dropped() && me.is_running() {
                    me.submit_concurrently(&pq, bumped);
                }
            });
        }
    }

    /// CONSUMER_SEND_MSG_BACK to the master of `mq`'s broker; on failure the
    /// message is sent to the retry topic directly.
    pub(crate) async fn send_message_back(
        &self,
        msg: &MessageExt,
        delay_level: i32,
        mq: &MessageQueue,
    ) -> Result<()> {
        let instance = self.instance()?;
        let attempt = async {
            let addr = master_addr(&instance, mq).await?;
            let header = ConsumerSendMsgBackRequestHeader {
                rpc: RpcBase::with_broker(mq.broker_name.clone()),
                offset: msg.commit_log_offset,
                group: self.group_on_wire(),
                delay_level,
                origin_msg_id: Some(msg.msg_id().into_owned()),
                origin_topic: Some(msg.topic.clone()),
                unit_mode: false,
                max_reconsume_times: Some(self.max_reconsume_times()),
            };
            let req = RemotingCommand::request(request::CONSUMER_SEND_MSG_BACK, header.to_ext());
            let resp = instance
                .remoting()
                .invoke(&addr, req, SEND_BACK_TIMEOUT)
                .await?;
            resp.check_success().map(|_| ())
        };
        match attempt.await {
            Ok(()) => Ok(()),
            Err(_) => {
                self.resend_to_retry_topic(msg, msg.reconsume_times + 1, mq)
                    .await
            }
        }
    }

    /// Sends a copy of `msg` to the group's retry topic with
    /// `RECONSUME_TIME = reconsume_times` (the broker moves it to the
    /// dead-letter queue once that reaches the maximum).
    pub(crate) async fn resend_to_retry_topic(
        &self,
        msg: &MessageExt,
        reconsume_times: i32,
        fallback: &MessageQueue,
    ) -> Result<()> {
        let instance = self.instance()?;
        let group = self.group_on_wire();
        let retry = names::retry_topic(&group);
        let mut props = msg.properties.clone();
        let origin = msg
            .property(property::ORIGIN_MESSAGE_ID)
            .map(str::to_owned)
            .unwrap_or_else(|| msg.msg_id().into_owned());
        props.insert(property::ORIGIN_MESSAGE_ID.to_owned(), origin);
        props.insert(property::RETRY_TOPIC.to_owned(), msg.topic.clone());
        props.remove(property::TRAN_MSG);
        props.remove(property::RECONSUME_TIME);
        props.remove(property::MAX_RECONSUME_TIMES);
        props.insert(
            property::DELAY.to_owned(),
            (3 + msg.reconsume_times).clamp(1, 18).to_string(),
        );
        let queue = match instance.topic_route(&retry).await {
            Ok(route) => {
                let qs = publish_queues(&retry, &route);
                if qs.is_empty() {
                    None
                } else {
                    let i = crate::common::rng::SplitMix64::from_entropy().below(qs.len());
                    Some(qs[i].clone())
                }
            }
            Err(_) => None,
        }
        .unwrap_or_else(|| MessageQueue::new(retry.clone(), fallback.broker_name.clone(), 0));
        let addr = master_addr(&instance, &queue).await?;
        let header = SendMessageRequestHeader {
            rpc: RpcBase::with_broker(queue.broker_name.clone()),
            producer_group: names::CLIENT_INNER_PRODUCER_GROUP.to_owned(),
            topic: retry,
            queue_id: queue.queue_id,
            sys_flag: 0,
            born_timestamp: now_ms(),
            flag: msg.flag,
            properties: Some(message::properties_to_string(&props)),
            reconsume_times: Some(reconsume_times),
            unit_mode: Some(false),
            batch: Some(false),
            max_reconsume_times: Some(self.max_reconsume_times()),
            ..Default::default()
        };
        let mut ext = ExtFields::with_capacity(16);
        header.write_v1(&mut ext);
        let req =
            RemotingCommand::request(request::SEND_MESSAGE, ext).with_body(Bytes::clone(&msg.body));
        let resp = instance
            .remoting()
            .invoke(&addr, req, SEND_BACK_TIMEOUT)
            .await?;
        match resp.code {
            response::SUCCESS
            | response::FLUSH_DISK_TIMEOUT
            | response::FLUSH_SLAVE_TIMEOUT
            | response::SLAVE_NOT_AVAILABLE => Ok(()),
            code => {
                Err(Error::broker(code, resp.remark.as_deref())
                    .context("resend to the retry topic"))
            }
        }
    }

    /// Sends back messages whose listener has run longer than the consume
    /// timeout, and stops waiting for them.
    pub(crate) async fn clean_expired_messages(self: &Arc<Self>) {
        if self.is_orderly() {
            return;
        }
        let limit = now_ms() - self.config.consume_timeout.as_millis() as i64;
        let pqs: Vec<Arc<ProcessQueue>> = self
            .pqs
            .lock()
            .values()
            .filter(|pq| !pq.is_dropped())
            .cloned()
            .collect();
        for pq in pqs {
            for m in pq.expired(limit, SWEEP_MAX_PER_QUEUE) {
                if self.config.message_model == MessageModel::Clustering
                    && self.send_message_back(&m, 3, &pq.mq).await.is_err()
                {
                    continue;
                }
                self.commit_removed(&pq, &[m.queue_offset]);
            }
        }
    }
}

/// CONSUME_MESSAGE_DIRECTLY on the calling (library) thread. `msg` has its
/// retry topic restored but keeps its namespace.
pub(crate) fn consume_directly(
    inner: &Arc<Inner>,
    msg: MessageExt,
    queue: MessageQueue,
) -> ConsumeMessageDirectlyResult {
    let listener = inner.listener_for(&msg.topic);
    let mut view = msg;
    view.topic = inner.unwrap(&view.topic);
    view.set_property(property::CONSUME_START_TIME, now_ms().to_string());
    let msgs = [view];
    let began = Instant::now();
    let mut result = ConsumeMessageDirectlyResult {
        auto_commit: true,
        order: false,
        ..Default::default()
    };
    let outcome = match listener {
        None => {
            result.remark = Some(format!(
                "the consumer does not subscribe the topic {}",
                msgs[0].topic
            ));
            return result;
        }
        Some(MessageListener::Concurrently(l)) => {
            let mut ctx = ConsumeConcurrentlyContext::new(queue);
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| l.consume(&msgs, &mut ctx)))
                .map(|s| match s {
                    ConsumeConcurrentlyStatus::ConsumeSuccess => CMResult::Success,
                    ConsumeConcurrentlyStatus::ReconsumeLater => CMResult::Later,
                })
        }
        Some(MessageListener::Orderly(l)) => {
            result.order = true;
            let mut ctx = ConsumeOrderlyContext::new(queue);
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| l.consume(&msgs, &mut ctx)))
                .map(|s| match s {
                    ConsumeOrderlyStatus::Success => CMResult::Success,
                    ConsumeOrderlyStatus::SuspendCurrentQueueAMoment => CMResult::Later,
                })
        }
    };
    match outcome {
        Ok(r) => result.consume_result = Some(r),
        Err(_) => {
            result.consume_result = Some(CMResult::ThrowException);
            result.remark = Some("the listener panicked".into());
        }
    }
    result.spent_time_mills = began.elapsed().as_millis() as i64;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(topic: &str, off: i64) -> Arc<MessageExt> {
        Arc::new(MessageExt {
            topic: topic.into(),
            queue_offset: off,
            ..Default::default()
        })
    }

    #[test]
    fn batching_keeps_topics_apart() {
        let msgs = vec![m("A", 0), m("A", 1), m("A", 2), m("B", 3), m("A", 4)];
        let b = batches(msgs.clone(), 2);
        let shape: Vec<Vec<i64>> = b
            .iter()
            .map(|v| v.iter().map(|m| m.queue_offset).collect())
            .collect();
        assert_eq!(shape, vec![vec![0, 1], vec![2], vec![3], vec![4]]);
        assert_eq!(batches(msgs.clone(), 1).len(), 5);
        assert_eq!(batches(msgs, 32).len(), 3);
        assert!(batches(Vec::new(), 4).is_empty());
    }
}
