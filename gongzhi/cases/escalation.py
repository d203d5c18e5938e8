"""Escalation of overdue cases up the compound's chain: 网格长 → 包保干部 → 包保领导.

A running clock (status dispatched) past its deadline escalates to the grid head at once, to the
responsible cadre (包保干部) a day later and to the lead cadre (包保领导) three days later. Each step
is one row per case × deadline × level under a unique constraint, so the same breach never
escalates twice at the same level, however often or concurrently the job runs; a new deadline (an
approved extension, a re-dispatch) is a new breach. The work is set-based — one INSERT … SELECT per
level over the partial index of running clocks — so a thousand overdue cases among a million take
well under a second. A level with nobody on duty is recorded with no one notified, and the case
moves on up the chain (escalation_steps in territory/chains.py leaves such gaps out the same way).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty
from gongzhi.cases.choices import Action, CaseStatus
from gongzhi.cases.models import Case, CaseCategory, CaseEscalation, CaseEvent
from gongzhi.core.models import Notification


@dataclass(frozen=True)
class Step:
    level: int
    role: str
    after: dt.timedelta


LADDER = (
    Step(1, Role.GRID_HEAD, dt.timedelta(0)),
    Step(2, Role.RESPONSIBLE_CADRE, dt.timedelta(hours=24)),
    Step(3, Role.LEAD_CADRE, dt.timedelta(hours=72)),
)
MAX_LEVEL = LADDER[-1].level  # the partial index case_running_deadline covers escalation_level < MAX_LEVEL

INSERT_SQL = """
INSERT INTO cases_caseescalation (case_id, deadline_at, level, role, at, notified)
SELECT id, deadline_at, %s, %s, %s, 0 FROM cases_case
WHERE status = %s AND escalation_level < %s AND deadline_at <= %s
ON CONFLICT (case_id, deadline_at, level) DO NOTHING
RETURNING case_id
"""
UPDATE_SQL = """
UPDATE cases_case SET escalation_level = %s
WHERE status = %s AND escalation_level < %s AND deadline_at <= %s
"""


def _recipients(step: Step, rows: list[tuple[int, int | None, int | None]]) -> dict[int, list[int]]:
    """case id → user ids holding the step's role over the case's grid (grid head) or compound (cadres)."""
    on = timezone.localdate()
    duties = Duty.objects.filter(Duty.current_q(on), role=step.role, user__is_active=True)
    by_place: dict[int, list[int]] = defaultdict(list)
    if step.role == Role.GRID_HEAD:
        grids = {grid for _c, grid, _p in rows if grid is not None}
        for user_id, grid_id in duties.filter(grid_id__in=grids).values_list("user_id", "grid_id"):
            by_place[grid_id].append(user_id)
        return {case_id: by_place.get(grid or 0, []) for case_id, grid, _p in rows}
    compounds = {compound for _c, _g, compound in rows if compound is not None}
    for user_id, node_id in duties.filter(node_id__in=compounds).values_list("user_id", "node_id"):
        by_place[node_id].append(user_id)
    return {case_id: by_place.get(compound or 0, []) for case_id, _g, compound in rows}


def cases_escalate(*, now: dt.datetime | None = None) -> int:
    """Escalate every overdue running case one or more levels; returns the number of escalations made."""
    now = now or timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    made = 0
    with transaction.atomic():
        for step in LADDER:
            cutoff = now - step.after
            params: list[Any] = [str(CaseStatus.DISPATCHED), step.level, adapt(cutoff)]
            with connection.cursor() as cursor:
                cursor.execute(INSERT_SQL, [step.level, step.role, adapt(now), *params])
                case_ids = [row[0] for row in cursor.fetchall()]
                cursor.execute(UPDATE_SQL, [step.level, *params])
            if not case_ids:
                continue
            made += len(case_ids)
            rows = list(
                Case.objects.filter(pk__in=case_ids).values_list(
                    "pk", "grid_id", "compound_id", "category_id", "deadline_at"
                )
            )
            names = dict(CaseCategory.objects.values_list("pk", "name"))
            recipients = _recipients(step, [(pk, grid, compound) for pk, grid, compound, _cat, _d in rows])
            role_label = Role(step.role).label
            note = _("超过处置时限，升级至%(role)s") % {"role": role_label}
            CaseEvent.objects.bulk_create(
                CaseEvent(
                    case_id=pk,
                    at=now,
                    actor_name="system:escalation",
                    action=Action.ESCALATE,
                    from_status=CaseStatus.DISPATCHED,
                    to_status=CaseStatus.DISPATCHED,
                    note=note,
                )
                for pk, *_rest in rows
            )
            notices = []
            for pk, _grid, _compound, category_id, deadline_at in rows:
                title = _("事件超期未办：%(c)s（#%(n)d）") % {"c": names.get(category_id, ""), "n": pk}
                url = reverse("cases:case-detail", args=[pk])
                for user_id in recipients.get(pk, []):
                    notices.append(
                        Notification(
                            recipient_id=user_id,
                            kind="case-escalation",
                            title=title[:200],
                            body=note,
                            url=url,
                            # One notice per breach and level: a new deadline is a new breach.
                            dedupe_key=f"case-escalation:{pk}:{step.level}:{deadline_at:%Y%m%d%H%M%S}",
                        )
                    )
            Notification.objects.bulk_create(notices, ignore_conflicts=True, batch_size=1000)
            _record_notified(step.level, case_ids, recipients)
    return made


def _record_notified(level: int, case_ids: list[int], recipients: dict[int, list[int]]) -> None:
    """Keep how many people each escalation reached (0 marks a gap in the chain)."""
    by_count: dict[int, list[int]] = defaultdict(list)
    for case_id in case_ids:
        by_count[len(recipients.get(case_id, []))].append(case_id)
    for count, ids in by_count.items():
        if count:
            CaseEscalation.objects.filter(case_id__in=ids, level=level, notified=0).update(notified=count)
