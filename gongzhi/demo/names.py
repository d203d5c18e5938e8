"""Synthetic people: Chinese names, identity document numbers and phone numbers.

Everything is drawn from the caller's ``random.Random``, so one seed gives the same people on every run.
The given-name pools are small on purpose: the pinyin of a surname and of a given name is cached
(core.pinyin), and real name frequencies are lumpy anyway (there are a great many 张伟).
Numbers are synthetic but valid: 18-character numbers carry the GB 11643 MOD 11-2 check character, and
no number is handed out twice (the blind index of an ID number is unique in the registry).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from gongzhi.core.identity import Sex, check_char

# Rough relative frequencies of the commonest surnames, with the ones whose surname reading differs from
# the common reading (曾 单 解 仇 朴 区 查 翟) and two compound surnames, so pinyin search meets them.
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 720), ("李", 700), ("张", 680), ("刘", 520), ("陈", 450), ("杨", 310), ("黄", 230), ("赵", 220),
    ("吴", 200), ("周", 190), ("徐", 150), ("孙", 150), ("马", 140), ("朱", 130), ("胡", 120), ("郭", 120),
    ("何", 110), ("高", 105), ("林", 100), ("罗", 95), ("郑", 90), ("梁", 85), ("谢", 80), ("宋", 75),
    ("唐", 70), ("许", 70), ("韩", 68), ("冯", 65), ("邓", 64), ("曹", 62), ("彭", 60), ("曾", 58),
    ("肖", 56), ("田", 55), ("董", 55), ("袁", 52), ("潘", 50), ("于", 50), ("蒋", 50), ("蔡", 48),
    ("余", 48), ("杜", 47), ("叶", 46), ("程", 45), ("苏", 44), ("魏", 44), ("吕", 43), ("丁", 42),
    ("任", 42), ("沈", 40), ("姚", 40), ("卢", 39), ("姜", 38), ("崔", 37), ("钟", 36), ("谭", 35),
    ("陆", 34), ("汪", 33), ("范", 33), ("金", 32), ("石", 32), ("廖", 31), ("贾", 31), ("夏", 30),
    ("韦", 30), ("付", 29), ("方", 29), ("白", 28), ("邹", 28), ("孟", 27), ("熊", 27), ("秦", 26),
    ("邱", 26), ("江", 26), ("尹", 25), ("薛", 25), ("闫", 24), ("段", 24), ("雷", 23), ("侯", 23),
    ("龙", 22), ("史", 22), ("陶", 21), ("黎", 21), ("贺", 21), ("顾", 20), ("毛", 20), ("郝", 19),
    ("龚", 19), ("邵", 19), ("万", 18), ("钱", 18), ("严", 17), ("武", 17), ("戴", 17), ("莫", 15),
    ("孔", 15), ("向", 14), ("常", 14), ("葛", 12), ("翟", 8), ("单", 6), ("解", 5), ("欧阳", 6),
    ("仇", 4), ("查", 3), ("朴", 3), ("区", 2), ("司马", 2),
)  # fmt: skip


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Given names by sex and by generation: names follow fashions (建国 and 秀英 for the elderly, 子轩 and
# 欣怡 for children), and a 70-year-old called 梓涵 would look wrong on a screen.
GIVEN_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    (Sex.MALE, "elder"): _words(
        """
        建国 国庆 德胜 福生 保国 振华 德才 玉山 长林 有才 庆云 世杰
        树林 金宝 凤山 家顺 广才 永福 明德 志清 文华 正义 开明 学仁
        春生 洪军 援朝 卫国 秉章 俊德
        """
    ),
    (Sex.FEMALE, "elder"): _words(
        """
        秀英 桂兰 玉兰 桂英 秀兰 凤英 玉梅 淑珍 秀珍 素芬 兰英 翠花
        美华 桂芳 玉珍 金凤 淑英 素珍 月英 凤兰 桂珍 秀芳 玉英 爱华
        惠兰 玉芝 素英 冬梅 瑞芳 兰芳
        """
    ),
    (Sex.MALE, "middle"): _words(
        """
        伟 强 磊 军 勇 涛 斌 鹏 杰 超 波 辉 刚 健 明 峰 海涛
        志强 建军 永刚 晓东 海波 国栋 文斌 立新 红兵 建华 卫东 新民
        志刚 东升 宏伟 振宇 俊峰 国华 庆华 晓光 德明 少华 亚军
        """
    ),
    (Sex.FEMALE, "middle"): _words(
        """
        丽 静 敏 燕 艳 娟 霞 芳 萍 红 玲 丽娟 晓燕 春梅 海燕 雪梅
        慧 婷 丹 秀丽 红梅 晓红 丽华 桂香 美玲 小红 文静 玉洁 晓丽
        丽萍 海霞 晓梅 春燕 爱萍 丽君 淑芬 小燕 卫红 凤霞 雅琴
        """
    ),
    (Sex.MALE, "young"): _words(
        """
        浩然 子轩 宇航 俊杰 博文 一鸣 梓豪 浩宇 皓轩 子墨 思远 晨阳
        天佑 明轩 宇轩 浩轩 子豪 俊熙 铭泽 嘉豪 文博 弘毅 承泽 睿 昊
        轩 航 博 帅 鑫 家乐 梓睿 沐阳 奕辰 一帆 志远 子恒 宇辰 瑞霖
        景行
        """
    ),
    (Sex.FEMALE, "young"): _words(
        """
        子涵 欣怡 梓涵 诗涵 雨涵 可馨 一诺 语桐 思彤 若汐 佳怡 梦瑶
        欣妍 雨桐 紫萱 雨萱 晓彤 梓萱 诗琪 心怡 思雨 雅婷 欣然 悦 琪
        婧 瑶 颖 萌 倩 佳琪 静怡 梦琪 一涵 安琪 书瑶 语嫣 艺涵 芷若
        沐瑶
        """
    ),
}

# Citizens of minority nationalities whose names are not surname + given name, with where their ID
# numbers were issued (乌鲁木齐天山区, 拉萨城关区, 呼和浩特新城区).
MINORITY_NAMES: tuple[tuple[str, str, str], ...] = (
    ("阿依古丽·买买提", Sex.FEMALE, "650102"), ("买买提·吐尔逊", Sex.MALE, "650102"),
    ("热依拉·艾买提", Sex.FEMALE, "650102"), ("阿不都热合曼·艾力", Sex.MALE, "650102"),
    ("扎西顿珠", Sex.MALE, "540102"), ("格桑卓玛", Sex.FEMALE, "540102"), ("次仁多吉", Sex.MALE, "540102"),
    ("巴特尔", Sex.MALE, "150102"), ("乌兰图雅", Sex.FEMALE, "150102"), ("其木格", Sex.FEMALE, "150102"),
)  # fmt: skip


@dataclass(frozen=True)
class Foreigner:
    name: str
    sex: str
    nationality: str  # ISO 3166-1 numeric, as on the 2023 permanent-residence card
    passport_prefix: str
    phone_prefix: str
    phone_digits: int


FOREIGNERS: tuple[Foreigner, ...] = (
    Foreigner("Kim Minjun", Sex.MALE, "410", "M", "+8210", 8),
    Foreigner("Park Jiyeon", Sex.FEMALE, "410", "M", "+8210", 8),
    Foreigner("David Miller", Sex.MALE, "840", "5", "+1", 10),
    Foreigner("Sarah Johnson", Sex.FEMALE, "840", "5", "+1", 10),
    Foreigner("Tanaka Yuki", Sex.FEMALE, "392", "TZ", "+8190", 8),
    Foreigner("Nguyen Thi Lan", Sex.FEMALE, "704", "C", "+8490", 7),
    Foreigner("Olga Ivanova", Sex.FEMALE, "643", "75", "+79", 9),
    Foreigner("Thomas Weber", Sex.MALE, "276", "C", "+49151", 8),
)

# Where people's ID numbers were issued (the 6-digit area code at the time): mostly Bengbu's districts
# and counties, then the rest of Anhui, then the provinces people move from.
AREA_CODES: tuple[tuple[str, int], ...] = (
    ("340303", 340), ("340302", 120), ("340304", 90), ("340311", 80), ("340321", 100), ("340322", 55),
    ("340323", 60), ("340300", 20), ("340102", 12), ("340104", 10), ("341202", 14), ("341302", 14),
    ("340402", 10), ("341102", 8), ("340202", 6), ("342401", 6), ("320311", 8), ("320102", 5),
    ("370102", 5), ("410102", 6), ("411502", 4), ("330106", 4), ("310115", 4), ("110105", 3),
    ("420106", 3), ("440305", 3), ("510107", 2), ("230102", 2),
)  # fmt: skip
# Where children born here are registered.
LOCAL_AREA_CODES: tuple[tuple[str, int], ...] = (("340303", 70), ("340302", 15), ("340304", 10), ("340311", 5))

MOBILE_PREFIXES: tuple[str, ...] = tuple(
    str(p)
    for p in itertools.chain(
        range(130, 140), (145, 147, 150, 151, 152, 153, 155, 156, 157, 158, 159, 166, 173, 175, 176, 177),
        range(180, 190), (191, 198, 199),
    )
)  # fmt: skip
BENGBU_LANDLINE = "0552"
HMT_PREFIXES = {"hk": "810000", "mo": "820000", "tw": "830000"}
HMT_PHONE = {"hk": ("+852", 8), "mo": ("+853", 8), "tw": ("+886", 9)}


def generation(born: dt.date) -> str:
    if born.year < 1960:
        return "elder"
    if born.year < 1990:
        return "middle"
    return "young"


class Weighted:
    """rng.choices with the cumulative weights computed once."""

    def __init__(self, items: tuple[tuple[str, int], ...]) -> None:
        self.values = [value for value, _ in items]
        self.cum_weights = list(itertools.accumulate(weight for _, weight in items))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cum_weights)[0]


class NameMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._surnames = Weighted(SURNAMES)

    def surname(self) -> str:
        return self._surnames.pick(self.rng)

    def given(self, sex: str, born: dt.date) -> str:
        return self.rng.choice(GIVEN_NAMES[(sex or Sex.MALE, generation(born))])

    def full(self, sex: str, born: dt.date, *, surname: str | None = None) -> str:
        return (surname or self.surname()) + self.given(sex, born)

    def minority(self, sex: str) -> tuple[str, str]:
        """(name, area code where the ID was issued) of a citizen of a minority nationality."""
        name, _, area = self.rng.choice([m for m in MINORITY_NAMES if m[1] == sex])
        return name, area

    def foreigner(self, sex: str) -> Foreigner:
        return self.rng.choice([f for f in FOREIGNERS if f.sex == sex])


class NumberMaker:
    """Identity document numbers and phone numbers, each handed out once."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._areas = Weighted(AREA_CODES)
        self._local_areas = Weighted(LOCAL_AREA_CODES)
        # First 17 characters of every GB 11643 number given so far (legacy numbers in upgraded form):
        # the check character follows from them, and the registry's blind index is unique.
        self._used17: set[str] = set()
        self._used_other: set[str] = set()
        self._used_phones: set[str] = set()

    def area(self) -> str:
        return self._areas.pick(self.rng)

    def local_area(self) -> str:
        return self._local_areas.pick(self.rng)

    def _sequence(self, sex: str) -> int:
        # The third digit of the sequence is odd for men and even for women (GB 11643).
        return self.rng.randrange(0, 500) * 2 + (1 if sex == Sex.MALE else 0)

    def _gb11643(self, head: str, born: dt.date, sex: str) -> str:
        while True:
            first17 = f"{head}{born:%Y%m%d}{self._sequence(sex):03d}"
            if first17 not in self._used17:
                self._used17.add(first17)
                return first17 + check_char(first17)

    def citizen_id(self, area: str, born: dt.date, sex: str) -> str:
        return self._gb11643(area, born, sex)

    def legacy_citizen_id(self, area: str, born: dt.date, sex: str) -> str:
        """A 15-digit number (issued before 1999: two-digit year, no check character)."""
        while True:
            sequence = self._sequence(sex)
            upgraded17 = f"{area}{born:%Y%m%d}{sequence:03d}"
            if upgraded17 not in self._used17:
                self._used17.add(upgraded17)
                return f"{area}{born:%y%m%d}{sequence:03d}"

    def hmt_residence_permit(self, region: str, born: dt.date, sex: str) -> str:
        return self._gb11643(HMT_PREFIXES[region], born, sex)

    def foreign_pr(self, nationality: str, born: dt.date, sex: str) -> str:
        """The 2023 card: 9, the issuing province (34, Anhui), the nationality, birth date, sequence, check."""
        return self._gb11643(f"934{nationality}", born, sex)

    def passport(self, prefix: str) -> str:
        while True:
            number = prefix + "".join(self.rng.choices("0123456789", k=9 - len(prefix)))
            if number not in self._used_other:
                self._used_other.add(number)
                return number

    def mobile(self) -> str:
        while True:
            phone = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self._used_phones:
                self._used_phones.add(phone)
                return phone

    def landline(self) -> str:
        while True:
            phone = f"{BENGBU_LANDLINE}{self.rng.choice('2345678')}{self.rng.randrange(10**6):06d}"
            if phone not in self._used_phones:
                self._used_phones.add(phone)
                return phone

    def international(self, prefix: str, digits: int) -> str:
        while True:
            phone = prefix + f"{self.rng.randrange(10 ** (digits - 1), 10**digits)}"
            if phone not in self._used_phones:
                self._used_phones.add(phone)
                return phone
