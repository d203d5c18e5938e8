"""Pinyin keys for names, stored in indexed columns so that search and sort work on both databases.

pypinyin reads a surname with its common reading (曾 → ceng, 单 → dan, 解 → jie, 仇 → chou, 朴 → pu,
区 → qu) and has no surname mode; PostgreSQL's ICU collation does the same. So the first character(s)
of a person's name go through the table below first. It is applied to names only, never globally.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Compound surnames come first: they are matched before single characters.
COMPOUND_SURNAMES = {
    "欧阳": ("ou", "yang"),
    "司马": ("si", "ma"),
    "上官": ("shang", "guan"),
    "诸葛": ("zhu", "ge"),
    "长孙": ("zhang", "sun"),
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "单于": ("chan", "yu"),
    "澹台": ("tan", "tai"),
    "令狐": ("ling", "hu"),
    "皇甫": ("huang", "fu"),
    "东方": ("dong", "fang"),
    "公孙": ("gong", "sun"),
    "慕容": ("mu", "rong"),
    "夏侯": ("xia", "hou"),
    "宇文": ("yu", "wen"),
    "西门": ("xi", "men"),
    "南宫": ("nan", "gong"),
    "呼延": ("hu", "yan"),
    "闻人": ("wen", "ren"),
}
SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "缪": "miao",
    "覃": "qin",
    "召": "shao",
    "种": "chong",
    "翟": "zhai",
    "尉": "yu",
    "秘": "bi",
    "繁": "po",
    "员": "yun",
    "长": "chang",
    "重": "chong",
    "晟": "cheng",
    "句": "gou",
    "祭": "zhai",
    "蕃": "pi",
    "宓": "mi",
    "过": "guo",
    "华": "hua",
    "纪": "ji",
    "朝": "chao",
    "沈": "shen",
    "柏": "bai",
    "任": "ren",
    "燕": "yan",
    "冼": "xian",
}


def split_surname(name: str) -> tuple[str, str]:
    if name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


@lru_cache(maxsize=65536)
def _syllables(text: str) -> tuple[str, ...]:
    return tuple(s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors="default") if s.strip())


def is_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def name_syllables(name: str) -> list[str]:
    name = name.strip()
    if not name:
        return []
    if not is_han(name):
        return [word.lower() for word in name.split()]
    surname, given = split_surname(name)
    if surname in COMPOUND_SURNAMES:
        head: tuple[str, ...] = COMPOUND_SURNAMES[surname]
    elif surname in SURNAME_READINGS:
        head = (SURNAME_READINGS[surname],)
    else:
        head = _syllables(surname)
    return [*head, *_syllables(given)]


def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin without spaces, initials): 曾小明 → ("zengxiaoming", "zxm")."""
    syllables = name_syllables(name)
    return "".join(syllables), "".join(s[0] for s in syllables if s)


def mask_name(name: str) -> str:
    """Keep the surname: 张* / 欧阳**; for a Latin-script name, the first word."""
    if not is_han(name):
        first, _, rest = name.strip().partition(" ")
        return first + (" " + "*" * len(rest) if rest else "")
    surname, given = split_surname(name)
    return surname + "*" * len(given)
