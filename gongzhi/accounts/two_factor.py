"""TOTP enrolment and verification on django-otp, with recovery codes (static tokens)."""

from __future__ import annotations

import base64
import io
import secrets

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongzhi.accounts.models import User
from gongzhi.core.actors import Actor
from gongzhi.core.audit import audit_record

RECOVERY_CODE_COUNT = 8


def pending_totp_device(*, user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (made on first visit, reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="totp", confirmed=False)


def has_confirmed_device(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def qr_code_data_uri(url: str) -> str:
    """An SVG QR code as a data: URI (allowed by our CSP img-src), made on the server: no external service."""
    buffer = io.BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@transaction.atomic
def totp_confirm(*, actor: Actor, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm enrolment with a first code; returns fresh recovery codes, or None if the code is wrong."""
    if not device.verify_token(normalise_code(token)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    static, _created = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
    static.token_set.all().delete()
    # StaticToken holds 16 characters: 16 hex digits, shown in groups of four for reading aloud.
    codes = [secrets.token_hex(8) for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    audit_record(actor=actor, action="accounts.totp_enrol", target=user, label=user.username)
    return ["-".join(code[i : i + 4] for i in range(0, 16, 4)) for code in codes]


def normalise_code(token: str) -> str:
    return "".join(token.split()).replace("-", "").lower()


def otp_verify(*, request, user: User, token: str) -> bool:  # type: ignore[no-untyped-def]
    """Check a TOTP code or a recovery code and mark the session as verified."""
    device = match_token(user, normalise_code(token))
    if device is None:
        return False
    otp_login(request, device)
    return True
