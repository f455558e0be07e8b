//! Topic administration: create and delete topics, read routes, cluster
//! membership and the queues a producer would send to. An [`Admin`] has its
//! own connections (it never shares, nor shuts down, a producer's or a
//! consumer's client instance).

use std::collections::BTreeSet;
use std::time::Duration;

use crate::client::instance::{fetch_route, new_remoting};
use crate::client::ClientConfig;
use crate::common::{namespace, validate};
use crate::protocol::body::route::{publish_queues, ClusterInfo, TopicList, TopicRouteData};
use crate::protocol::body::JsonBody;
use crate::protocol::codes::{request, response};
use crate::protocol::headers::{
    CommandHeader, CreateTopicRequestHeader, DeleteTopicFromNamesrvRequestHeader,
    DeleteTopicRequestHeader,
};
use crate::protocol::{MessageQueue, RemotingCommand};
use crate::remoting::RemotingClient;
use crate::{Error, ErrorKind, Result};

/// Permission bits of a topic: readable.
pub const PERM_READ: i32 = 0x4;
/// Permission bits of a topic: writable.
pub const PERM_WRITE: i32 = 0x2;

/// A topic to create (the broker's `TopicConfig`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSpec {
    pub topic: String,
    /// Queues consumers read (default 8).
    pub read_queue_nums: i32,
    /// Queues producers write (default 8).
    pub write_queue_nums: i32,
    /// [`PERM_READ`] | [`PERM_WRITE`] (the default, 6).
    pub perm: i32,
    /// `SINGLE_TAG` (the default) or `MULTI_TAG`.
    pub topic_filter_type: String,
    pub topic_sys_flag: i32,
    /// An ordered topic.
    pub order: bool,
}

impl TopicSpec {
    /// `topic` with the defaults: 8 read and 8 write queues, read and write.
    pub fn new(topic: impl Into<String>) -> Self {
        TopicSpec {
            topic: topic.into(),
            read_queue_nums: 8,
            write_queue_nums: 8,
            perm: PERM_READ | PERM_WRITE,
            topic_filter_type: "SINGLE_TAG".to_owned(),
            topic_sys_flag: 0,
            order: false,
        }
    }

    fn check(&self) -> Result<()> {
        validate::check_topic(&self.topic)?;
        for (what, n) in [
            ("read queue count", self.read_queue_nums),
            ("write queue count", self.write_queue_nums),
        ] {
            if !(1..=1024).contains(&n) {
                return Err(Error::invalid(format!("{what} {n} is not in 1..=1024")));
            }
        }
        if self.perm & !(PERM_READ | PERM_WRITE | 0x1 | 0x8) != 0 {
            return Err(Error::invalid(format!(
                "perm {} has unknown bits",
                self.perm
            )));
        }
        if !matches!(self.topic_filter_type.as_str(), "SINGLE_TAG" | "MULTI_TAG") {
            return Err(Error::invalid(format!(
                "topic filter type {:?} is not SINGLE_TAG or MULTI_TAG",
                self.topic_filter_type
            )));
        }
        Ok(())
    }
}

/// Topic administration against the name servers and brokers of a
/// [`ClientConfig`] (its name servers, credentials and namespace).
pub struct Admin {
    config: ClientConfig,
    remoting: RemotingClient,
}

impl std::fmt::Debug for Admin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admin")
            .field("namesrv", &self.config.namesrv_addr)
            .finish()
    }
}

impl Admin {
    /// An admin client; connects on first use.
    pub fn new(config: ClientConfig) -> Result<Admin> {
        config.validate()?;
        let remoting = new_remoting(&config)?;
        Ok(Admin { config, remoting })
    }

    fn timeout(&self) -> Duration {
        self.config.api_timeout.max(Duration::from_secs(5))
    }

    fn wrap(&self, topic: &str) -> String {
        match &self.config.namespace {
            Some(ns) => namespace::wrap(ns, topic),
            None => topic.to_owned(),
        }
    }

    async fn call(&self, addr: &str, req: RemotingCommand, what: &str) -> Result<RemotingCommand> {
        let resp = self.remoting.invoke(addr, req, self.timeout()).await?;
        if resp.code != response::SUCCESS {
            return Err(Error::broker(resp.code, resp.remark.as_deref())
                .context(format!("{what} at {addr}")));
        }
        Ok(resp)
    }

    /// Creates (or updates) `spec.topic` on the broker at `broker_addr`.
    pub async fn create_topic(&self, broker_addr: &str, spec: &TopicSpec) -> Result<()> {
        spec.check()?;
        let topic = self.wrap(&spec.topic);
        let header = CreateTopicRequestHeader {
            topic: topic.clone(),
            read_queue_nums: spec.read_queue_nums,
            write_queue_nums: spec.write_queue_nums,
            perm: spec.perm,
            topic_filter_type: spec.topic_filter_type.clone(),
            topic_sys_flag: Some(spec.topic_sys_flag),
            order: spec.order,
            ..Default::default()
        };
        let req = RemotingCommand::request(request::UPDATE_AND_CREATE_TOPIC, header.to_ext());
        self.call(broker_addr, req, &format!("create topic {topic}"))
            .await
            .map(|_| ())
    }

    /// Creates `spec.topic` on every master broker of `cluster`; returns
    /// their addresses.
    pub async fn create_topic_in_cluster(
        &self,
        cluster: &str,
        spec: &TopicSpec,
    ) -> Result<Vec<String>> {
        spec.check()?;
        let masters = self.cluster_masters(cluster).await?;
        for addr in &masters {
            self.create_topic(addr, spec).await?;
        }
        Ok(masters)
    }

    /// Deletes `topic` from every master broker that serves it (from its
    /// route; with `cluster`, every master of that cluster) and from every
    /// name server.
    pub async fn delete_topic(&self, topic: &str, cluster: Option<&str>) -> Result<()> {
        validate::check_topic(topic)?;
        let masters: Vec<String> = match cluster {
            Some(c) => self.cluster_masters(c).await?,
            None => match self.topic_route(topic).await {
                Ok(route) => route
                    .broker_datas
                    .iter()
                    .filter_map(|b| b.master_addr().map(str::to_owned))
                    .collect(),
                // Unknown to the name servers: nothing on any broker to delete.
                Err(e) if e.kind() == ErrorKind::NoRoute => Vec::new(),
                Err(e) => return Err(e),
            },
        };
        for addr in &masters {
            self.delete_topic_in_broker(addr, topic).await?;
        }
        self.delete_topic_in_namesrvs(topic, cluster).await
    }

    /// Deletes `topic`'s route (of `cluster` only, when given) from every
    /// name server.
    pub async fn delete_topic_in_namesrvs(&self, topic: &str, cluster: Option<&str>) -> Result<()> {
        for ns in self.remoting.namesrv_addrs() {
            self.delete_topic_in_namesrv(&ns, topic, cluster).await?;
        }
        Ok(())
    }

    /// Deletes `topic` from the broker at `broker_addr` only.
    pub async fn delete_topic_in_broker(&self, broker_addr: &str, topic: &str) -> Result<()> {
        validate::check_topic(topic)?;
        let topic = self.wrap(topic);
        let header = DeleteTopicRequestHeader {
            topic: topic.clone(),
            ..Default::default()
        };
        let req = RemotingCommand::request(request::DELETE_TOPIC_IN_BROKER, header.to_ext());
        self.call(broker_addr, req, &format!("delete topic {topic}"))
            .await
            .map(|_| ())
    }

    /// Deletes `topic`'s route (of `cluster` only, when given) from the name
    /// server at `namesrv_addr`.
    pub async fn delete_topic_in_namesrv(
        &self,
        namesrv_addr: &str,
        topic: &str,
        cluster: Option<&str>,
    ) -> Result<()> {
        validate::check_topic(topic)?;
        let topic = self.wrap(topic);
        let header = DeleteTopicFromNamesrvRequestHeader {
            topic: topic.clone(),
            cluster_name: cluster.map(str::to_owned),
            ..Default::default()
        };
        let req = RemotingCommand::request(request::DELETE_TOPIC_IN_NAMESRV, header.to_ext());
        self.call(namesrv_addr, req, &format!("delete route of {topic}"))
            .await
            .map(|_| ())
    }

    /// The route of `topic` from the name servers (`ErrorKind::NoRoute`
    /// when they do not know it).
    pub async fn topic_route(&self, topic: &str) -> Result<TopicRouteData> {
        validate::check_topic(topic)?;
        fetch_route(&self.remoting, &self.wrap(topic), self.timeout()).await
    }

    /// The writable queues of `topic`, in the order a producer uses them.
    pub async fn fetch_publish_queues(&self, topic: &str) -> Result<Vec<MessageQueue>> {
        let route = self.topic_route(topic).await?;
        Ok(publish_queues(&self.wrap(topic), &route))
    }

    /// The clusters and brokers the name servers know.
    pub async fn cluster_info(&self) -> Result<ClusterInfo> {
        let req = RemotingCommand::request(request::GET_BROKER_CLUSTER_INFO, Default::default());
        let resp = self.remoting.invoke_namesrv(req, self.timeout()).await?;
        if resp.code != response::SUCCESS {
            return Err(Error::broker(resp.code, resp.remark.as_deref()).context("cluster info"));
        }
        ClusterInfo::decode(resp.body.as_deref().unwrap_or_default())
    }

    /// Every topic the name servers know.
    pub async fn topic_list(&self) -> Result<Vec<String>> {
        let req = RemotingCommand::request(
            request::GET_ALL_TOPIC_LIST_FROM_NAMESERVER,
            Default::default(),
        );
        let resp = self.remoting.invoke_namesrv(req, self.timeout()).await?;
        if resp.code != response::SUCCESS {
            return Err(Error::broker(resp.code, resp.remark.as_deref()).context("topic list"));
        }
        let list = TopicList::decode(resp.body.as_deref().unwrap_or_default())?;
        Ok(list.topic_list.into_iter().collect())
    }

    /// The clusters whose brokers serve `topic`.
    pub async fn topic_clusters(&self, topic: &str) -> Result<Vec<String>> {
        let route = self.topic_route(topic).await?;
        let info = self.cluster_info().await?;
        Ok(info
            .cluster_addr_table
            .iter()
            .filter(|(_, names)| {
                route
                    .broker_datas
                    .iter()
                    .any(|b| names.contains(&b.broker_name))
            })
            .map(|(c, _)| c.clone())
            .collect())
    }

    /// The master addresses of `cluster`'s brokers.
    pub async fn cluster_masters(&self, cluster: &str) -> Result<Vec<String>> {
        let info = self.cluster_info().await?;
        let names: BTreeSet<String> = info
            .cluster_addr_table
            .get(cluster)
            .cloned()
            .ok_or_else(|| Error::invalid(format!("no cluster named {cluster}")))?;
        Ok(names
            .iter()
            .filter_map(|n| info.broker_addr_table.get(n))
            .filter_map(|b| b.master_addr().map(str::to_owned))
            .collect())
    }

    /// Closes the connections. Later calls fail.
    pub fn shutdown(&self) {
        self.remoting.shutdown();
    }
}

impl Drop for Admin {
    fn drop(&mut self) {
        self.remoting.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_are_checked() {
        assert!(TopicSpec::new("ok_topic").check().is_ok());
        assert!(TopicSpec::new("bad topic").check().is_err());
        let mut s = TopicSpec::new("t");
        s.read_queue_nums = 0;
        assert!(s.check().is_err());
        let mut s = TopicSpec::new("t");
        s.perm = 0x40;
        assert!(s.check().is_err());
        let mut s = TopicSpec::new("t");
        s.topic_filter_type = "ANY".into();
        assert!(s.check().is_err());
    }
}
