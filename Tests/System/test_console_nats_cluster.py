"""The console's queue panel on a NATS cluster (issue 15), under tmux: meme-stack runs three nats-servers
(DEMO_NATS_CLUSTER=3, R3), a meme-worker creates MEMES and meme-generator, and meme-console reads every
member's /jsz (NATS_MONITOR_URL comma-separated, as ./demo.sh passes it). The panel shows one line per
server with the stream's and the consumer's leader; a member frozen with SIGSTOP (it no longer answers)
shows down and the header `2/3 up`; after SIGCONT all three are up again."""
import os
import re
import signal

import pytest

from drill_support import binary, drill_stack
from test_cluster_drill import ClusterStack
from tmux_session import Tmux


@pytest.fixture
def cluster_stack(request):
    yield from drill_stack(request, ClusterStack)


def server_line(screen, name):
    """The panel's line for `name`: "n-1  up  leader  ok" (the queue panel is the right column)."""
    for line in screen.splitlines():
        right = line.split("│")[-1]
        m = re.match(rf"\s*{re.escape(name)}\s+(up|down)\s+(\S+(?: \d+)?)\s+(\S+(?: \d+)?)", right)
        if m:
            return m.groups()
    return None


def test_queue_panel_shows_each_server(cluster_stack):
    s = cluster_stack
    s.start_nats()
    s.start_redis()
    s.start_worker("worker", ack_wait=30, concurrency=2)
    members = s.members()
    assert len(members) == 3, members
    names = sorted(members)
    monitors = ",".join(members[n]["monitor_url"] for n in names)
    tmux = Tmux(s.dir, session="console-cluster")
    try:
        command = (f"env LANG=C.UTF-8 TERM=xterm-256color NATS_URL={s.nats_url} NATS_MONITOR_URL={monitors} "
                   f"PROMETHEUS_URL=http://127.0.0.1:1 LOCAL_SCALER_URL=http://127.0.0.1:1 "
                   f"{binary('meme-console')} --mode local --interval 0.5")
        tmux.run("new-session", "-d", "-s", tmux.session, "-x", "120", "-y", "40", command)
        screen = tmux.wait_for("3/3 up", lambda sc: "3/3 up" in sc and all(server_line(sc, n) for n in names), timeout=60)
        lines = {n: server_line(screen, n) for n in names}
        assert all(state == "up" for state, _, _ in lines.values()), screen
        assert sum(stream == "leader" for _, stream, _ in lines.values()) == 1, screen
        assert sum(consumer == "leader" for _, _, consumer in lines.values()) == 1, screen

        # Freeze a member that leads nothing: it stops answering /jsz and shows down; its peers keep serving.
        victim = next(n for n in names if lines[n][1] != "leader" and lines[n][2] != "leader")
        pid = members[victim]["pid"]
        os.kill(pid, signal.SIGSTOP)
        try:
            screen = tmux.wait_for(f"{victim} down", lambda sc: (server_line(sc, victim) or ("",))[0] == "down", timeout=40)
            assert "2/3 up" in screen, screen
            assert "nats ok" in screen, screen
        finally:
            os.kill(pid, signal.SIGCONT)
        tmux.wait_for("3/3 up again", lambda sc: "3/3 up" in sc and (server_line(sc, victim) or ("",))[0] == "up", timeout=40)
    finally:
        tmux.run("kill-server", check=False)
