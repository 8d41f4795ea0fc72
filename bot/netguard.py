"""Network guard: the one parser and policy of which hosts a feed fetch may reach, applied when a URL
is checked (literal forms of every kind) and again at connect time, where names are resolved here and
only addresses judged public are dialled. Never lets a socket open to an unjudged host but the proxy's.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

from .i18n import because

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: is_private says no, it is not public either
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NUMBER = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
MAX_ADDRESSES = 4  # tried in turn at connect time; a name with more gets its first few


class AddressRefused(Exception):
    """A host that is, or resolves to, an address that is not public; the message is one sentence."""


def _canonical(host: str) -> str:
    """Lower case, ASCII (IDNA, so full-width digits and dots become plain ones), no trailing dots."""
    host = host.strip().strip("[]").lower()
    if ":" in host:  # an IPv6 literal
        return host
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise AddressRefused(because("reason.invalid_host_name", host=host)) from None
    return host.rstrip(".")


def _legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The address of a host written the way inet_aton reads it (127.1, 2130706433, 0x7f000001,
    0177.0.0.1), None for a name. A host whose last label is a number and that is no valid address
    is refused: resolvers and browsers differ on such hosts, so none of them is fetched."""
    labels = host.split(".")
    if not _NUMBER.match(labels[-1]):
        return None
    if len(labels) > 4 or not all(_NUMBER.match(label) for label in labels):
        raise AddressRefused(because("reason.invalid_address", host=host))
    values = []
    for label in labels:
        if label.startswith("0x"):
            values.append(int(label[2:] or "0", 16))
        elif len(label) > 1 and label.startswith("0"):
            if not set(label) <= set("01234567"):
                raise AddressRefused(because("reason.invalid_address", host=host))
            values.append(int(label, 8))
        else:
            values.append(int(label))
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (5 - len(values)):
        raise AddressRefused(because("reason.invalid_address", host=host))
    number = last
    for i, v in enumerate(head):
        number += v << (8 * (3 - i))
    return ipaddress.IPv4Address(number)


def host_address(host: str) -> Address | None:
    """The address a host denotes literally, in any form a resolver would accept; None for a name.
    Raises AddressRefused for a host no one can read the same way twice."""
    canonical = _canonical(host)
    if ":" in canonical:
        try:
            return ipaddress.IPv6Address(canonical)
        except ValueError:
            raise AddressRefused(because("reason.invalid_address", host=host)) from None
    if not canonical or "%" in canonical or "\\" in canonical:
        raise AddressRefused(because("reason.invalid_host_name", host=host))
    return _legacy_ipv4(canonical)


def is_public(ip: Address) -> bool:
    """Globally routable unicast: not private, loopback, link-local, shared (100.64/10), reserved,
    multicast or unspecified; an IPv6 address that carries an IPv4 one is judged by that one."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
        if ip.is_site_local:
            return False
    elif ip in _SHARED:
        return False
    return ip.is_global and not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
                                 or ip.is_multicast or ip.is_unspecified)


def check_host(host: str) -> Address | None:
    """Refuse a host that is local by name or by literal address; None for a name still to resolve."""
    canonical = _canonical(host)
    if canonical == "localhost" or canonical.endswith(".localhost"):
        raise AddressRefused(because("reason.private_host", host=host))
    ip = host_address(host)
    if ip is not None and not is_public(ip):
        raise AddressRefused(because("reason.private_host", host=host))
    return ip


def check_resolved(host: str, addresses: Iterable[str]) -> list[str]:
    """The addresses, once every one is public: a name with one local address is refused whole."""
    out: list[str] = []
    for text in addresses:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
        if not is_public(ip):
            raise AddressRefused(because("reason.resolves_private", host=host))
        if str(ip) not in out:
            out.append(str(ip))
    if not out:
        raise AddressRefused(because("reason.unresolvable", host=host))
    return out


def resolve_blocking(host: str, port: int) -> list[str]:
    """The host's addresses from the system resolver (for checks made outside an event loop)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise AddressRefused(because("reason.unresolvable", host=host)) from None
    return [str(info[4][0]) for info in infos]


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def check_url_host(host: str, port: int, resolve: bool) -> None:
    """Refuse a URL's host by literal form and, with resolve, by every address it resolves to now."""
    if check_host(host) is None and resolve:
        check_resolved(host, resolve_blocking(_canonical(host), port))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that resolves the host itself, refuses it unless every address is
    public, and connects to a judged address. TLS is unaffected: httpcore passes the URL's host to
    start_tls as server_hostname, so the certificate is still checked against the name."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, resolver: Resolver, trusted: frozenset[tuple[str, int]],
                 error: Callable[[str], Exception]) -> None:
        self._inner = inner
        self._resolver = resolver
        self._trusted = trusted
        self._error = error

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        if (host, port) in self._trusted:
            return await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        try:
            literal = check_host(host)
            if literal is not None:
                addresses = [str(literal)]
            else:
                try:
                    async with asyncio.timeout(timeout):
                        found = await self._resolver(host, port)
                except TimeoutError:
                    raise httpcore.ConnectTimeout(f"resolving {host} took too long") from None
                except (OSError, UnicodeError) as exc:
                    raise httpcore.ConnectError(f"cannot resolve {host} ({type(exc).__name__})") from None
                addresses = check_resolved(host, found)
        except AddressRefused as exc:
            raise self._error(str(exc)) from None
        failure: Exception | None = None
        for address in addresses[:MAX_ADDRESSES]:
            try:
                return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise self._error(because("reason.tcp_only"))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@dataclass(frozen=True)
class Guard:
    """Which hosts a client may reach. trusted (host, port) pairs are dialled unjudged: a proxy's own
    address (added by install), or in tests the loopback server a redirect starts from."""

    resolver: Resolver = system_resolver
    trusted: frozenset[tuple[str, int]] = field(default_factory=frozenset)

    def request_hook(self, error: Callable[[str], Exception]) -> Callable[[httpx.Request], Awaitable[None]]:
        """An httpx request hook that refuses literal local hosts on every request, redirects included
        (behind a proxy it is the only check: the proxy resolves the names)."""

        async def hook(request: httpx.Request) -> None:
            url = request.url
            if url.scheme not in ("http", "https"):
                raise error(because("reason.http_only"))
            if (url.host, url.port or (443 if url.scheme == "https" else 80)) in self.trusted:
                return
            try:
                check_host(url.host)
            except AddressRefused as exc:
                raise error(str(exc)) from None

        return hook

    def install(self, client: httpx.AsyncClient, error: Callable[[str], Exception] = AddressRefused) -> None:
        """Put the connect-time check under every transport of client, proxies' included (which only
        ever dial the proxy). Fails loudly if httpx's or httpcore's insides have moved."""
        transports = [client._transport, *client._mounts.values()]
        for transport in transports:
            if transport is None:  # a NO_PROXY pattern: the default transport serves it
                continue
            pool = getattr(transport, "_pool", None)
            if not isinstance(transport, httpx.AsyncHTTPTransport) or not isinstance(pool, httpcore.AsyncConnectionPool):
                raise RuntimeError(f"cannot guard an httpx transport of type {type(transport).__name__}")
            trusted = set(self.trusted)
            proxy_url = getattr(pool, "_proxy_url", None)
            if proxy_url is not None:
                origin = proxy_url.origin
                trusted.add((origin.host.decode("ascii"), origin.port))
            pool._network_backend = GuardedBackend(pool._network_backend, self.resolver, frozenset(trusted), error)
