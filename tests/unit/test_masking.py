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


# -- issue 16: every common way of writing a number is scrubbed -------------------------

# (as written in free text, the digits that must not survive, what is shown instead)
WRITTEN = [
    ("+8613987650001", "13987650001", "139****0001"),
    ("+86 139 8765 0002", "13987650002", "139****0002"),
    ("0086-139-8765-0003", "13987650003", "139****0003"),
    ("139-8765-0004", "13987650004", "139****0004"),
    ("139 8765 0005", "13987650005", "139****0005"),
    ("１３９８７６５０００６", "13987650006", "139****0006"),
    ("＋８６　１３９－８７６５－０００７", "13987650007", "139****0007"),
    ("13987650008", "13987650008", "139****0008"),
    ("0592-7650009", "05927650009", "0592-***0009"),
    ("110105491231002", "110105491231002", ID_REMOVED),  # 15-digit, before 1999
    ("110105 19491231 0021", "110105194912310021", ID_REMOVED),
    ("110105-19491231-002x", "11010519491231002", ID_REMOVED),
    ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002", ID_REMOVED),
    ("11010519491231002X", "11010519491231002", ID_REMOVED),
]


def leaked(text: str, secret: str) -> bool:
    """The secret's digits in `text`, however they are written (full width,
    spaces, dashes)."""
    import re
    import unicodedata

    flat = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text))
    return secret.upper() in flat.upper()


@pytest.mark.parametrize(("written", "secret", "shown"), WRITTEN, ids=[w[0] for w in WRITTEN])
def test_scrub_text_catches_every_common_format(written: str, secret: str, shown: str) -> None:
    for text in (written, f"居民说{written}。", f"门卫电话{written}", f"王五{written},张三"):
        out = scrub_text(text)
        assert not leaked(out, secret), out
        assert shown in out
    assert scrub_text(f"居民说{written}。").startswith("居民说")  # the rest is kept as written


@pytest.mark.parametrize(
    "kept",
    [
        "2026-11-22 召开会议",
        "3号楼2单元301室,门牌号12345678901234",
        "补助 3000 元,共 12 户",
        "１号楼漏水",  # full-width digits that are no number stay as typed
        "时间 10:30-11:00",
    ],
)
def test_scrub_text_leaves_other_numbers_alone(kept: str) -> None:
    assert scrub_text(kept) == kept
