"""Hostile feed bodies for the chaos tests, and the one fault tests.feedserver cannot serve: a
body with no length that never ends (chunked transfer, sent as fast as the client reads).
"""

from __future__ import annotations

import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.feedserver import rss

ENDLESS_LIMIT = 256 * 1024 * 1024  # even an endless body stops somewhere, should a client never


class EndlessServer:
    """Serves an RSS-looking body that never ends, over chunked transfer encoding, on 127.0.0.1."""

    def __init__(self) -> None:
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                item = b"<item><title>Sin fin</title><description>" + b"x" * 8000 + b"</description></item>"
                chunk = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Endless</title>'
                sent = 0
                try:
                    while sent < ENDLESS_LIMIT:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        sent += len(chunk)
                        chunk = item * 8
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/endless"

    def start(self) -> EndlessServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def gzip_bomb(megabytes: int) -> bytes:
    """A gzip body of `megabytes` MiB of zeros: about a thousandth of that on the wire."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    return b"".join([*(z.compress(block) for _ in range(megabytes)), z.flush()])


def many_items(n: int) -> bytes:
    """A feed with n short items that are no news of releases."""
    return rss(
        [
            {
                "title": f"Boletín del clima {i}",
                "guid": f"clima-{i}",
                "link": f"https://clima.example/{i}",
                "pubDate": "Wed, 31 Dec 2025 08:00:00 GMT",
            }
            for i in range(n)
        ]
    )


WRONG_ENCODING = rss(
    [
        {
            "title": "Crónica del día en Mérida: lluvias y tráfico",
            "guid": "enc-1",
            "link": "https://enc.example/1",
            "description": "Año nuevo, ñandú, acentuación",
        }
    ]
).replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')

LATIN1_DECLARED_UTF8 = (
    rss(
        [
            {
                "title": "Pronóstico: sol en Maracaibo",
                "guid": "lat-1",
                "link": "https://lat.example/1",
            }
        ]
    )
    .decode("utf-8")
    .encode("latin-1")
)

NOT_XML = b"<!doctype html><html><head><title>Portada</title></head><body><h1>Noticias</h1></body></html>"

JSON_BODY = b'{"items": [{"title": "87 presos pol\\u00edticos excarcelados"}]}'

BINARY = bytes(range(256)) * 64

# an unclosed tag and a stray item: feedparser recovers what it can
MALFORMED_RECOVERABLE = (
    b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Roto</title>'
    b"<item><title>Resumen <b>deportivo</title><guid>rec-1</guid></item>"
    b"<item><title>Agenda cultural</title></channel></rss>"
)

MALFORMED_HOPELESS = b"<?xml version='1.0'?><rss><chan<<>>&&<item><title>x</ti"

NO_IDS = (
    b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Sin ids</title>'
    b"<item><title>Nota sin enlace ni fecha ni guid</title>"
    b"<description>Texto breve.</description></item>"
    b"<item></item><item><title></title><description></description></item>"
    b"</channel></rss>"
)

SCRIPTS = (
    b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Scripts</title>'
    b"<item><guid>js-1</guid><link>javascript:alert(3)</link>"
    b"<title>&lt;script&gt;alert(1)&lt;/script&gt;"
    b"Hola &lt;b onclick=&quot;x()&quot;&gt;mundo&lt;/b&gt;"
    b"<![CDATA[<img src=x onerror=alert(2)>]]></title>"
    b'<description><![CDATA[<script>evil()</script><iframe src="http://x"></iframe>Texto '
    b"<style>p{}</style>visible]]></description></item></channel></rss>"
)
