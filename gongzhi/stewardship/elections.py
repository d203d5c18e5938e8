"""Electing an owners' committee through the vote engine.

The subdistrict registers the new term (services.term_open), then opens its election: an owners' poll
(electorate OWNERS, scope the compound) with one question per candidate under the Civil Code Art. 278
rule for "选举业主委员会或者更换业主委员会成员", an ordinary matter — owners holding two thirds of the
area and two thirds of the heads take part, and a candidate needs more than half of the participating
area and of the participating owners. The poll runs its course in the votes module (notice, open, count,
publish). Once published, election_apply seats every candidate whose question passed as a 委员; the
committee then chooses its 主任 and 副主任 from among its members (member_position_set).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.audit import audit_record
from gongzhi.core.exceptions import DomainError
from gongzhi.registry.models import Person
from gongzhi.stewardship.choices import Position
from gongzhi.stewardship.models import CommitteeCandidate, CommitteeMember, CommitteeTerm
from gongzhi.stewardship.services import (
    MAX_MEMBERS,
    ensure_owner,
    ensure_register,
    member_add,
    owns_in_compound,
)
from gongzhi.votes import services as votes
from gongzhi.votes.choices import Electorate, Matter, PollStatus, TallyRule
from gongzhi.votes.models import Poll


@dataclass
class ElectionOutcome:
    members: list[CommitteeMember] = field(default_factory=list)
    not_elected: list[str] = field(default_factory=list)
    # Elected, but no longer an owner of the compound when the result was applied: not seated.
    not_seated: list[str] = field(default_factory=list)


@transaction.atomic
def election_open(
    *,
    actor: Actor,
    term: CommitteeTerm,
    candidates: Sequence[Person],
    closes_at: dt.datetime,
    opens_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Poll:
    """Announce the term's election: one Art. 278 question per candidate, each an owner of the compound."""
    term = CommitteeTerm.objects.select_for_update().select_related("committee__compound").get(pk=term.pk)
    committee = term.committee
    compound = committee.compound
    ensure_register(actor, compound)
    if term.election is not None and term.election.status != PollStatus.CANCELLED:
        raise DomainError(_("第%(n)d届已发起选举表决。") % {"n": term.number})
    if term.members.filter(left_on__isnull=True).exists():
        raise DomainError(_("第%(n)d届已有成员，不能再发起选举。") % {"n": term.number})
    unique = list({p.pk: p for p in candidates}.values())
    if not unique:
        raise DomainError(_("请至少提名一名候选人。"), field="candidates")
    if len(unique) > MAX_MEMBERS:
        raise DomainError(_("候选人最多11名（业委会成员最多11人）。"), field="candidates")
    for person in unique:
        ensure_owner(person, compound, who=_("候选人"), field="candidates")
    specs = [
        votes.QuestionSpec(
            text=_("选举%(name)s为%(committee)s第%(n)d届委员")
            % {"name": person.name, "committee": committee.name, "n": term.number},
            rule=TallyRule.ART278,
            config={"matter": Matter.COMMITTEE},
        )
        for person in unique
    ]
    poll = votes.poll_create(
        actor=actor,
        scope=compound,
        title=_("%(committee)s第%(n)d届选举") % {"committee": committee.name, "n": term.number},
        description=_(
            "逐一表决每位候选人（民法典第二百七十八条：选举业主委员会）。专有部分面积占比三分之二以上且人数占比"
            "三分之二以上的业主参与表决，并经参与表决专有部分面积过半数且参与表决人数过半数的业主同意，方为当选。"
        ),
        questions=specs,
        electorate=Electorate.OWNERS,
        closes_at=closes_at,
        opens_at=opens_at,
        source="stewardship",
        now=now,
    )
    questions = list(poll.questions.order_by("position"))
    CommitteeCandidate.objects.filter(term=term).delete()  # those of a cancelled election stand no more
    CommitteeCandidate.objects.bulk_create(
        CommitteeCandidate(term=term, person=person, question=question)
        for person, question in zip(unique, questions, strict=True)
    )
    term.election = poll
    term.save(update_fields=["election", "updated_at"])
    audit_record(
        actor=actor,
        action="stewardship.election_open",
        target=term,
        label=str(term),
        after={"poll": poll.pk, "candidates": [p.pk for p in unique]},
    )
    return poll


@transaction.atomic
def election_apply(*, actor: Actor, term: CommitteeTerm) -> ElectionOutcome:
    """Seat the candidates the published result elected, as 委员; once per term."""
    term = CommitteeTerm.objects.select_for_update().select_related("committee__compound").get(pk=term.pk)
    compound = term.committee.compound
    ensure_register(actor, compound)
    poll = term.election
    if poll is None:
        raise DomainError(_("第%(n)d届没有在平台上进行的选举。") % {"n": term.number})
    if poll.status != PollStatus.PUBLISHED:
        raise DomainError(
            _("选举表决当前为“%(s)s”，结果公布后才能据此登记成员。") % {"s": PollStatus(poll.status).label}
        )
    candidates = list(term.candidates.select_related("person").order_by("question__position"))
    if any(c.elected is not None for c in candidates):
        raise DomainError(_("已按选举结果登记过成员。"))
    passed = {q["id"]: bool(q["tally"].get("passed")) for q in poll.result.questions}
    outcome = ElectionOutcome()
    for candidate in candidates:
        candidate.elected = passed.get(candidate.question_id, False)
        if not candidate.elected:
            outcome.not_elected.append(candidate.person.name)
        elif owns_in_compound(candidate.person, compound):
            outcome.members.append(
                member_add(actor=actor, term=term, person=candidate.person, position=Position.MEMBER)
            )
        else:
            outcome.not_seated.append(candidate.person.name)
    CommitteeCandidate.objects.bulk_update(candidates, ["elected"])
    closed = poll.closed_at or timezone.now()
    term.elected_on = timezone.localdate(closed)
    term.save(update_fields=["elected_on", "updated_at"])
    audit_record(
        actor=actor,
        action="stewardship.election_apply",
        target=term,
        label=str(term),
        after={"elected": [m.person_id for m in outcome.members], "not_seated": outcome.not_seated},
    )
    return outcome


@transaction.atomic
def member_position_set(*, actor: Actor, member: CommitteeMember, position: str) -> CommitteeMember:
    """The committee chose its 主任 / 副主任 from among its members (or a member steps back to 委员)."""
    member = CommitteeMember.objects.select_for_update().select_related("term__committee__compound").get(pk=member.pk)
    ensure_register(actor, member.term.committee.compound)
    if position not in Position.values:
        raise DomainError(_("请选择职务。"), field="position")
    if member.left_on is not None:
        raise DomainError(_("该成员已离任。"))
    if (
        position == Position.DIRECTOR
        and CommitteeMember.objects.filter(term=member.term, position=Position.DIRECTOR, left_on__isnull=True)
        .exclude(pk=member.pk)
        .exists()
    ):
        raise DomainError(_("本届已有主任；请先让原主任改任委员。"), field="position")
    before = member.position
    member.position = position
    member.save(update_fields=["position"])
    audit_record(
        actor=actor,
        action="stewardship.member_position_set",
        target=member,
        before={"position": before},
        after={"position": position},
    )
    return member
