"""Writing the audit trail and the access log. Services call these; nothing else writes those tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from gongzhi.core.actors import Actor
from gongzhi.core.models import AccessLog, AuditEntry
from gongzhi.core.pii import EncryptedTextField, blind_index

REDACTED = "〔已加密〕"


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe picture of a row for the audit trail, without personal data in clear.

    Encrypted columns appear as a short keyed digest, enough to see that a value changed and nothing
    more; blind indexes are left out; a model may list further fields to redact in ``AUDIT_REDACTED``
    (a person's name, say).
    """
    redacted = set(getattr(instance, "AUDIT_REDACTED", ()))
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name.endswith("_bidx") or field.name in {"created_at", "updated_at"}:
            continue
        value = getattr(instance, field.attname)
        if isinstance(field, EncryptedTextField) or field.name in redacted:
            data[field.name] = f"{REDACTED}{blind_index('audit', str(value))[:8]}" if value else ""
        elif isinstance(value, dt.date | dt.datetime):
            data[field.name] = value.isoformat()
        elif value is None or isinstance(value, bool | int | str | float | list | dict):
            data[field.name] = value
        else:
            data[field.name] = str(value)
    return data


def changed_only(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def audit_record(
    *,
    actor: Actor,
    action: str,
    target: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    label: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor_id=actor.user_id,
        actor_name=actor.username or "system",
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=label[:200],
        before=before or {},
        after=after or {},
        ip_address=actor.ip_address,
    )


def access_record(
    *,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: str = "",
    subject_label: str = "",
    fields: str = "",
    reason: str,
    row_count: int = 1,
) -> AccessLog:
    return AccessLog.objects.create(
        actor_id=actor.user_id,
        actor_name=actor.username,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_label=subject_label[:200],
        fields=fields,
        row_count=row_count,
        reason=reason[:300],
        ip_address=actor.ip_address,
    )
