"""`pulsebi.serve.request_params()` outside a preheated kernel: the environment's query string."""

from __future__ import annotations

import pytest

from pulsebi.serve import params


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    monkeypatch.setattr(params, "_cached", None)
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.delenv("QUERY_STRING", raising=False)


def test_outside_voila_there_are_no_parameters():
    assert params.request_params() == {}


def test_cold_kernel_reads_the_query_string(monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    monkeypatch.setenv("QUERY_STRING", "branch=DAL&branch=HOU&grain=week&empty=")
    assert params.request_params() == {"branch": "DAL", "grain": "week", "empty": ""}


def test_the_login_token_never_reaches_the_page(monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "token=s3cret&branch=DAL")
    assert params.request_params() == {"branch": "DAL"}


def test_the_answer_is_a_copy(monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "branch=DAL")
    params.request_params()["branch"] = "changed"
    assert params.request_params() == {"branch": "DAL"}


# --- the kernel extension `pulsebi serve` loads into dashboard kernels ------------------------


def run_in_kernel(ipython_dir, code: str, stderr, env: dict[str, str]) -> list[dict]:
    """Start a python3 kernel as `pulsebi serve` does (its IPython profile), run `code`; the
    kernel's iopub messages (its stderr goes to `stderr`, as a kernel's goes to the server log)."""
    import os

    from jupyter_client.manager import KernelManager

    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(
        env={**os.environ, "IPYTHONDIR": str(ipython_dir), **env}, stderr=stderr, stdout=stderr
    )
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        messages = []
        client.execute_interactive(code, output_hook=messages.append, timeout=60)
        return messages
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_served_kernels_give_pages_the_query_string(tmp_path):
    from pulsebi.serve.kernel import write_kernel_profile

    code = "from pulsebi.dashboards.request import request_params\nprint(request_params())"
    with open(tmp_path / "kernel.log", "w") as log:
        messages = run_in_kernel(
            write_kernel_profile(tmp_path / "ipython"),
            code,
            log,
            {"VOILA_PREHEAT": "False", "QUERY_STRING": "branch=DAL&token=x"},
        )
    printed = "".join(m["content"].get("text", "") for m in messages)
    assert "{'branch': 'DAL'}" in printed  # the login token is the server's, never the page's


def test_a_crash_in_a_served_kernel_shows_an_id_whose_traceback_reaches_the_server_log(tmp_path):
    import re

    from pulsebi.serve.kernel import write_kernel_profile

    with open(tmp_path / "kernel.log", "w") as log:
        messages = run_in_kernel(
            write_kernel_profile(tmp_path / "ipython"), "1 / 0  # detail-3141", log, {}
        )
    [box] = [m["content"] for m in messages if m["msg_type"] == "display_data"]
    assert box["metadata"] == {"pulsebi": "error"}
    error_id = re.search(r"error id ([0-9a-f]{8})", box["data"]["text/html"]).group(1)
    assert "ZeroDivisionError" not in box["data"]["text/html"]
    server_log = (tmp_path / "kernel.log").read_text()
    line = next(line for line in server_log.splitlines() if error_id in line)
    assert "ERROR" in line and "a dashboard cell failed" in line
    after = server_log[server_log.index(error_id) :]
    assert "Traceback (most recent call last)" in after and "detail-3141" in after
    assert "ZeroDivisionError" in after


def test_a_viewers_mistake_in_a_served_kernel_is_said_as_is(tmp_path):
    from pulsebi.serve.kernel import write_kernel_profile

    code = "from pulsebi.errors import UsageError\nraise UsageError(\"branch 'XXX' is unknown\")"
    with open(tmp_path / "kernel.log", "w") as log:
        messages = run_in_kernel(write_kernel_profile(tmp_path / "ipython"), code, log, {})
    [box] = [m["content"] for m in messages if m["msg_type"] == "display_data"]
    assert "branch &#x27;XXX&#x27; is unknown" in box["data"]["text/html"]
    assert "pbi-notice" in box["data"]["text/html"]
    assert "Traceback" not in (tmp_path / "kernel.log").read_text()


def test_without_a_serving_face_pages_see_no_request_and_a_source_answers_copies():
    from pulsebi.dashboards import request

    assert request.request_params() == {}  # nothing serves this process
    request.set_request_source(lambda: {"branch": "DAL"})
    try:
        request.request_params()["branch"] = "changed"
        assert request.request_params() == {"branch": "DAL"}
    finally:
        request.set_request_source(None)
    assert request.request_params() == {}
