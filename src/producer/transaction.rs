//! The transaction producer: sends a half message, runs the local
//! transaction, then commits, rolls back or leaves it unknown; answers the
//! broker's check-backs by running the user's checker on a library thread.

use std::sync::Arc;
use std::time::Duration;

use super::default::{Mode, Producer};
use super::result::{SendResult, SendStatus};
use super::ProducerConfig;
use crate::protocol::codes::request;
use crate::protocol::headers::{
    CheckTransactionStateRequestHeader, CommandHeader, EndTransactionRequestHeader, RpcBase,
};
use crate::protocol::message::{property, Message, MessageExt};
use crate::protocol::{msg_id, RemotingCommand};
use crate::runtime::CallbackThread;
use crate::{Error, Result};

/// The outcome of a local transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalTransactionState {
    Commit,
    Rollback,
    /// Not known yet: the broker will ask the checker later.
    Unknown,
}

impl LocalTransactionState {
    fn wire(self) -> i32 {
        match self {
            LocalTransactionState::Commit => EndTransactionRequestHeader::COMMIT,
            LocalTransactionState::Rollback => EndTransactionRequestHeader::ROLLBACK,
            LocalTransactionState::Unknown => EndTransactionRequestHeader::NOT_TYPE,
        }
    }
}

/// The user's side of a transaction. A panic in either method counts as
/// [`LocalTransactionState::Unknown`].
pub trait TransactionListener: Send + Sync {
    /// Runs the local transaction after the half message was stored. Runs on
    /// the thread that called `send_message_in_transaction`.
    fn execute_local_transaction(&self, msg: &Message, arg: usize) -> LocalTransactionState;
    /// Tells the broker the state of a half message it asks about. Runs on the
    /// producer's checker thread.
    fn check_local_transaction(&self, msg: &MessageExt) -> LocalTransactionState;
}

/// The result of `send_message_in_transaction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionSendResult {
    pub send: SendResult,
    pub state: LocalTransactionState,
}

/// A producer of transactional messages.
#[derive(Clone)]
pub struct TransactionProducer {
    producer: Producer,
    listener: Arc<dyn TransactionListener>,
    checker: Arc<CallbackThread>,
}

impl std::fmt::Debug for TransactionProducer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransactionProducer")
            .field("producer", &self.producer)
            .finish_non_exhaustive()
    }
}

fn run_listener(f: impl FnOnce() -> LocalTransactionState) -> LocalTransactionState {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or(LocalTransactionState::Unknown)
}

impl TransactionProducer {
    pub fn new(config: ProducerConfig, listener: Arc<dyn TransactionListener>) -> Result<Self> {
        let producer = Producer::new(config)?;
        let checker = Arc::new(CallbackThread::spawn("rocketmq-tx-check"));
        let tp = TransactionProducer {
            producer,
            listener,
            checker,
        };
        let weak_inner = Arc::downgrade(&tp.producer.inner);
        let listener = tp.listener.clone();
        let checker = Arc::downgrade(&tp.checker);
        *tp.producer.inner.check_handler.write() = Some(Arc::new(
            move |addr: String, msg: MessageExt, header: CheckTransactionStateRequestHeader| {
                let (Some(inner), Some(checker)) = (weak_inner.upgrade(), checker.upgrade()) else {
                    return;
                };
                let listener = listener.clone();
                checker.execute(move || {
                    let state = run_listener(|| listener.check_local_transaction(&msg));
                    let unique = msg
                        .unique_key()
                        .map(str::to_owned)
                        .unwrap_or_else(|| msg.msg_id().into_owned());
                    let end = EndTransactionRequestHeader {
                        rpc: RpcBase {
                            broker_name: header.rpc.broker_name.clone(),
                            ..Default::default()
                        },
                        topic: Some(msg.topic.clone()),
                        producer_group: inner.group_on_wire(),
                        tran_state_table_offset: header.tran_state_table_offset,
                        commit_log_offset: header.commit_log_offset,
                        commit_or_rollback: state.wire(),
                        from_transaction_check: Some(true),
                        msg_id: unique,
                        transaction_id: header.transaction_id.clone(),
                    };
                    let Ok(instance) = inner.instance() else {
                        return;
                    };
                    let req = RemotingCommand::request(request::END_TRANSACTION, end.to_ext());
                    crate::log::debug(
                        "transaction",
                        format_args!("check-back of {} answered {state:?}", end.msg_id),
                    );
                    let sent = crate::runtime::block_on(instance.remoting().invoke_oneway(
                        &addr,
                        req,
                        Duration::from_secs(3),
                    ));
                    if let Ok(Err(e)) = sent {
                        crate::log::warn(
                            "transaction",
                            format_args!("answering a check-back to {addr} failed: {e}"),
                        );
                    }
                });
            },
        ));
        Ok(tp)
    }

    pub fn producer(&self) -> &Producer {
        &self.producer
    }
    pub fn start(&self) -> Result<()> {
        self.producer.start()
    }
    /// Stops the checker thread once the checks it has queued or is running
    /// are answered, then shuts the producer down. From the producer's own
    /// checker, the checker thread is not joined (it ends once the running
    /// check returns, and that check's answer is not sent).
    pub async fn shutdown(&self) {
        // The checker goes first: the checks it has queued or is running are
        // answered while the producer can still send the answers. A check
        // that arrives after this is dropped (the broker asks again later).
        let checker = self.checker.clone();
        if checker.is_current() {
            checker.shutdown();
        } else {
            let _ = tokio::task::spawn_blocking(move || checker.shutdown()).await;
        }
        self.producer.shutdown().await;
    }
    pub fn shutdown_blocking(&self) -> Result<()> {
        crate::runtime::block_on(self.shutdown())
    }

    /// Sends `msg` as a half message, runs the local transaction with `arg`,
    /// then ends the transaction. Blocking: call it from a plain thread.
    pub fn send_message_in_transaction(
        &self,
        mut msg: Message,
        arg: usize,
    ) -> Result<TransactionSendResult> {
        if msg.delay_level() > 0 || msg.deliver_time_ms().is_some() {
            return Err(Error::invalid("transactional messages cannot be delayed"));
        }
        let inner = self.producer.inner.clone();
        msg.set_property(property::TRAN_MSG, "true");
        msg.set_property(property::PGROUP, inner.group_on_wire());
        if msg.unique_key().is_none() {
            msg.set_unique_key(msg_id::new_unique_key());
        }
        let send = crate::runtime::block_on(inner.send_default(msg.clone(), Mode::Sync, None))??;
        let state = match send.status {
            SendStatus::SendOk => {
                msg.transaction_id = send.transaction_id.clone();
                run_listener(|| self.listener.execute_local_transaction(&msg, arg))
            }
            _ => LocalTransactionState::Rollback,
        };
        let instance = inner.instance()?;
        let (store_addr, commit_log_offset) = msg_id::decode_offset_msg_id(&send.offset_msg_id)
            .map_err(|e| e.context("the send result has no valid offset message id"))?;
        let addr = instance
            .broker_addr(&send.queue.broker_name, true)
            .unwrap_or_else(|| store_addr.to_string());
        let end = EndTransactionRequestHeader {
            rpc: RpcBase::with_broker(send.queue.broker_name.clone()),
            topic: Some(inner.wrap(&send.queue.topic)),
            producer_group: inner.group_on_wire(),
            tran_state_table_offset: send.queue_offset,
            commit_log_offset,
            commit_or_rollback: state.wire(),
            from_transaction_check: Some(false),
            msg_id: send.msg_id.clone(),
            transaction_id: send.transaction_id.clone(),
        };
        let req = RemotingCommand::request(request::END_TRANSACTION, end.to_ext());
        let timeout = inner.config.send_timeout;
        crate::runtime::block_on(instance.remoting().invoke_oneway(&addr, req, timeout))?
            .map_err(|e| e.context("ending the transaction"))?;
        Ok(TransactionSendResult { send, state })
    }
}
