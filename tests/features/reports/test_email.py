"""The report email: readable body with cid images, a text part, PDF and XLSX attached; addresses
and subjects that try to inject headers are refused."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest

from pulsebi.errors import UsageError
from pulsebi.reports.email import (
    MAX_BODY_BYTES,
    build_failure_message,
    build_report_message,
    render_subject,
    send_email,
    validate_address,
    validate_recipients,
)

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"


def parts_by_type(msg):
    return {part.get_content_type(): part for part in msg.walk() if not part.is_multipart()}


def test_report_email_arrives_with_cid_images_text_part_and_attachments(
    long_run, mail_settings, mailbox, tmp_path
):
    msg = build_report_message(mail_settings, long_run, ["manager.hou@pulse.example"])
    send_email(mail_settings, msg)
    (got,) = mailbox.wait_for(1)
    assert got["To"] == "manager.hou@pulse.example"
    assert got["Subject"] == "table_and_chart (branch=HOU, rows=120)"
    html = got.get_body(("html",)).get_content()
    assert len(html.encode()) < MAX_BODY_BYTES
    assert "$2,000.25" in html and "<script" not in html and "data:image" not in html
    cids = re.findall(r'src="cid:([^"]+)"', html)
    assert cids, "the chart is not in the body"
    images = {
        p["Content-ID"].strip("<>"): p for p in got.walk() if p.get_content_type() == "image/png"
    }
    assert set(cids) == set(images)
    assert images[cids[0]].get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    text = got.get_body(("plain",)).get_content()
    assert "$2,000.25" in text and "Revenue HOU" in text
    attachments = {a.get_filename(): a for a in got.iter_attachments()}
    assert set(attachments) == {"table-and-chart_HOU_120.pdf", "table-and-chart_HOU_120.xlsx"}
    pdf = next(a for name, a in attachments.items() if name.endswith(".pdf"))
    xlsx = next(a for name, a in attachments.items() if name.endswith(".xlsx"))
    (tmp_path / "r.pdf").write_bytes(pdf.get_content())
    pdf_text = subprocess.run(
        ["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "$2,000.25" in pdf_text
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.get_content()))["Revenue HOU"]
    assert sheet["B2"].value == 2000.25


@pytest.mark.parametrize(
    "address",
    [
        "boss@pulse.example\r\nBcc: everyone@pulse.example",
        "boss@pulse.example\nBcc: x@y.z",
        "a@b.example, c@d.example",
        "Boss <boss@pulse.example>",
        "not-an-address",
        "boss@pulse.example\x00",
        "boss@-pulse.example",
    ],
)
def test_addresses_that_are_not_a_single_plain_address_are_refused(address):
    with pytest.raises(UsageError):
        validate_address(address)


def test_recipients_are_deduplicated_and_required():
    assert validate_recipients(["a@pulse.example", "A@pulse.example"]) == ["a@pulse.example"]
    with pytest.raises(UsageError, match="no recipients"):
        validate_recipients([])


def test_subject_with_a_line_break_is_refused(mail_settings):
    with pytest.raises(UsageError, match="header injection"):
        build_failure_message(
            mail_settings, "owner@pulse.example", "Weekly\r\nBcc: evil@x.example", "body"
        )


def test_parameter_values_cannot_inject_headers_through_the_subject(long_run, mail_settings):
    long_run.parameters["branch"] = "HOU\r\nBcc: evil@x.example"
    try:
        with pytest.raises(UsageError, match="header injection"):
            build_report_message(mail_settings, long_run, ["m@pulse.example"])
    finally:
        long_run.parameters["branch"] = "HOU"


def report_cli(cli_env, mailbox, *args):
    env = dict(
        cli_env,
        PULSEBI_SMTP_HOST="127.0.0.1",
        PULSEBI_SMTP_PORT=str(mailbox.port),
        PULSEBI_SMTP_SENDER="reports@pulse.example",
    )
    return subprocess.run(
        ["pulsebi", "report", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_cli_refuses_an_injected_recipient_before_running_anything(cli_env, mailbox):
    result = report_cli(
        cli_env,
        mailbox,
        "run",
        str(NOTEBOOKS / "table_and_chart.ipynb"),
        "--to",
        "m@pulse.example\nBcc: evil@x.example",
    )
    assert result.returncode == 2
    assert "header injection" in result.stderr
    assert mailbox.messages == []


def test_cli_refuses_an_unknown_parameter_naming_the_known_ones(cli_env, mailbox):
    result = report_cli(
        cli_env, mailbox, "run", str(NOTEBOOKS / "table_and_chart.ipynb"), "-p", "brnch=DAL"
    )
    assert result.returncode == 2
    assert "unknown parameter 'brnch'" in result.stderr and "known: branch, rows" in result.stderr


def test_cli_runs_a_report_lists_outputs_and_mails_it(engine, cli_env, mailbox):
    result = report_cli(
        cli_env, mailbox, "run", str(NOTEBOOKS / "table_and_chart.ipynb"),
        "-p", "branch=DAL", "--format", "html", "--to", "dal@pulse.example",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert re.search(r"html\s+\S+/table-and-chart_DAL\.html", result.stdout)
    assert re.search(r"pdf\s+\S+/table-and-chart_DAL\.pdf", result.stdout)  # the email attaches it
    assert "sent to dal@pulse.example" in result.stdout
    (msg,) = mailbox.wait_for(1)
    assert "$1,000.25" in msg.get_body(("plain",)).get_content()
    history = report_cli(cli_env, mailbox, "history")
    assert re.search(r"adhoc\s+table_and_chart\.ipynb\s+branch=DAL\s+sent", history.stdout)


def test_a_body_too_large_for_mail_clients_falls_back_to_charts_and_attachments(
    settings, mail_settings
):
    from pulsebi.reports.execute import execute_report

    run = execute_report(settings, NOTEBOOKS / "table_and_chart.ipynb", {"rows": 1000})
    msg = build_report_message(mail_settings, run, ["m@pulse.example"])
    html = msg.get_body(("html",)).get_content()
    assert len(html.encode()) < MAX_BODY_BYTES
    assert "see the attached PDF" in html and 'src="cid:' in html
    assert "$1,000,250.00" in msg.get_body(("plain",)).get_content()  # the text part keeps all


def test_subject_templates_take_parameter_values_only():
    params = {"branch": "DAL"}
    assert render_subject("Weekly: {branch} {nope}", params) == "Weekly: DAL {nope}"
    assert render_subject("{branch.__class__}", params) == "{branch.__class__}"
