"""Detached processes (`pulsebi up`'s server and workers) get the parent's settings."""

import sys
import time

from pulsebi import processes
from pulsebi.settings import load_settings


def test_a_detached_process_reads_the_same_settings(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PULSEBI_DATA_DIR", raising=False)
    settings = load_settings({"PULSEBI_DATA_DIR": "relative-data", "PULSEBI_TZ": "Asia/Tokyo"})
    out = tmp_path / "seen.txt"
    code = (
        "import os, pathlib; from pulsebi.settings import load_settings; "
        f"os.chdir('/'); s = load_settings(); pathlib.Path({str(out)!r}).write_text("
        "f'{s.data_dir}|{s.tz}')"
    )
    processes.start_detached(settings, "probe", [sys.executable, "-c", code])
    deadline = time.monotonic() + 60
    while not out.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert out.read_text() == f"{tmp_path / 'relative-data'}|Asia/Tokyo"
    processes.stop_all(settings)
