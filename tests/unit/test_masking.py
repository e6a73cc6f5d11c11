from __future__ import annotations

import pytest

from gridvisit.core.masking import mask_id_number, mask_name, mask_phone


def test_id_number_keeps_area_and_last_four() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("12345") == "*****"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812345678", "138****5678"),
        ("0592-7654321", "0592-***4321"),
        ("87654321", "****4321"),
        ("110", "110"),
    ],
)
def test_phone(raw: str, masked: str) -> None:
    assert mask_phone(raw) == masked


@pytest.mark.parametrize(("raw", "masked"), [("张三", "张*"), ("欧阳娜娜", "欧***"), ("", "")])
def test_name(raw: str, masked: str) -> None:
    assert mask_name(raw) == masked
