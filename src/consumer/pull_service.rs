//! The push consumer's pull loops: one task per owned queue on the runtime,
//! long polling, flow control, and the pull outcomes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::process_queue::ProcessQueue;
use super::pull_api::{self, sysflag, PullArgs, PullStatus};
use super::push::{needs_heartbeat, Inner};
use crate::common::names;
use crate::protocol::body::heartbeat::MessageModel;
use crate::protocol::codes::response;
use crate::protocol::message::MessageExt;

/// Delay after local flow control (Java: 50 ms).
pub const DELAY_FLOW_CONTROL: Duration = Duration::from_millis(50);
/// Delay while paused (Java: 1000 ms).
pub const DELAY_PAUSED: Duration = Duration::from_millis(1000);
/// Delay after a failed pull (Java: 3000 ms).
pub const DELAY_ON_ERROR: Duration = Duration::from_millis(3000);
/// Delay after the broker's flow control (Java: 20 ms).
pub const DELAY_BROKER_FLOW_CONTROL: Duration = Duration::from_millis(20);

const MIB: usize = 1024 * 1024;

impl Inner {
    /// Starts the pull loop of `pq`, replacing any earlier loop of its queue.
    pub(crate) fn spawn_pull(self: &Arc<Self>, pq: Arc<ProcessQueue>) {
        let me = self.clone();
        let mq = pq.mq.clone();
        let h = crate::runtime::handle().spawn(pull_loop(me, pq));
        if let Some(old) = self.pull_tasks.lock().insert(mq, h) {
            old.abort();
        }
    }

    /// The per-queue limits (messages, MiB), with per-topic limits shared
    /// among the topic's queues.
    fn queue_limits(&self, topic: &str) -> (usize, usize) {
        let c = &self.config;
        let (mut count, mut size) = (c.pull_threshold_for_queue, c.pull_threshold_size_for_queue);
        if c.pull_threshold_for_topic.is_some() || c.pull_threshold_size_for_topic.is_some() {
            let n = self
                .pqs
                .lock()
                .values()
                .filter(|pq| pq.mq.topic == topic && !pq.is_dropped())
                .count()
                .max(1);
            if let Some(t) = c.pull_threshold_for_topic {
                count = (t / n).max(1);
            }
            if let Some(t) = c.pull_threshold_size_for_topic {
                size = (t / n).max(1);
            }
        }
        (count, size)
    }

    /// One pull of `pq`; returns how long to wait before the next.
    async fn pull_once(self: &Arc<Self>, pq: &Arc<ProcessQueue>) -> Duration {
        pq.touch_pull();
        if *self.paused.borrow() {
            return DELAY_PAUSED;
        }
        let (max_count, max_mib) = self.queue_limits(&pq.mq.topic);
        if pq.msg_count() > max_count || pq.msg_size() / MIB > max_mib {
            return DELAY_FLOW_CONTROL;
        }
        let orderly = self.is_orderly();
        if !orderly && pq.max_span() > self.config.consume_concurrently_max_span {
            return DELAY_FLOW_CONTROL;
        }
        let clustering = self.config.message_model == MessageModel::Clustering;
        if orderly && clustering && !pq.is_locked() {
            return DELAY_ON_ERROR;
        }
        let Some(sub) = self.subs.read().get(&pq.mq.topic).cloned() else {
            return DELAY_ON_ERROR;
        };
        let (Ok(instance), Some(store)) = (self.instance(), self.offset_store()) else {
            return DELAY_ON_ERROR;
        };
        let commit = if clustering {
            store.memory_offset(&pq.mq).filter(|o| *o > 0)
        } else {
            None
        };
        let post_sub = self.config.post_subscription_when_pull && !sub.data.class_filter_mode;
        let group = self.group_on_wire();
        let offset = pq.next_offset();
        let args = PullArgs {
            group: &group,
            mq: &pq.mq,
            offset,
            max_nums: self.config.pull_batch_size,
            max_bytes: Some(self.config.pull_batch_size_in_bytes),
            sys_flag: sysflag::build(commit.is_some(), true, post_sub, false, false),
            commit_offset: commit.unwrap_or(0),
            suspend: self.config.broker_suspend_max_time,
            subscription: post_sub.then_some(sub.data.sub_string.as_str()),
            sub_version: sub.data.sub_version,
            expression_type: &sub.data.expression_type,
            broker_id: pq.suggest_broker_id(),
            timeout: self.config.pull_timeout,
        };
        let began = Instant::now();
        let result = pull_api::pull(&instance, &args, Some(&sub.filter)).await;
        let stats = self.topic_stats(&pq.mq.topic);
        stats
            .pulls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        stats.pull_rt_ms.fetch_add(
            began.elapsed().as_millis() as u64,
            std::sync::atomic::Ordering::Relaxed,
        );
        let r = match result {
            Ok(r) => r,
            Err(e) => {
                if needs_heartbeat(&e) {
                    instance.heartbeat_soon();
                }
                return match e.response_code() {
                    Some(response::FLOW_CONTROL) => DELAY_BROKER_FLOW_CONTROL,
                    _ => DELAY_ON_ERROR,
                };
            }
        };
        if pq.is_dropped() {
            return Duration::ZERO;
        }
        pq.set_suggest_broker_id(r.suggest_which_broker_id);
        match r.status {
            PullStatus::Found => {
                pq.set_next_offset(r.next_begin_offset);
                let msgs = self.prepare_pulled(pq, r.msgs);
                if msgs.is_empty() {
                    return Duration::ZERO;
                }
                let (added, start_orderly) = pq.put(msgs);
                if orderly {
                    if start_orderly {
                        self.submit_orderly(pq);
                    }
                } else if !added.is_empty() {
                    self.submit_concurrently(pq, added);
                }
                self.config.pull_interval
            }
            PullStatus::NoNewMsg | PullStatus::NoMatchedMsg => {
                pq.set_next_offset(r.next_begin_offset);
                if pq.msg_count() == 0 {
                    store.update(&pq.mq, r.next_begin_offset, true);
                }
                Duration::ZERO
            }
            PullStatus::OffsetIllegal => {
                self.on_offset_moved(pq, r.next_begin_offset);
                Duration::ZERO
            }
        }
    }

    /// Restores retry topics and runs the filter hooks.
    fn prepare_pulled(&self, pq: &ProcessQueue, msgs: Vec<MessageExt>) -> Vec<Arc<MessageExt>> {
        let retry = names::retry_topic(&self.group_on_wire());
        let hooks = self.filter_hooks.read().clone();
        msgs.into_iter()
            .filter(|m| {
                hooks.iter().all(|h| {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| h.filter(&pq.mq, m)))
                        .unwrap_or(true)
                })
            })
            .map(|mut m| {
                pull_api::restore_retry_topic(&retry, &mut m);
                Arc::new(m)
            })
            .collect()
    }

    /// The broker moved the queue's offset (invalid offset, or a reset on
    /// the broker): drop the queue, store the new offset, and let the next
    /// rebalance take the queue again from there.
    fn on_offset_moved(self: &Arc<Self>, pq: &Arc<ProcessQueue>, next: i64) {
        pq.set_dropped();
        let me = self.clone();
        let pq = pq.clone();
        crate::runtime::handle().spawn(async move {
            let _g = me.rebalance_lock.lock().await;
            pq.wait_idle(me.config.queue_drain_timeout).await;
            if let Some(store) = me.offset_store() {
                let _ = store.update_and_persist(&pq.mq, next).await;
                store.remove(&pq.mq);
            }
            pq.set_removed();
            me.remove_pq(&pq.mq, &pq);
            drop(_g);
            me.rebalance_notify.notify_one();
        });
    }
}

async fn pull_loop(me: Arc<Inner>, pq: Arc<ProcessQueue>) {
    let mut stop = me.stop.subscribe();
    let mut paused = me.paused.subscribe();
    loop {
        if pq.is_dropped() || !me.is_running() {
            return;
        }
        if *paused.borrow_and_update() {
            tokio::select! {
                _ = paused.wait_for(|p| !*p) => {}
                _ = pq.dropped_signal() => return,
                _ = stop.wait_for(|s| *s) => return,
            }
            continue;
        }
        let delay = tokio::select! {
            d = me.pull_once(&pq) => d,
            // A pause abandons the pull in flight; its offset is pulled again.
            _ = paused.wait_for(|p| *p) => Duration::ZERO,
            _ = pq.dropped_signal() => return,
            _ = stop.wait_for(|s| *s) => return,
        };
        if !delay.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = pq.dropped_signal() => return,
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consumer::{PushConsumer, PushConsumerConfig};
    use crate::protocol::MessageQueue;

    #[test]
    fn topic_limits_are_shared_by_the_topics_queues() {
        let mut cfg = PushConsumerConfig::new("127.0.0.1:9876", "G");
        cfg.pull_threshold_for_queue = 1000;
        cfg.pull_threshold_size_for_queue = 100;
        let c = PushConsumer::new(cfg.clone()).unwrap();
        assert_eq!(c.inner.queue_limits("T"), (1000, 100));
        cfg.pull_threshold_for_topic = Some(100);
        cfg.pull_threshold_size_for_topic = Some(10);
        let c = PushConsumer::new(cfg).unwrap();
        assert_eq!(c.inner.queue_limits("T"), (100, 10), "no queue yet");
        for i in 0..4 {
            let mq = MessageQueue::new("T", "b", i);
            c.inner
                .pqs
                .lock()
                .insert(mq.clone(), Arc::new(ProcessQueue::new(mq, 0)));
        }
        let other = MessageQueue::new("U", "b", 0);
        c.inner
            .pqs
            .lock()
            .insert(other.clone(), Arc::new(ProcessQueue::new(other, 0)));
        assert_eq!(c.inner.queue_limits("T"), (25, 2));
        assert_eq!(c.inner.queue_limits("U"), (100, 10));
        // Dropped queues do not count.
        for pq in c.inner.pqs.lock().values() {
            if pq.mq.topic == "T" && pq.mq.queue_id > 0 {
                pq.set_dropped();
            }
        }
        assert_eq!(c.inner.queue_limits("T"), (100, 10));
    }
}
