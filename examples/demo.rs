//! The README's demo: sends messages to the local RocketMQ with the producer
//! engine (sync, async, batch), reads them back from the broker and prints
//! what happened. Run it with `make demo`.

use std::time::{Duration, Instant};

use rocketmq::producer::{Producer, ProducerConfig};
use rocketmq::protocol::codes::{request, response};
use rocketmq::protocol::headers::{
    CommandHeader, PullMessageRequestHeader, PullMessageResponseHeader,
};
use rocketmq::protocol::message::{decode_messages, DecodeOptions, Message};
use rocketmq::protocol::RemotingCommand;
use rocketmq::runtime::block_on;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let namesrv = std::env::var("ROCKETMQ_NAMESRV").unwrap_or_else(|_| "127.0.0.1:9876".into());
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let topic = format!("DemoTopic_{stamp}");
    println!(
        "librocketmq {} demo: name server {namesrv}, topic {topic}",
        env!("CARGO_PKG_VERSION")
    );

    let producer = Producer::new(ProducerConfig::new(&namesrv, "demo_producer_group"))?;
    producer.start()?;

    let mut sent = 0;
    for i in 0..3 {
        let mut m = Message::new(&topic, format!("hello #{i} (sync)"));
        m.set_tags("demo");
        m.set_keys([format!("order-{i}")]);
        let r = producer.send_blocking(m)?;
        println!(
            "sent sync   #{i}: {} msg id {} -> {} queue {} offset {}",
            r.status.name(),
            r.msg_id,
            r.queue.broker_name,
            r.queue.queue_id,
            r.queue_offset
        );
        sent += 1;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    for i in 3..6 {
        let tx = tx.clone();
        producer.send_async(
            Message::new(&topic, format!("hello #{i} (async)")),
            move |r| {
                let _ = tx.send((i, r));
            },
        )?;
    }
    for _ in 3..6 {
        let (i, r) = rx.recv_timeout(Duration::from_secs(10))?;
        let r = r?;
        println!(
            "sent async  #{i}: {} msg id {} queue {} offset {}",
            r.status.name(),
            r.msg_id,
            r.queue.queue_id,
            r.queue_offset
        );
        sent += 1;
    }
    let batch: Vec<Message> = (6..9)
        .map(|i| Message::new(&topic, format!("hello #{i} (batch)")))
        .collect();
    let r = block_on(producer.send_batch(batch))??;
    println!(
        "sent batch  #6..#8: {} queue {} offsets {}..",
        r.status.name(),
        r.queue.queue_id,
        r.queue_offset
    );
    sent += 3;

    // Read everything back from each queue of the topic.
    let queues = block_on(producer.publish_queues(&topic))??;
    let instance = producer.instance()?;
    let mut received = 0;
    let deadline = Instant::now() + Duration::from_secs(15);
    for q in &queues {
        let addr = instance
            .broker_addr(&q.broker_name, true)
            .ok_or("no broker address")?;
        let mut offset = 0;
        loop {
            let h = PullMessageRequestHeader {
                consumer_group: "demo_reader".into(),
                topic: topic.clone(),
                queue_id: q.queue_id,
                queue_offset: offset,
                max_msg_nums: 32,
                sys_flag: 4,
                subscription: Some("*".into()),
                expression_type: Some("TAG".into()),
                ..Default::default()
            };
            let req = RemotingCommand::request(request::PULL_MESSAGE, h.to_ext());
            let resp = block_on(
                instance
                    .remoting()
                    .invoke(&addr, req, Duration::from_secs(5)),
            )??;
            if resp.code != response::SUCCESS {
                break;
            }
            let rh = PullMessageResponseHeader::read_from(&resp.ext_fields)?;
            for m in decode_messages(
                &resp.body.clone().unwrap_or_default(),
                &DecodeOptions::default(),
            )? {
                println!(
                    "received    queue {} offset {}: {:?} tags {:?} keys {:?} msg id {}",
                    m.queue_id,
                    m.queue_offset,
                    String::from_utf8_lossy(&m.body),
                    m.tags().unwrap_or(""),
                    m.keys(),
                    m.msg_id()
                );
                received += 1;
            }
            offset = rh.next_begin_offset;
            if Instant::now() > deadline {
                break;
            }
        }
    }
    producer.shutdown_blocking()?;
    println!("sent {sent}, received {received}");
    if received != sent {
        return Err(format!("received {received} of {sent} messages").into());
    }
    Ok(())
}
