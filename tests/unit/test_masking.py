from __future__ import annotations

import pytest

from gridvisit.core.masking import ID_REMOVED, mask_id_number, mask_name, mask_phone, scrub_text


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


def test_scrub_text_removes_ids_masks_phones_and_known_names() -> None:
    text = "张三(身份证11010519491231002X,电话13812345678)说欧阳娜娜家漏水,门牌号12345678901234"
    out = scrub_text(text, ["张三", "欧阳娜娜", "李"])
    assert "11010519491231002X" not in out and ID_REMOVED in out
    assert "138****5678" in out and "13812345678" not in out
    assert "张*" in out and "欧***" in out and "张三" not in out
    assert "12345678901234" in out  # a long number that is neither stays
    assert scrub_text("张三说", ["张三"], mask_names=False) == "张三说"
