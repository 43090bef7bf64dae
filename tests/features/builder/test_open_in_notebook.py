"""`pulsebi.builder.open()` in a notebook (as an analyst runs it in JupyterLab): a real kernel
shows the builder page's widget in the cell's output, on the database the settings name, with
the saved report asked for opened in it and the kernel's user as the one who saves."""

from __future__ import annotations

import getpass

import nbformat
from nbclient import NotebookClient

from pulsebi.builder import delete_report, save_report
from pulsebi.settings import Settings

WIDGET = "application/vnd.jupyter.widget-view+json"


def _run(source: str) -> list[dict]:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    NotebookClient(notebook, kernel_name="python3", timeout=120).execute()
    return notebook.cells[0].outputs


def test_the_builder_opens_a_saved_report_in_a_notebook(engine, settings: Settings, monkeypatch):
    spec = {"visual": "bar", "values": ["leads"], "x": "branch", "title": "Leads by branch"}
    saved = save_report(spec, by="ana", settings=settings)
    for name, value in settings.to_environ().items():  # as `pulsebi lab` starts the kernels
        monkeypatch.setenv(name, value)
    try:
        outputs = _run(
            "from pulsebi import builder\n"
            f"page = builder.open(report_id={saved.id})\n"
            "print(page.report_id, page.visual.value, page.owner, page.zones.zones['values'])"
        )
    finally:
        delete_report(saved.id, settings=settings)
    assert any(WIDGET in out.get("data", {}) for out in outputs)  # the page, as a widget
    [printed] = [out["text"] for out in outputs if out.get("name") == "stdout"]
    assert printed.split(" ", 3)[:3] == [str(saved.id), "bar", getpass.getuser()]
    assert "['leads']" in printed


def test_an_unknown_report_is_said_in_the_builder(engine, settings: Settings, monkeypatch):
    for name, value in settings.to_environ().items():
        monkeypatch.setenv(name, value)
    outputs = _run(
        "from pulsebi import builder\n"
        "page = builder.open(report_id=987654)\n"
        "print(page.report_id, '987654' in page.status.value)"
    )
    assert [out["text"] for out in outputs if out.get("name") == "stdout"] == ["None True\n"]
