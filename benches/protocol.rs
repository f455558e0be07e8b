//! Protocol micro-benchmarks: send-header encoding (JSON vs binary), frame
//! round trip, and decoding a received 1 KiB message.

use bytes::{Bytes, BytesMut};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rocketmq::protocol::frame::{encode_frame, FrameDecoder, DEFAULT_MAX_FRAME};
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

criterion_group!(benches, bench_headers);
criterion_main!(benches);
