//! Orderly consumption: the messages of a queue are consumed in queue
//! order by one thread at a time, only while the queue is locked on its
//! broker (clustering). A failed batch suspends the queue and comes again;
//! past the maximum deliveries it goes to the retry topic, where the broker
//! moves it to the dead-letter queue.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::consume_concurrently::{listener_view, run_hooks};
use super::listener::{
    ConsumeHookContext, ConsumeOrderlyContext, ConsumeOrderlyStatus, MessageListener,
};
use super::process_queue::ProcessQueue;
use super::push::Inner;
use crate::client::instance::now_ms;
use crate::protocol::body::heartbeat::MessageModel;

/// Longest continuous consumption of one queue before yielding the thread
/// (Java: 60 s).
pub const MAX_TIME_CONSUME_CONTINUOUSLY: Duration = Duration::from_millis(60_000);
/// Retry delay when the queue's lock was just taken again (Java: 10 ms).
const DELAY_AFTER_LOCK: Duration = Duration::from_millis(10);
/// Retry delay when the queue could not be locked (Java: 3000 ms).
const DELAY_LOCK_FAILED: Duration = Duration::from_millis(3000);

impl Inner {
    /// Queues the orderly consumption of `pq` (its request flag is set).
    pub(crate) fn submit_orderly(self: &Arc<Self>, pq: &Arc<ProcessQueue>) {
        let Some(pool) = self.pool() else {
            pq.end_orderly();
            return;
        };
        let me = self.clone();
        let pq2 = pq.clone();
        if !pool.submit(move || me.consume_orderly(&pq2)) {
            pq.end_orderly();
        }
    }

    /// Starts orderly consumption of `pq` if messages wait and none runs.
    pub(crate) fn kick_orderly(self: &Arc<Self>, pq: &Arc<ProcessQueue>) {
        if self.is_orderly() && pq.try_start_orderly() {
            self.submit_orderly(pq);
        }
    }

    fn submit_orderly_later(self: &Arc<Self>, pq: &Arc<ProcessQueue>, delay: Duration) {
        let me = self.clone();
        let pq = pq.clone();
        crate::runtime::handle().spawn(async move {
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = pq.dropped_signal() => {}
            }
            if pq.is_dropped() || !me.is_running() {
                pq.end_orderly();
                return;
            }
            me.submit_orderly(&pq);
        });
    }

    fn lock_later_and_reconsume(self: &Arc<Self>, pq: &Arc<ProcessQueue>, delay: Duration) {
        let me = self.clone();
        let pq = pq.clone();
        crate::runtime::handle().spawn(async move {
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = pq.dropped_signal() => {}
            }
            if pq.is_dropped() || !me.is_running() {
                pq.end_orderly();
                return;
            }
            let locked = me.lock_one(&pq.mq).await;
            let next = if locked {
                DELAY_AFTER_LOCK
            } else {
                DELAY_LOCK_FAILED
            };
            me.submit_orderly_later(&pq, next);
        });
    }

    fn consume_orderly(self: &Arc<Self>, pq: &Arc<ProcessQueue>) {
        let Some(_running) = pq.begin_consume() else {
            pq.end_orderly();
            return;
        };
        let _one_at_a_time = pq.consume_lock.lock();
        let clustering = self.config.message_model == MessageModel::Clustering;
        let began = Instant::now();
        let Some(store) = self.offset_store() else {
            pq.end_orderly();
            return;
        };
        let group = self.config.group.clone();
        loop {
            if pq.is_dropped() || !self.is_running() {
                pq.end_orderly();
                return;
            }
            if clustering && (!pq.is_locked() || pq.is_lock_expired()) {
                self.lock_later_and_reconsume(pq, Duration::from_millis(100));
                return;
            }
            if began.elapsed() > MAX_TIME_CONSUME_CONTINUOUSLY {
                self.submit_orderly_later(pq, DELAY_AFTER_LOCK);
                return;
            }
            let msgs = pq.take(self.config.consume_batch_size);
            if msgs.is_empty() {
                // `take` ended the request.
                return;
            }
            let listener = match self.listener_for(&msgs[0].topic) {
                Some(MessageListener::Orderly(l)) => l,
                _ => {
                    let off = pq.commit();
                    if off >= 0 && !pq.is_removed() {
                        store.update(&pq.mq, off, false);
                    }
                    continue;
                }
            };
            let now = now_ms();
            let view = listener_view(self, &msgs, now);
            let queue = self.unwrap_mq(&pq.mq);
            let mut ctx = ConsumeOrderlyContext::new(queue.clone());
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
            let t0 = Instant::now();
            let status = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                listener.consume(&view, &mut ctx)
            }))
            .unwrap_or(ConsumeOrderlyStatus::SuspendCurrentQueueAMoment);
            let elapsed = t0.elapsed();
            run_hooks(
                self,
                &ConsumeHookContext {
                    group: &group,
                    queue: &queue,
                    msgs: &view,
                    success: Some(status == ConsumeOrderlyStatus::Success),
                    elapsed: Some(elapsed),
                },
                true,
            );
            drop(view);
            let stats = self.topic_stats(&pq.mq.topic);
            use std::sync::atomic::Ordering::Relaxed;
            stats
                .consume_rt_ms
                .fetch_add(elapsed.as_millis() as u64 * msgs.len() as u64, Relaxed);
            let commit = match status {
                ConsumeOrderlyStatus::Success => {
                    stats.consume_ok.fetch_add(msgs.len() as u64, Relaxed);
                    true
                }
                ConsumeOrderlyStatus::SuspendCurrentQueueAMoment => {
                    stats.consume_failed.fetch_add(msgs.len() as u64, Relaxed);
                    // Past the maximum, to the retry topic (and on to the
                    // dead-letter queue); otherwise try again after a pause.
                    let max = self.max_reconsume_times();
                    let all_gone = clustering
                        && msgs.iter().all(|m| m.reconsume_times >= max)
                        && msgs.iter().all(|m| {
                            crate::runtime::block_on(self.resend_to_retry_topic(
                                m,
                                m.reconsume_times,
                                &pq.mq,
                            ))
                            .and_then(|r| r)
                            .is_ok()
                        });
                    if !all_gone {
                        pq.make_consume_again(&msgs);
                        let pause = ctx
                            .suspend_current_queue_time
                            .unwrap_or(self.config.suspend_current_queue_time);
                        self.submit_orderly_later(pq, pause);
                        return;
                    }
                    true
                }
            };
            if commit {
                let off = pq.commit();
                if off >= 0 && !pq.is_removed() {
                    store.update(&pq.mq, off, false);
                }
            }
        }
    }
}
