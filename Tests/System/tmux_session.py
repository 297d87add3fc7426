"""A program in a detached tmux session on its own socket: type keys, read the screen, wait for text."""
import os
import shutil
import subprocess
import time

import pytest


class Tmux:
    def __init__(self, tmp, session="main"):
        if shutil.which("tmux") is None:
            pytest.skip("tmux not installed")
        self.socket = os.path.join(tmp, "tmux.sock")
        self.session = session

    def run(self, *args, check=True):
        return subprocess.run(["tmux", "-S", self.socket, *args], check=check, capture_output=True, text=True)

    def start(self, command, width=120, height=40):
        self.run("new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height), command)

    def keys(self, *keys):
        self.run("send-keys", "-t", self.session, *keys)

    def press_until_taken(self, key, refusal="not ready yet", timeout=30):
        """Presses `key`, again while the screen shows `refusal` (meme-console's load engine starts a
        moment after its NATS source: a key pressed in that gap is refused with a notice)."""
        deadline = time.time() + timeout
        while True:
            self.keys(key)
            time.sleep(1)
            if refusal not in self.screen() or time.time() > deadline:
                return

    def screen(self):
        return self.run("capture-pane", "-p", "-t", self.session, check=False).stdout

    def alive(self):
        return self.run("has-session", "-t", self.session, check=False).returncode == 0

    def wait_for(self, what, predicate, timeout=30):
        """The screen once `predicate(screen)` holds; fails with the last screen after `timeout` s or if the session ends."""
        deadline = time.time() + timeout
        screen = ""
        while time.time() < deadline:
            if not self.alive():
                raise AssertionError(f"the program exited while waiting for {what}; last screen:\n{screen}")
            screen = self.screen()
            if predicate(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"timed out after {timeout} s waiting for {what}; screen:\n{screen}")

    def close(self):
        self.run("kill-server", check=False)
