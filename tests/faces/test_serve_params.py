"""The page's query string as a dashboard kernel reads it (`pulsebi.serve.params`)."""

from __future__ import annotations

import pytest

from pulsebi.serve import params


@pytest.fixture
def query(monkeypatch):
    def use(text: str) -> None:
        monkeypatch.delenv("VOILA_PREHEAT", raising=False)
        monkeypatch.setenv("QUERY_STRING", text)
        monkeypatch.setattr(params, "_cached", None)

    return use


def test_the_first_value_of_each_key(query) -> None:
    query("branch=DAL&branch=AUS&preset=")
    assert params.request_params() == {"branch": "DAL", "preset": ""}


def test_the_login_token_never_reaches_the_page(query) -> None:
    query("token=s3cret&branch=DAL")
    assert params.request_params() == {"branch": "DAL"}
