//! The README's demo: sends messages to the local RocketMQ with the producer
//! engine (sync, async, batch), consumes them with a push consumer and prints
//! what happened. Run it with `make demo`.

use std::time::{Duration, Instant};

use rocketmq::consumer::listener::{
    ConsumeConcurrentlyContext, ConsumeConcurrentlyStatus, MessageListener,
};
use rocketmq::consumer::{PushConsumer, PushConsumerConfig};
use rocketmq::producer::{Producer, ProducerConfig};
use rocketmq::protocol::body::heartbeat::ConsumeFromWhere;
use rocketmq::protocol::message::{Message, MessageExt};
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

    // Consume them with a push consumer (listener on a library thread).
    let mut cc = PushConsumerConfig::new(&namesrv, format!("demo_consumer_group_{stamp}"));
    cc.consume_from_where = ConsumeFromWhere::FirstOffset;
    let consumer = PushConsumer::new(cc)?;
    let (mtx, mrx) = std::sync::mpsc::channel::<MessageExt>();
    let mtx = std::sync::Mutex::new(mtx);
    consumer.subscribe(
        &topic,
        "*",
        MessageListener::concurrently(
            move |msgs: &[MessageExt], _ctx: &mut ConsumeConcurrentlyContext| {
                for m in msgs {
                    if let Ok(tx) = mtx.lock() {
                        let _ = tx.send(m.clone());
                    }
                }
                ConsumeConcurrentlyStatus::ConsumeSuccess
            },
        ),
    )?;
    consumer.start()?;
    let mut received = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    while received < sent && Instant::now() < deadline {
        if let Ok(m) = mrx.recv_timeout(Duration::from_millis(200)) {
            println!(
                "consumed    queue {} offset {}: {:?} tags {:?} keys {:?} msg id {}",
                m.queue_id,
                m.queue_offset,
                String::from_utf8_lossy(&m.body),
                m.tags().unwrap_or(""),
                m.keys(),
                m.msg_id()
            );
            received += 1;
        }
    }
    let report = consumer.shutdown_blocking()?;
    println!("consumer shut down: {report:?}");
    producer.shutdown_blocking()?;
    println!("sent {sent}, received {received}");
    if received != sent {
        return Err(format!("received {received} of {sent} messages").into());
    }
    Ok(())
}
