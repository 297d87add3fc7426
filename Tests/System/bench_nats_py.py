#!/usr/bin/env python3
"""nats-py side of `meme-bench nats`: the same workloads as the Swift client; prints one JSON line."""
import argparse
import asyncio
import json
import time

import nats
from nats.js.api import ConsumerConfig, StreamConfig, RetentionPolicy, StorageType, AckPolicy


async def main(args):
    nc = await nats.connect(args.url, name="bench-py")
    payload = b"a" * 128

    # 1. core publish throughput
    await nc.flush()
    start = time.perf_counter()
    for _ in range(args.publishes):
        await nc.publish("bench.py.pub", payload)
    await nc.flush(timeout=60)
    publish_rate = args.publishes / (time.perf_counter() - start)

    # 2. request/reply (responder on a second connection)
    rc = await nats.connect(args.url, name="bench-py-responder")

    async def echo(msg):
        await msg.respond(msg.data)

    await rc.subscribe("bench.py.echo", cb=echo)
    await rc.flush()
    latencies = []
    for _ in range(args.requests):
        t = time.perf_counter()
        await nc.request("bench.py.echo", payload, timeout=5)
        latencies.append((time.perf_counter() - t) * 1e6)
    latencies.sort()
    await rc.close()

    # 3. JetStream publish with ack
    js = nc.jetstream()
    try:
        await js.delete_stream("BENCH_PY")
    except Exception:
        pass
    await js.add_stream(StreamConfig(name="BENCH_PY", subjects=["bench.py.js"],
                                     retention=RetentionPolicy.WORK_QUEUE, storage=StorageType.FILE,
                                     num_replicas=args.replicas))
    start = time.perf_counter()
    for _ in range(args.js_publishes):
        await js.publish("bench.py.js", payload)
    js_rate = args.js_publishes / (time.perf_counter() - start)

    # 4. fetch + ack
    await js.purge_stream("BENCH_PY")
    for _ in range(args.consumes):
        await nc.publish("bench.py.js", payload)
    await nc.flush()
    await js.add_consumer("BENCH_PY", ConsumerConfig(durable_name="bench", ack_policy=AckPolicy.EXPLICIT, ack_wait=30))
    psub = await js.pull_subscribe_bind("bench", "BENCH_PY")
    consumed = 0
    start = time.perf_counter()
    while consumed < args.consumes:
        try:
            batch = await psub.fetch(100, timeout=5)
        except nats.errors.TimeoutError:
            break
        for m in batch:
            await m.ack()
        consumed += len(batch)
    await nc.flush()
    consume_rate = consumed / (time.perf_counter() - start)
    await js.delete_stream("BENCH_PY")
    await nc.close()

    def pct(p):
        return latencies[min(len(latencies) - 1, int((len(latencies) - 1) * p))]

    print(json.dumps({
        "publish_per_s": publish_rate,
        "request_p50_us": pct(0.5),
        "request_p99_us": pct(0.99),
        "js_publish_per_s": js_rate,
        "consume_per_s": consume_rate,
    }))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--publishes", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--js-publishes", type=int, default=5_000)
    parser.add_argument("--consumes", type=int, default=5_000)
    parser.add_argument("--replicas", type=int, default=1, help="copies of the stream (3 on a cluster)")
    asyncio.run(main(parser.parse_args()))
