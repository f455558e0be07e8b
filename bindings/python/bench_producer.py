#!/usr/bin/env python3
"""Producer benchmark through the Python binding, the counterpart of examples-c/bench_producer.c:
sends N messages of a given size with K threads (sync, oneway) or from one thread (async) and
prints msgs/s and client CPU seconds per 100k messages, in the C benchmark's format.

    python bench_producer.py --mode sync --count 20000 --size 1024 --concurrency 16
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import threading
import time
import uuid

from rocketmq.client import Message, Producer


def cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["sync", "oneway", "async"], default="sync")
    ap.add_argument("--count", type=int, default=100000)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--topic")
    args = ap.parse_args()
    namesrv = os.environ.get("ROCKETMQ_NAMESRV", "127.0.0.1:9876")
    topic = args.topic or "PyBenchTopic_%d_%s" % (os.getpid(), uuid.uuid4().hex[:8])
    p = Producer("py_bench_producer_%s" % uuid.uuid4().hex[:8], name_server_address=namesrv)
    p.set_compress_threshold(1 << 30)
    p.start()
    body = b"r" * args.size
    failed = [0]
    lock = threading.Lock()

    def sender(n: int) -> None:
        m = Message(topic)
        m.set_body(body)
        send = p.send_oneway if args.mode == "oneway" else p.send_sync
        bad = 0
        for _ in range(n):
            try:
                send(m)
            except Exception:
                bad += 1
        with lock:
            failed[0] += bad

    sender(100)  # warm up: route, connection, topic creation
    failed[0] = 0
    cpu0, t0 = cpu_seconds(), time.monotonic()
    if args.mode == "async":
        m = Message(topic)
        m.set_body(body)
        done = threading.Semaphore(0)

        def on_done(result, exc):
            if exc is not None:
                failed[0] += 1
            done.release()

        for _ in range(args.count):
            p.send_async(m, on_done)
        for _ in range(args.count):
            done.acquire()
        sent = args.count
    else:
        per = args.count // args.concurrency
        threads = [threading.Thread(target=sender, args=(per,)) for _ in range(args.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        sent = per * args.concurrency
    secs, cpu = time.monotonic() - t0, cpu_seconds() - cpu0
    print(
        "python mode=%s size=%d concurrency=%d sent=%d failed=%d msgs/s=%.0f cpu_s_per_100k=%.2f"
        % (args.mode, args.size, args.concurrency, sent, failed[0], sent / secs, cpu / sent * 100000.0)
    )
    p.shutdown()
    return 0 if failed[0] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
