"""SMTP from settings: STARTTLS with a login, against aiosmtpd with a certificate made for the
test (trusted through SSL_CERT_FILE). The certificate is verified: no plain-text fallback."""

from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import Iterator

import pytest

from pulsebi.reports.email import build_failure_message, send_email


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult

    ok = auth_data.login == b"reports" and auth_data.password == b"s3cret"
    return AuthResult(success=ok)


@pytest.fixture
def tls_server(certificate, monkeypatch, request) -> Iterator[tuple[Inbox, int, str]]:
    from aiosmtpd.controller import Controller

    cert, key = certificate
    monkeypatch.setenv("SSL_CERT_FILE", cert)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox, port = Inbox(), free_port()
    if request.param == "ssl":
        options = {"ssl_context": context, "server_hostname": "localhost"}
    else:
        options = {"tls_context": context, "require_starttls": True}
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_require_tls=True,
        **options,
    )
    controller.start()
    yield inbox, port, request.param
    controller.stop()


@pytest.mark.parametrize("tls_server", ["starttls"], indirect=True)
def test_mail_goes_over_tls_with_the_configured_login(settings, tls_server):
    inbox, port, mode = tls_server
    smtp = settings.replace(
        smtp_host="localhost",
        smtp_port=port,
        smtp_tls=mode,
        smtp_user="reports",
        smtp_password="s3cret",
        smtp_sender="reports@pulse.example",
    )
    send_email(smtp, build_failure_message(smtp, "owner@pulse.example", "TLS check", "body"))
    assert len(inbox.messages) == 1 and b"TLS check" in inbox.messages[0]


@pytest.mark.parametrize("tls_server", ["starttls"], indirect=True)
def test_an_untrusted_certificate_stops_the_mail(settings, tls_server, monkeypatch):
    from pulsebi.errors import DeliveryDeferred

    inbox, port, _ = tls_server
    monkeypatch.delenv("SSL_CERT_FILE")
    smtp = settings.replace(
        smtp_host="localhost",
        smtp_port=port,
        smtp_tls="starttls",
        smtp_sender="reports@pulse.example",
    )
    with pytest.raises(DeliveryDeferred, match="CERTIFICATE_VERIFY_FAILED"):
        send_email(smtp, build_failure_message(smtp, "o@pulse.example", "x", "y"))
    assert inbox.messages == []
