"""The check-in code a volunteer's phone shows: short-lived and signed, like a TOTP code.

The QR code carries ``GZV:<volunteer number>:<6 digits>``; the same number and digits are printed under it,
so an organiser whose browser cannot scan types them instead. The digits are an HMAC (keyed by SECRET_KEY)
of the volunteer and the current minute, accepted for VALID_MINUTES, so a screenshot passed on to someone
else stops working within minutes and a guessed code works for nobody.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

PREFIX = "GZV"
STEP_SECONDS = 60
VALID_MINUTES = 5
# Tolerate an organiser's clock one step ahead of the server.
FUTURE_STEPS = 1
SALT = "gongzhi.volunteering.checkin"


@dataclass(frozen=True)
class CheckinCode:
    number: str
    code: str

    @property
    def payload(self) -> str:
        return f"{PREFIX}:{self.number}:{self.code}"


def _step(at: dt.datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def _code_for(volunteer_id: int, step: int) -> str:
    digest = salted_hmac(SALT, f"{volunteer_id}:{step}", algorithm="sha256").digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def checkin_code(*, volunteer_id: int, number: str, at: dt.datetime | None = None) -> CheckinCode:
    return CheckinCode(number=number, code=_code_for(volunteer_id, _step(at or timezone.now())))


def checkin_code_valid(*, volunteer_id: int, code: str, at: dt.datetime | None = None) -> bool:
    now = _step(at or timezone.now())
    steps = range(now - VALID_MINUTES + 1, now + FUTURE_STEPS + 1)
    # Compare against every step in the window, without stopping early, so timing tells nothing.
    matches = [constant_time_compare(_code_for(volunteer_id, step), code) for step in steps]
    return any(matches)


CODE_RE = re.compile(r"^(?:GZV:)?\s*([A-Z]{2}\d{6,12})\s*[:\s-]?\s*(\d{6})$")


def checkin_code_parse(text: str) -> CheckinCode | None:
    """What a scanner read or an organiser typed: the QR payload, or "number code" with any separator."""
    match = CODE_RE.match(" ".join(text.upper().split()))
    if match is None:
        return None
    return CheckinCode(number=match.group(1), code=match.group(2))
