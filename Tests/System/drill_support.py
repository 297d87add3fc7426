"""Support for the fault drills (test_fault_drills.py), the demo tests and the scaling report: real
servers and our binaries as child processes.

The servers come from `meme-stack` (Sources/Shared/LocalStack), the one definition of the local stack
that ./demo.sh also runs: `StackRunner` starts it on free loopback ports with its state under a temp
dir, reads `<dir>/stack.json` for the ports, and kills or restarts a server through the stack's control
API (`POST /services/<name>/<stop|kill|start|restart>`). Every drill builds a `Stack` of its own
(meme-stack with nats and redis, plus the meme-worker and meme-web processes the drill controls itself)
and stops every process it started when the drill ends, pass or fail. Load comes from
`meme-console load` (`LoadRun`); an `Observer` (nats-py) records every answer on meme.response /
meme.response.error, so a drill can check things the load tool does not report (image per id, `cached`).
"""
import asyncio
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

import pytest

REQUEST_SUBJECT = "meme.request"
RESPONSE_SUBJECT = "meme.response"
ERROR_SUBJECT = "meme.response.error"
STREAM = "MEMES"
CONSUMER = "meme-generator"

# Settings that would point our programs at someone else's servers if inherited from the shell.
_SCRUBBED_ENV = (
    "NATS_URL", "NATS_STREAM", "NATS_CONSUMER", "NATS_REQUEST_SUBJECT", "NATS_RESPONSE_SUBJECT", "NATS_ACK_WAIT",
    "NATS_MAX_DELIVER", "REDIS_URL", "METRICS_ADDR", "PORT", "HOST", "HF_API_TOKEN", "HF_API_TOKEN_FILE",
    "HF_API_URL", "WORKER_CONCURRENCY", "WORKER_NAME", "WEB_RATE_LIMIT", "WEB_RATE_BURST", "RESULT_TTL",
    "CACHE_TTL", "MAX_PROMPT_CHARS", "WEB_METRICS_ADDR", "WEB_MAX_VIEWERS", "WEB_LIST_RATE_LIMIT", "WEB_ADDRESS_RATE_LIMIT",
    "WEB_GLOBAL_RATE_LIMIT", "NATS_STREAM_MAX_MSGS", "NATS_STREAM_MAX_BYTES", "NATS_STREAM_REPLICAS", "LOCAL_SCALER_URL",
    "NATS_MONITOR_URL",
)


def binary(name):
    """Path of one of our executables in MEME_BIN (skips the drill when it is not built)."""
    bin_dir = os.environ.get("MEME_BIN")
    if not bin_dir:
        pytest.skip("MEME_BIN not set (swift build --show-bin-path)")
    path = os.path.join(bin_dir, name)
    if not os.path.exists(path):
        pytest.skip(f"{path} not built")
    return path


def system_binary(name):
    path = shutil.which(name) or (f"/usr/sbin/{name}" if os.path.exists(f"/usr/sbin/{name}") else None)
    if path is None:
        pytest.skip(f"{name} not installed")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.3).close()
        return True
    except OSError:
        return False


def http_get(url, timeout=2.0):
    """(status, body bytes), or (None, b"") when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (OSError, ValueError):
        return None, b""


def http_post(url, body, content_type="application/json", timeout=10.0):
    """(status, body bytes); a refused or reset connection is (None, reason)."""
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (OSError, ValueError) as e:
        return None, str(e).encode()


def wait_until(predicate, timeout, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Proc:
    """One child process with its output in a log file. Stopped by PID only."""

    def __init__(self, name, argv, env, directory):
        self.name = name
        self.argv = argv
        self.env = env
        self.directory = directory
        self.log_path = os.path.join(directory, f"{name}.log")
        self.popen = None
        self.starts = 0

    def start(self):
        assert not self.alive, f"{self.name} already running"
        log = open(self.log_path, "ab")
        log.write(f"--- start {self.starts + 1}: {' '.join(self.argv)}\n".encode())
        log.flush()
        self.popen = subprocess.Popen(self.argv, env=self.env, cwd=self.directory, stdin=subprocess.DEVNULL,
                                      stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.starts += 1
        return self

    @property
    def pid(self):
        return self.popen.pid if self.popen else None

    @property
    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    @property
    def exit_code(self):
        return self.popen.poll() if self.popen else None

    def kill(self):
        """SIGKILL and reap."""
        if self.alive:
            os.kill(self.popen.pid, signal.SIGKILL)
        if self.popen is not None:
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    def terminate(self, timeout=15):
        """SIGTERM, then SIGKILL if it has not exited within `timeout`."""
        if self.alive:
            os.kill(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines=25):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class StackRunner:
    """`meme-stack up --free-ports` as a child process: the servers of the local stack, defined once (nats.conf,
    prometheus.yml, redis arguments, readiness) in Sources/Shared/LocalServers and LocalStack."""

    def __init__(self, directory, only=("nats", "redis"), env=None, args=(), bin_dir=None):
        self.dir = directory
        self.only = list(only)
        self.env = dict(env if env is not None else os.environ)
        self.args = list(args)
        self.bin_dir = bin_dir
        self.popen = None
        self.manifest = None
        self.log_path = os.path.join(directory, "stack.log")

    def _binary(self):
        return os.path.join(self.bin_dir, "meme-stack") if self.bin_dir else binary("meme-stack")

    def start(self, timeout=90):
        os.makedirs(self.dir, exist_ok=True)
        stack = self._binary()
        argv = [stack, "up", "--dir", self.dir, "--free-ports", "--only", ",".join(self.only),
                "--k8s", os.path.join(ROOT, "k8s", "base"), "--bin", os.path.dirname(stack), *self.args]
        log = open(self.log_path, "ab")
        self.popen = subprocess.Popen(argv, env=self.env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        waited = subprocess.run([self._binary(), "wait", "--dir", self.dir, "--timeout", str(timeout)],
                                capture_output=True, text=True, timeout=timeout + 30)
        if waited.returncode != 0:
            self.stop()
            raise AssertionError(f"meme-stack did not come up: {waited.stderr.strip()}\n{self.tail()}")
        self.manifest = json.loads(waited.stdout)
        return self.manifest

    @property
    def ports(self):
        return self.manifest["ports"]

    @property
    def urls(self):
        return self.manifest["urls"]

    @property
    def control_url(self):
        return self.urls["control"]

    def control(self, service, action, timeout=60):
        """One control action (stop, kill, start, restart) on a server of the stack; waits for it to be done."""
        status, body = http_post(f"{self.control_url}/services/{service}/{action}", b"", timeout=timeout)
        if status != 200:
            raise AssertionError(f"meme-stack {service} {action}: {status} {body.decode('utf-8', 'replace')}")

    def live(self):
        """GET /stack: every service's state now."""
        status, body = http_get(f"{self.control_url}/stack", 3.0)
        return json.loads(body) if status == 200 else None

    def service(self, name):
        live = self.live()
        return (live or {}).get("services", {}).get(name)

    @property
    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def stop(self, timeout=90):
        """SIGTERM: meme-stack stops every server it started (and its processes), then exits."""
        if self.alive:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)

    def tail(self, lines=25):
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return ""


class ServerHandle:
    """A server of the stack as a drill sees it: kill() is a crash (SIGKILL, held down until started again)."""

    def __init__(self, runner, name):
        self.runner = runner
        self.name = name

    @property
    def log_path(self):
        return os.path.join(self.runner.dir, "logs", f"{self.name}.log")

    @property
    def pid(self):
        return (self.runner.service(self.name) or {}).get("pid")

    @property
    def alive(self):
        return bool((self.runner.service(self.name) or {}).get("running"))

    @property
    def exit_code(self):
        return None

    def kill(self):
        self.runner.control(self.name, "kill")

    def terminate(self, timeout=15):
        self.runner.control(self.name, "stop", timeout=timeout + 30)

    def tail(self, lines=25):
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return ""


def drill_stack(request, make):
    """A pytest fixture's body: the drill's stack (`make(name)`), closed when the drill ends; on a failure its
    process logs are printed and its dir kept (DRILL_KEEP=1 keeps it always)."""
    s = make(request.node.name.replace("test_", ""))
    failed_before = request.session.testsfailed
    yield s
    failed = request.session.testsfailed > failed_before
    if failed:
        print(f"\nprocess logs ({s.dir}):\n{s.logs()}")
    s.close(keep_dir=failed or os.environ.get("DRILL_KEEP") == "1")


class Stack:
    """meme-stack's nats-server and redis-server, plus meme-worker(s) and meme-web started by the drill, on
    free loopback ports, state under one temp dir."""

    def __init__(self, name):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix=f"drill-{name}-")
        self.procs = {}
        self.env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
        self.env.setdefault("LOG_LEVEL", "info")
        # The VPA stand-in would restart Redis on its own schedule: the drills decide when Redis goes.
        self.runner = StackRunner(os.path.join(self.dir, "stack"), only=("nats", "redis"), env=self.env,
                                  args=["--vpa-mode", "Off"])
        self.web_port = None
        self.worker_metrics = {}

    def _servers(self, want=()):
        """meme-stack with nats and redis on first use; the ones not (yet) wanted are held down at once, so a
        drill can run a program against a NATS that is not there (and start it later on the same ports)."""
        if self.runner.manifest is None:
            self.runner.start()
            for name in ("nats", "redis"):
                if name not in want:
                    self.runner.control(name, "stop")

    # nats-server ---------------------------------------------------------------------------------

    @property
    def nats_port(self):
        self._servers()
        return self.runner.ports["nats"]

    @property
    def nats_monitor_port(self):
        self._servers()
        return self.runner.ports["nats_monitor"]

    @property
    def nats_url(self):
        return f"nats://127.0.0.1:{self.nats_port}"

    def start_nats(self):
        """Starts the stack's servers the first time; after a kill, the same nats-server again (same ports,
        same config, same JetStream file store)."""
        if self.runner.manifest is None:
            self._servers(want=("nats",))
        elif not self.nats_healthy():
            self.runner.control("nats", "start")

    def nats_healthy(self):
        return http_get(f"http://127.0.0.1:{self.nats_monitor_port}/healthz", 0.5)[0] == 200

    # redis-server --------------------------------------------------------------------------------

    @property
    def redis_port(self):
        self._servers()
        return self.runner.ports["redis"]

    @property
    def redis_url(self):
        return f"redis://127.0.0.1:{self.redis_port}"

    def start_redis(self):
        if self.runner.manifest is None:
            self._servers(want=("redis",))
        elif self.redis("PING") != "PONG":
            self.runner.control("redis", "start")
        wait_until(lambda: self.redis("PING") == "PONG", 20, what="redis-server")

    def redis(self, *args):
        """One redis-cli command; its output stripped, or None when Redis does not answer."""
        try:
            out = subprocess.run([system_binary("redis-cli"), "-h", "127.0.0.1", "-p", str(self.redis_port), *args],
                                 capture_output=True, timeout=10)
        except subprocess.TimeoutExpired:
            return None
        if out.returncode != 0 or out.stdout.startswith(b"Could not connect"):
            return None
        return out.stdout.decode("utf-8", "replace").strip()

    def result_ids(self, prefix):
        """Ids with a result kept by a worker (`meme:result:<id>`) that start with `prefix`."""
        out = self.redis("--scan", "--pattern", f"meme:result:{prefix}*")
        if not out:
            return set()
        return {line[len("meme:result:"):] for line in out.splitlines() if line}

    # meme-worker ---------------------------------------------------------------------------------

    def start_worker(self, name, ack_wait=3, concurrency=2, wait=True, **extra):
        if name not in self.procs:
            port = free_port()
            self.worker_metrics[name] = port
            env = dict(self.env)
            env.update({
                "NATS_URL": self.nats_url, "REDIS_URL": self.redis_url, "METRICS_ADDR": f"127.0.0.1:{port}",
                "NATS_ACK_WAIT": str(ack_wait), "WORKER_CONCURRENCY": str(concurrency), "WORKER_NAME": name,
            })
            env.update({k: str(v) for k, v in extra.items()})
            self.procs[name] = Proc(name, [binary("meme-worker")], env, self.dir)
        self.procs[name].start()
        if wait:
            self.wait_worker_ready(name)
        return self.procs[name]

    def worker_ready(self, name):
        return http_get(f"http://127.0.0.1:{self.worker_metrics[name]}/readyz", 1.0)[0] == 200

    def wait_worker_ready(self, name, timeout=60):
        def ready():
            if not self.procs[name].alive:
                raise AssertionError(f"{name} exited ({self.procs[name].exit_code}):\n{self.procs[name].tail()}")
            return self.worker_ready(name)
        wait_until(ready, timeout, interval=0.1, what=f"{name} /readyz")

    def worker_metric(self, name, metric):
        """A counter/gauge from one worker's /metrics (0 when absent), None when the worker does not answer."""
        status, body = http_get(f"http://127.0.0.1:{self.worker_metrics[name]}/metrics", 2.0)
        if status != 200:
            return None
        total = 0.0
        for line in body.decode("utf-8", "replace").splitlines():
            if line.startswith(metric + " ") or line.startswith(metric + "{"):
                total += float(line.rsplit(" ", 1)[1])
        return total

    # meme-web ------------------------------------------------------------------------------------

    @property
    def web_url(self):
        return f"http://127.0.0.1:{self.web_port}"

    def start_web(self, wait=True):
        if "web" not in self.procs:
            self.web_port = free_port()
            env = dict(self.env)
            env.update({"NATS_URL": self.nats_url, "REDIS_URL": self.redis_url, "PORT": str(self.web_port),
                        "HOST": "127.0.0.1"})
            env.setdefault("WEB_METRICS_ADDR", f"127.0.0.1:{free_port()}")
            self.procs["web"] = Proc("meme-web", [binary("meme-web"), "--rate-limit", "0"], env, self.dir)
        self.procs["web"].start()
        if wait:
            self.wait_web_ready()
        return self.procs["web"]

    def wait_web_ready(self, timeout=60):
        def ready():
            if not self.procs["web"].alive:
                raise AssertionError(f"meme-web exited ({self.procs['web'].exit_code}):\n{self.procs['web'].tail()}")
            return http_get(self.web_url + "/readyz", 1.0)[0] == 200
        wait_until(ready, timeout, interval=0.1, what="meme-web /readyz")

    # everything ----------------------------------------------------------------------------------

    def proc(self, name):
        if name in ("nats", "redis"):
            return ServerHandle(self.runner, name)
        return self.procs[name]

    def close(self, keep_dir=False):
        for p in reversed(list(self.procs.values())):
            p.kill()
        self.runner.stop()
        if not keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def logs(self, lines=20):
        servers = [ServerHandle(self.runner, n) for n in ("nats", "redis")]
        text = "\n".join(f"--- {p.name} {p.log_path}\n{p.tail(lines)}" for p in servers)
        return text + "\n" + "\n".join(f"--- {p.name} (pid {p.pid}, exit {p.exit_code}) {p.log_path}\n{p.tail(lines)}"
                                       for p in self.procs.values()) + f"\n--- meme-stack\n{self.runner.tail(lines)}"


_PROGRESS = re.compile(r"sent (\d+)/(\d+) stored (\d+) answered (\d+) errors (\d+) in-flight (\d+)")


class LoadRun:
    """`meme-console load … --json` as a child process; its progress lines (one a second on stderr) are kept
    with the time they arrived, so a drill can see when sending or answering stopped and resumed."""

    def __init__(self, stack, count, rate=None, via="nats", prefix="drill-", timeout=60, prompts=None,
                 concurrency=None, publish_timeout=None):
        self.stack = stack
        self.prefix = prefix
        argv = [binary("meme-console"), "load", "--count", str(count), "--via", via, "--nats-url", stack.nats_url,
                "--id-prefix", prefix, "--timeout", str(timeout), "--json"]
        if rate is not None:
            argv += ["--rate", str(rate)]
        if via == "web":
            argv += ["--web-url", stack.web_url]
        if prompts:
            argv += ["--prompts", prompts]
        if concurrency:
            argv += ["--concurrency", str(concurrency)]
        if publish_timeout:
            argv += ["--publish-timeout", str(publish_timeout)]
        self.argv = argv
        self.progress = []  # (monotonic time, dict)
        self.stderr_lines = []
        self.started = time.monotonic()
        self.popen = subprocess.Popen(argv, env=stack.env, cwd=stack.dir, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        stack.procs[f"load-{prefix}"] = _Adopted(f"load-{prefix}", self.popen)
        self._stdout = b""
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        self._out_reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._out_reader.start()
        self.summary = None
        self.exit_code = None

    def _read_stderr(self):
        for raw in self.popen.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.stderr_lines.append(line)
            m = _PROGRESS.search(line)
            if m:
                keys = ("sent", "count", "stored", "answered", "errors", "in_flight")
                self.progress.append((time.monotonic(), dict(zip(keys, map(int, m.groups())))))

    def _read_stdout(self):
        self._stdout = self.popen.stdout.read()

    def latest(self):
        return self.progress[-1][1] if self.progress else {"sent": 0, "stored": 0, "answered": 0, "errors": 0,
                                                          "in_flight": 0, "count": 0}

    def first_progress_after(self, t, predicate):
        """Time of the first progress line after `t` whose counts satisfy `predicate`, or None."""
        for when, p in list(self.progress):
            if when > t and predicate(p):
                return when
        return None

    @property
    def running(self):
        return self.popen.poll() is None

    def wait(self, timeout):
        """Waits for the run to end; returns the JSON summary's snapshot."""
        try:
            self.exit_code = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            raise AssertionError(f"meme-console load did not finish within {timeout} s:\n"
                                 + "\n".join(self.stderr_lines[-10:]))
        self._out_reader.join(5)
        self._reader.join(5)
        try:
            self.summary = json.loads(self._stdout.decode().strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise AssertionError(f"meme-console load (exit {self.exit_code}) printed no JSON summary:\n"
                                 f"stdout: {self._stdout[-2000:]!r}\nstderr:\n" + "\n".join(self.stderr_lines[-20:]))
        return self.summary["snapshot"]


class _Adopted:
    """A process started elsewhere (subprocess.Popen), registered with the stack so close() kills it by PID."""

    def __init__(self, name, popen):
        self.name = name
        self.popen = popen
        self.log_path = "(pipes)"

    pid = property(lambda self: self.popen.pid)
    alive = property(lambda self: self.popen.poll() is None)
    exit_code = property(lambda self: self.popen.poll())

    def kill(self):
        if self.alive:
            os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def tail(self, lines=20):
        return ""


class Answer:
    __slots__ = ("ok", "at", "image", "cached", "worker", "error")

    def __init__(self, ok, at, image, cached, worker, error):
        self.ok, self.at, self.image, self.cached, self.worker, self.error = ok, at, image, cached, worker, error


class Observer:
    """A nats-py client on its own event-loop thread: records every answer by request id (with a hash of
    the image), and publishes requests of its own through JetStream (probes, malformed input)."""

    def __init__(self, url):
        import nats  # noqa: F401 (pip nats-py; the drills skip without it)
        self.url = url
        self.answers = {}
        self.lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.nc = None
        self.js = None
        self.run(self._connect(), timeout=30)

    def run(self, coro, timeout=30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _connect(self):
        import nats

        async def quiet(*_args):
            pass

        self.nc = await nats.connect(self.url, name="drill-observer", max_reconnect_attempts=-1,
                                     reconnect_time_wait=0.2, allow_reconnect=True, error_cb=quiet,
                                     disconnected_cb=quiet, reconnected_cb=quiet, closed_cb=quiet)
        self.js = self.nc.jetstream()
        # Answers carry whole images: room for a burst of them, so none is dropped as a slow consumer.
        limit = 1024 * 1024 * 1024
        await self.nc.subscribe(RESPONSE_SUBJECT, cb=self._on_ok, pending_bytes_limit=limit)
        await self.nc.subscribe(ERROR_SUBJECT, cb=self._on_error, pending_bytes_limit=limit)
        await self.nc.flush()

    async def _on_ok(self, msg):
        self._record(msg, True)

    async def _on_error(self, msg):
        self._record(msg, False)

    def _record(self, msg, ok):
        now = time.monotonic()
        try:
            body = json.loads(msg.data)
            rid = body["request_id"]
        except (ValueError, KeyError, TypeError):
            return
        image = body.get("image_data")
        digest = hashlib.sha256(image.encode()).hexdigest()[:16] if isinstance(image, str) else None
        answer = Answer(ok, now, digest, body.get("cached"), body.get("worker"), body.get("error"))
        with self.lock:
            self.answers.setdefault(rid, []).append(answer)

    def snapshot(self):
        with self.lock:
            return {k: list(v) for k, v in self.answers.items()}

    def answered(self, ids):
        with self.lock:
            return {i for i in ids if i in self.answers}

    async def _publish(self, payload, msg_id, timeout):
        headers = {"Nats-Msg-Id": msg_id} if msg_id else None
        ack = await self.js.publish(REQUEST_SUBJECT, payload, timeout=timeout, headers=headers)
        return ack

    def publish(self, payload, msg_id=None, timeout=5.0):
        """JetStream publish; True when the stream acked it (stored or duplicate), False on error/timeout."""
        try:
            self.run(self._publish(payload, msg_id, timeout), timeout=timeout + 5)
            return True
        except Exception:  # noqa: BLE001 (any failure to be stored counts as not stored)
            return False

    def stream_state(self):
        """(messages in the stream, consumer num_pending, num_ack_pending, num_redelivered)."""
        async def read():
            s = await self.js.stream_info(STREAM)
            c = await self.js.consumer_info(STREAM, CONSUMER)
            return s.state.messages, c.num_pending, c.num_ack_pending, c.num_redelivered
        return self.run(read(), timeout=15)

    def close(self):
        try:
            if self.nc is not None:
                self.run(self.nc.close(), timeout=10)
        except Exception:  # noqa: BLE001 (closing during teardown, the server may be gone)
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def write_prompts(stack, prompts, name="prompts.txt"):
    path = os.path.join(stack.dir, name)
    with open(path, "w") as f:
        f.write("\n".join(prompts) + "\n")
    return path


def drill_seconds(default=20.0):
    raw = os.environ.get("DRILL_SECONDS")
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise AssertionError(f"DRILL_SECONDS must be a number of seconds, not '{raw}'")
    if not 1 <= value <= 3600:
        raise AssertionError(f"DRILL_SECONDS must be 1…3600, not {value}")
    return value


def report(name, sent, answered, errors, lost, recover, details=""):
    """The one-paragraph drill report (printed past pytest's capture by the caller)."""
    recover_text = recover if isinstance(recover, str) else f"{recover:.1f} s"
    text = (f"[drill] {name}: sent {sent}, answered {answered}, errors {errors}, lost {lost}, "
            f"time to recover {recover_text}.")
    if details:
        text += " " + details
    return text
