//! Consumer offset stores: the broker's (clustering) and a local file
//! (broadcasting). Both keep the offsets in memory; `persist` writes them out.
//!
//! An offset is the next queue offset to consume. Negative offsets are never
//! stored or persisted.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::client::config::path_safe;
use crate::client::ClientInstance;
use crate::protocol::body::fastjson::{self, mq_offset_map, ObjectWriter};
use crate::protocol::body::JsonBody;
use crate::protocol::codes::{request, response};
use crate::protocol::headers::{
    CommandHeader, QueryConsumerOffsetRequestHeader, QueryConsumerOffsetResponseHeader, RpcBase,
    UpdateConsumerOffsetRequestHeader,
};
use crate::protocol::{MessageQueue, RemotingCommand};
use crate::{Error, ErrorKind, Result};

/// Timeout of offset queries and updates (Java: 5000 ms).
pub const OFFSET_RPC_TIMEOUT: Duration = Duration::from_millis(5000);

/// Environment variable overriding the local offset directory.
pub const LOCAL_OFFSET_DIR_ENV: &str = "ROCKETMQ_LOCAL_OFFSET_STORE_DIR";

/// File name of a local offset store.
pub const LOCAL_OFFSET_FILE: &str = "offsets.json";

/// Where [`OffsetStore::read`] looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOffsetType {
    /// Only the in-memory table.
    Memory,
    /// Only the backing store (the broker or the file); the memory table is updated.
    Store,
    /// Memory, then the store when memory has nothing.
    MemoryFirstThenStore,
}

enum Backend {
    Remote {
        instance: Arc<ClientInstance>,
        group: String,
        commits: Commits,
    },
    Local {
        path: PathBuf,
        write_lock: Arc<Mutex<()>>,
    },
}

/// The offsets of one consumer group in one client.
pub struct OffsetStore {
    backend: Backend,
    table: Mutex<HashMap<MessageQueue, i64>>,
    zero_if_not_found: Option<bool>,
}

impl std::fmt::Debug for OffsetStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.backend {
            Backend::Remote { group, .. } => format!("remote({group})"),
            Backend::Local { path, .. } => format!("local({})", path.display()),
        };
        f.debug_struct("OffsetStore")
            .field("backend", &kind)
            .field("queues", &self.table.lock().len())
            .finish()
    }
}

/// The default directory of local offset files: the environment variable
/// [`LOCAL_OFFSET_DIR_ENV`], else `~/.rocketmq_offsets`.
pub fn default_local_offset_dir() -> PathBuf {
    if let Some(d) = std::env::var_os(LOCAL_OFFSET_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    home.join(".rocketmq_offsets")
}

/// `{dir}/{client id, path-safe}/{group, path-safe}/offsets.json`.
pub fn local_offset_path(dir: &Path, client_id: &str, group: &str) -> PathBuf {
    dir.join(path_safe(client_id))
        .join(path_safe(group))
        .join(LOCAL_OFFSET_FILE)
}

/// How a store's offsets reach the brokers, so that a broker never ends
/// with an offset older than the last one committed:
/// - A broker files the first offset a group commits for a topic racily: two
///   commits processed at once each create the group's table for the topic
///   and one table, with its offset, is lost (the broker's
///   `ConsumerOffsetManager` puts a fresh map without a compare-and-set). So
///   the first commit per broker and topic goes alone; once one succeeded
///   the table exists and commits of different queues run concurrently.
/// - A broker applies UPDATE_CONSUMER_OFFSET on a pool of threads, so two
///   updates of one queue in flight at once can land in either order and
///   move its offset backwards (messages consumed again after a rebalance or
///   a restart). So the commits of one queue take turns, each confirmed
///   before the next is sent, and each sends the queue's offset as it is
///   when its turn comes.
#[derive(Default)]
struct Commits {
    /// (broker name, topic) pairs with a confirmed commit.
    done: Mutex<std::collections::HashSet<(String, String)>>,
    /// Held while a first commit is in flight.
    gate: tokio::sync::Mutex<()>,
    /// One turn at a time per queue.
    turns: Mutex<HashMap<MessageQueue, Arc<tokio::sync::Mutex<()>>>>,
}

impl Commits {
    fn is_done(&self, mq: &MessageQueue) -> bool {
        self.done
            .lock()
            .contains(&(mq.broker_name.clone(), mq.topic.clone()))
    }

    /// Sends `mq`'s offset in `table` (if it has one) in the queue's turn.
    async fn commit(
        &self,
        instance: &ClientInstance,
        group: &str,
        mq: &MessageQueue,
        table: &Mutex<HashMap<MessageQueue, i64>>,
    ) -> Result<()> {
        let turn = self.turns.lock().entry(mq.clone()).or_default().clone();
        let _turn = turn.lock().await;
        let Some(offset) = table.lock().get(mq).copied() else {
            return Ok(());
        };
        if !self.is_done(mq) {
            let _alone = self.gate.lock().await;
            if !self.is_done(mq) {
                update_offset_on_broker(instance, group, mq, offset).await?;
                self.done
                    .lock()
                    .insert((mq.broker_name.clone(), mq.topic.clone()));
                return Ok(());
            }
        }
        update_offset_on_broker(instance, group, mq, offset).await
    }

    /// Forgets `mq`'s turn (when no commit of it is waiting).
    fn forget(&self, mq: &MessageQueue) {
        let mut turns = self.turns.lock();
        if turns.get(mq).is_some_and(|t| Arc::strong_count(t) == 1) {
            turns.remove(mq);
        }
    }
}

impl OffsetStore {
    /// Offsets kept by the brokers (clustering).
    pub fn remote(instance: Arc<ClientInstance>, group: impl Into<String>) -> Self {
        OffsetStore {
            backend: Backend::Remote {
                instance,
                group: group.into(),
                commits: Commits::default(),
            },
            table: Mutex::new(HashMap::new()),
            zero_if_not_found: None,
        }
    }

    /// Sets the `setZeroIfNotFound` flag of broker queries. Unset (as the Java
    /// client leaves it), a broker answers 0 instead of "not found" for a
    /// group new to a queue whose first message is still in memory; `false`
    /// makes every new group start where its consumer is configured to.
    pub fn with_zero_if_not_found(mut self, zero: Option<bool>) -> Self {
        self.zero_if_not_found = zero;
        self
    }

    /// Offsets kept in a local file at `path` (broadcasting).
    pub fn local(path: PathBuf) -> Self {
        OffsetStore {
            backend: Backend::Local {
                path,
                write_lock: Arc::new(Mutex::new(())),
            },
            table: Mutex::new(HashMap::new()),
            zero_if_not_found: None,
        }
    }

    /// Whether this store is a local file.
    pub fn is_local(&self) -> bool {
        matches!(self.backend, Backend::Local { .. })
    }

    /// The file of a local store.
    pub fn local_path(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Local { path, .. } => Some(path),
            Backend::Remote { .. } => None,
        }
    }

    /// Loads a local store's file into memory (the backup when the file is
    /// unreadable). A missing file is an empty store. No-op for remote stores.
    pub fn load(&self) -> Result<()> {
        if let Backend::Local { path, .. } = &self.backend {
            let offsets = read_offset_file(path)?;
            let mut t = self.table.lock();
            for (mq, off) in offsets {
                if off >= 0 {
                    t.insert(mq, off);
                }
            }
        }
        Ok(())
    }

    /// Sets the in-memory offset of `mq`. With `increase_only`, a smaller
    /// offset than the current one is ignored. Negative offsets are ignored.
    pub fn update(&self, mq: &MessageQueue, offset: i64, increase_only: bool) {
        if offset < 0 {
            return;
        }
        let mut t = self.table.lock();
        match t.get_mut(mq) {
            Some(cur) => {
                if !increase_only || offset > *cur {
                    *cur = offset;
                }
            }
            None => {
                t.insert(mq.clone(), offset);
            }
        }
    }

    /// The in-memory offset of `mq`.
    pub fn memory_offset(&self, mq: &MessageQueue) -> Option<i64> {
        self.table.lock().get(mq).copied()
    }

    /// The offset of `mq`, or -1 when there is none. A store error is an error.
    pub async fn read(&self, mq: &MessageQueue, how: ReadOffsetType) -> Result<i64> {
        if how != ReadOffsetType::Store {
            if let Some(v) = self.memory_offset(mq) {
                return Ok(v);
            }
            if how == ReadOffsetType::Memory {
                return Ok(-1);
            }
        }
        let stored = match &self.backend {
            Backend::Remote {
                instance, group, ..
            } => query_offset(instance, group, mq, self.zero_if_not_found).await?,
            Backend::Local { path, .. } => {
                let path = path.clone();
                let offsets = run_blocking(move || read_offset_file(&path)).await?;
                offsets.get(mq).copied()
            }
        };
        match stored {
            Some(v) if v >= 0 => {
                self.update(mq, v, false);
                Ok(v)
            }
            _ => Ok(-1),
        }
    }

    /// Forgets `mq`'s in-memory offset.
    pub fn remove(&self, mq: &MessageQueue) {
        self.table.lock().remove(mq);
        if let Backend::Remote { commits, .. } = &self.backend {
            commits.forget(mq);
        }
    }

    /// The in-memory offsets of `topic`'s queues.
    pub fn offsets_of_topic(&self, topic: &str) -> BTreeMap<MessageQueue, i64> {
        self.table
            .lock()
            .iter()
            .filter(|(mq, _)| mq.topic == topic)
            .map(|(mq, o)| (mq.clone(), *o))
            .collect()
    }

    /// Every in-memory offset.
    pub fn all_offsets(&self) -> BTreeMap<MessageQueue, i64> {
        self.table
            .lock()
            .iter()
            .map(|(mq, o)| (mq.clone(), *o))
            .collect()
    }

    /// Writes out the offsets of `mqs` (remote: one confirmed update per
    /// queue, see [`Commits`]) or the whole table (local file). Returns the
    /// number of queues whose write failed.
    pub async fn persist_all(&self, mqs: &[MessageQueue]) -> usize {
        match &self.backend {
            Backend::Remote {
                instance,
                group,
                commits,
            } => {
                let futs = mqs
                    .iter()
                    .map(|mq| commits.commit(instance, group, mq, &self.table));
                crate::client::instance::futures_join_all(futs)
                    .await
                    .into_iter()
                    .filter(|r| r.is_err())
                    .count()
            }
            Backend::Local { .. } => match self.write_local().await {
                Ok(()) => 0,
                Err(_) => 1,
            },
        }
    }

    /// Writes out the offset of one queue (remote: confirmed).
    pub async fn persist(&self, mq: &MessageQueue) -> Result<()> {
        match &self.backend {
            Backend::Remote {
                instance,
                group,
                commits,
            } => commits.commit(instance, group, mq, &self.table).await,
            Backend::Local { .. } => self.write_local().await,
        }
    }

    /// Sends `offset` of `mq` to the broker at once (remote), or stores it
    /// and writes the file (local). Used by resets and manual commits.
    pub async fn update_and_persist(&self, mq: &MessageQueue, offset: i64) -> Result<()> {
        if offset < 0 {
            return Err(Error::invalid(format!("offset {offset} is negative")));
        }
        self.update(mq, offset, false);
        self.persist(mq).await
    }

    async fn write_local(&self) -> Result<()> {
        let Backend::Local { path, write_lock } = &self.backend else {
            return Ok(());
        };
        let snapshot = self.all_offsets();
        let path = path.clone();
        let lock = write_lock.clone();
        run_blocking(move || {
            let _g = lock.lock();
            write_offset_file(&path, &snapshot)
        })
        .await
    }
}

async fn run_blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    if tokio::runtime::Handle::try_current().is_ok() {
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| Error::new(ErrorKind::Internal, format!("file task failed: {e}")))?
    } else {
        f()
    }
}

/// The master address of `mq`'s broker, fetching the topic route if needed.
pub(crate) async fn master_addr(instance: &ClientInstance, mq: &MessageQueue) -> Result<String> {
    if let Some(a) = instance.broker_addr(&mq.broker_name, true) {
        return Ok(a);
    }
    if let Ok(route) = instance.fetch_route(&mq.topic).await {
        instance.store_route(&mq.topic, route);
    }
    instance.broker_addr(&mq.broker_name, true).ok_or_else(|| {
        Error::new(
            ErrorKind::NoRoute,
            format!("the broker {} has no master address", mq.broker_name),
        )
    })
}

/// QUERY_CONSUMER_OFFSET: `None` when the broker has no offset (code 22).
pub(crate) async fn query_offset(
    instance: &ClientInstance,
    group: &str,
    mq: &MessageQueue,
    zero_if_not_found: Option<bool>,
) -> Result<Option<i64>> {
    let addr = master_addr(instance, mq).await?;
    let header = QueryConsumerOffsetRequestHeader {
        rpc: RpcBase::with_broker(mq.broker_name.clone()),
        consumer_group: group.to_owned(),
        topic: mq.topic.clone(),
        queue_id: mq.queue_id,
        set_zero_if_not_found: zero_if_not_found,
        ..Default::default()
    };
    let req = RemotingCommand::request(request::QUERY_CONSUMER_OFFSET, header.to_ext());
    let resp = instance
        .remoting()
        .invoke(&addr, req, OFFSET_RPC_TIMEOUT)
        .await?;
    match resp.code {
        response::SUCCESS => {
            let h = QueryConsumerOffsetResponseHeader::read_from(&resp.ext_fields)?;
            Ok(Some(h.offset))
        }
        response::QUERY_NOT_FOUND => Ok(None),
        code => {
            Err(Error::broker(code, resp.remark.as_deref())
                .context(format!("query offset of {mq}")))
        }
    }
}

/// UPDATE_CONSUMER_OFFSET to the master of `mq`'s broker, confirmed.
pub(crate) async fn update_offset_on_broker(
    instance: &ClientInstance,
    group: &str,
    mq: &MessageQueue,
    offset: i64,
) -> Result<()> {
    if offset < 0 {
        return Ok(());
    }
    let addr = master_addr(instance, mq).await?;
    let header = UpdateConsumerOffsetRequestHeader {
        rpc: RpcBase::with_broker(mq.broker_name.clone()),
        consumer_group: group.to_owned(),
        topic: mq.topic.clone(),
        queue_id: mq.queue_id,
        commit_offset: offset,
        ..Default::default()
    };
    let req = RemotingCommand::request(request::UPDATE_CONSUMER_OFFSET, header.to_ext());
    let resp = instance
        .remoting()
        .invoke(&addr, req, OFFSET_RPC_TIMEOUT)
        .await?;
    resp.check_success().map(|_| ())
}

/// The local file's JSON (`OffsetSerializeWrapper`): `{"offsetTable":{{mq}:offset,...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OffsetFile {
    #[serde(with = "mq_offset_map")]
    /// Next offset to consume per queue.
    pub offset_table: BTreeMap<MessageQueue, i64>,
}

impl JsonBody for OffsetFile {
    /// Writes object keys, as the Java client's file has them.
    fn encode(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(32 + 80 * self.offset_table.len());
        let mut w = ObjectWriter::new(&mut out);
        w.mq_map_field("offsetTable", &self.offset_table)?;
        w.finish();
        Ok(out)
    }
}

fn backup_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".bak");
    PathBuf::from(s)
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".tmp");
    PathBuf::from(s)
}

fn parse_offset_file(bytes: &[u8]) -> Result<BTreeMap<MessageQueue, i64>> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(BTreeMap::new());
    }
    Ok(fastjson::from_slice::<OffsetFile>(bytes)?.offset_table)
}

/// Reads a local offset file; falls back to its `.bak` when the file is
/// missing or unreadable. Neither existing is an empty table.
pub fn read_offset_file(path: &Path) -> Result<BTreeMap<MessageQueue, i64>> {
    let main = std::fs::read(path);
    let main_err = match main {
        Ok(bytes) => match parse_offset_file(&bytes) {
            Ok(t) => return Ok(t),
            Err(e) => Some(e),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => Some(Error::new(
            ErrorKind::Internal,
            format!("reading {}: {e}", path.display()),
        )),
    };
    match std::fs::read(backup_path(path)) {
        Ok(bytes) => parse_offset_file(&bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match main_err {
            Some(e) => Err(e),
            None => Ok(BTreeMap::new()),
        },
        Err(e) => Err(Error::new(
            ErrorKind::Internal,
            format!("reading {}: {e}", backup_path(path).display()),
        )),
    }
}

/// Writes `table` to `path` atomically: a temporary file, synced, then
/// renamed over the file; the previous file is kept as `.bak`.
pub fn write_offset_file(path: &Path, table: &BTreeMap<MessageQueue, i64>) -> Result<()> {
    use std::io::Write;
    let io_err =
        |what: &str, e: std::io::Error| Error::new(ErrorKind::Internal, format!("{what}: {e}"));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| io_err(&format!("creating {}", dir.display()), e))?;
    }
    let body = OffsetFile {
        offset_table: table.clone(),
    }
    .encode()?;
    let tmp = tmp_path(path);
    {
        let mut f = std::fs::File::create(&tmp)
            .map_err(|e| io_err(&format!("creating {}", tmp.display()), e))?;
        f.write_all(&body)
            .and_then(|_| f.sync_all())
            .map_err(|e| io_err(&format!("writing {}", tmp.display()), e))?;
    }
    if path.exists() {
        // Keep the previous version, but only a readable one.
        if let Ok(prev) = std::fs::read(path) {
            if parse_offset_file(&prev).is_ok() {
                let _ = std::fs::write(backup_path(path), &prev);
            }
        }
    }
    std::fs::rename(&tmp, path).map_err(|e| io_err(&format!("renaming {}", tmp.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tmp_dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "rmq-offsets-{name}-{}-{}",
            std::process::id(),
            crate::client::instance::now_ms()
        ));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn file_golden() {
        let mut t = BTreeMap::new();
        t.insert(MessageQueue::new("T", "b", 1), 42);
        let body = OffsetFile {
            offset_table: t.clone(),
        }
        .encode()
        .unwrap();
        assert_eq!(
            String::from_utf8(body.clone()).unwrap(),
            r#"{"offsetTable":{{"brokerName":"b","queueId":1,"topic":"T"}:42}}"#
        );
        assert_eq!(parse_offset_file(&body).unwrap(), t);
        // The Java client's file (fastjson, pretty-printed).
        let java = br#"{
	"offsetTable":{{
			"brokerName":"broker-a",
			"queueId":3,
			"topic":"TopicTest"
		}:12,{
			"brokerName":"broker-a",
			"queueId":0,
			"topic":"TopicTest"
		}:7
	}
}"#;
        let t = parse_offset_file(java).unwrap();
        assert_eq!(t[&MessageQueue::new("TopicTest", "broker-a", 3)], 12);
        assert_eq!(t[&MessageQueue::new("TopicTest", "broker-a", 0)], 7);
    }

    #[test]
    fn paths_are_safe() {
        let p = local_offset_path(Path::new("/x"), "10.0.0.1@12:3/4", "G/1");
        assert_eq!(p, PathBuf::from("/x/10.0.0.1@12_3_4/G_1/offsets.json"));
    }

    #[test]
    fn atomic_write_keeps_backup() {
        let dir = tmp_dir("atomic");
        let path = local_offset_path(&dir, "c@1", "g");
        assert!(read_offset_file(&path).unwrap().is_empty());
        let mq = MessageQueue::new("T", "b", 0);
        let mut t = BTreeMap::new();
        t.insert(mq.clone(), 1);
        write_offset_file(&path, &t).unwrap();
        t.insert(mq.clone(), 2);
        write_offset_file(&path, &t).unwrap();
        assert_eq!(read_offset_file(&path).unwrap()[&mq], 2);
        assert_eq!(read_offset_file(&backup_path(&path)).unwrap()[&mq], 1);
        assert!(!tmp_path(&path).exists());
        // A torn main file falls back to the backup.
        std::fs::write(&path, b"{\"offsetTable\":{").unwrap();
        assert_eq!(read_offset_file(&path).unwrap()[&mq], 1);
        // A torn main file is not copied over the good backup.
        t.insert(mq.clone(), 3);
        write_offset_file(&path, &t).unwrap();
        assert_eq!(read_offset_file(&path).unwrap()[&mq], 3);
        assert_eq!(read_offset_file(&backup_path(&path)).unwrap()[&mq], 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn local_store_roundtrip() {
        let dir = tmp_dir("store");
        let path = local_offset_path(&dir, "c@1", "g");
        let store = OffsetStore::local(path.clone());
        store.load().unwrap();
        let a = MessageQueue::new("T", "b", 0);
        let b = MessageQueue::new("T", "b", 1);
        store.update(&a, 10, false);
        store.update(&a, 5, true);
        assert_eq!(store.memory_offset(&a), Some(10));
        store.update(&a, 5, false);
        assert_eq!(store.memory_offset(&a), Some(5));
        store.update(&b, -1, false);
        assert_eq!(store.memory_offset(&b), None);
        store.update(&b, 7, true);
        let failed = crate::runtime::block_on(store.persist_all(&[])).unwrap();
        assert_eq!(failed, 0);
        let again = OffsetStore::local(path);
        again.load().unwrap();
        assert_eq!(again.memory_offset(&a), Some(5));
        assert_eq!(
            crate::runtime::block_on(again.read(&b, ReadOffsetType::Store))
                .unwrap()
                .unwrap(),
            7
        );
        let other = MessageQueue::new("U", "b", 0);
        assert_eq!(
            crate::runtime::block_on(again.read(&other, ReadOffsetType::MemoryFirstThenStore))
                .unwrap()
                .unwrap(),
            -1
        );
        assert_eq!(again.offsets_of_topic("T").len(), 2);
        again.remove(&a);
        assert_eq!(again.offsets_of_topic("T").len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    proptest! {
        #[test]
        fn file_roundtrip(entries in proptest::collection::vec(
            ("[a-zA-Z0-9_%-]{1,12}", "[a-z0-9-]{1,8}", 0i32..64, 0i64..i64::MAX), 0..8)) {
            let t: BTreeMap<MessageQueue, i64> = entries
                .into_iter()
                .map(|(topic, b, q, o)| (MessageQueue::new(topic, b, q), o))
                .collect();
            let body = OffsetFile { offset_table: t.clone() }.encode().unwrap();
            prop_assert_eq!(parse_offset_file(&body).unwrap(), t);
        }

        #[test]
        fn arbitrary_file_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = parse_offset_file(&bytes);
        }
    }
}
