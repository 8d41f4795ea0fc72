"""Which hosts a feed may be fetched from: one parser of addresses for /addfeed, OPML import, every
redirect hop and every connection, against the loopback feed server and real sockets.

The feed server listens on 127.0.0.1, so a fetch that reaches it through any spelling of a local
address is the attack itself; a refused one never shows up in its request log.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpcore
import httpx
import pytest

from bot import netguard
from bot.feeds import FeedError, check_feed_url, fetch, make_client
from tests.feedserver import rss

ITEM = {"title": "Excarcelados 12 presos políticos", "description": "Según Foro Penal.", "guid": "g-1"}

# every spelling of an address that is not public that a URL can carry (each resolves, or is read
# by inet_aton / a browser, as the address in the comment)
LOCAL_HOSTS = [
    "127.0.0.1",
    "127.1",  # 127.0.0.1
    "2130706433",  # 127.0.0.1 as one number
    "0x7f000001",  # ... in hex
    "0x7f.1",
    "0177.0.0.1",  # ... with an octal first part
    "017700000001",
    "0",  # 0.0.0.0, which Linux connects to the local host
    "0.0.0.0",
    "localhost",
    "localhost.",
    "LocalHost",
    "feeds.localhost",
    "127.0.0.1.",
    "１２７．０．０．１",  # full-width digits and dots, which IDNA folds to 127.0.0.1
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "100.127.255.254",
    "198.18.0.1",  # benchmarking
    "192.0.2.1",  # documentation
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "[::1]",
    "[::]",
    "[::ffff:127.0.0.1]",  # IPv4-mapped
    "[::ffff:7f00:1]",
    "[::ffff:10.0.0.1]",
    "[::127.0.0.1]",  # IPv4-compatible (deprecated)
    "[2002:7f00:1::]",  # 6to4 around 127.0.0.1
    "[2002:a00:1::1]",  # 6to4 around 10.0.0.1
    "[64:ff9b::7f00:1]",  # NAT64 around 127.0.0.1
    "[64:ff9b::a9fe:a9fe]",  # NAT64 around 169.254.169.254
    "[fe80::1]",
    "[fc00::1]",
    "[fec0::1]",  # site-local (deprecated)
    "[ff02::1]",
    "[2001:db8::1]",
]
# literal forms the old check (ipaddress.ip_address plus "localhost") let through on OPML import and
# on every redirect hop
LEGACY_FORMS = ["127.1", "2130706433", "0x7f000001", "0x7f.1", "017700000001", "0", "localhost.", "127.0.0.1.",
                "100.64.0.1", "[2002:7f00:1::]"]
# spellings httpx can put on the wire (it refuses an octal part like 0177.0.0.1 as an invalid URL,
# and IDNA-encodes full-width digits into a plain address)
FETCHABLE = ["127.1", "2130706433", "0x7f000001", "0x7f.1", "0", "localhost.", "127.0.0.1.", "[::ffff:127.0.0.1]"]

PUBLIC = ["93.184.216.34", "example.org", "feeds.example.org.", "[2606:2800:220:1:248:1893:25c8:1946]",
          "[::ffff:93.184.216.34]", "[64:ff9b::5db8:d822]", "xn--bcher-kva.example", "8.8.8.8"]


@pytest.mark.parametrize("host", LOCAL_HOSTS)
def test_addfeed_check_refuses_every_local_form(host):
    with pytest.raises(FeedError, match="private or local|not a valid"):
        check_feed_url(f"https://{host}/feed.xml", allow_private=False)


@pytest.mark.parametrize("host", LOCAL_HOSTS)
def test_opml_and_redirect_check_refuses_every_local_form_without_resolving(host):
    # resolve=False is what OPML import and the redirect hook ask for
    with pytest.raises(FeedError, match="private or local|not a valid"):
        check_feed_url(f"http://{host}:8080/rss", allow_private=False, resolve=False)


@pytest.mark.parametrize("host", PUBLIC)
def test_public_hosts_pass_the_literal_check(host):
    check_feed_url(f"https://{host}/feed", allow_private=False, resolve=False)


@pytest.mark.parametrize("host", ["1.2.3.4.5", "example.123", "08.1.2.3", "1.256.1", "4294967296", "%6c%6fcalhost"])
def test_hosts_that_resolvers_read_differently_are_refused(host):
    with pytest.raises(FeedError, match="not a valid"):
        check_feed_url(f"https://{host}/feed", allow_private=False, resolve=False)


def test_legacy_ipv4_reading_matches_inet_aton():
    samples = ["1", "0x1", "1.2", "1.2.3", "0x7f.0.0.1", "0377.0377.0377.0377", "1.65535", "1.65536", "1.2.65535",
               "0xffffffff", "4294967295", "017777777777", "00", "0x0", "127.0.0.1", "10.0x10.020.3"]
    for text in samples:
        assert netguard.host_address(text) == ipaddress.IPv4Address(socket.inet_aton(text)), text
    for text in ["256.1", "1.256.1", "1.2.65536", "1.2.3.0x100", "4294967296", "08", "1.2.3.4.5"]:
        with pytest.raises(OSError):
            socket.inet_aton(text)
        with pytest.raises(netguard.AddressRefused):
            netguard.host_address(text)


def test_allow_private_lets_loopback_through():
    check_feed_url("http://127.0.0.1:8080/feed", allow_private=True)


# -- fetching: the request hook and the connect-time guard ------------------------------------------


@pytest.mark.parametrize("host", FETCHABLE)
async def test_fetch_refuses_a_local_address_in_any_spelling(feed_server, host):
    # before: every spelling here but the IPv4-mapped one reached the loopback server
    feed_server.set("/feed", body=rss([ITEM]))
    port = feed_server.url.rsplit(":", 1)[1]
    async with make_client(5, allow_private=False) as client:
        res = await fetch(client, f"http://{host}:{port}/feed")
    assert res.status == "error"
    assert "private or local" in (res.error or "")
    assert feed_server.hits("/feed") == 0


@pytest.mark.parametrize("host", ["127.1", "0x7f000001", "0", "localhost.", "[::ffff:127.0.0.1]", "127.0.0.1"])
async def test_a_redirect_hop_to_a_local_address_is_refused(feed_server, host):
    port = int(feed_server.url.rsplit(":", 1)[1])
    feed_server.set("/feed", body=rss([ITEM]))
    start = feed_server.set("/start", redirect_to=f"http://{host}:{port}/feed")
    if host == "127.0.0.1":  # the trusted origin itself, reached by another port's route
        start = feed_server.set("/start2", redirect_to=f"http://{host}:{port + 1}/feed")
    # the test trusts its own server as if it were a public outlet; the hop must still be refused
    guard = netguard.Guard(trusted=frozenset({("127.0.0.1", port)}))
    async with make_client(5, allow_private=False, guard=guard) as client:
        res = await fetch(client, start)
    assert res.status == "error"
    assert "private or local" in (res.error or "")
    assert feed_server.hits("/feed") == 0


def _resolver(answers: dict[str, list[str]]) -> netguard.Resolver:
    async def resolve(host: str, port: int) -> list[str]:
        return answers[host]

    return resolve


async def test_a_name_resolving_to_loopback_at_connect_time_is_refused(feed_server):
    # DNS rebinding: the name looked public when staff added it; now it answers 127.0.0.1. The
    # resolver is injected because no name resolves to loopback on demand offline; the guard's own
    # resolution (loop.getaddrinfo) is what production uses, and is checked below
    feed_server.set("/feed", body=rss([ITEM]))
    port = feed_server.url.rsplit(":", 1)[1]
    for answers in (["127.0.0.1"], ["93.184.216.34", "127.0.0.1"], ["::1"], ["10.1.2.3"]):
        guard = netguard.Guard(resolver=_resolver({"feeds.rebind.test": answers}))
        async with make_client(5, allow_private=False, guard=guard) as client:
            res = await fetch(client, f"http://feeds.rebind.test:{port}/feed")
        assert res.status == "error"
        assert res.error == "the host feeds.rebind.test resolves to a private or local address"
    assert feed_server.hits("/feed") == 0


async def test_a_redirect_hop_to_a_name_resolving_to_loopback_is_refused(feed_server):
    port = int(feed_server.url.rsplit(":", 1)[1])
    feed_server.set("/feed", body=rss([ITEM]))
    start = feed_server.set("/start", redirect_to=f"http://internal.rebind.test:{port}/feed")
    guard = netguard.Guard(resolver=_resolver({"internal.rebind.test": ["127.0.0.1"]}),
                           trusted=frozenset({("127.0.0.1", port)}))
    async with make_client(5, allow_private=False, guard=guard) as client:
        res = await fetch(client, start)
    assert res.error == "the host internal.rebind.test resolves to a private or local address"
    assert feed_server.hits("/start") == 1 and feed_server.hits("/feed") == 0


async def test_the_system_resolver_is_asked_at_connect_time():
    assert "127.0.0.1" in await netguard.system_resolver("localhost", 80)
    with pytest.raises(netguard.AddressRefused, match="resolves to a private"):
        netguard.check_resolved("anything", await netguard.system_resolver("localhost", 80))


class _Recording(httpcore.AsyncNetworkBackend):
    """Dials 127.0.0.1:port whatever address it is asked for, and writes down what it was asked:
    the loopback server stands in for the public address the resolver gave."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.asked: list[tuple[str, int]] = []
        self._real = httpcore.AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):  # noqa: ANN001, ANN201
        self.asked.append((host, port))
        return await self._real.connect_tcp("127.0.0.1", self.port, timeout, local_address, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._real.sleep(seconds)


async def test_the_connection_goes_to_the_judged_address_not_the_name(feed_server):
    feed_server.set("/feed", body=rss([ITEM]))
    port = int(feed_server.url.rsplit(":", 1)[1])
    inner = _Recording(port)
    transport = httpx.AsyncHTTPTransport()
    transport._pool._network_backend = netguard.GuardedBackend(
        inner, _resolver({"feeds.example.org": ["93.184.216.34"]}), frozenset(), netguard.AddressRefused)
    async with httpx.AsyncClient(transport=transport) as client:
        resp = await client.get(f"http://feeds.example.org:{port}/feed")
    assert resp.status_code == 200
    assert inner.asked == [("93.184.216.34", port)]
    assert feed_server.requests[-1][1]["Host"] == f"feeds.example.org:{port}"


def _tls_server(tmp_path: Path, name: str) -> tuple[ThreadingHTTPServer, ssl.SSLContext]:
    """An HTTPS server on 127.0.0.1 with a certificate for `name` only, and a client context trusting it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = rss([ITEM])
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server.socket = server_ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))


@pytest.mark.parametrize(("cert_name", "ok"), [("feeds.example.org", True), ("other.example.org", False)])
async def test_tls_still_verifies_the_name_when_connecting_to_the_judged_address(tmp_path, cert_name, ok):
    server, client_ctx = _tls_server(tmp_path, cert_name)
    port = server.server_address[1]
    try:
        inner = _Recording(port)
        transport = httpx.AsyncHTTPTransport(verify=client_ctx)
        transport._pool._network_backend = netguard.GuardedBackend(
            inner, _resolver({"feeds.example.org": ["93.184.216.34"]}), frozenset(), netguard.AddressRefused)
        async with httpx.AsyncClient(transport=transport) as client:
            if ok:
                resp = await client.get(f"https://feeds.example.org:{port}/feed")
                assert resp.status_code == 200
            else:
                with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED|match"):
                    await client.get(f"https://feeds.example.org:{port}/feed")
        assert inner.asked[0] == ("93.184.216.34", port)
    finally:
        server.shutdown()
        server.server_close()


async def test_a_proxy_from_the_environment_keeps_working(feed_server, monkeypatch):
    # the loopback server doubles as a forward proxy: it sees the absolute URL as the path. The
    # proxy's own (loopback) address is dialled; the feed's host is judged by the request hook
    for var in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HTTP_PROXY", feed_server.url)
    feed_server.set("http://feeds.example.org/feed", body=rss([ITEM]))
    async with make_client(5, allow_private=False) as client:
        res = await fetch(client, "http://feeds.example.org/feed")
        refused = await fetch(client, "http://127.1/feed")
    assert res.status == "ok" and len(res.items) == 1
    assert refused.status == "error" and "private or local" in (refused.error or "")


def test_opml_import_refuses_local_forms_and_keeps_names_for_the_poll_time_guard(tmp_path):
    outlines = "".join(f'<outline type="rss" xmlUrl="http://{h}/rss"/>' for h in LEGACY_FORMS)
    outlines += '<outline type="rss" text="Public" xmlUrl="https://feeds.example.org/rss"/>'
    (tmp_path / "in.opml").write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>')
    (tmp_path / "config.toml").write_text('database = "rw.db"\n')
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "feeds", "import", "in.opml", "--config", "config.toml"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(Path(__file__).resolve().parents[1]), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert f"imported 1 new feeds (0 already there, {len(LEGACY_FORMS)} refused)" in proc.stdout
