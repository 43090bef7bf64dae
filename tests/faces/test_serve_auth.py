"""`pulsebi serve` refuses whoever has not logged in: pages, API and kernel WebSockets alike."""

from __future__ import annotations

import http.cookiejar
import re
import socket
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from serving import Server, free_port, start_server

pytestmark = pytest.mark.slow


_servers: dict[str, Server] = {}


@pytest.fixture(scope="module")
def _shared() -> Iterator[dict[str, Server]]:
    yield _servers
    for server in _servers.values():
        server.stop()
    _servers.clear()


@pytest.fixture
def server(cli_env, _shared, tmp_path_factory) -> Server:
    """One server for the module, started on first use with the test database (cli_env)."""
    if "main" not in _shared:
        log = tmp_path_factory.mktemp("serve-auth") / "serve.log"
        _shared["main"] = start_server(
            cli_env, log, preheat=("serve/hello.ipynb",), extra_env={"PULSEBI_SERVE_POOL": "1"}
        )
    return _shared["main"]


def a_kernel_id(server: Server) -> str:
    kernels = server.wait_for_kernels(lambda ks: len(ks) >= 1)  # the preheated one
    return kernels[0]["id"]


def connect_websocket(server: Server, kernel_id: str, token: str | None) -> None:
    url = f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels"
    headers = {"Authorization": f"token {token}"} if token else None
    with connect(url, additional_headers=headers, open_timeout=30):
        pass


def test_page_without_login_redirects_to_the_login_page(server):
    status, location = server.get("voila/render/serve/hello.ipynb", token=False)
    assert status == 302
    assert "/login" in location


def test_api_without_login_is_forbidden(server):
    assert server.get("api/kernels", token=False)[0] == 403


def test_wrong_token_is_refused(server):
    status, _ = server.get(f"api/kernels?token=not-{server.token}", token=False)
    assert status == 403


def test_kernel_websocket_without_login_is_refused(server):
    kernel_id = a_kernel_id(server)
    with pytest.raises(InvalidStatus) as refused:
        connect_websocket(server, kernel_id, token=None)
    assert refused.value.response.status_code == 403


def test_kernel_websocket_with_token_connects(server):
    connect_websocket(server, a_kernel_id(server), token=server.token)


def test_token_in_url_logs_in_and_a_cookie_keeps_the_login(server):
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with opener.open(f"{server.url}voila/render/serve/params.ipynb?token={server.token}") as page:
        assert page.status == 200
        assert 'class="pulsebi-header"' in page.read().decode()
    with opener.open(f"{server.url}api/kernels") as kernels:  # no token: the cookie
        assert kernels.status == 200


def test_template_override_from_the_url_is_off(server):
    status, body = server.get("voila/render/serve/params.ipynb?template=lab")
    assert status == 200
    assert "pulsebi-header" in body
    assert "cdn.jsdelivr.net" not in body


def test_password_login(cli_env, tmp_path):
    from jupyter_server.auth import passwd

    server = start_server(
        cli_env,
        tmp_path / "serve.log",
        token="",
        extra_env={"PULSEBI_SERVE_PASSWORD_HASH": passwd("s3cret-Pw")},
    )
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"{server.url}login") as login:
            form = login.read().decode()
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form).group(1)
        for password, expected in (("wrong", 401), ("s3cret-Pw", 200)):
            data = urllib.parse.urlencode({"_xsrf": xsrf, "password": password}).encode()
            try:
                with opener.open(f"{server.url}login?next=/api/kernels", data=data) as reply:
                    status = reply.status
            except urllib.error.HTTPError as error:
                status = error.code
            assert status == expected, password
    finally:
        server.stop()


def test_serve_refuses_a_port_in_use(cli_env, tmp_path):
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        env = {**cli_env, "PULSEBI_SERVE_TOKEN": "t"}
        result = subprocess.run(
            ["pulsebi", "serve", "--port", str(port), "--dir", str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 3
    assert f"port {port} is in use" in result.stderr
