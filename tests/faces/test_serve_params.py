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


def test_the_answer_is_a_copy(monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "branch=DAL")
    params.request_params()["branch"] = "changed"
    assert params.request_params() == {"branch": "DAL"}
