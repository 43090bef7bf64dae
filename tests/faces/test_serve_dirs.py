"""What a server serves on disk (`pulsebi.serve.deployment.prepare_dirs`)."""

from __future__ import annotations

from pulsebi.serve.deployment import get_deployment, prepare_dirs
from pulsebi.settings import Settings


def test_two_servers_of_one_data_directory_keep_their_own_pages(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    folders = {}
    for name in ("first", "second"):
        folders[name] = tmp_path / name
        folders[name].mkdir()
        (folders[name] / f"{name}.ipynb").write_text("{}")
    main = get_deployment("main")
    first = main.replace(dirs=(str(folders["first"]),), home=None)
    second = main.replace(dirs=(str(folders["second"]),), home=None)
    root_1, _ = prepare_dirs(first, settings.replace(serve_port=9001))
    root_2, _ = prepare_dirs(second, settings.replace(serve_port=9002))
    assert root_1 != root_2
    assert (root_1 / "first" / "first.ipynb").is_file()  # not pruned by the second server
    assert (root_2 / "second" / "second.ipynb").is_file()
