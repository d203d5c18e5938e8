"""Search helpers shared by the apps: prefix ranges and telling an ID, a phone and a name apart."""

from __future__ import annotations

import re
from enum import Enum

from django.db.models import Q

# Above every character in UTF-8 byte order, so [prefix, prefix + MAX_CHAR) holds exactly the strings
# that start with prefix, on a byte-order column (ByteOrderCharField), as an index range on both databases.
MAX_CHAR = "\U0010ffff"


def prefix_q(field_name: str, prefix: str) -> Q:
    return Q(**{f"{field_name}__gte": prefix, f"{field_name}__lt": prefix + MAX_CHAR})


class QueryKind(Enum):
    ID_NUMBER = "id"
    PHONE = "phone"
    PINYIN = "pinyin"
    NAME = "name"


def classify_query(text: str) -> tuple[QueryKind, str]:
    """What a search box query most likely is: an ID number, a phone number, pinyin or a name."""
    compact = re.sub(r"[\s\-]", "", text).upper()
    if re.fullmatch(r"\d{15}|\d{17}[\dX]|[HM]\d{8,10}|[A-Z]{3}\d{12}|[A-Z]{1,2}\d{7,9}", compact):
        return QueryKind.ID_NUMBER, compact
    if re.fullmatch(r"(\+|00)?\d{7,15}", compact):
        return QueryKind.PHONE, compact
    if re.fullmatch(r"[A-Za-z]+", text.strip()):
        return QueryKind.PINYIN, text.strip().lower()
    return QueryKind.NAME, " ".join(text.split())
