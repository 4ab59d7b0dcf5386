"""gunicorn settings for shuangkong: ``gunicorn -c gunicorn.conf.py "app:create_app()"`` (README "Production").

Every value can be overridden on the command line (``--workers 5``) or by GUNICORN_CMD_ARGS.

Slow clients (issue 11 item 10): the synchronous worker reads a request's headers itself, so three
sockets that send their headers a byte at a time stalled a worker for as long as they liked. The
threaded worker waits for a connection's first bytes in its poller, not in a thread, and answers other
clients from its other threads meanwhile; ``timeout`` bounds a request. A client that trickles its
headers still holds one thread, so production keeps a buffering reverse proxy in front (nginx reads the
whole request before passing it on: docs/nginx.conf, measured by bench/bench_slow_clients.py).
"""

import gc
import os
import threading

from gunicorn.http import wsgi as _wsgi

bind = os.environ.get("SHUANGKONG_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SHUANGKONG_WORKERS", "3"))
worker_class = "gthread"
threads = int(os.environ.get("SHUANGKONG_THREADS", "8"))
timeout = 30  # a request taking longer gets its worker restarted
graceful_timeout = 20
keepalive = 5  # seconds an idle kept-alive connection is held (nginx reuses them)
# Request limits (gunicorn's defaults spelled out: a header line, a header count, a header size).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# The app derives client addresses from X-Forwarded-For itself (SHUANGKONG_TRUSTED_PROXY_COUNT,
# werkzeug's ProxyFix); gunicorn's own handling stays at its loopback-only default.
forwarded_allow_ips = "127.0.0.1"
preload_app = True
accesslog = "-"


def when_ready(server):
    """The application is loaded (``preload_app``) and no worker is forked yet: its objects (about
    240 000: modules, mapped classes, routes, templates' environment) go to the collector's permanent
    generation. Each worker's full collections then walk only what the worker made itself: they took
    140–150 ms with everything tracked, one request in twenty of the province bench paid it (p95 of
    the city's one-week register 208 ms against a median of 40), and the frozen pages stay shared
    with the master instead of being copied by the collector's writes (Python's gc.freeze docs)."""
    gc.collect()
    gc.freeze()


def post_worker_init(worker):
    """Documents: the print layer's style sheet and fonts are prepared once per worker process as it starts
    (reports.render.warm_up), in the background, so no user's first document pays for it.
    SHUANGKONG_WARM_DOCUMENTS=0 skips it (a worker then prepares them on its first document)."""
    if os.environ.get("SHUANGKONG_WARM_DOCUMENTS", "1") == "0":
        return

    def warm():
        try:
            from reports.render import warm_up

            warm_up()
        except Exception:  # a missing font is reported by the first real document, with its context
            worker.log.exception("could not prepare the print layer")

    threading.Thread(target=warm, name="warm-documents", daemon=True).start()


# No "Server: gunicorn" banner (issue 11 item 8): it only tells an attacker what to look up.
_default_headers = _wsgi.Response.default_headers


def _headers_without_banner(self):
    return [h for h in _default_headers(self) if not h.startswith("Server:")]


_wsgi.Response.default_headers = _headers_without_banner
