"""gridvisit/cli/ledger.py: `gridvisit ledger export|import`."""

from __future__ import annotations

import pytest

from gridvisit.cli import main
from gridvisit.exchange.ledger import expected_columns_text


def test_import_help_lists_the_roster_columns(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["ledger", "import", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "需要的列(第一行为表头):" in out
    assert expected_columns_text().splitlines()[0] in out
    for column in ("社区", "网格", "楼栋党小组", "楼栋", "室", "姓名"):
        assert column in out
