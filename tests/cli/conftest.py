from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDVISIT_PASSWORD", "gridvisit-demo")
