"""Writing the audit trail and the access log, and their retention purge. Services call these; nothing else writes
those tables (each row is appended to its table's hash chain, gongzhi/core/chain.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.chain import CHAINED_MODELS, PRUNE_ACTION, chain_append
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
    return chain_append(
        AuditEntry,
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
    return chain_append(
        AccessLog,
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


# Cybersecurity Law Art. 21 (logs kept at least six months), as auditors count it; the PostgreSQL trigger of
# migration core 0002 holds the same line.
MINIMUM_RETENTION_DAYS = 180


def logs_prune(*, days: int | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete the oldest access-log and audit rows older than ``days`` (never fewer than 180); rows deleted by table.

    Only an id prefix goes: up to the first row still within retention, and never the newest row, so each chain
    stays one run. When anything went, one audit entry per chain records its first row and that row's
    ``prev_hash``: the anchor chain_verify starts from. These entries are chained in turn, and written for every
    chain each time, so the latest anchor of a chain is never among the audit rows a purge deletes.
    """
    days = max(MINIMUM_RETENTION_DAYS, days if days is not None else settings.GONGZHI_ACCESS_LOG_RETENTION_DAYS)
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    pruned: dict[str, int] = {}
    with transaction.atomic():
        for model in CHAINED_MODELS:
            kept_from = (
                model.objects.filter(at__gte=cutoff).order_by("id").values_list("id", flat=True).first()
                or model.objects.order_by("-id").values_list("id", flat=True).first()
            )
            pruned[model._meta.db_table] = model.objects.prune_below(kept_from) if kept_from is not None else 0
        if not any(pruned.values()):
            return pruned
        for model in CHAINED_MODELS:
            first = model.objects.order_by("id").first()
            if first is None:
                continue
            audit_record(
                actor=Actor.system("prune-logs"),
                action=PRUNE_ACTION,
                target=first,
                after={
                    "anchor": first.prev_hash,
                    "deleted": pruned[model._meta.db_table],
                    "cutoff": cutoff.isoformat(),
                },
                label=_("%(log)s，保留%(days)d天") % {"log": model._meta.verbose_name, "days": days},
            )
    return pruned
