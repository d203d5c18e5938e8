"""Checking a campaign form's answers: what a worker typed becomes JSON-safe values, or a Chinese error
naming the question. Numbers and temperatures stay Decimal strings (never floats)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.campaigns.choices import FieldKind
from gongzhi.campaigns.models import CampaignField
from gongzhi.core.exceptions import DomainError

# A body temperature outside this range is a typing error, not a fever (°C).
TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")
YES = {"1", "true", "yes", "on", "是"}
NO = {"0", "false", "no", "off", "否"}


def _decimal(field: CampaignField, raw: str, error_field: str) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation as exc:
        raise DomainError(_("“%(label)s”请填写数字。") % {"label": field.label}, field=error_field) from exc
    if not value.is_finite():
        raise DomainError(_("“%(label)s”请填写数字。") % {"label": field.label}, field=error_field)
    low, high = field.min_value, field.max_value
    if field.kind == FieldKind.TEMPERATURE:
        low = TEMPERATURE_MIN if low is None else low
        high = TEMPERATURE_MAX if high is None else high
        value = value.quantize(Decimal("0.1"))
    if (low is not None and value < low) or (high is not None and value > high):
        raise DomainError(
            _("“%(label)s”应在 %(low)s 到 %(high)s 之间。")
            % {
                "label": field.label,
                "low": low if low is not None else "-∞",
                "high": high if high is not None else "∞",
            },
            field=error_field,
        )
    return value


def clean_answers(fields: Iterable[CampaignField], raw: Mapping[str, Any], *, prefix: str = "") -> dict[str, Any]:
    """Validate ``raw`` (question key → typed text) against the fields; unknown keys are dropped."""
    cleaned: dict[str, Any] = {}
    for field in fields:
        error_field = f"{prefix}{field.key}"
        value = raw.get(field.key)
        text = "" if value is None else str(value).strip()
        if not text:
            if field.is_required:
                raise DomainError(_("请填写“%(label)s”。") % {"label": field.label}, field=error_field)
            continue
        if field.kind in (FieldKind.NUMBER, FieldKind.TEMPERATURE):
            cleaned[field.key] = str(_decimal(field, text, error_field))
        elif field.kind == FieldKind.YES_NO:
            if text.lower() in YES:
                cleaned[field.key] = True
            elif text.lower() in NO:
                cleaned[field.key] = False
            else:
                raise DomainError(_("“%(label)s”请选择是或否。") % {"label": field.label}, field=error_field)
        elif field.kind == FieldKind.CHOICE:
            if text not in field.options:
                raise DomainError(_("“%(label)s”请从选项中选择。") % {"label": field.label}, field=error_field)
            cleaned[field.key] = text
        elif field.kind == FieldKind.DATE:
            try:
                cleaned[field.key] = dt.date.fromisoformat(text).isoformat()
            except ValueError as exc:
                raise DomainError(
                    _("“%(label)s”请填写日期（如 2026-03-01）。") % {"label": field.label}, field=error_field
                ) from exc
        else:
            if len(text) > 500:
                raise DomainError(_("“%(label)s”过长（最多500字）。") % {"label": field.label}, field=error_field)
            cleaned[field.key] = text
    return cleaned
