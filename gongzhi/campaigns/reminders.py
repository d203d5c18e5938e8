"""Daily reminders of an open campaign: each grid worker with gaps is told, and when a grid stays behind
the campaign's pace for N days (GONGZHI_CAMPAIGN_BEHIND_DAYS), the next person up the compound's chain is
told, one step further up for every further N days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import Duty
from gongzhi.campaigns.choices import CampaignStatus
from gongzhi.campaigns.models import Campaign, CampaignGridTally, GridAssignment
from gongzhi.core.notifications import notify
from gongzhi.territory.chains import escalation_steps


@dataclass
class ReminderReport:
    workers_told: int = 0
    escalations: int = 0


def expected_permille(campaign: Campaign, today: dt.date) -> int:
    """Where a grid should be by today on a straight line from the first to the last day (per mille)."""
    days = (campaign.ends_on - campaign.starts_on).days + 1
    elapsed = min(max((today - campaign.starts_on).days + 1, 0), days)
    return elapsed * 1000 // days


def is_behind(tally: CampaignGridTally, expected: int) -> bool:
    if tally.households_total == 0:
        return False
    return tally.households_reached * 1000 < expected * tally.households_total


def _escalation_targets(tally: CampaignGridTally, workers: set[int], on: dt.date) -> list[list[int]]:
    """Steps up the chain above the grid's own workers, nearest first; each a list of user ids."""
    grid = tally.grid
    steps: list[list[int]] = []
    if grid.compound is not None:
        for step in escalation_steps(compound=grid.compound, grid=grid):
            users = [u.pk for u in step.users if u.pk not in workers]
            if users:
                steps.append(users)
    community = list(
        Duty.objects.filter(Duty.current_q(on), role=Role.COMMUNITY_WORKER, node_id=grid.community_id).values_list(
            "user_id", flat=True
        )
    )
    if community:
        steps.append(community)
    return steps


@transaction.atomic
def campaign_reminders(*, today: dt.date | None = None) -> ReminderReport:
    today = today or timezone.localdate()
    behind_days = settings.GONGZHI_CAMPAIGN_BEHIND_DAYS
    report = ReminderReport()
    for campaign in Campaign.objects.filter(status=CampaignStatus.OPEN, starts_on__lte=today):
        expected = expected_permille(campaign, today)
        workers: dict[int, set[int]] = {}
        for grid_id, user_id in GridAssignment.objects.filter(campaign=campaign, ended_at__isnull=True).values_list(
            "grid_id", "worker_id"
        ):
            workers.setdefault(grid_id, set()).add(user_id)
        url = reverse("campaigns:visit-list", args=[campaign.pk])
        for tally in CampaignGridTally.objects.filter(campaign=campaign).select_related("grid__compound"):
            missing = tally.households_total - tally.households_reached
            if missing > 0 and workers.get(tally.grid_id):
                report.workers_told += notify(
                    recipient_ids=workers[tally.grid_id],
                    kind="campaigns.gaps",
                    title=_("%(c)s：%(g)s还有 %(n)d 户未走访")
                    % {"c": campaign.title, "g": tally.grid.name, "n": missing},
                    body=_("未核查人员 %(p)d 人。") % {"p": tally.persons_total - tally.persons_checked},
                    url=f"{url}?grid={tally.grid_id}",
                    dedupe_key=f"campaigns.gaps:{campaign.pk}:{tally.grid_id}:{today.isoformat()}",
                )
            if not is_behind(tally, expected):
                if tally.behind_since is not None:
                    tally.behind_since = None
                    tally.save(update_fields=["behind_since"])
                continue
            if tally.behind_since is None:
                tally.behind_since = today
                tally.save(update_fields=["behind_since"])
            level = (today - tally.behind_since).days // behind_days
            if level < 1:
                continue
            steps = _escalation_targets(tally, workers.get(tally.grid_id, set()), today)
            if not steps:
                continue
            target = steps[min(level, len(steps)) - 1]
            sent = notify(
                recipient_ids=target,
                kind="campaigns.behind",
                title=_("%(c)s：%(g)s已连续 %(d)d 天落后于进度")
                % {"c": campaign.title, "g": tally.grid.name, "d": (today - tally.behind_since).days},
                body=_("已走访 %(r)d/%(t)d 户，应达到 %(e)s%%。")
                % {
                    "r": tally.households_reached,
                    "t": tally.households_total,
                    "e": f"{expected // 10}.{expected % 10}",
                },
                url=reverse("campaigns:missing-list", args=[campaign.pk, tally.grid_id]),
                dedupe_key=f"campaigns.behind:{campaign.pk}:{tally.grid_id}:{tally.behind_since.isoformat()}:{level}",
            )
            if sent:
                report.escalations += 1
                tally.escalated_on = today
                tally.save(update_fields=["escalated_on"])
    return report
