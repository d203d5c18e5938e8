"""The vote record as a workbook (表决统计表): the result on top, then the roll with who voted and, in
a named poll, what each voter chose. Only after closing: before that ``poll_result`` refuses, so no
file is ever written with a partial count."""

from __future__ import annotations

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.audit import access_record
from gongzhi.core.xlsx import Column, xlsx_response
from gongzhi.votes import selectors
from gongzhi.votes.choices import Channel, Electorate
from gongzhi.votes.models import Poll, PollResult
from gongzhi.votes.rules import area_text
from gongzhi.votes.services import result_summary


def poll_export(*, actor: Actor, poll: Poll) -> FileResponse:
    result = selectors.poll_result(actor=actor, poll=poll)
    questions = selectors.poll_questions(poll=poll)
    entries = list(selectors.roll_list(actor=actor, poll=poll))
    channels = selectors.roll_channels(actor=actor, poll=poll, voter_keys=[e.voter_key for e in entries])
    chosen: dict[str, dict[str, list[int]]] = {}
    if not poll.is_secret:
        chosen = {
            b.voter_key: b.choices for b in selectors.ballot_entries(actor=actor, poll=poll).standing() if b.voter_key
        }
    labels = {o.pk: o.label for q in questions for o in q.options.all()}
    owners = poll.electorate == Electorate.OWNERS
    columns = [Column(_("投票人"), width=36)]
    if owners:
        columns.append(Column(_("专有面积（㎡）"), width=14))
    columns += [Column(_("是否投票"), width=10), Column(_("方式"), width=10)]
    if not poll.is_secret:
        columns += [Column(f"{q.position}. {q.text}"[:60], width=18) for q in questions]

    def rows():  # type: ignore[no-untyped-def]
        for entry in entries:
            participation = channels.get(entry.voter_key)
            row: list[object] = [entry.label]
            if owners:
                row.append(area_text(entry.area_dm2))
            row += [
                _("是") if participation else _("否"),
                str(Channel(participation.channel).label) if participation else "",
            ]
            if not poll.is_secret:
                answer = chosen.get(entry.voter_key, {})
                row += ["、".join(labels[o] for o in answer.get(str(q.pk), [])) for q in questions]
            yield row

    access_record(
        actor=actor,
        action="export",
        subject_type="votes.poll",
        subject_id=str(poll.pk),
        subject_label=poll.title,
        fields="roll,ballots" if not poll.is_secret else "roll",
        reason=_("导出表决统计表"),
        row_count=len(entries),
    )
    summary = result_summary(PollResult(questions=result["questions"], ballots_counted=result["ballots"]))
    notice = _("%(t)s · 导出人：%(u)s · %(at)s\n%(s)s") % {
        "t": poll.title,
        "u": actor.username,
        "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "s": summary,
    }
    return xlsx_response(
        filename=f"表决统计表-{poll.pk}.xlsx", title=_("表决统计"), columns=columns, rows=rows(), notice=notice
    )
