//! Protocol micro-benchmarks: send-header encoding (JSON vs binary, raw and
//! typed), frame round trip, and decoding a received 1 KiB message.

use std::net::SocketAddr;

use bytes::{Bytes, BytesMut};
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use rocketmq::protocol::frame::{encode_frame, FrameDecoder, DEFAULT_MAX_FRAME};
use rocketmq::protocol::headers::{RpcBase, SendMessageRequestHeader};
use rocketmq::protocol::message::{
    body_crc, decode_messages, encode_message_ext, properties_to_string, DecodeOptions, Message,
    MessageExt,
};
use rocketmq::protocol::{ExtFields, RemotingCommand, SerializeType};

fn send_header_ext() -> ExtFields {
    let mut ext = ExtFields::with_capacity(14);
    ext.push("a", "bench_producer_group");
    ext.push("b", "BenchTopic");
    ext.push("c", "TBW102");
    ext.push("d", "4");
    ext.push("e", "3");
    ext.push("f", "0");
    ext.push("g", "1764100000000");
    ext.push("h", "0");
    ext.push(
        "i",
        "KEYS\u{1}order-123\u{2}WAIT\u{1}true\u{2}TAGS\u{1}TagA\u{2}UNIQ_KEY\u{1}7F0000011A2B00000000000000010001\u{2}",
    );
    ext.push("j", "0");
    ext.push("k", "false");
    ext.push("m", "false");
    ext.push("n", "broker-a");
    ext
}

fn bench_headers(c: &mut Criterion) {
    let body = Bytes::from(vec![b'x'; 1024]);
    for (name, ser) in [
        ("json", SerializeType::Json),
        ("binary", SerializeType::RocketMq),
    ] {
        let mut cmd = RemotingCommand::request(310, send_header_ext()).with_body(body.clone());
        cmd.serialize_type = ser;
        cmd.opaque = 42;
        let mut buf = BytesMut::with_capacity(4096);
        c.bench_function(&format!("send_header_encode_{name}"), |b| {
            b.iter(|| {
                buf.clear();
                black_box(&cmd).encode(&mut buf).unwrap();
                black_box(buf.len());
            })
        });
        let dec = FrameDecoder::default();
        c.bench_function(&format!("frame_round_trip_{name}"), |b| {
            b.iter(|| {
                buf.clear();
                encode_frame(black_box(&cmd), DEFAULT_MAX_FRAME, &mut buf).unwrap();
                let back = dec.decode(&mut buf).unwrap().unwrap();
                black_box(back);
            })
        });
    }
}

/// The message a typical producer sends: tags, keys, WAIT, a unique key.
fn typical_message() -> Message {
    let mut msg = Message::new("BenchTopic", vec![b'x'; 1024])
        .with_tags("TagA")
        .with_keys(["order-123"]);
    msg.set_unique_key("7F0000011A2B00000000000000010001");
    msg
}

fn send_header_typed() -> SendMessageRequestHeader {
    let msg = typical_message();
    SendMessageRequestHeader {
        rpc: RpcBase::with_broker("broker-a"),
        producer_group: "bench_producer_group".into(),
        topic: msg.topic.clone(),
        queue_id: 3,
        born_timestamp: 1_764_100_000_000,
        flag: msg.flag,
        properties: Some(properties_to_string(&msg.properties)),
        reconsume_times: Some(0),
        unit_mode: Some(false),
        batch: Some(false),
        ..Default::default()
    }
}

fn bench_typed_send_header(c: &mut Criterion) {
    let body = Bytes::from(vec![b'x'; 1024]);
    let header = send_header_typed();
    for (name, ser) in [
        ("json", SerializeType::Json),
        ("binary", SerializeType::RocketMq),
    ] {
        let mut buf = BytesMut::with_capacity(4096);
        c.bench_function(&format!("send_header_typed_encode_{name}"), |b| {
            b.iter_batched(
                || header.clone(),
                |h| {
                    let mut cmd = RemotingCommand::request(310, h.into_ext_v2())
                        .with_body(body.clone())
                        .with_serialize_type(ser);
                    cmd.opaque = 42;
                    buf.clear();
                    cmd.encode(&mut buf).unwrap();
                    black_box(buf.len());
                },
                BatchSize::SmallInput,
            )
        });
    }
}

/// A 1 KiB message as a broker returns it in a pull body.
fn stored_record() -> Bytes {
    let msg = typical_message();
    let mut props = msg.properties.clone();
    props.insert("CLUSTER".into(), "DefaultCluster".into());
    props.insert("MSG_REGION".into(), "DefaultRegion".into());
    props.insert("TRACE_ON".into(), "true".into());
    let ext = MessageExt {
        body_crc: body_crc(&msg.body),
        queue_id: 3,
        queue_offset: 123_456,
        commit_log_offset: 987_654_321,
        born_timestamp: 1_764_100_000_000,
        born_host: "127.0.0.1:54321".parse::<SocketAddr>().unwrap(),
        store_timestamp: 1_764_100_000_002,
        store_host: "127.0.0.1:10911".parse::<SocketAddr>().unwrap(),
        topic: msg.topic.clone(),
        properties: props,
        body: msg.body.clone(),
        ..Default::default()
    };
    encode_message_ext(&ext).unwrap()
}

fn bench_decode_message(c: &mut Criterion) {
    let record = stored_record();
    let opts = DecodeOptions::default();
    c.bench_function("decode_message_1k", |b| {
        b.iter(|| {
            let msgs = decode_messages(black_box(&record), &opts).unwrap();
            black_box(msgs);
        })
    });
    let crc = DecodeOptions {
        check_crc: true,
        ..DecodeOptions::default()
    };
    c.bench_function("decode_message_1k_crc", |b| {
        b.iter(|| {
            let msgs = decode_messages(black_box(&record), &crc).unwrap();
            black_box(msgs);
        })
    });
    // A pull body of 32 such messages.
    let mut batch = BytesMut::new();
    for _ in 0..32 {
        batch.extend_from_slice(&record);
    }
    let batch = batch.freeze();
    c.bench_function("decode_messages_32x1k", |b| {
        b.iter(|| {
            let msgs = decode_messages(black_box(&batch), &opts).unwrap();
            assert_eq!(msgs.len(), 32);
            black_box(msgs);
        })
    });
}

fn bench_unique_key(c: &mut Criterion) {
    c.bench_function("unique_key", |b| {
        b.iter(|| black_box(rocketmq::protocol::msg_id::new_unique_key()))
    });
}

criterion_group!(
    benches,
    bench_headers,
    bench_typed_send_header,
    bench_decode_message,
    bench_unique_key
);
criterion_main!(benches);
