"""The randomised fault run, short (the long one: ``python -m tests.fault_run --rounds 200``)."""

from __future__ import annotations

import pytest

from tests import fault_run
from tests.sync_harness import pg_base_url


def test_short_fault_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert fault_run.main(["--rounds", "15", "--seed", "2026", "--quiet"]) == 0
    assert "exactly once" in capsys.readouterr().out


@pytest.mark.pg
@pytest.mark.skipif(not pg_base_url(), reason="GRIDDESK_TEST_PG_URL is not set")
def test_short_fault_run_postgres(capsys: pytest.CaptureFixture[str]) -> None:
    assert fault_run.main(["--rounds", "10", "--seed", "2027", "--quiet", "--pg"]) == 0
    assert "exactly once" in capsys.readouterr().out
