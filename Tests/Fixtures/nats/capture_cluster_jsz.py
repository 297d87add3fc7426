#!/usr/bin/env python3
"""Captures the clustered /jsz fixtures (jsz-cluster-*.json): three real nats-servers on free loopback
ports, configured as LocalServers' NATSCluster writes them (server names n-1..n-3, cluster "memes"),
an R3 stream MEMES and an R3 pull consumer meme-generator (nats-py), a few messages published and
some fetched; then each member's /jsz?accounts=true&streams=true&consumers=true&config=true, healthy,
and again after SIGKILL of one non-leader member. Run: python3 capture_cluster_jsz.py OUTDIR"""
import asyncio, json, os, signal, socket, subprocess, sys, tempfile, time, urllib.request

import nats
from nats.js.api import StreamConfig, ConsumerConfig, AckPolicy

QUERY = "/jsz?accounts=true&streams=true&consumers=true&config=true"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jsz(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{QUERY}", timeout=5) as r:
        return json.loads(r.read())


def main(out):
    root = tempfile.mkdtemp(prefix="jsz-capture")
    members = [dict(client=free_port(), monitor=free_port(), route=free_port()) for _ in range(3)]
    procs = []
    for i, m in enumerate(members):
        name = f"n-{i + 1}"
        routes = "\n".join(f"    nats-route://127.0.0.1:{o['route']}" for o in members if o is not m)
        conf = f"""server_name: {name}
listen: 127.0.0.1:{m['client']}
http: 127.0.0.1:{m['monitor']}
jetstream {{ store_dir: "{root}/{name}" }}
cluster {{
  name: memes
  listen: 127.0.0.1:{m['route']}
  routes: [
{routes}
  ]
}}
"""
        path = f"{root}/{name}.conf"
        open(path, "w").write(conf)
        procs.append(subprocess.Popen(["nats-server", "-c", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if all(urllib.request.urlopen(f"http://127.0.0.1:{m['monitor']}/healthz", timeout=1).status == 200 for m in members):
                    break
            except Exception:
                pass
            time.sleep(0.3)
        asyncio.run(load(",".join(f"nats://127.0.0.1:{m['client']}" for m in members)))
        time.sleep(2)
        pages = [jsz(m["monitor"]) for m in members]
        for i, p in enumerate(pages):
            dump(p, f"{out}/jsz-cluster-healthy.n-{i + 1}.json")
        stream = pages[0]["account_details"][0]["stream_detail"][0]
        leader = stream["cluster"]["leader"]
        victim = next(i for i in range(3) if f"n-{i + 1}" != leader
                      and f"n-{i + 1}" != stream["consumer_detail"][0]["cluster"].get("leader"))
        procs[victim].send_signal(signal.SIGKILL)
        procs[victim].wait()
        time.sleep(8)  # long enough for the survivors to see the member gone (lag / not current)
        asyncio.run(publish_more(",".join(f"nats://127.0.0.1:{m['client']}" for i, m in enumerate(members) if i != victim)))
        time.sleep(1)
        for i, m in enumerate(members):
            if i != victim:
                dump(jsz(m["monitor"]), f"{out}/jsz-cluster-killed-n-{victim + 1}.n-{i + 1}.json")
        print("killed", f"n-{victim + 1}", "stream leader", leader)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait()


def dump(page, path):
    with open(path, "w") as f:
        json.dump(page, f, indent=2)
        f.write("\n")


async def load(servers):
    nc = await nats.connect(servers.split(","))
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="MEMES", subjects=["memes.requests"], num_replicas=3, max_msgs=10000))
    await js.add_consumer("MEMES", ConsumerConfig(durable_name="meme-generator", ack_policy=AckPolicy.EXPLICIT, num_replicas=3))
    for i in range(20):
        await js.publish("memes.requests", f'{{"id":"capture-{i}"}}'.encode())
    sub = await js.pull_subscribe("memes.requests", "meme-generator", stream="MEMES")
    msgs = await sub.fetch(5, timeout=5)
    for m in msgs[:3]:
        await m.ack()
    await nc.close()


async def publish_more(servers):
    nc = await nats.connect(servers.split(","))
    js = nc.jetstream()
    for i in range(20, 30):
        await js.publish("memes.requests", f'{{"id":"capture-{i}"}}'.encode())
    await nc.close()


if __name__ == "__main__":
    main(sys.argv[1])
