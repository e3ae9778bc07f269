"""ASGI middleware guarding every request of ``floorsim serve`` before the app sees it.

- :class:`HostCheck`: the ``Host`` header must name this server (``localhost``, ``127.0.0.1``, ``[::1]``, the
  address it is bound to, or a name the user allowed with ``--allow-host``), with the bound port if it gives one;
  otherwise ``421 Misdirected Request``. This defeats DNS rebinding: a web page of ``evil.example`` whose name is
  made to resolve to 127.0.0.1 reaches the port, but its requests carry ``Host: evil.example``.
- :class:`BodyLimit`: at most ``max_bytes`` of request body, counted as the chunks arrive (``Content-Length`` or
  chunked transfer encoding alike); past the limit the request is answered ``413`` and the connection closed
  without reading further, so no more than the limit (plus one chunk) is ever held in memory.
- :class:`SecurityHeaders`: ``X-Content-Type-Options: nosniff`` and ``X-Frame-Options: DENY`` on every response.

Refusals are JSON ``{"detail": {"message": ...}}`` like the app's other errors.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
WILDCARD_ADDRESSES = ("0.0.0.0", "::", "[::]", "")
MAX_BODY_BYTES = 256 * 1024


async def refuse(send: Send, status: int, message: str, *, close: bool = False) -> None:
    """Answer with ``status`` and ``{"detail": {"message": message}}``; with ``close``, ask to close the connection."""
    body = json.dumps({"detail": {"message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def host_name(address: str) -> str:
    """An address as it appears in a ``Host`` header: lower case, IPv6 in brackets (``::1`` → ``[::1]``)."""
    address = address.strip().lower()
    return f"[{address}]" if ":" in address and not address.startswith("[") else address


def split_host(header: str) -> tuple[str, int | None]:
    """``Host`` header → (name, port or ``None``); ``("", None)`` when it is malformed."""
    header = header.strip().lower()
    if header.startswith("["):  # an IPv6 address: [::1]:8000
        end = header.find("]")
        if end < 0:
            return "", None
        name, rest = header[: end + 1], header[end + 1 :]
    else:
        name, separator, port = header.partition(":")
        rest = separator + port
    if not rest:
        return name, None
    port = rest[1:]
    if not rest.startswith(":") or not port.isdigit() or not 0 < int(port) < 65536:
        return "", None
    return name, int(port)


class HostCheck:
    """Serve only requests whose ``Host`` names this server (see the module's docstring).

    Args:
        app: the application.
        bound_host: the address the server listens on (a wildcard such as ``0.0.0.0`` adds no name).
        port: the port it listens on (``None``: any port).
        allowed: further host names to serve (``--allow-host``), e.g. the machine's address on the room's network.
    """

    def __init__(self, app: ASGIApp, bound_host: str = "127.0.0.1", port: int | None = None,
                 allowed: Iterable[str] = ()) -> None:
        self.app = app
        self.port = port
        names = {*LOOPBACK_NAMES, *(host_name(name) for name in allowed)}
        if host_name(bound_host) not in WILDCARD_ADDRESSES:
            names.add(host_name(bound_host))
        self.names = frozenset(names)

    def allows(self, header: str) -> bool:
        """Whether a ``Host`` header value names this server."""
        name, port = split_host(header)
        return name in self.names and (port is None or self.port is None or port == self.port)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or ())
        header = headers.get(b"host", b"").decode("latin-1")
        if not self.allows(header):
            shown = header[:100] or "(none)"
            return await refuse(
                send, 421,
                f"Host '{shown}' is not served here: open the app as http://127.0.0.1:{self.port or '<port>'}/, or "
                f"start floorsim serve with --allow-host NAME for a name of this machine (protection against DNS "
                f"rebinding, docs/web_app.md#safety-and-limits)",
                close=True,
            )
        return await self.app(scope, receive, send)


class BodyLimit:
    """Read a request's body as it arrives, at most ``max_bytes``; past it answer ``413`` (see the module's
    docstring). The body read is then handed to the app unchanged."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        too_big = f"request body over {self.max_bytes} bytes"
        length = dict(scope.get("headers") or ()).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await refuse(send, 413, too_big, close=True)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return await refuse(send, 413, too_big, close=True)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


class SecurityHeaders:
    """Add ``X-Content-Type-Options: nosniff`` and ``X-Frame-Options: DENY`` to every HTTP response."""

    HEADERS = ((b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"))

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", ())}
                extra = [(name, value) for name, value in self.HEADERS if name not in present]
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        return await self.app(scope, receive, with_headers)
