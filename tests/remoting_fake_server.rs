//! The transport against hand-made servers on 127.0.0.1 that speak the frame
//! codec of the crate.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use rocketmq::protocol::codes::response::{REQUEST_CODE_NOT_SUPPORTED, SUCCESS, SYSTEM_ERROR};
use rocketmq::protocol::command::{DEFAULT_VERSION, FLAG_ONEWAY, FLAG_RESPONSE};
use rocketmq::protocol::frame::{encode_frame, FrameDecoder, DEFAULT_MAX_FRAME};
use rocketmq::protocol::{ExtFields, LanguageCode, RemotingCommand, SerializeType};
use rocketmq::remoting::hook::acl_signature;
use rocketmq::remoting::{processor_fn, AclHook, NamespaceV2Hook, RemotingClient, RemotingConfig};
use rocketmq::{Error, ErrorKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Handle;
use tokio::sync::oneshot;

const LONG: Duration = Duration::from_secs(10);

/// The server end of one connection.
struct Peer {
    stream: TcpStream,
    buf: BytesMut,
    dec: FrameDecoder,
    index: usize,
}

impl Peer {
    /// The next command, or `None` at end of stream.
    async fn read(&mut self) -> Option<RemotingCommand> {
        loop {
            if let Some(cmd) = self
                .dec
                .decode(&mut self.buf)
                .expect("client sent a bad frame")
            {
                return Some(cmd);
            }
            match self.stream.read_buf(&mut self.buf).await {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }
    /// The next command if one comes within `d`.
    async fn read_within(&mut self, d: Duration) -> Option<RemotingCommand> {
        tokio::time::timeout(d, self.read()).await.ok().flatten()
    }
    async fn write(&mut self, cmd: &RemotingCommand) {
        let mut out = BytesMut::new();
        encode_frame(cmd, DEFAULT_MAX_FRAME, &mut out).unwrap();
        self.stream.write_all(&out).await.unwrap();
    }
    async fn write_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.unwrap();
    }
}

struct FakeServer {
    addr: String,
    accepts: Arc<AtomicUsize>,
}

/// Listens on a free port; `handler` serves each accepted connection.
async fn serve<F, Fut>(handler: F) -> FakeServer
where
    F: Fn(Peer) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let accepts = Arc::new(AtomicUsize::new(0));
    let count = accepts.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let index = count.fetch_add(1, Ordering::SeqCst);
            let peer = Peer {
                stream,
                buf: BytesMut::new(),
                dec: FrameDecoder::default(),
                index,
            };
            tokio::spawn(handler(peer));
        }
    });
    FakeServer { addr, accepts }
}

/// Answers every request with SUCCESS, echoing its body and ext fields.
async fn echo(mut p: Peer) {
    while let Some(req) = p.read().await {
        if req.is_oneway() {
            continue;
        }
        let mut resp = RemotingCommand::response_to(&req, SUCCESS, None);
        resp.ext_fields = req.ext_fields.clone();
        resp.body = req.body.clone();
        p.write(&resp).await;
    }
}

fn client_with(cfg: RemotingConfig) -> RemotingClient {
    RemotingClient::with_handle(cfg, Handle::current()).unwrap()
}

fn client() -> RemotingClient {
    client_with(RemotingConfig::default())
}

fn request(code: i32, body: &str) -> RemotingCommand {
    let mut ext = ExtFields::new();
    ext.push("k", "v");
    RemotingCommand::request(code, ext).with_body(body.as_bytes().to_vec())
}

/// Fails the test if `f` takes more than a few seconds.
async fn bounded<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(8), f)
        .await
        .expect("the test took too long")
}

/// A port nothing listens on.
async fn dead_addr() -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let a = l.local_addr().unwrap().to_string();
    drop(l);
    a
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_requests_with_out_of_order_responses() {
    bounded(async {
        const N: usize = 200;
        let seen: Arc<Mutex<Vec<RemotingCommand>>> = Arc::default();
        let seen2 = seen.clone();
        let server = serve(move |mut p| {
            let seen = seen2.clone();
            async move {
                let mut reqs = Vec::new();
                while reqs.len() < N {
                    reqs.push(p.read().await.unwrap());
                }
                seen.lock().unwrap().extend(reqs.iter().cloned());
                // Answer in reverse order, interleaving by halves.
                reqs.reverse();
                let (a, b) = reqs.split_at(N / 2);
                for pair in a.iter().zip(b.iter()) {
                    for req in [pair.1, pair.0] {
                        let resp = RemotingCommand::response_to(req, SUCCESS, Some("ok".into()))
                            .with_body(req.body.clone().unwrap());
                        p.write(&resp).await;
                    }
                }
                echo(p).await;
            }
        })
        .await;
        let c = client();
        let mut tasks = Vec::new();
        for i in 0..N {
            let (c, addr) = (c.clone(), server.addr.clone());
            tasks.push(tokio::spawn(async move {
                let body = format!("body-{i}");
                let resp = c.invoke(&addr, request(10, &body), LONG).await.unwrap();
                assert_eq!(resp.body.as_deref(), Some(body.as_bytes()));
                assert_eq!(resp.remark.as_deref(), Some("ok"));
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(server.accepts.load(Ordering::SeqCst), 1);
        assert_eq!(c.pending_requests(&server.addr), 0);
        let seen = seen.lock().unwrap();
        let mut opaques: Vec<i32> = seen.iter().map(|r| r.opaque).collect();
        opaques.sort_unstable();
        opaques.dedup();
        assert_eq!(opaques.len(), N, "every request has its own opaque");
        for r in seen.iter() {
            assert_eq!(r.flag, 0);
            assert_eq!(r.language, LanguageCode::OTHER);
            assert_eq!(r.version, DEFAULT_VERSION);
            assert_eq!(r.serialize_type, SerializeType::Json);
            assert_eq!(r.ext_fields.get("k"), Some("v"));
        }
    })
    .await;
}

/// Runs one client request against a server that first sends `server_reqs`
/// to the client and collects what comes back within `wait`; the client's
/// request is answered afterwards with remark "real".
async fn server_requests_round(
    c: &RemotingClient,
    server_reqs: Vec<RemotingCommand>,
    expected_replies: usize,
    wait: Duration,
) -> Vec<RemotingCommand> {
    let (tx, rx) = oneshot::channel();
    let tx = Arc::new(Mutex::new(Some(tx)));
    let server = serve(move |mut p| {
        let (server_reqs, tx) = (server_reqs.clone(), tx.clone());
        async move {
            let req = p.read().await.unwrap();
            for mut sr in server_reqs {
                if sr.opaque == -1 {
                    // Collide on purpose with the client's own opaque.
                    sr.opaque = req.opaque;
                }
                p.write(&sr).await;
            }
            let mut replies = Vec::new();
            while replies.len() < expected_replies {
                replies.push(
                    p.read_within(Duration::from_secs(3))
                        .await
                        .expect("a reply"),
                );
            }
            // Anything else within `wait` is a reply that should not exist.
            if let Some(extra) = p.read_within(wait).await {
                replies.push(extra);
            }
            p.write(&RemotingCommand::response_to(
                &req,
                SUCCESS,
                Some("real".into()),
            ))
            .await;
            tx.lock().unwrap().take().unwrap().send(replies).unwrap();
            echo(p).await;
        }
    })
    .await;
    let resp = c
        .invoke(&server.addr, request(10, "x"), LONG)
        .await
        .unwrap();
    assert_eq!(resp.code, SUCCESS);
    assert_eq!(
        resp.remark.as_deref(),
        Some("real"),
        "the client's own response"
    );
    rx.await.unwrap()
}

fn server_request(code: i32, opaque: i32, oneway: bool) -> RemotingCommand {
    let mut r = RemotingCommand::request(code, ExtFields::new());
    r.opaque = opaque;
    if oneway {
        r.flag = FLAG_ONEWAY;
    }
    r
}

fn counting_processor(c: &RemotingClient, code: i32, calls: &Arc<AtomicUsize>) {
    let calls = calls.clone();
    c.register_processor(
        code,
        processor_fn(move |addr, req| {
            let calls = calls.clone();
            async move {
                assert!(addr.starts_with("127.0.0.1:"));
                calls.fetch_add(1, Ordering::SeqCst);
                let mut resp =
                    RemotingCommand::response(SUCCESS, Some(format!("processed {}", req.code)));
                resp.body = req.body;
                Ok(Some(resp))
            }
        }),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_request_with_colliding_opaque_goes_to_the_processor() {
    bounded(async {
        let c = client();
        let calls = Arc::new(AtomicUsize::new(0));
        counting_processor(&c, 5000, &calls);
        // Same opaque as the client's pending request, flag bit 0 clear.
        let replies = server_requests_round(
            &c,
            vec![server_request(5000, -1, false)],
            1,
            Duration::from_millis(200),
        )
        .await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(replies.len(), 1);
        let r = &replies[0];
        assert!(r.flag & FLAG_RESPONSE != 0, "a reply has the response flag");
        assert_eq!(r.code, SUCCESS);
        assert_eq!(r.remark.as_deref(), Some("processed 5000"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_request_gets_reply_with_same_opaque() {
    bounded(async {
        let c = client();
        let calls = Arc::new(AtomicUsize::new(0));
        counting_processor(&c, 5000, &calls);
        let mut sr = server_request(5000, 777_000, false);
        sr.body = Some(bytes::Bytes::from_static(b"payload"));
        let replies = server_requests_round(&c, vec![sr], 1, Duration::from_millis(200)).await;
        assert_eq!(replies.len(), 1);
        let r = &replies[0];
        assert_eq!(r.opaque, 777_000);
        assert_eq!(r.flag & (FLAG_RESPONSE | FLAG_ONEWAY), FLAG_RESPONSE);
        assert_eq!(r.body.as_deref(), Some(&b"payload"[..]));
        assert_eq!(r.language, LanguageCode::OTHER);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_server_request_gets_request_code_not_supported() {
    bounded(async {
        let c = client();
        let replies = server_requests_round(
            &c,
            vec![server_request(7777, 42, false)],
            1,
            Duration::from_millis(200),
        )
        .await;
        assert_eq!(replies.len(), 1);
        let r = &replies[0];
        assert_eq!(r.code, REQUEST_CODE_NOT_SUPPORTED);
        assert_eq!(r.opaque, 42);
        assert!(r.is_response());
        assert_eq!(r.remark.as_deref(), Some("request type 7777 not supported"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processor_error_becomes_system_error() {
    bounded(async {
        let c = client();
        c.register_processor(
            5001,
            processor_fn(|_, _| async { Err(Error::invalid("the transaction is unknown")) }),
        );
        c.register_processor(
            5002,
            processor_fn(|_, _| async {
                if true {
                    panic!("processor bug");
                }
                Ok(None)
            }),
        );
        let replies = server_requests_round(
            &c,
            vec![
                server_request(5001, 1, false),
                server_request(5002, 2, false),
            ],
            2,
            Duration::from_millis(200),
        )
        .await;
        assert_eq!(replies.len(), 2);
        for r in &replies {
            assert_eq!(r.code, SYSTEM_ERROR);
            assert!(r.is_response());
        }
        let by_opaque = |o: i32| replies.iter().find(|r| r.opaque == o).unwrap();
        assert_eq!(
            by_opaque(1).remark.as_deref(),
            Some("the transaction is unknown")
        );
        assert!(by_opaque(2).remark.as_deref().unwrap().contains("panicked"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oneway_server_requests_get_no_reply() {
    bounded(async {
        let c = client();
        let calls = Arc::new(AtomicUsize::new(0));
        counting_processor(&c, 5000, &calls);
        let replies = server_requests_round(
            &c,
            vec![
                server_request(7777, 1, true), // unknown code, oneway
                server_request(5000, 2, true), // known code, oneway, processor answers Some
                server_request(7777, 3, false),
            ],
            1,
            Duration::from_millis(400),
        )
        .await;
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "the oneway request was processed"
        );
        assert_eq!(
            replies.len(),
            1,
            "only the two-way request is answered: {replies:?}"
        );
        assert_eq!(replies[0].opaque, 3);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_socket_fails_all_pending_at_once_and_next_invoke_reconnects() {
    bounded(async {
        const N: usize = 100;
        let server = serve(|mut p| async move {
            if p.index == 0 {
                for _ in 0..N {
                    p.read().await.unwrap();
                }
                // Dropping the stream closes the socket with 100 requests pending.
                return;
            }
            echo(p).await;
        })
        .await;
        let c = client();
        let start = Instant::now();
        let mut tasks = Vec::new();
        for i in 0..N {
            let (c, addr) = (c.clone(), server.addr.clone());
            tasks.push(tokio::spawn(async move {
                c.invoke(&addr, request(10, &i.to_string()), LONG).await
            }));
        }
        for t in tasks {
            let e = t.await.unwrap().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Network, "{e}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "failed after {:?}",
            start.elapsed()
        );
        assert!(!c.is_connected(&server.addr));
        assert_eq!(c.pending_requests(&server.addr), 0);

        let resp = c
            .invoke(&server.addr, request(10, "again"), LONG)
            .await
            .unwrap();
        assert_eq!(resp.body.as_deref(), Some(&b"again"[..]));
        assert!(c.is_connected(&server.addr));
        assert_eq!(server.accepts.load(Ordering::SeqCst), 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_frame_closes_the_connection_with_a_clear_error() {
    bounded(async {
        let server = serve(|mut p| async move {
            if p.index == 0 {
                p.read().await.unwrap();
                p.read().await.unwrap();
                // A frame announcing 8 KiB, over the client's 4 KiB maximum.
                p.write_raw(&[0, 0, 0x20, 0, 0, 0, 0, 4]).await;
                tokio::time::sleep(Duration::from_secs(5)).await;
                return;
            }
            echo(p).await;
        })
        .await;
        let c = client_with(RemotingConfig {
            max_frame: 4096,
            ..Default::default()
        });
        let start = Instant::now();
        let (a, b) = tokio::join!(
            c.invoke(&server.addr, request(10, "a"), LONG),
            c.invoke(&server.addr, request(10, "b"), LONG)
        );
        for r in [a, b] {
            let e = r.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Network);
            assert!(
                e.message().contains("exceeds the maximum of 4096 bytes"),
                "{e}"
            );
            assert!(e.message().contains("protocol error"), "{e}");
        }
        assert!(start.elapsed() < Duration::from_secs(2));
        assert!(!c.is_connected(&server.addr));
        // The next use reconnects.
        c.invoke(&server.addr, request(10, "c"), LONG)
            .await
            .unwrap();
        assert_eq!(server.accepts.load(Ordering::SeqCst), 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undecodable_frame_fails_pending_with_a_protocol_message() {
    bounded(async {
        let server = serve(|mut p| async move {
            p.read().await.unwrap();
            // total 8: a header length word with serialize type 9, then 4 bytes.
            p.write_raw(&[0, 0, 0, 8, 9, 0, 0, 4, b'a', b'b', b'c', b'd'])
                .await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        })
        .await;
        let c = client();
        let e = c
            .invoke(&server.addr, request(10, "a"), LONG)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Network);
        assert!(
            e.message().contains("unknown header serialize type 9"),
            "{e}"
        );
        assert!(!c.is_connected(&server.addr));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_written_response_then_stall_times_out() {
    bounded(async {
        let server = serve(|mut p| async move {
            let req = p.read().await.unwrap();
            let resp = RemotingCommand::response_to(&req, SUCCESS, Some("never complete".into()));
            let mut out = BytesMut::new();
            encode_frame(&resp, DEFAULT_MAX_FRAME, &mut out).unwrap();
            p.write_raw(&out[..10]).await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        })
        .await;
        let c = client();
        let start = Instant::now();
        let e = c
            .invoke(&server.addr, request(10, "a"), Duration::from_millis(300))
            .await
            .unwrap_err();
        let took = start.elapsed();
        assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
        assert!(
            took >= Duration::from_millis(290) && took < Duration::from_secs(2),
            "{took:?}"
        );
        assert_eq!(c.pending_requests(&server.addr), 0);
        assert!(
            c.is_connected(&server.addr),
            "a timeout does not close the connection"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeouts_remove_pending_entries_and_late_responses_are_dropped() {
    bounded(async {
        const SILENT: usize = 50;
        let server = serve(|mut p| async move {
            let mut unanswered = Vec::new();
            while unanswered.len() < SILENT {
                unanswered.push(p.read().await.unwrap());
            }
            let next = p.read().await.unwrap();
            // Late answers first, for requests that already timed out.
            for r in &unanswered {
                p.write(&RemotingCommand::response_to(
                    r,
                    SUCCESS,
                    Some("late".into()),
                ))
                .await;
            }
            p.write(&RemotingCommand::response_to(
                &next,
                SUCCESS,
                Some("current".into()),
            ))
            .await;
            echo(p).await;
        })
        .await;
        let c = client();
        let mut tasks = Vec::new();
        for _ in 0..SILENT {
            let (c, addr) = (c.clone(), server.addr.clone());
            tasks.push(tokio::spawn(async move {
                c.invoke(&addr, request(10, "t"), Duration::from_millis(200))
                    .await
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap_err().kind(), ErrorKind::Timeout);
        }
        assert_eq!(c.pending_requests(&server.addr), 0);
        let resp = c
            .invoke(&server.addr, request(10, "n"), LONG)
            .await
            .unwrap();
        assert_eq!(resp.remark.as_deref(), Some("current"));
        assert_eq!(c.pending_requests(&server.addr), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn name_server_failover() {
    bounded(async {
        let dead = dead_addr().await;
        let live = serve(echo).await;
        let c = client();
        assert_eq!(
            c.invoke_namesrv(request(105, "r"), LONG)
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidArgument
        );
        let e = c.set_namesrv_addrs("127.0.0.1:9876;nope").unwrap_err();
        assert!(e.message().contains("\"nope\""), "{e}");

        c.set_namesrv_addrs(&format!("{dead};{}", live.addr))
            .unwrap();
        assert_eq!(c.current_namesrv().as_deref(), Some(dead.as_str()));
        let resp = c.invoke_namesrv(request(105, "route"), LONG).await.unwrap();
        assert_eq!(resp.body.as_deref(), Some(&b"route"[..]));
        assert_eq!(
            c.current_namesrv().as_deref(),
            Some(live.addr.as_str()),
            "the one that worked is kept"
        );
        assert!(!c.is_connected(&dead));
        // The next call goes straight to the live one.
        c.invoke_namesrv(request(105, "again"), LONG).await.unwrap();
        assert_eq!(c.current_namesrv().as_deref(), Some(live.addr.as_str()));
        assert_eq!(live.accepts.load(Ordering::SeqCst), 1);

        // Every address down: a network error naming the failure.
        let dead2 = dead_addr().await;
        c.set_namesrv_addrs(&format!("{dead};{dead2}")).unwrap();
        let e = c.invoke_namesrv(request(105, "x"), LONG).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Network);
        assert!(e.message().contains("all 2 name servers failed"), "{e}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_use_makes_one_connection() {
    bounded(async {
        let server = serve(echo).await;
        let c = client();
        let mut tasks = Vec::new();
        for i in 0..64 {
            let (c, addr) = (c.clone(), server.addr.clone());
            tasks.push(tokio::spawn(async move {
                c.invoke(&addr, request(10, &i.to_string()), LONG)
                    .await
                    .unwrap()
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(server.accepts.load(Ordering::SeqCst), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_and_binary_headers_both_work() {
    bounded(async {
        for ser in [SerializeType::Json, SerializeType::RocketMq] {
            let other = match ser {
                SerializeType::Json => SerializeType::RocketMq,
                SerializeType::RocketMq => SerializeType::Json,
            };
            let server = serve(move |mut p| async move {
                while let Some(req) = p.read().await {
                    assert_eq!(req.serialize_type, ser);
                    if req.is_oneway() {
                        continue;
                    }
                    // Servers answer in their own serialization.
                    let mut resp =
                        RemotingCommand::response_to(&req, SUCCESS, Some(ser.name().into()))
                            .with_serialize_type(other);
                    resp.ext_fields = req.ext_fields.clone();
                    resp.body = req.body.clone();
                    p.write(&resp).await;
                }
            })
            .await;
            let c = client_with(RemotingConfig {
                serialize_type: ser,
                ..Default::default()
            });
            let mut req = request(10, "payload");
            req.ext_fields.push("topic", "T\u{1}x");
            let resp = c.invoke(&server.addr, req, LONG).await.unwrap();
            assert_eq!(resp.serialize_type, other);
            assert_eq!(resp.remark.as_deref(), Some(ser.name()));
            assert_eq!(resp.ext_fields.get("topic"), Some("T\u{1}x"));
            assert_eq!(resp.body.as_deref(), Some(&b"payload"[..]));
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oneway_invoke_sets_flag_bit_1() {
    bounded(async {
        let (tx, rx) = oneshot::channel();
        let tx = Arc::new(Mutex::new(Some(tx)));
        let server = serve(move |mut p| {
            let tx = tx.clone();
            async move {
                let req = p.read().await.unwrap();
                tx.lock().unwrap().take().unwrap().send(req).unwrap();
            }
        })
        .await;
        let c = client();
        c.invoke_oneway(&server.addr, request(35, "bye"), LONG)
            .await
            .unwrap();
        let seen = rx.await.unwrap();
        assert_eq!(seen.code, 35);
        assert_eq!(seen.flag, FLAG_ONEWAY);
        assert_eq!(seen.body.as_deref(), Some(&b"bye"[..]));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoke_callback_delivers_once() {
    bounded(async {
        let server = serve(echo).await;
        let c = client();
        let (tx, rx) = std::sync::mpsc::channel();
        let tx2 = tx.clone();
        c.invoke_callback(&server.addr, request(10, "cb"), LONG, move |r| {
            tx.send(r.map(|resp| resp.body)).unwrap();
        });
        let dead = dead_addr().await;
        c.invoke_callback(&dead, request(10, "cb"), LONG, move |r| {
            tx2.send(r.map(|resp| resp.body)).unwrap();
        });
        let mut got = Vec::new();
        let start = Instant::now();
        while got.len() < 2 && start.elapsed() < Duration::from_secs(5) {
            if let Ok(r) = rx.try_recv() {
                got.push(r);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(got.len(), 2);
        assert!(got
            .iter()
            .any(|r| matches!(r, Ok(Some(b)) if &b[..] == b"cb")));
        assert!(got
            .iter()
            .any(|r| matches!(r, Err(e) if e.kind() == ErrorKind::Network)));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(rx.try_recv().is_err(), "each callback is called once");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_refused_is_a_network_error() {
    bounded(async {
        let c = client();
        let dead = dead_addr().await;
        let e = c.invoke(&dead, request(10, "a"), LONG).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Network, "{e}");
        assert!(e.message().contains(&dead), "{e}");
        assert!(!c.is_connected(&dead));
        let e = c
            .invoke(&dead, request(10, "a"), Duration::MAX)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Network, "{e}");
        let e = c.invoke("", request(10, "a"), LONG).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_and_shutdown_fail_pending_requests() {
    bounded(async {
        // A server that never answers.
        let server = serve(|mut p| async move { while p.read().await.is_some() {} }).await;
        let c = client();
        let c2 = c.clone();
        let addr = server.addr.clone();
        let pending = tokio::spawn(async move { c2.invoke(&addr, request(10, "a"), LONG).await });
        while c.pending_requests(&server.addr) == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        c.close(&server.addr);
        let e = pending.await.unwrap().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Network, "{e}");
        assert!(!c.is_connected(&server.addr));

        let c2 = c.clone();
        let addr = server.addr.clone();
        let pending = tokio::spawn(async move { c2.invoke(&addr, request(10, "b"), LONG).await });
        while c.pending_requests(&server.addr) == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(
            server.accepts.load(Ordering::SeqCst),
            2,
            "reconnected after close"
        );
        let start = Instant::now();
        c.shutdown();
        let e = pending.await.unwrap().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ShutDown, "{e}");
        assert!(start.elapsed() < Duration::from_secs(1));
        assert!(!c.is_connected(&server.addr));
        let e = c
            .invoke(&server.addr, request(10, "c"), LONG)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ShutDown);
        c.shutdown();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hooks_namespace_then_acl_signature() {
    bounded(async {
        let (tx, rx) = oneshot::channel();
        let tx = Arc::new(Mutex::new(Some(tx)));
        let server = serve(move |mut p| {
            let tx = tx.clone();
            async move {
                let req = p.read().await.unwrap();
                p.write(&RemotingCommand::response_to(&req, SUCCESS, None))
                    .await;
                tx.lock().unwrap().take().unwrap().send(req).unwrap();
            }
        })
        .await;
        let c = client();
        c.register_hook(Arc::new(NamespaceV2Hook::new("ns1")));
        c.register_hook(Arc::new(AclHook::new("ak", "sk", None).unwrap()));
        c.invoke(&server.addr, request(10, "signed body"), LONG)
            .await
            .unwrap();
        let seen = rx.await.unwrap();
        assert_eq!(seen.ext_fields.get("nsd"), Some("true"));
        assert_eq!(seen.ext_fields.get("ns"), Some("ns1"));
        assert_eq!(seen.ext_fields.get("AccessKey"), Some("ak"));
        // What a server recomputes from what it received.
        assert_eq!(
            seen.ext_fields.get("Signature"),
            Some(acl_signature("sk", &seen).as_str())
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connection_is_closed() {
    bounded(async {
        let server = serve(echo).await;
        let c = client_with(RemotingConfig {
            idle_timeout: Some(Duration::from_millis(200)),
            ..Default::default()
        });
        c.invoke(&server.addr, request(10, "a"), LONG)
            .await
            .unwrap();
        assert!(c.is_connected(&server.addr));
        let start = Instant::now();
        while c.is_connected(&server.addr) {
            assert!(start.elapsed() < Duration::from_secs(3), "still connected");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(start.elapsed() >= Duration::from_millis(100));
        c.invoke(&server.addr, request(10, "b"), LONG)
            .await
            .unwrap();
        assert_eq!(server.accepts.load(Ordering::SeqCst), 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_over_the_maximum_fails_alone() {
    bounded(async {
        let server = serve(echo).await;
        let c = client_with(RemotingConfig {
            max_frame: 4096,
            ..Default::default()
        });
        let big = "x".repeat(5000);
        let e = c
            .invoke(&server.addr, request(10, &big), LONG)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        assert!(e.message().contains("exceeds the maximum"), "{e}");
        let e = c
            .invoke_oneway(&server.addr, request(10, &big), LONG)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        // The connection is still fine.
        c.invoke(&server.addr, request(10, "small"), LONG)
            .await
            .unwrap();
        assert_eq!(server.accepts.load(Ordering::SeqCst), 1);
        assert_eq!(c.pending_requests(&server.addr), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vip_channel_address() {
    let c = client_with(RemotingConfig {
        vip_channel: true,
        ..Default::default()
    });
    assert_eq!(c.broker_addr("10.0.0.1:10911", true), "10.0.0.1:10909");
    assert_eq!(c.broker_addr("10.0.0.1:10911", false), "10.0.0.1:10911");
    let off = client();
    assert_eq!(off.broker_addr("10.0.0.1:10911", true), "10.0.0.1:10911");
}
