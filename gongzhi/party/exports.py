"""The member list as Excel: masked like the page (no ID number, no phone), with an access-log row."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.audit import access_record
from gongzhi.core.xlsx import Column, xlsx_response
from gongzhi.party import selectors
from gongzhi.party.models import Organisation

COLUMNS = [
    Column(_("姓名"), 10),
    Column(_("党员类别"), 10),
    Column(_("组织关系所在"), 30),
    Column(_("党小组"), 16),
    Column(_("入党日期"), 12),
    Column(_("亮身份"), 8),
]


def member_export(*, actor: Actor, organisation: Organisation) -> FileResponse:
    members = list(selectors.member_list(actor=actor, organisation=organisation))
    consents = selectors.current_consents(m.pk for m in members)
    access_record(
        actor=actor,
        action="export",
        subject_type="party.member",
        subject_id=str(organisation.pk),
        subject_label=organisation.name,
        fields="membership",
        reason=_("导出党员名册"),
        row_count=len(members),
    )

    def rows() -> Iterator[Sequence[Any]]:
        for m in members:
            yield (
                m.person.name,
                m.get_kind_display(),
                m.organisation_name,
                m.group.name if m.group else "",
                m.joined_on,
                _("是") if m.pk in consents else "",
            )

    now = timezone.localtime()
    notice = _("党员信息属受限数据，仅供本组织工作使用，不得外传。导出人：%(u)s，%(t)s") % {
        "u": actor.display_name or actor.username,
        "t": f"{now:%Y-%m-%d %H:%M}",
    }
    return xlsx_response(
        filename=f"{organisation.name}党员名册{now:%Y%m%d}.xlsx",
        title=_("党员名册"),
        columns=COLUMNS,
        rows=rows(),
        notice=notice,
    )
