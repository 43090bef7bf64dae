"""The report email and its delivery over SMTP.

multipart/mixed
  multipart/alternative
    text/plain               the tables as text
    multipart/related
      text/html              compact body (`pulsebi_mail` template), images as cid: references
      image/png ...          charts, rasterized from SVG when needed
  application/pdf, .xlsx     attachments

Header values (subject, addresses) containing CR, LF or NUL are refused, never cleaned.
"""

from __future__ import annotations

import re
import smtplib
import ssl
import uuid
from collections.abc import Iterable, Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from pathlib import Path
from typing import Any

from pulsebi.errors import DeliveryDeferred, DeliveryRejected, DeliveryUncertain, UsageError
from pulsebi.settings import Settings

MAX_BODY_BYTES = 100_000
SMTP_TIMEOUT = 30
_ADDRESS = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
)
_HEADER_BREAKERS = re.compile(r"[\r\n\x00]")
ATTACHMENT_TYPES = {
    "pdf": ("application", "pdf"),
    "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "html": ("text", "html"),
}


def render_subject(template: str, parameters: dict[str, Any]) -> str:
    """`Weekly scorecard: {branch}` -> `Weekly scorecard: DAL` (only `{name}` of a parameter)."""
    return re.sub(
        r"\{([A-Za-z_][A-Za-z0-9_]*)\}",
        lambda m: str(parameters.get(m.group(1), m.group(0))),
        template,
    )


def check_header(name: str, value: str) -> str:
    """Refuse a header value that could inject headers (never cleaned).

    Parameters
    ----------
    name : str
        What the value is (``"subject"``, ``"address"``), for the message.
    value : str
        The header value.

    Returns
    -------
    str
        `value`, unchanged.

    Raises
    ------
    UsageError
        If `value` contains a carriage return, a line feed or a NUL character.
    """
    if _HEADER_BREAKERS.search(value):
        raise UsageError(f"{name} {value!r} contains a line break: refused (header injection)")
    return value


def validate_address(address: str) -> str:
    """A bare address (local@domain), strictly: no display names, lists or line breaks."""
    check_header("address", address)
    address = address.strip()
    if len(address) > 254 or not _ADDRESS.match(address) or parseaddr(address)[1] != address:
        raise UsageError(f"{address!r} is not a valid email address (expected name@example.com)")
    return address


def validate_recipients(recipients: Iterable[str]) -> list[str]:
    """Check the report's recipients: bare addresses, each once.

    Parameters
    ----------
    recipients : iterable of str
        Email addresses, each a bare ``name@example.com`` (no display name, no list, no line
        break; blanks around it are dropped).

    Returns
    -------
    list of str
        The addresses in the given order, stripped; one differing from an earlier one only in
        case is dropped.

    Raises
    ------
    UsageError
        If an address is not a valid bare address (or contains a line break), or there is
        none.
    """
    addresses: list[str] = []
    for item in recipients:
        address = validate_address(item)
        if address.lower() not in (a.lower() for a in addresses):
            addresses.append(address)
    if not addresses:
        raise UsageError("no recipients given (--to name@example.com)")
    return addresses


def _base_message(
    settings: Settings, recipients: Sequence[str], subject: str, message_id: str | None
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = check_header("subject", subject)
    msg["From"] = validate_address(settings.smtp_sender)
    msg["To"] = ", ".join(validate_recipients(recipients))
    msg["Message-ID"] = message_id or make_msgid(domain=_domain(settings.smtp_sender))
    return msg


def build_report_message(
    settings: Settings,
    run: Any,
    recipients: Sequence[str],
    *,
    subject: str | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    """The report email for an ExecutedRun whose files (pdf, xlsx...) are in run.outputs."""
    from pulsebi.reports.html import render_mail_html

    msg = _base_message(settings, recipients, subject or run.title, message_id)
    html, images = render_mail_html(run.notebook, run.title)
    token = uuid.uuid4().hex[:12]
    cids = {cid: f"{cid}.{token}@pulsebi" for cid, _ in images}
    for cid, full in cids.items():
        html = html.replace(f'src="cid:{cid}"', f'src="cid:{full}"')
    if len(html.encode("utf-8")) > MAX_BODY_BYTES:
        html = _oversized_body(run.title, list(cids.values()))
    msg.set_content(render_text(run))
    msg.add_alternative(html, subtype="html")
    html_part = msg.get_payload()[1]
    for cid, png in images:
        html_part.add_related(png, "image", "png", cid=f"<{cids[cid]}>", filename=f"{cid}.png")
    for fmt, path in run.outputs.items():
        if fmt in ("pdf", "xlsx"):
            maintype, subtype = ATTACHMENT_TYPES[fmt]
            msg.add_attachment(
                Path(path).read_bytes(),
                maintype=maintype,
                subtype=subtype,
                filename=Path(path).name,  # the report and its parameters (safe characters)
            )
    return msg


def build_failure_message(
    settings: Settings, owner: str, subject: str, body: str, *, message_id: str | None = None
) -> EmailMessage:
    msg = _base_message(settings, [owner], subject, message_id)
    msg.set_content(body)
    return msg


def render_text(run: Any) -> str:
    """The plain-text alternative: markdown text and every exported table, column-aligned."""
    parts = [run.title, "=" * len(run.title), ""]
    for cell in run.notebook.cells:
        if cell.cell_type == "markdown" and "remove-cell" not in cell.metadata.get("tags", []):
            parts += [cell.source.strip(), ""]
    for table in run.tables:
        parts += [table.name, "-" * len(table.name), _text_table(table), ""]
    attached = [f for f in run.outputs if f in ("pdf", "xlsx")]
    if attached:
        parts.append(f"Attached: {', '.join(attached)}.")
    return "\n".join(parts).strip() + "\n"


def _text_table(table: Any) -> str:
    def show(value: Any, unit: str | None) -> str:
        if value is None:
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            if unit == "usd":
                return f"${value:,.2f}"
            if unit == "rate":
                return f"{value:.1%}"
            if unit == "count":
                return f"{value:,.0f}"
        return str(value)

    rows = [[str(c) for c in table.columns]]
    rows += [
        [show(v, table.formats.get(c)) for v, c in zip(r, table.columns, strict=False)]
        for r in table.rows
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.rjust(w) if i else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=False))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def _oversized_body(title: str, cids: list[str]) -> str:
    images = "".join(f'<p><img src="cid:{cid}" style="max-width:100%"></p>' for cid in cids)
    return (
        f"<!DOCTYPE html><html><body><h2>{_escape(title)}</h2>"
        "<p>The tables are too large for an email body: see the attached PDF and workbook.</p>"
        f"{images}</body></html>"
    )


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def _domain(address: str) -> str:
    return Address(addr_spec=address).domain if "@" in address else "pulsebi.local"


def open_smtp(settings: Settings) -> smtplib.SMTP:
    """Connected (and, per settings, TLS-wrapped and logged-in) SMTP session.

    Any failure here happens before a message is handed over: DeliveryDeferred (retry later).
    """
    host, port = settings.smtp_host, settings.smtp_port
    smtp = None
    try:
        if settings.smtp_tls == "ssl":
            smtp = smtplib.SMTP_SSL(
                host, port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
        if settings.smtp_tls == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
    except smtplib.SMTPAuthenticationError as exc:
        smtp.close()
        raise DeliveryRejected(
            f"SMTP server {host}:{port} refused the login {settings.smtp_user!r}: {exc}; "
            "check PULSEBI_SMTP_USER / PULSEBI_SMTP_PASSWORD"
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        if smtp is not None:
            smtp.close()
        raise DeliveryDeferred(f"SMTP server {host}:{port} unreachable: {exc}") from None
    return smtp


def hand_over(smtp: smtplib.SMTP, msg: EmailMessage) -> None:
    """Send one message on an open session, classifying failures by what we know was sent:
    a server reply refusing it (4xx: DeliveryDeferred, 5xx: DeliveryRejected) means it was not
    accepted; a broken connection mid-transfer leaves it unknown (DeliveryUncertain)."""
    try:
        refused = smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        raise _refusal(exc.recipients) from None
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise DeliveryDeferred(f"SMTP server deferred the message: {exc}") from None
        raise DeliveryRejected(f"SMTP server refused the message: {exc}") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryUncertain(f"connection lost while sending: {exc}") from None
    if refused:
        raise DeliveryRejected(f"SMTP server refused some recipients: {refused}")


def _refusal(recipients: dict) -> Exception:
    codes = [code for code, _ in recipients.values()]
    if all(400 <= c < 500 for c in codes):
        return DeliveryDeferred(f"SMTP server deferred the recipients: {recipients}")
    return DeliveryRejected(f"SMTP server refused the recipients: {recipients}")


def send_email(settings: Settings, msg: EmailMessage) -> None:
    smtp = open_smtp(settings)
    try:
        hand_over(smtp, msg)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
