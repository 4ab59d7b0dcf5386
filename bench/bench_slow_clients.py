"""Slow clients (slowloris): how long an ordinary request waits while S sockets trickle their headers.

    .venv/bin/python bench/bench_slow_clients.py [SLOW_SOCKETS ...]

Setups, each with three gunicorn workers on loopback:
  sync     gunicorn's synchronous worker (the first release's command line);
  gthread  gunicorn.conf.py (threaded worker);
  nginx    gunicorn.conf.py behind nginx running docs/nginx-shuangkong.conf (needs /usr/sbin/nginx).
A slow socket sends a request line, then one header byte per second, never finishing. After the slow
sockets are connected, five GET /login are timed one after the other (each given up after 25 s).
"""

from __future__ import annotations

import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.attack.servers import free_port, live_env, prepare_database, start_gunicorn  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
GIVE_UP = 25.0


def slow_socket(port: int, stop: threading.Event) -> None:
    try:
        with closing(socket.create_connection(("127.0.0.1", port), timeout=5)) as s:
            s.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            while not stop.wait(1.0):
                s.sendall(b"X")  # one byte of a header line that never ends
    except OSError:
        pass  # the server gave up on us: that is the point


def timed_get(port: int) -> float:
    start = time.perf_counter()
    answer = b""
    try:
        with closing(socket.create_connection(("127.0.0.1", port), timeout=GIVE_UP)) as s:
            s.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            s.settimeout(GIVE_UP)
            while chunk := s.recv(65536):
                answer += chunk
    except OSError:
        return GIVE_UP
    if not answer.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"GET /login answered {answer[:60]!r}")
    return time.perf_counter() - start


def measure(port: int, slow: int) -> list[float]:
    stop = threading.Event()
    threads = [threading.Thread(target=slow_socket, args=(port, stop), daemon=True) for _ in range(slow)]
    for t in threads:
        t.start()
    time.sleep(2.0)  # connected, first bytes sent, handed to the workers
    try:
        return [timed_get(port) for _ in range(5)]
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=5)


def start_nginx(tmp: Path, upstream: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(f"""
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    upstream shuangkong {{ server 127.0.0.1:{upstream}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port};
        include {ROOT}/docs/nginx-shuangkong.conf;
    }}
}}
""")
    process = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp)], stderr=subprocess.PIPE)
    for _ in range(50):
        try:
            with closing(socket.create_connection(("127.0.0.1", port), timeout=1)):
                return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"nginx did not start: {(tmp / 'nginx-error.log').read_text()}")


def report(name: str, slow: int, times: list[float]) -> None:
    stalled = sum(t >= GIVE_UP for t in times)
    print(f"{name:8} {slow:5} slow sockets: median {statistics.median(times):6.2f} s, "
          f"max {max(times):6.2f} s, given up {stalled}/5")


def main() -> None:
    counts = [int(a) for a in sys.argv[1:]] or [3, 12, 30, 100]
    tmp = Path(tempfile.mkdtemp(prefix="shk-slow-"))
    env = live_env(tmp, SHUANGKONG_REDIS_URL="")
    prepare_database(env, [])
    print("setup    sockets")
    sync = start_gunicorn(env, workers=3, config="gunicorn.conf.py",
                          extra_args=("--worker-class", "sync", "--timeout", "30"))
    try:
        for slow in counts:
            report("sync", slow, measure(sync.port, slow))
    finally:
        sync.stop()
    threaded = start_gunicorn(env, workers=3)
    try:
        for slow in counts:
            report("gthread", slow, measure(threaded.port, slow))
        if Path(NGINX).exists():
            nginx, port = start_nginx(tmp, threaded.port)
            try:
                for slow in counts:
                    report("nginx", slow, measure(port, slow))
            finally:
                nginx.terminate()
                nginx.wait(timeout=10)
        else:
            print("nginx    not installed (apt-get install nginx): skipped")
    finally:
        threaded.stop()


if __name__ == "__main__":
    main()
