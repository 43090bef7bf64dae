"""`pulsebi serve` refuses whoever has not logged in: pages, API and kernel WebSockets alike;
its login page is Pulse BI's (one field, "wrong token" in place, back to the page asked for, never
to another site), for every deployment."""

from __future__ import annotations

import http.cookiejar
import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from serving import TOKEN, NoRedirect, Server, free_port, start_server

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


def post_login(server: Server, secret: str, next_: str | None) -> tuple[int, str]:
    """POST the login form (with its XSRF value); (status, Location or body), no redirects."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(f"{server.url}login") as login:
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', login.read().decode()).group(1)
    query = "?" + urllib.parse.urlencode({"next": next_}) if next_ is not None else ""
    data = urllib.parse.urlencode({"_xsrf": xsrf, "password": secret}).encode()
    try:
        with opener.open(f"{server.url}login{query}", data=data) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location") or error.read().decode()


def test_the_login_page_is_pulse_bis_and_asks_for_the_token_only(server):
    status, body = server.get("login?next=%2Fvoila%2Frender%2Fserve%2Fhello.ipynb", token=False)
    assert status == 200
    assert 'class="pulsebi-header"' in body and "<title>Log in · Pulse BI</title>" in body
    assert "voila/templates/pulsebi/static/pulsebi.css" in body
    fields = re.findall(r"<input\b[^>]*>", body)
    assert [f for f in fields if 'type="hidden"' not in f] == [
        re.search(r'<input type="password" id="password" name="password"[^>]*>', body).group(0)
    ]
    assert ">Token</label>" in body
    for stock in ("jupyter server list", "Setup a Password", "new_password", "Jupyter"):
        assert stock not in body


def test_a_wrong_token_says_so_on_the_login_page(server):
    status, body = post_login(server, f"not-{server.token}", "/voila/render/serve/hello.ipynb")
    assert status == 401
    assert "Wrong token. Try again." in body
    assert 'action="/login?next=%2Fvoila%2Frender%2Fserve%2Fhello.ipynb"' in body  # kept


def test_the_right_token_goes_to_the_page_asked_for(server):
    assert post_login(server, server.token, "/voila/render/serve/hello.ipynb") == (
        302,
        "/voila/render/serve/hello.ipynb",
    )


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example/",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "http:/evil.example",
        "evil.example",
        "/\t/evil.example",
    ],
)
def test_login_never_redirects_to_another_site(server, target):
    # (browsers drop a tab inside a URL: "/\t/evil.example" would become "//evil.example")
    assert post_login(server, server.token, target) == (302, "/")


def test_the_token_never_reaches_the_servers_log(server):
    for path in ("voila/render/serve/missing.ipynb", "", "api/kernels/nope"):
        server.get(f"{path}?a=1&token={server.token}", token=False)  # 404, 302, 404
    server.get("api/kernels", token=True)  # a header token
    output = server.output()
    assert "token=[secret]" in output  # the failed requests are logged...
    assert server.token not in output  # ...without the token


def test_logout_leads_back_to_the_login_page(server):
    status, location = server.get("logout", token=False)
    assert (status, location) == (302, "/login")


def test_safe_next_keeps_local_paths_only():
    from pulsebi.serve.login import safe_next

    assert safe_next("/voila/render/a.ipynb?branch=DAL", "/") == "/voila/render/a.ipynb?branch=DAL"
    assert safe_next("/x", "/base/") == "/base/"  # outside the server's base URL
    for bad in (None, "", "//evil.example/x", "https://evil.example", "/\\evil", "java\tscript:"):
        assert safe_next(bad, "/") == "/"


def test_the_cmo_deployment_logs_in_with_its_own_title(cli_env, tmp_path):
    port = free_port()
    log = tmp_path / "cmo.log"
    env = {**cli_env, "PULSEBI_SERVE_TOKEN": TOKEN}
    args = ["pulsebi", "serve", "--deployment", "cmo", "--port", str(port), "--dir", str(tmp_path)]
    with open(log, "ab") as out:  # its pages arrive later: an empty folder for now
        process = subprocess.Popen(
            args,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process=process, port=port, token=TOKEN, log=log, env=env)
    try:
        wait_until_answering(server)
        status, body = server.get("login", token=False)
        assert status == 200
        assert '<span class="pulsebi-brand">Pulse BI · Marketing</span>' in body
        assert post_login(server, TOKEN, "/") == (302, "/")
        assert server.get("")[0] == 200
    finally:
        server.stop()
    assert TOKEN not in server.output()  # not a terminal: no token in the log


def wait_until_answering(server: Server) -> None:
    for _ in range(300):
        if server.process.poll() is not None:
            raise AssertionError(f"pulsebi serve exited:\n{server.output()}")
        try:
            if server.get("login", token=False)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"pulsebi serve did not answer:\n{server.output()}")


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
        assert ">Password</label>" in form and "Token" not in form
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
