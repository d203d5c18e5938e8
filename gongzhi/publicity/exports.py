"""The unread list of a notice as Excel, for the grid worker who goes door to door: name, address, masked
phone, state. An access-log row records each export."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.audit import access_record
from gongzhi.core.xlsx import Column, xlsx_response
from gongzhi.publicity import selectors
from gongzhi.publicity.models import Notice
from gongzhi.territory.selectors import place_labels

COLUMNS = [Column(_("姓名"), 10), Column(_("住址"), 30), Column(_("联系电话"), 14), Column(_("有无账号"), 8)]


def unread_export(*, actor: Actor, notice: Notice, grid_key: int | None, community_path: str) -> FileResponse:
    rows = list(
        selectors.recipient_list(
            actor=actor, notice=notice, grid_key=grid_key, community_path=community_path, state="unread"
        ).filter(person__isnull=False)
    )
    access_record(
        actor=actor,
        action="export",
        subject_type="publicity.recipient",
        subject_id=str(notice.pk),
        subject_label=notice.title,
        fields="name,address,phone_masked",
        reason=_("导出通知未读名单"),
        row_count=len(rows),
    )
    places = place_labels(paths=[r.org_path for r in rows])

    def lines() -> Iterator[Sequence[Any]]:
        for r in rows:
            person = r.person
            assert person is not None  # noqa: S101 - filtered above
            dwelling = person.household.dwelling if person.household and person.household.dwelling else None
            address = f"{places.get(r.org_path, '')} {dwelling.room if dwelling else ''}".strip()
            yield (person.name, address, person.phone_masked, _("有") if person.user_id else _("无"))

    now = timezone.localtime()
    return xlsx_response(
        filename=f"未读名单{notice.pk}-{now:%Y%m%d}.xlsx",
        title=_("未读名单：%(t)s") % {"t": notice.title},
        columns=COLUMNS,
        rows=lines(),
        notice=_("仅供入户告知使用。导出人：%(u)s，%(t)s")
        % {"u": actor.display_name or actor.username, "t": f"{now:%Y-%m-%d %H:%M}"},
    )
