"""A real HTTP server on 127.0.0.1 that serves feeds to the code under test, and misbehaves on
request: slow answers, errors, redirects loops, huge or compressed bodies, ETag/304 handling.
Runs in a daemon thread; stops when the test's fixture ends.
"""

from __future__ import annotations

import gzip
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    gzip: bool = False
    redirect_to: str | None = None
    drip: float = 0.0  # seconds between 1 KiB chunks (a slow-loris body)
    close_early: bool = False  # send headers then drop the connection


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                with outer._lock:
                    outer.requests.append((self.path, dict(self.headers)))
                    route = outer.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.delay:
                    time.sleep(route.delay)
                if route.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", route.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self.send_response(304)
                    self.send_header("ETag", route.etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified:
                    self.send_response(304)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = gzip.compress(route.body) if route.gzip else route.body
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                if route.gzip:
                    self.send_header("Content-Encoding", "gzip")
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)
                for k, v in route.headers.items():
                    self.send_header(k, v)
                if route.close_early:
                    self.send_header("Content-Length", str(len(body) + 1000))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    if route.drip:
                        for i in range(0, len(body), 1024):
                            self.wfile.write(body[i:i + 1024])
                            self.wfile.flush()
                            time.sleep(route.drip)
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def set(self, path: str, **kwargs: object) -> str:
        """Serve `path` with the given Route settings; returns its full URL."""
        with self._lock:
            self.routes[path] = Route(**kwargs)  # type: ignore[arg-type]
        return self.url + path

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for p, _ in self.requests if p == path)

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def rss(items: list[dict[str, str]], title: str = "Test feed", lang: str = "es") -> bytes:
    """A small RSS 2.0 document; each item dict has title, description, guid?, link?, pubDate?."""
    from xml.sax.saxutils import escape

    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>{escape(title)}</title>'
             f"<link>http://example.invalid/</link><language>{lang}</language>"]
    for it in items:
        parts.append("<item>")
        for key in ("title", "link", "guid", "pubDate", "description"):
            if key in it:
                parts.append(f"<{key}>{escape(it[key])}</{key}>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def http_date(ts: float | None = None) -> str:
    return formatdate(ts if ts is not None else time.time(), usegmt=True)
