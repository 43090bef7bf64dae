"""Report fixtures: a real SMTP server (aiosmtpd) on a free port, settings pointing at it, and a
module-wide executed run of the table-and-chart notebook."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from pulsebi.settings import Settings

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """aiosmtpd handler keeping every accepted message; start/stop simulate an SMTP outage."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.arrived = threading.Condition()
        self.controller = None

    async def handle_DATA(self, server, session, envelope) -> str:
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.arrived:
            self.messages.append(msg)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.arrived.notify_all()
        return "250 OK"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def wait_for(self, count: int, timeout: float = 120) -> list[EmailMessage]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
            return list(self.messages)

    def clear(self) -> None:
        with self.arrived:
            self.messages.clear()
            self.envelopes.clear()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(free_port())
    box.start()
    yield box
    box.stop()


@pytest.fixture(scope="module")
def module_mailbox() -> Iterator[Mailbox]:
    """One SMTP server for a whole module (its workers are started once)."""
    box = Mailbox(free_port())
    box.start()
    yield box
    box.stop()


@pytest.fixture
def mail_settings(settings: Settings, mailbox: Mailbox) -> Settings:
    return settings.replace(
        smtp_host="127.0.0.1", smtp_port=mailbox.port, smtp_sender="reports@pulse.example"
    )


@pytest.fixture(scope="module")
def long_run(settings: Settings):
    """table_and_chart.ipynb for HOU with 120 rows (several PDF pages), all formats written."""
    from pulsebi.reports.execute import execute_report
    from pulsebi.reports.sinks import write_outputs

    run = execute_report(
        settings, NOTEBOOKS / "table_and_chart.ipynb", {"branch": "HOU", "rows": 120}
    )
    write_outputs(run, ["html", "pdf", "xlsx"])
    return run
