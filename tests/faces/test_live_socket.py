"""The dashboard server's own live WebSocket, ``/pulsebi/live``: a logged-in viewer gets the
snapshot of live values, then every update (a PUBLISH, or a real crm INSERT through the live
worker), each with the tile's formatted texts; whoever has not logged in is refused; the server
holds one Redis connection however many pages are open."""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, text
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from pulsebi.live import channel
from pulsebi.live.worker import run_worker
from pulsebi.serve.live_socket import CLIENT_NAME
from pulsebi.settings import Settings
from serving import NoRedirect, Server, start_server

pytestmark = pytest.mark.slow

FIELD = "net_revenue.today@ZZZ"  # a field no worker writes: the tests' own


@pytest.fixture(scope="module")
def server(settings: Settings, tmp_path_factory) -> Iterator[Server]:
    """One server for the module, on the test database and namespace (as cli_env)."""
    log = tmp_path_factory.mktemp("serve-live") / "serve.log"
    server = start_server({**os.environ, **settings.to_environ()}, log)
    yield server
    server.stop()


def login_cookie(server: Server) -> str:
    """Log in through the login form, as a viewer does; the Cookie header it leaves."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(f"{server.url}login") as login:
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', login.read().decode()).group(1)
    data = urllib.parse.urlencode({"_xsrf": xsrf, "password": server.token}).encode()
    try:
        opener.open(f"{server.url}login", data=data)
    except urllib.error.HTTPError as error:
        assert error.code == 302, error.read().decode()  # to the page asked for
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    assert "username-" in cookies, cookies  # Jupyter's login cookie
    return cookies


def open_socket(server: Server, headers: dict[str, str] | None) -> ClientConnection:
    url = f"ws://127.0.0.1:{server.port}/pulsebi/live"
    return connect(url, additional_headers=headers, open_timeout=30)


def receive_until(
    socket: ClientConnection, predicate: Callable[[dict], bool], timeout: float = 15
) -> dict:
    """The first message that satisfies `predicate` within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    seen = []
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = json.loads(socket.recv(timeout=left))
        except TimeoutError:
            break
        if predicate(message):
            return message
        seen.append(message)
    raise AssertionError(f"no such message in {timeout} s; got {seen!r}")


def put_value(redis_client, settings: Settings, value: float) -> int:
    """Write a value of FIELD as the worker does: snapshot first, then PUBLISH."""
    seq = time.time_ns()
    entry = {"v": value, "seq": seq, "at": time.time()}
    redis_client.hset(channel.snapshot_key(settings.namespace), FIELD, json.dumps(entry))
    message = {"type": "values", "values": {FIELD: entry}}
    redis_client.publish(channel.channel_name(settings.namespace), json.dumps(message))
    return seq


def test_a_logged_in_page_gets_the_snapshot_then_every_update(server, settings, redis_client):
    seq = put_value(redis_client, settings, 73_612_345.2)
    time.sleep(0.5)  # the hub has the value (or reads it from the snapshot on connect)
    with open_socket(server, {"Cookie": login_cookie(server)}) as socket:
        hello = receive_until(socket, lambda m: m["type"] == "hello")
        assert hello["badges"]["reconnecting"]["text"] == "◌ Reconnecting…"
        assert hello["state"]["state"] in ("live", "stale", "loading")
        shown = hello["values"][FIELD]
        assert shown["seq"] == seq
        assert (shown["value"], shown["unit"]) == (73_612_345.2, "usd")
        assert (shown["text"], shown["exact"], shown["data"]) == (
            "$73.6M",
            "$73,612,345.20",
            "73612345.2",
        )

        seq = put_value(redis_client, settings, 1234.56)
        update = receive_until(socket, lambda m: m["type"] == "values" and FIELD in m["values"])
        assert update["values"][FIELD]["seq"] == seq
        assert update["values"][FIELD]["exact"] == "$1,234.56"
        assert update["values"][FIELD]["text"] == "$1.23K"

        # the worker's word that the CRM changed is passed on
        changed = {"type": "changed", "tables": ["sales"], "views_before": None, "at": 1.0}
        redis_client.publish(channel.channel_name(settings.namespace), json.dumps(changed))
        told = receive_until(socket, lambda m: m["type"] == "changed")
        assert told == changed

        # the worker's heartbeat decides the state, as in the kernels
        now = time.time()
        status = {"type": "status", "status": "db_down", "at": now, "since": now - 60}
        redis_client.publish(channel.channel_name(settings.namespace), json.dumps(status))
        stale = receive_until(socket, lambda m: m["type"] == "state" and m["state"] == "stale")
        assert stale["since"] == pytest.approx(now - 60)
        assert stale["badge"].startswith("◼ Stale since ")


def test_a_page_that_describes_its_tiles_gets_their_comparisons_and_status(
    server, settings, redis_client
):
    seq = put_value(redis_client, settings, 1100.0)
    with open_socket(server, {"Cookie": login_cookie(server)}) as socket:
        receive_until(socket, lambda m: m["type"] == "hello" and FIELD in m["values"])
        tiles = [
            {"id": "a", "field": FIELD, "metric": "net_revenue", "previous": [1000, None, 0]},
            {"id": "b", "field": FIELD, "metric": None, "previous": [2000], "better": "lower"},
            {"id": "c", "field": "no-such-field", "previous": [1]},
            {"id": "d"},  # malformed: dropped
        ]
        socket.send(json.dumps({"type": "tiles", "tiles": tiles}))
        told = receive_until(socket, lambda m: m["type"] == "tiles")["tiles"]
        assert set(told) == {"a", "b"}
        assert told["a"]["seq"] == seq
        lines = [(c["arrow"], c["text"], c["tone"]) for c in told["a"]["changes"]]
        assert lines == [("▲", "10.0%", "good"), ("", "—", "neutral"), ("", "—", "neutral")]
        assert [(c["arrow"], c["tone"]) for c in told["b"]["changes"]] == [("▼", "good")]

        seq = put_value(redis_client, settings, 900.0)  # every change of the field: again
        told = receive_until(socket, lambda m: m["type"] == "tiles")["tiles"]
        assert told["a"]["seq"] == seq
        assert told["a"]["changes"][0]["text"] == "10.0%"
        assert told["a"]["changes"][0]["tone"] == "bad"


def test_a_token_logs_the_socket_in_too(server):
    with open_socket(server, {"Authorization": f"token {server.token}"}) as socket:
        assert receive_until(socket, lambda m: True)["type"] == "hello"


@pytest.mark.parametrize(
    "headers",
    [None, {"Authorization": "token not-the-token"}, {"Cookie": "username-127-0-0-1=forged"}],
    ids=["nothing", "wrong token", "forged cookie"],
)
def test_without_login_the_socket_is_refused(server, headers):
    with pytest.raises(InvalidStatus) as refused:
        open_socket(server, headers)
    assert refused.value.response.status_code == 403


def test_a_socket_opened_by_another_site_is_refused(server):
    """A logged-in viewer's browser on another site's page sends the cookie, and that site's
    Origin: refused (no cross-site WebSocket hijacking)."""
    headers = {"Cookie": login_cookie(server), "Origin": "http://evil.example"}
    with pytest.raises(InvalidStatus) as refused:
        open_socket(server, headers)
    assert refused.value.response.status_code == 403


def hub_connections(redis_client, server: Server) -> int:
    """The Redis connections the server's live hub holds (named after its process)."""
    name = f"{CLIENT_NAME}-{server.process.pid}"
    return sum(1 for client in redis_client.client_list() if client.get("name") == name)


def test_the_server_holds_one_redis_connection_however_many_pages_are_open(server, redis_client):
    cookie = login_cookie(server)
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(open_socket(server, {"Cookie": cookie})) for _ in range(8)]
        for socket in sockets:
            receive_until(socket, lambda m: m["type"] == "hello")
        assert hub_connections(redis_client, server) == 1


@pytest.fixture
def crm(db: Engine) -> Engine:
    with db.begin() as conn:
        conn.execute(
            text(
                "insert into crm.branches values (1, 'DAL', 'Dallas', 'America/Chicago', "
                "'2020-01-01')"
            )
        )
    return db


@pytest.fixture
def live_worker(crm: Engine, settings: Settings, redis_client) -> Iterator[None]:
    """The live worker on the server's namespace, its first values in the snapshot."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            run_worker(settings, stop)
        except BaseException as exc:
            errors.append(exc)

    redis_client.hdel(channel.snapshot_key(settings.namespace), "net_revenue.today")
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not redis_client.hexists(channel.snapshot_key(settings.namespace), "net_revenue.today"):
        assert not errors and time.monotonic() < deadline, f"no snapshot in 30 s: {errors!r}"
        time.sleep(0.05)
    yield
    stop.set()
    thread.join(15)
    assert not errors, f"the live worker crashed: {errors!r}"


def test_a_crm_insert_reaches_the_socket_through_the_live_worker(server, crm, live_worker):
    with open_socket(server, {"Cookie": login_cookie(server)}) as socket:
        hello = receive_until(socket, lambda m: m["type"] == "hello")
        if hello["state"]["state"] != "live":
            receive_until(socket, lambda m: m["type"] == "state" and m["state"] == "live")
        before = hello["values"].get("net_revenue.today", {}).get("exact")
        with crm.begin() as conn:
            conn.execute(
                text(
                    "insert into crm.sales (id, lead_id, branch_id, sold_at, amount, "
                    "commission_rate, product, status) values (1, 1, 1, now(), 1234.56, 0.1, "
                    "'roof', 'active')"
                )
            )

        latest: dict[str, str] = {}

        def both_moved(message: dict) -> bool:
            for field, shown in (message.get("values") or {}).items():
                latest[field] = shown["exact"]
            wanted = ("net_revenue.today", "net_revenue.today@DAL")
            return all(latest.get(field) == "$1,234.56" for field in wanted)

        receive_until(socket, both_moved)
        assert before == "$0.00"
