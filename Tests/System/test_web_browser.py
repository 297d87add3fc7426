"""meme-web in headless Chromium against the real stack.

Starts nats-server (JetStream), redis-server, meme-worker and meme-web on free loopback ports,
then: a phone-sized window opens /, submits a prompt and sees the image in "your memes"; a
projector-sized window already showing /wall sees the same meme arrive live. Screenshots are
kept under a temp dir (printed; MEME_ARTIFACTS overrides it).

Skips, with the reason, when a part of the stack cannot run here (e.g. a meme-web build without
the NATS client). Never uses meme-web's --dev-loopback-queue.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def bin_dir():
    path = os.environ.get("MEME_BIN")
    if path:
        return path
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what}")


def http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


class Stack:
    def __init__(self, tmp):
        self.tmp = tmp
        self.procs = {}

    def start(self, name, args, env=None):
        log = open(os.path.join(self.tmp, f"{name}.log"), "wb")
        full_env = dict(os.environ, **(env or {}))
        self.procs[name] = (subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=full_env), log)
        return self.procs[name][0]

    def log_tail(self, name, size=1500):
        try:
            with open(os.path.join(self.tmp, f"{name}.log"), "rb") as f:
                return f.read().decode(errors="replace")[-size:]
        except OSError:
            return ""

    def alive(self, name):
        return self.procs[name][0].poll() is None

    def stop(self):
        for proc, log in reversed(list(self.procs.values())):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
            log.close()


@pytest.fixture(scope="module")
def stack():
    for tool in ["nats-server", "redis-server", "chromium", "chromedriver"]:
        if not shutil.which(tool) and not os.path.exists(f"/usr/bin/{tool}"):
            pytest.skip(f"{tool} is not installed")
    bins = bin_dir()
    for program in ["meme-web", "meme-worker"]:
        if not os.access(os.path.join(bins, program), os.X_OK):
            pytest.skip(f"{program} is not built in {bins}")
    tmp = tempfile.mkdtemp(prefix="meme-web-browser-")
    s = Stack(tmp)
    try:
        nats_port, nats_http, redis_port, web_port, worker_metrics = (free_port() for _ in range(5))
        conf = os.path.join(tmp, "nats.conf")
        with open(conf, "w") as f:
            f.write(f'listen: 127.0.0.1:{nats_port}\nhttp: 127.0.0.1:{nats_http}\n'
                    f'jetstream {{ store_dir: "{tmp}/js", max_memory_store: 256MB, max_file_store: 1GB }}\n')
        s.start("nats", ["nats-server", "-c", conf])
        s.start("redis", ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                          "--save", "", "--appendonly", "no", "--dir", tmp])
        wait_for(lambda: http_status(f"http://127.0.0.1:{nats_http}/healthz") == 200, 15, "nats-server")
        wait_for(lambda: socket.create_connection(("127.0.0.1", redis_port), 1).close() is None, 15, "redis-server")
        env = {"NATS_URL": f"nats://127.0.0.1:{nats_port}", "REDIS_URL": f"redis://127.0.0.1:{redis_port}",
               "METRICS_ADDR": f"127.0.0.1:{worker_metrics}", "LANG": "C.UTF-8"}
        s.start("worker", [os.path.join(bins, "meme-worker")], env)
        # The wall shows PUBLIC_URL (test_wall_… checks the LAN address without it).
        s.start("web", [os.path.join(bins, "meme-web"), "--host", "127.0.0.1", "--port", str(web_port),
                         "--public-dir", os.path.join(ROOT, "Sources/Web/Public")],
                dict(env, PUBLIC_URL=f"http://memes.example.test:{web_port}/"))
        base = f"http://127.0.0.1:{web_port}"
        try:
            wait_for(lambda: not s.alive("web") or http_status(f"{base}/readyz") == 200, 30, "meme-web /readyz")
        except TimeoutError:
            pytest.fail(f"meme-web never became ready:\n{s.log_tail('web')}")
        if not s.alive("web"):
            pytest.skip(f"meme-web cannot run against the real stack in this build: {s.log_tail('web', 400).strip()}")
        if not s.alive("worker"):
            pytest.skip(f"meme-worker cannot run in this build: {s.log_tail('worker', 400).strip()}")
        s.base = base
        s.bins = bins
        s.env = env
        s.web_port = web_port
        yield s
    finally:
        s.stop()


def chrome(width, height):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 f"--window-size={width},{height}", "--force-device-scale-factor=1"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    # Headless windows have a minimum width; emulate the exact viewport (a phone is "mobile").
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    return driver


def artifacts_dir():
    path = os.environ.get("MEME_ARTIFACTS") or os.path.join(tempfile.gettempdir(), "meme-web-screenshots")
    os.makedirs(path, exist_ok=True)
    return path


def csp_violations(driver):
    try:
        return [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]
    except Exception:
        return []


def test_submit_on_phone_and_see_it_live_on_the_wall(stack):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    out = artifacts_dir()
    wall = chrome(1920, 1080)
    phone = chrome(390, 844)
    try:
        wall.get(stack.base + "/wall")
        WebDriverWait(wall, 15).until(
            lambda d: d.find_element(By.ID, "connection").get_attribute("data-state") == "live")
        before = wall.find_element(By.ID, "count-done").text

        phone.get(stack.base + "/")
        WebDriverWait(phone, 15).until(
            lambda d: d.find_element(By.ID, "connection").get_attribute("data-state") == "live")
        prompt = f"selenium cat {int(time.time())} <b>not bold</b>"
        phone.find_element(By.ID, "prompt").send_keys(prompt)
        phone.find_element(By.ID, "top-text").send_keys("when the tests")
        phone.find_element(By.ID, "bottom-text").send_keys("pass first try")
        phone.find_element(By.ID, "generate").click()

        img = WebDriverWait(phone, 90).until(EC.visibility_of_element_located(
            (By.CSS_SELECTOR, "#gallery .meme-card[data-status='done'] img.meme-image")))
        WebDriverWait(phone, 15).until(lambda d: d.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth > 0", img))
        card = phone.find_element(By.CSS_SELECTOR, "#gallery .meme-card[data-status='done']")
        # User text is shown as text, never parsed as HTML.
        assert card.find_element(By.CSS_SELECTOR, ".meme-prompt").text == prompt
        assert not card.find_elements(By.TAG_NAME, "b")
        download = card.find_element(By.CSS_SELECTOR, "a.download")
        assert download.is_displayed() and "/api/memes/" in download.get_attribute("href")
        phone.execute_script("arguments[0].scrollIntoView({block: 'center'})", card)
        phone.save_screenshot(os.path.join(out, "home-phone-390x844.png"))

        wall_img = WebDriverWait(wall, 30).until(EC.visibility_of_element_located(
            (By.CSS_SELECTOR, "#wall-grid .wall-card img.meme-image")))
        WebDriverWait(wall, 15).until(lambda d: d.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth > 0", wall_img))
        prompts = [e.text for e in wall.find_elements(By.CSS_SELECTOR, "#wall-grid .meme-prompt")]
        assert prompt in prompts
        WebDriverWait(wall, 15).until(lambda d: d.find_element(By.ID, "count-done").text != before)
        assert wall.find_element(By.ID, "join-url").text == f"memes.example.test:{stack.web_port}"
        wall.save_screenshot(os.path.join(out, "wall-projector-1920x1080.png"))

        assert csp_violations(phone) == [] and csp_violations(wall) == []
        print(f"screenshots in {out}")
    finally:
        phone.quit()
        wall.quit()


def test_empty_prompt_shows_a_clear_message(stack):
    from selenium.webdriver.common.by import By

    driver = chrome(390, 844)
    try:
        driver.get(stack.base + "/")
        driver.find_element(By.ID, "generate").click()
        message = driver.find_element(By.ID, "message")
        assert message.is_displayed() and "idea" in message.text
        assert driver.switch_to.active_element.get_attribute("id") == "prompt"
    finally:
        driver.quit()


def lan_addresses():
    out = subprocess.run(["hostname", "-I"], capture_output=True, text=True)
    return [a for a in out.stdout.split() if "." in a and not a.startswith("127.")]


def test_wall_shows_an_address_phones_can_reach_with_its_qr_code(stack):
    """Without PUBLIC_URL, meme-web on all interfaces shows the LAN address (never 127.0.0.1) and its QR code."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    lan = lan_addresses()
    if not lan:
        pytest.skip("this machine has no non-loopback IPv4 address")
    port = free_port()
    env = {k: v for k, v in stack.env.items() if k != "PUBLIC_URL"}
    stack.start("web-lan", [os.path.join(stack.bins, "meme-web"), "--host", "0.0.0.0", "--port", str(port),
                            "--public-dir", os.path.join(ROOT, "Sources/Web/Public")], env)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: http_status(f"{base}/readyz") == 200, 30, "second meme-web /readyz")
    wall = chrome(1920, 1080)
    try:
        wall.get(base + "/wall")
        WebDriverWait(wall, 15).until(lambda d: d.find_element(By.ID, "join-url").text not in ("", "…"))
        shown = wall.find_element(By.ID, "join-url").text
        host, _, shown_port = shown.partition(":")
        assert shown_port == str(port) and host in lan, f"wall shows {shown!r}; LAN addresses {lan}"
        assert not shown.startswith("127.")
        qr = WebDriverWait(wall, 15).until(lambda d: d.find_element(By.ID, "join-qr"))
        WebDriverWait(wall, 15).until(lambda d: d.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth > 0 && !arguments[0].hidden", qr))
        assert qr.get_attribute("src").endswith("/api/wall/qr.svg")
        assert f"http://{shown}/" in qr.get_attribute("alt")
        assert qr.size["width"] >= 100 and abs(qr.size["width"] - qr.size["height"]) <= 1
        # The SVG is the QR code of exactly that URL: a version 2/3 symbol with its quiet zone.
        with urllib.request.urlopen(f"{base}/api/wall/qr.svg", timeout=5) as r:
            assert r.headers["Content-Type"] == "image/svg+xml"
            svg = r.read().decode()
        assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ') and "M4 4h7v1h-7z" in svg
        shot = os.path.join(artifacts_dir(), "wall-lan-address-1920x1080.png")
        wall.save_screenshot(shot)
        # With zbar (Debian zbar-tools) the projected code is decoded from the screenshot itself.
        if shutil.which("zbarimg"):
            decoded = subprocess.run(["zbarimg", "--quiet", "--raw", shot], capture_output=True, text=True)
            assert decoded.stdout.strip() == f"http://{shown}/", decoded.stdout + decoded.stderr
        assert csp_violations(wall) == []
    finally:
        wall.quit()


def refused_viewers(metrics_port):
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("meme_web_websockets_refused_total "):
                return float(line.split()[1])
    return 0.0


def test_a_full_live_feed_backs_off_and_says_so(stack):
    """At WEB_MAX_VIEWERS meme-web closes a new WebSocket at once with 1013 "try again later" (issue 18):
    the wall must back off (not reconnect every second, each time asking for the recent list) and say why."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    port, metrics = free_port(), free_port()
    stack.start("web-full", [os.path.join(stack.bins, "meme-web"), "--host", "127.0.0.1", "--port", str(port),
                             "--public-dir", os.path.join(ROOT, "Sources/Web/Public")],
                dict(stack.env, WEB_MAX_VIEWERS="1", WEB_METRICS_ADDR=f"127.0.0.1:{metrics}"))
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: http_status(f"{base}/readyz") == 200, 30, "meme-web (one viewer) /readyz")
    # Another viewer holds the only slot.
    holder = socket.create_connection(("127.0.0.1", port), timeout=5)
    holder.sendall(b"GET /api/live HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    assert holder.recv(4096).startswith(b"HTTP/1.1 101")
    wall = chrome(1920, 1080)
    try:
        wall.get(base + "/wall")
        status = WebDriverWait(wall, 15).until(lambda d: d.find_element(By.ID, "connection"))
        time.sleep(8)
        refused = refused_viewers(metrics)
        print(f"full live feed: {refused:.0f} refused upgrades from the wall in ~8 s; status {status.text!r}")
        assert refused <= 3, f"the wall reconnected {refused:.0f} times in ~8 s"
        assert status.get_attribute("data-state") == "reconnecting" and "full" in status.text
    finally:
        wall.quit()
        holder.close()
