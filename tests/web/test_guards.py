"""The guards of floorsim serve: request bodies bounded as they stream in, the Host header checked against the
bound address (DNS rebinding), security headers on every response, offline API docs, no 500 from bad input."""

from __future__ import annotations

import asyncio
import re
import select
import socket

import httpx
import pytest

from floorsim.simulations.web import create_app
from floorsim.simulations.web.guards import MAX_BODY_BYTES, BodyLimit, HostCheck, split_host
from tests.web.live import free_port, live_app


@pytest.fixture(scope="module")
def live(space):
    port = free_port()
    with live_app(create_app(space, warm_up=False, host="127.0.0.1", port=port), port) as url:
        yield url, port


def test_a_chunked_body_is_cut_at_the_limit_on_a_real_socket(live):
    """The repro: 256 MiB sent with Transfer-Encoding: chunked. The server answers 413 once it has read 256 KiB
    and closes the connection; the client cannot push more than the limit plus the sockets' buffers."""
    url, port = live
    chunk = b" " * 65536
    sent, response = 0, b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /api/reforms/run HTTP/1.1\r\nHost: 127.0.0.1:%d\r\ncontent-type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n" % port)
        for _ in range(4096):  # 4096 x 64 KiB = 256 MiB
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
            if select.select([sock], [], [], 0.02)[0]:
                break
        try:
            while not response.endswith(b"}"):
                data = sock.recv(65536)
                if not data:
                    break
                response += data
        except ConnectionResetError:
            pass
    assert response.startswith(b"HTTP/1.1 413"), response[:200]
    assert b"request body over 262144 bytes" in response
    assert sent < 16 * 1024 * 1024, f"the server kept reading: {sent} bytes sent"
    assert httpx.get(f"{url}/api/settings").status_code == 200  # and it serves the next request


def test_the_body_limit_counts_chunks_as_they_arrive():
    """At the ASGI level: with no Content-Length, the app is never called and no chunk past the limit is read."""
    chunks_read = 0
    sent = []

    async def receive():
        nonlocal chunks_read
        chunks_read += 1
        return {"type": "http.request", "body": b"x" * 100_000, "more_body": True}  # an endless body

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):
        raise AssertionError("the app must not see an oversized body")

    limit = BodyLimit(app, max_bytes=MAX_BODY_BYTES)
    asyncio.run(limit({"type": "http", "headers": []}, receive, send))
    assert chunks_read == MAX_BODY_BYTES // 100_000 + 1 == 3  # 300,000 bytes read > 262,144: stop there
    assert sent[0]["status"] == 413 and (b"connection", b"close") in sent[0]["headers"]


def test_a_body_within_the_limit_reaches_the_app_whole():
    parts = [b'{"a": ', b"1", b"}"]
    seen = {}

    async def receive():
        body = parts.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(parts)}

    async def app(scope, receive, send):
        message = await receive()
        seen["body"], seen["more"] = message["body"], message["more_body"]

    asyncio.run(BodyLimit(app)({"type": "http", "headers": []}, receive, None))
    assert seen == {"body": b'{"a": 1}', "more": False}


def test_content_length_over_the_limit(client):
    response = client.post("/api/reforms/run", content=b"{" + b" " * 300_000 + b"}",
                           headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    ("header", "expected"),
    [("localhost:8000", ("localhost", 8000)), ("[::1]:8000", ("[::1]", 8000)), ("Example.ORG", ("example.org", None)),
     ("[::1]", ("[::1]", None)), ("a:b", ("", None)), ("x:0", ("", None)), ("[::1", ("", None)), ("", ("", None))],
)
def test_split_host(header, expected):
    assert split_host(header) == expected


def test_which_hosts_are_served():
    check = HostCheck(None, bound_host="127.0.0.1", port=8000, allowed=["Workshop.local", "192.168.1.20"])
    served = ["localhost:8000", "127.0.0.1:8000", "[::1]:8000", "localhost", "workshop.local:8000",
              "192.168.1.20:8000"]
    refused = ["evil.example:8000", "localhost:8001", "127.0.0.1.evil.example:8000", "", "localhost:8000:1",
               "0.0.0.0:8000", "[::2]:8000"]
    assert [check.allows(header) for header in served] == [True] * len(served)
    assert [check.allows(header) for header in refused] == [False] * len(refused)
    everywhere = HostCheck(None, bound_host="0.0.0.0", port=8000)  # a wildcard address is not a name to serve
    assert not everywhere.allows("0.0.0.0:8000") and everywhere.allows("localhost:8000")
    assert HostCheck(None, bound_host="::1", port=8000).allows("[::1]:8000")


def test_dns_rebinding_is_refused_on_a_real_socket(live):
    """A page of evil.example whose name resolves to 127.0.0.1 reaches the port with its own name as Host."""
    url, port = live
    refused = httpx.get(f"{url}/api/settings", headers={"host": f"evil.example:{port}"})
    assert refused.status_code == 421
    message = refused.json()["detail"]["message"]
    assert "evil.example" in message and "--allow-host" in message
    assert refused.headers["x-content-type-options"] == "nosniff"
    assert httpx.get(f"{url}/api/settings", headers={"host": f"localhost:{port}"}).status_code == 200
    assert httpx.get(f"{url}/api/settings", headers={"host": f"localhost:{port + 1}"}).status_code == 421


def test_the_api_docs_load_nothing_from_the_internet(client):
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assert "http://" not in html and "https://" not in html, page
        assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
        assert any(asset.endswith(".js") for asset in assets), assets
        for asset in assets:
            response = client.get(asset)
            assert response.status_code == 200 and len(response.content) > 1000, asset
    assert b"SwaggerUIBundle" in client.get("/static-offline-docs/swagger-ui-bundle.js").content


def test_a_household_before_the_rules_begin_is_a_422_not_a_500(client):
    """The repro: POST /api/household with month 1999-01 (before any parameter of the package) was a 500."""
    response = client.post("/api/household", json={"persons": [{"age": 72}], "month": "1999-01"})
    assert response.status_code == 422
    message = response.json()["detail"]["message"]
    assert message.startswith("month 1999-01: ") and "later month" in message and "\n" not in message
    page = client.get("/household", params={"persons": "age=72", "month": "1999-01"})
    assert page.status_code == 200 and 'id="household-error"' in page.text and "later month" in page.text


def test_a_project_error_at_the_edge_is_a_422_with_its_message(space):
    from fastapi.testclient import TestClient

    from floorsim.simulations.errors import FloorsimError

    app = create_app(space, warm_up=False)

    @app.get("/api/test-project-error")
    def failing():
        raise FloorsimError("survey.csv, column age, rows 3, 7: ages must lie in 0-130;\nfix the file")

    response = TestClient(app, base_url="http://localhost").get("/api/test-project-error")
    assert response.status_code == 422
    assert response.json() == {"detail": {"message": "survey.csv, column age, rows 3, 7: ages must lie in 0-130; "
                                                     "fix the file"}}
