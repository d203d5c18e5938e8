"""Identity documents and phone numbers (../shared/reference/domain-rules.md §4).

An identity is (document type, number). Numbers are validated per type; birth date and sex are derived
where the number carries them. The rules that matter most are the ones that must NOT reject:
- unknown 6-digit area codes (codes are the ones in force when the card was issued, so abolished
  counties stay valid forever): only the 2-digit province prefix is checked;
- legacy 15-digit citizen numbers;
- Hong Kong/Macau/Taiwan residence permits (810000/820000/830000, same MOD 11-2 check);
- the 2023 foreigner permanent-residence card (18 characters starting with 9, same check), including
  the official samples 932682198501010017 and 911124198108030024.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    CITIZEN_ID = "citizen_id", _("居民身份证")
    HMT_RESIDENCE_PERMIT = "hmt_residence", _("港澳台居民居住证")
    HMT_TRAVEL_PERMIT = "hmt_travel", _("港澳台居民来往内地通行证")
    FOREIGN_PR = "foreign_pr", _("外国人永久居留身份证")
    FOREIGN_PR_2017 = "foreign_pr_2017", _("外国人永久居留证（2017版）")
    PASSPORT = "passport", _("护照")
    MILITARY = "military", _("军人证件")
    OTHER = "other", _("其他证件")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
    UNKNOWN = "", _("未知")


class InvalidDocument(ValueError):
    """The number is not valid for its document type; the message is for the user, in Chinese."""


@dataclass(frozen=True)
class Document:
    type: DocumentType
    number: str  # as the person's card shows it, normalised (upper case, no spaces)
    search_key: str  # what the blind index is computed from: a legacy 15-digit number upgraded to 18
    birth_on: dt.date | None = None
    sex: str = Sex.UNKNOWN


WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# Province-level prefixes of GB/T 2260, plus 71 (Taiwan) and 81/82/83 used by residence permits.
PROVINCE_PREFIXES = frozenset(
    str(code)
    for code in (
        11,
        12,
        13,
        14,
        15,
        21,
        22,
        23,
        31,
        32,
        33,
        34,
        35,
        36,
        37,
        41,
        42,
        43,
        44,
        45,
        46,
        50,
        51,
        52,
        53,
        54,
        61,
        62,
        63,
        64,
        65,
        71,
        81,
        82,
        83,
    )
)
HMT_PREFIXES = ("81", "82", "83")
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of GB 11643."""
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalise_number(raw: str) -> str:
    return re.sub(r"[\s\-]", "", raw).upper()


def _birth_date(text: str, what: str | StrPromise, today: dt.date) -> dt.date:
    """``what`` stays lazy: translating it for every valid number cost a third of a ledger's parse."""
    try:
        born = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise InvalidDocument(
            _("%(what)s中的出生日期 %(date)s 不存在，请核对号码。") % {"what": what, "date": text}
        ) from None
    if born > today:
        raise InvalidDocument(_("%(what)s中的出生日期 %(date)s 晚于今天。") % {"what": what, "date": text})
    if born < EARLIEST_BIRTH:
        raise InvalidDocument(_("%(what)s中的出生日期 %(date)s 早于1900年。") % {"what": what, "date": text})
    return born


def _parse_gb11643(number: str, today: dt.date) -> Document:
    """An 18-character number with the MOD 11-2 check: citizen ID, HMT permit or 2023 foreign PR card."""
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise InvalidDocument(_("18位证件号码应为17位数字加1位校验码（数字或X），请核对。"))
    expected = check_char(number[:17])
    if number[17] != expected:
        raise InvalidDocument(
            _("证件号码校验位错误：按 GB 11643 计算最后一位应为 %(expected)s，实际为 %(actual)s，请核对号码。")
            % {"expected": expected, "actual": number[17]}
        )
    sex = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    if number[0] == "9":
        # 2023 foreigner PR card: 9 | province 2 | nationality 3 | birth 8 | sequence 3 | check.
        born = _birth_date(number[6:14], _("外国人永久居留身份证"), today)
        return Document(DocumentType.FOREIGN_PR, number, number, born, sex)
    if number[:2] not in PROVINCE_PREFIXES:
        raise InvalidDocument(_("证件号码前两位 %(prefix)s 不是有效的省级行政区划代码。") % {"prefix": number[:2]})
    born = _birth_date(number[6:14], _("证件号码"), today)
    kind = DocumentType.HMT_RESIDENCE_PERMIT if number.startswith(HMT_PREFIXES) else DocumentType.CITIZEN_ID
    return Document(kind, number, number, born, sex)


def upgrade_legacy_citizen_id(number15: str) -> str:
    """A 15-digit number (YYMMDD, no check) as the 18-digit number it became: insert 19, add the check."""
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_char(first17)


def _parse_legacy_citizen_id(number: str, today: dt.date) -> Document:
    if number[:2] not in PROVINCE_PREFIXES:
        raise InvalidDocument(
            _("15位身份证号码前两位 %(prefix)s 不是有效的省级行政区划代码。") % {"prefix": number[:2]}
        )
    born = _birth_date("19" + number[6:12], _("15位身份证号码"), today)
    sex = Sex.MALE if int(number[14]) % 2 else Sex.FEMALE
    return Document(DocumentType.CITIZEN_ID, number, upgrade_legacy_citizen_id(number), born, sex)


PATTERNS: dict[str, tuple[str, StrPromise]] = {
    DocumentType.HMT_TRAVEL_PERMIT: (
        r"[HM]\d{8}(\d{2})?|\d{8}(\d{2})?",
        _("港澳居民来往内地通行证为H或M加8位或10位数字，台湾居民来往大陆通行证为8位或10位数字。"),
    ),
    DocumentType.FOREIGN_PR_2017: (r"[A-Z]{3}\d{12}", _("2017版外国人永久居留证为3位字母国籍代码加12位数字。")),
    DocumentType.PASSPORT: (r"[A-Z0-9]{5,17}", _("护照号码应为5至17位字母或数字。")),
    DocumentType.MILITARY: (r"[A-Z0-9\u4e00-\u9fff]{4,30}", _("军人证件号码应为4至30位字母、数字或汉字。")),
    DocumentType.OTHER: (r"[A-Z0-9\u4e00-\u9fff]{4,30}", _("证件号码应为4至30位字母、数字或汉字。")),
}


def parse_document(doc_type: str, raw: str, *, today: dt.date | None = None) -> Document:
    """Validate a document number of the given type.

    A citizen-ID-shaped number declared as a citizen ID but carrying a residence-permit or
    foreign-PR prefix is returned under its true type rather than rejected: staff often file both
    under "身份证".
    """
    today = today or dt.date.today()
    number = normalise_number(raw)
    if not number:
        raise InvalidDocument(_("证件号码不能为空。"))
    gb11643_types = {DocumentType.CITIZEN_ID, DocumentType.HMT_RESIDENCE_PERMIT, DocumentType.FOREIGN_PR}
    if doc_type in gb11643_types:
        if doc_type == DocumentType.CITIZEN_ID and re.fullmatch(r"\d{15}", number):
            return _parse_legacy_citizen_id(number, today)
        if len(number) != 18:
            if doc_type == DocumentType.CITIZEN_ID:
                raise InvalidDocument(_("居民身份证号码应为18位（或旧版15位），实际为%(n)d位。") % {"n": len(number)})
            raise InvalidDocument(_("证件号码应为18位，实际为%(n)d位。") % {"n": len(number)})
        document = _parse_gb11643(number, today)
        if doc_type == DocumentType.FOREIGN_PR and document.type != DocumentType.FOREIGN_PR:
            raise InvalidDocument(_("外国人永久居留身份证号码以9开头。"))
        if doc_type == DocumentType.HMT_RESIDENCE_PERMIT and document.type != DocumentType.HMT_RESIDENCE_PERMIT:
            raise InvalidDocument(_("港澳台居民居住证号码以810000、820000或830000开头。"))
        return document
    if doc_type not in PATTERNS:
        raise InvalidDocument(_("未知的证件类型：%(type)s。") % {"type": doc_type})
    pattern, message = PATTERNS[doc_type]
    if not re.fullmatch(pattern, number):
        raise InvalidDocument(message)
    return Document(DocumentType(doc_type), number, f"{doc_type}:{number}")


# --- phone numbers --------------------------------------------------------------------------------

MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")
MAINLAND_LANDLINE = re.compile(r"0\d{2,3}\d{7,8}")
INTERNATIONAL = re.compile(r"\+[1-9]\d{6,14}")


class InvalidPhone(ValueError):
    pass


def parse_phone(raw: str) -> str:
    """Normalise a phone number: mainland mobile or landline as digits, others in E.164 (+852…)."""
    text = re.sub(r"[\s\-()（）]", "", raw)
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if MAINLAND_MOBILE.fullmatch(text) or MAINLAND_LANDLINE.fullmatch(text) or INTERNATIONAL.fullmatch(text):
        return text
    raise InvalidPhone(
        _("电话号码格式不正确：手机号应为1开头的11位数字，固话如 0552-1234567，境外号码请以 + 和国家/地区代码开头。")
    )


# --- organisations: 统一社会信用代码 (GB 32100-2015) ---------------------------------------------------

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def parse_credit_code(raw: str) -> str:
    """The unified social credit code, upper-cased without spaces, or InvalidDocument saying what is wrong."""
    code = "".join(raw.split()).upper()
    if len(code) != 18:
        raise InvalidDocument(_("统一社会信用代码应为18位，现为%(n)d位。") % {"n": len(code)})
    wrong = sorted({c for c in code if c not in CREDIT_CODE_CHARSET})
    if wrong:
        raise InvalidDocument(
            _("统一社会信用代码不使用字母 I、O、S、V、Z，也不含其他符号：%(chars)s。") % {"chars": "".join(wrong)}
        )
    if not code[2:8].isdigit():
        raise InvalidDocument(_("统一社会信用代码第3至8位应为行政区划代码（6位数字）。"))
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise InvalidDocument(
            _("统一社会信用代码校验位错误：按 GB 32100 计算最后一位应为 %(want)s，实际为 %(got)s，请核对。")
            % {"want": expected, "got": code[17]}
        )
    return code
