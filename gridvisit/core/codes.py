"""Standard code lists of the population registers grid offices keep (no Qt, no database).

- 民族: GB/T 3304 (56 nationalities, 97 其他, 98 外国血统中国籍人士);
- 政治面貌: GB/T 4762 (01 中共党员 … 13 群众);
- 与户主关系: GB/T 4761 家庭关系代码.

Each list is looked up by its code or its name (the standard's full name or the short
one offices write): `ETHNICITY.lookup("汉族")`, `ETHNICITY.lookup("01")`. Residents
store the code of 民族 and 政治面貌 and the name of 与户主关系 (the column was text
before the list). `is_party_member` is derived from 政治面貌 here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodeList:
    title: str
    entries: tuple[Code, ...]
    _index: dict[str, Code] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Code] = {}
        for entry in self.entries:
            index[entry.code] = entry
            index.setdefault(entry.name, entry)
            for alias in entry.aliases:
                index.setdefault(alias, entry)
        object.__setattr__(self, "_index", index)

    def __iter__(self) -> Iterator[Code]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, text: str) -> Code | None:
        """The entry whose code, name or alias is `text` (spaces ignored; a one-digit
        code may drop its leading zero, as spreadsheets do: 1 → 01)."""
        key = "".join(str(text).split())
        if not key:
            return None
        found = self._index.get(key)
        if found is None and key.isdigit() and len(key) == 1:
            found = self._index.get("0" + key)
        return found

    def code_of(self, text: str) -> str:
        """The code for a code or name; ValueError if it is in neither."""
        found = self.lookup(text)
        if found is None:
            raise ValueError(text)
        return found.code

    def name_of(self, code: str) -> str:
        """The name of a code; the text itself if it is not a code of this list."""
        found = self._index.get(code)
        return found.name if found is not None and found.code == code else code


def _codes(pairs: str) -> tuple[Code, ...]:
    out = []
    for item in pairs.split():
        code, _, names = item.partition(":")
        name, *aliases = names.split("/")
        out.append(Code(code, name, tuple(aliases)))
    return tuple(out)


ETHNICITY = CodeList(
    "民族",
    _codes(
        "01:汉族/汉 02:蒙古族/蒙古 03:回族/回 04:藏族/藏 05:维吾尔族/维吾尔 06:苗族/苗 "
        "07:彝族/彝 08:壮族/壮 09:布依族/布依 10:朝鲜族/朝鲜 11:满族/满 12:侗族/侗 "
        "13:瑶族/瑶 14:白族/白 15:土家族/土家 16:哈尼族/哈尼 17:哈萨克族/哈萨克 "
        "18:傣族/傣 19:黎族/黎 20:傈僳族/傈僳 21:佤族/佤 22:畲族/畲 23:高山族/高山 "
        "24:拉祜族/拉祜 25:水族 26:东乡族/东乡 27:纳西族/纳西 28:景颇族/景颇 "
        "29:柯尔克孜族/柯尔克孜 30:土族 31:达斡尔族/达斡尔 32:仫佬族/仫佬 33:羌族/羌 "
        "34:布朗族/布朗 35:撒拉族/撒拉 36:毛南族/毛南 37:仡佬族/仡佬 38:锡伯族/锡伯 "
        "39:阿昌族/阿昌 40:普米族/普米 41:塔吉克族/塔吉克 42:怒族/怒 43:乌孜别克族/乌孜别克 "
        "44:俄罗斯族 45:鄂温克族/鄂温克 46:德昂族/德昂 47:保安族/保安 48:裕固族/裕固 "
        "49:京族 50:塔塔尔族/塔塔尔 51:独龙族/独龙 52:鄂伦春族/鄂伦春 53:赫哲族/赫哲 "
        "54:门巴族/门巴 55:珞巴族/珞巴 56:基诺族/基诺 97:其他/其他民族 "
        "98:外国血统中国籍人士/外国血统"
    ),
)

POLITICAL_STATUS = CodeList(
    "政治面貌",
    _codes(
        "01:中共党员/中国共产党党员/党员 02:中共预备党员/中国共产党预备党员/预备党员 "
        "03:共青团员/中国共产主义青年团团员/团员 04:民革会员/中国国民党革命委员会会员 "
        "05:民盟盟员/中国民主同盟盟员 06:民建会员/中国民主建国会会员 "
        "07:民进会员/中国民主促进会会员 08:农工党党员/中国农工民主党党员 "
        "09:致公党党员/中国致公党党员 10:九三学社社员 11:台盟盟员/台湾民主自治同盟盟员 "
        "12:无党派人士/无党派民主人士 13:群众"
    ),
)

RELATION = CodeList(
    "与户主关系",
    _codes(
        "01:本人 02:户主 10:配偶 11:夫 12:妻 20:子/儿子 21:独生子 22:长子 23:次子 24:三子 "
        "25:四子 26:五子 27:养子或继子 28:女婿 29:其他儿子 30:女/女儿 31:独生女 32:长女 "
        "33:次女 34:三女 35:四女 36:五女 37:养女或继女 38:儿媳 39:其他女儿 "
        "40:孙子、孙女或外孙子、外孙女/孙辈 41:孙子 42:孙女 43:外孙子 44:外孙女 "
        "45:孙媳妇或外孙媳妇 46:孙女婿或外孙女婿 47:曾孙子或外曾孙子 48:曾孙女或外曾孙女 "
        "49:其他孙子、孙女或外孙子、外孙女 50:父母 51:父亲 52:母亲 53:公公 54:婆婆 "
        "55:岳父 56:岳母 57:继父或养父 58:继母或养母 59:其他父母关系 "
        "60:祖父母或外祖父母 61:祖父 62:祖母 63:外祖父 64:外祖母 "
        "65:配偶的祖父母或外祖父母 66:曾祖父 67:曾祖母 68:配偶的曾祖父母或外曾祖父母 "
        "69:其他祖父母或外祖父母关系 70:兄弟姐妹 71:兄 72:嫂 73:弟 74:弟媳 75:姐姐 "
        "76:姐夫 77:妹妹 78:妹夫 79:其他兄弟姐妹 80:其他 81:伯父 82:伯母 83:叔父 "
        "84:婶母 85:舅父 86:舅母 87:姨父 88:姨母 89:姑父 90:姑母 91:堂兄弟、堂姐妹 "
        "92:表兄弟、表姐妹 93:侄子 94:侄女 95:外甥 96:外甥女 97:其他亲属 99:非亲属"
    ),
)

PARTY_MEMBER = "01"
PROBATIONARY_PARTY_MEMBER = "02"
MASSES = "13"
"""群众: the 政治面貌 of a resident not recorded otherwise."""

_PARTY_CODES = frozenset({PARTY_MEMBER, PROBATIONARY_PARTY_MEMBER})


def is_party_member(political_status: str) -> bool:
    """The party-member flag many lists and counts read: 中共党员 or 中共预备党员."""
    return political_status in _PARTY_CODES


def political_status_for_flag(flag: bool, current: str = MASSES) -> str:
    """The 政治面貌 a writer that only knows the party-member flag means (an old package,
    an old ledger): the current one when it agrees with the flag, else 中共党员 / 群众."""
    if is_party_member(current) == flag:
        return current
    return PARTY_MEMBER if flag else MASSES


def relation_name(text: str) -> str:
    """与户主关系 as stored: the list's name for a code or name; other text as written."""
    found = RELATION.lookup(text)
    return found.name if found is not None else text.strip()
