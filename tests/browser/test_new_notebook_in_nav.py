"""A notebook an analyst saves under a served folder (from `pulsebi lab`, say) is in the
dashboards' navigation from the next page load, without a restart, even on a page Voilà rendered
ahead for a preheated kernel before the file existed; its link opens it; `pulsebi report run`
runs it; deleted, its link is gone and so is its page. The navigation is replaced in the page
as it streams, wherever the stream cuts it."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from playwright.sync_api import expect

from pulsebi.serve.nav import NavRefresher, nav_links
from serving import Server, start_server

ROOT = Path(__file__).parents[2]
HELLO = ROOT / "tests" / "notebooks" / "serve" / "hello.ipynb"
PREHEATED = "notebooks/hello.ipynb"  # a light page beside the project's own
NEW = "notebooks/analyst_notes.ipynb"
NAV = ".pulsebi-nav a"
# One preheated kernel, kept while the page is open (a page closes its kernel with its beacon).
SERVE_ENV = {"PULSEBI_SERVE_POOL": "1", "PULSEBI_SERVE_CULL": "30", "PULSEBI_SERVE_CULL_EVERY": "1"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's served folders, plus hello.ipynb to reload."""
    copy = tmp_path / "project"
    for folder in ("notebooks", "scorecards"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns(".*"))
    shutil.copy(HELLO, copy / PREHEATED)
    return copy


@pytest.fixture
def server(project: Path, cli_env, engine, tmp_path: Path) -> Iterator[Server]:
    """`pulsebi serve` of the copy (its own: no other test shares these folders), hello.ipynb
    preheated, its pool filled before the test writes anything."""
    dirs = (project / "notebooks", project / "scorecards")
    served = start_server(
        cli_env, tmp_path / "serve.log", dirs=dirs, preheat=(PREHEATED,), extra_env=SERVE_ENV
    )
    try:
        kernels = served.wait_for_kernels(lambda found: len(found) >= 1)
        assert kernels, served.output()
        yield served
    finally:
        served.stop()


def save_notebook(path: Path) -> None:
    """What an analyst writes and saves in JupyterLab: a parameters cell, then pulsebi."""
    cells = [
        new_code_cell("static = False", metadata={"tags": ["parameters"]}),
        new_code_cell(
            "from IPython.display import HTML, display\n"
            "from pulsebi import metrics\n"
            "names = len(metrics.catalog())\n"
            "display(HTML(f'<div id=\"analyst-note\">{names} metrics in the catalog</div>'))"
        ),
    ]
    kernel = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": kernel}), path)


def nav_paths(page) -> list[str]:
    links = page.locator(NAV)
    return [links.nth(i).get_attribute("data-path") for i in range(links.count())]


def served_paths(project: Path) -> list[str]:
    """Every notebook of the copy the navigation lists (not those marked `"nav": false`, such
    as a saved report's page), in its order."""
    from pulsebi.serve.deployment import in_navigation

    found = []
    for folder in ("notebooks", "scorecards"):
        top = project / folder
        pages = [p for p in sorted(top.rglob("*.ipynb")) if in_navigation(p)]
        found += [f"{folder}/{p.relative_to(top).as_posix()}" for p in pages]
    return found


def test_a_saved_notebook_is_listed_served_and_run_then_gone_once_deleted(
    page, page_log, server, project, cli_env
) -> None:
    save_notebook(project / NEW)

    page.goto(server.page_url(PREHEATED, f"token={server.token}"))
    expect(page.locator("#marker")).to_have_text("branch ALL", timeout=60_000)
    assert nav_paths(page) == served_paths(project)  # the new one among them, in its place
    link = page.locator(f'{NAV}[data-path="{NEW}"]')
    expect(link).to_have_text("Analyst notes")

    link.click()
    page.wait_for_url(f"**/voila/render/{NEW}")
    expect(page.locator("#analyst-note")).to_contain_text("metrics in the catalog", timeout=60_000)
    expect(page.locator(f"{NAV}.active")).to_have_attribute("data-path", NEW)

    done = subprocess.run(
        ["pulsebi", "report", "run", NEW, "--format", "html"],
        env=cli_env,
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    html = next(line.split()[1] for line in done.stdout.splitlines() if line.split()[0] == "html")
    assert "metrics in the catalog" in Path(html).read_text()

    (project / NEW).unlink()
    page.goto(server.page_url(PREHEATED))  # the pool's page, rendered while the file was there
    expect(page.locator("#marker")).to_have_text("branch ALL", timeout=60_000)
    assert NEW not in nav_paths(page)
    assert nav_paths(page) == served_paths(project)
    assert server.get(f"voila/render/{NEW}")[0] == 404
    assert page_log.errors == []


def test_the_navigation_is_replaced_wherever_the_stream_cuts_the_page() -> None:
    pages = [{"path": "notebooks/a <b>.ipynb", "title": "A <b>", "section": "Notebooks"}]
    links = nav_links(pages, "/")
    assert 'href="/voila/render/notebooks/a%20%3Cb%3E.ipynb"' in links
    assert 'data-path="notebooks/a &lt;b&gt;.ipynb"' in links and ">A &lt;b&gt;</a>" in links
    head = '<html><head><script>var a = "<";</script></head><body><header>'
    nav = '<nav class="pulsebi-nav" aria-label="Dashboards">\n<a href="/old">Old</a>\n</nav>'
    tail = '</header><div id="rendered_cells"><p>cell</p></div></body></html>'
    page = head + nav + tail
    expected = head + '<nav class="pulsebi-nav" aria-label="Dashboards">' + links + "</nav>" + tail
    for first in range(len(page)):
        for second in range(first, len(page), 7):
            refresher = NavRefresher(links)
            pieces = (page[:first], page[first:second], page[second:])
            assert "".join(refresher.feed(p) for p in pieces) + refresher.close() == expected
    # A page without the navigation passes unchanged, nothing held once its cells begin.
    refresher = NavRefresher(links)
    assert refresher.feed(head + "<") == head  # maybe the navigation's start: held
    assert refresher.feed(tail) == "<" + tail
    assert refresher.feed("<p>more</p>") == "<p>more</p>"
