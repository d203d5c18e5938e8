"""The ballot engine's writes: the one door every feature uses to put a question to a vote.

    poll_create → (notice period) → poll_open (freezes the roll) → ballot_cast / paper_ballot_enter /
    paper_ballot_correct / proxy_register → poll_close (counts once) → poll_publish

Every channel ends in ``_record``: one Participation row (unique per poll and voter, so a second
ballot by any channel fails in the database) and one Ballot row, in the same transaction, under a
shared lock on the poll that closing takes exclusively: no ballot slips in after the count.
Audit rows name the voter (roll side) or the ballot (box side) of a secret poll, never both, and
never what was chosen: the audit trail is readable before close.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import User
from gongzhi.core.actors import Actor
from gongzhi.core.audit import audit_record
from gongzhi.core.exceptions import DomainError, InvalidTransition, NotAllowed
from gongzhi.core.notifications import notify
from gongzhi.core.signals import result_published
from gongzhi.registry.models import Person
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Node
from gongzhi.votes.choices import POLL_TRANSITIONS, Channel, Electorate, Opinion, PollStatus, TallyRule
from gongzhi.votes.electorates import build_roll, notice_user_ids
from gongzhi.votes.exceptions import AlreadyVoted
from gongzhi.votes.models import (
    Ballot,
    Option,
    OwnersRules,
    Participation,
    Poll,
    PollResult,
    Proxy,
    Question,
    RollEntry,
)
from gongzhi.votes.permissions import can_create_poll, can_manage_owners_rules, can_manage_poll
from gongzhi.votes.rules import Owner, tally_art278, tally_options, tally_yes_no, validate_choices, validate_question
from gongzhi.votes.selectors import compound_of, voter_entries

logger = logging.getLogger(__name__)
MIN_REASON = 4
DEFAULT_NOTICE_DAYS = 15  # 物业管理条例 Art. 14: owners are told 15 days before the meeting


@dataclass(frozen=True)
class QuestionSpec:
    text: str
    rule: str
    options: Sequence[str] = ()
    config: Mapping[str, Any] | None = None


# --- small helpers --------------------------------------------------------------------------------------


def _transition(poll: Poll, target: str) -> None:
    if target not in POLL_TRANSITIONS[poll.status]:
        raise InvalidTransition(
            _("投票当前为“%(from)s”，不能变为“%(to)s”。")
            % {"from": PollStatus(poll.status).label, "to": PollStatus(target).label}
        )


def _ensure_manage(actor: Actor, poll: Poll) -> None:
    if not can_manage_poll(actor, poll):
        raise NotAllowed(_("您不能管理这次投票。"))


def _uid(actor: Actor) -> int:
    if actor.user_id is None:
        raise NotAllowed(_("此操作须由登录的工作人员办理。"))
    return actor.user_id


def _reason(reason: str, *, field: str = "reason") -> str:
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON:
        raise DomainError(_("请填写原因（至少%(n)d个字）。") % {"n": MIN_REASON}, field=field)
    return reason[:300]


def owners_rules_for(compound: Node) -> OwnersRules:
    """The compound's rules, or the defaults (15 days' notice, no 从众) when none were recorded."""
    return OwnersRules.objects.filter(compound=compound).first() or OwnersRules(compound=compound)


# Advisory-lock namespace of the ballot engine ("vote" in ASCII), paired with the poll id.
LOCK_NAMESPACE = 0x766F7465


def _lock_poll(poll_id: int, *, exclusive: bool) -> Poll:
    """Casting holds a shared lock on the poll and closing an exclusive one, so a close waits for the
    ballots in flight and a ballot after the close sees it closed (Loomio's closed-poll race).

    On PostgreSQL these are transaction-level advisory locks: in the lock manager's memory, where two
    hundred sharers cost nothing, unlike row locks (FOR SHARE), which PostgreSQL records as MultiXacts
    that grow with every sharer. SQLite serialises writers anyway (IMMEDIATE transactions).
    """
    if connection.vendor == "postgresql":
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s, %s)", [LOCK_NAMESPACE, poll_id])
    if exclusive:
        return Poll.objects.select_for_update().get(pk=poll_id)
    return Poll.objects.get(pk=poll_id)


def _roll_user_ids(poll: Poll) -> set[int]:
    entries = RollEntry.objects.filter(poll=poll)
    users = set(entries.filter(user__isnull=False).values_list("user_id", flat=True))
    person_ids = RollEntry.persons.through.objects.filter(rollentry__poll=poll).values("person_id")
    users |= set(Person.objects.filter(pk__in=person_ids, user__isnull=False).values_list("user_id", flat=True))
    return {u for u in users if u is not None}


def _tell(poll: Poll, *, users: set[int], kind: str, title: str, key: str, body: str = "") -> None:
    """A notice about the poll once the transaction commits (never from a write that rolled back)."""
    url = reverse("votes:poll-detail", kwargs={"poll_id": poll.pk})
    transaction.on_commit(
        lambda: notify(recipient_ids=users, kind=kind, title=title, body=body, url=url, dedupe_key=key)
    )


# --- creating and the notice period ---------------------------------------------------------------------


def _members_config(config: Mapping[str, Any] | None) -> dict[str, Any]:
    config = dict(config or {})
    role = config.get("role") or ""
    user_ids = sorted({int(u) for u in config.get("user_ids", []) or []})
    if role and role not in Role.values:
        raise DomainError(_("未知的组织角色。"), field="electorate")
    if user_ids and User.objects.filter(pk__in=user_ids, is_active=True).count() != len(user_ids):
        raise DomainError(_("成员名单中有不存在或已停用的账号。"), field="electorate")
    if not role and not user_ids:
        raise DomainError(_("请指定投票的组织成员（职责角色或成员名单）。"), field="electorate")
    return {key: value for key, value in (("role", role), ("user_ids", user_ids)) if value}


@transaction.atomic
def poll_create(
    *,
    actor: Actor,
    scope: Node,
    title: str,
    questions: Sequence[QuestionSpec],
    electorate: str,
    closes_at: dt.datetime,
    opens_at: dt.datetime | None = None,
    electorate_config: Mapping[str, Any] | None = None,
    is_secret: bool = False,
    notice_days: int | None = None,
    description: str = "",
    source: str = "",
    now: dt.datetime | None = None,
) -> Poll:
    """Announce a poll. Its rules are checked now and frozen; the roll is drawn when it opens.

    ``now`` is the moment of the announcement (default: now); recording a vote already held, as the
    demo does, sets it in the past, and the notice period still counts from it.
    """
    if electorate not in Electorate.values:
        raise DomainError(_("请选择投票人范围。"), field="electorate")
    if not can_create_poll(actor, scope=scope, electorate=electorate):
        raise NotAllowed(_("您不能在该范围发起这种投票。"))
    title = " ".join(title.split())
    if not title:
        raise DomainError(_("请填写标题。"), field="title")
    if len(title) > 200:
        raise DomainError(_("标题最多200个字。"), field="title")
    if not questions:
        raise DomainError(_("至少需要一个题目。"), field="questions")
    config = _members_config(electorate_config) if electorate == Electorate.MEMBERS else {}
    minimum = 0
    if electorate == Electorate.OWNERS:
        compound = compound_of(scope)
        if compound is None:
            raise DomainError(_("业主表决的范围应为一个小区或其中的楼栋、单元。"), field="scope")
        minimum = owners_rules_for(compound).notice_days
    notice = minimum if notice_days is None else notice_days
    if notice < minimum:
        raise DomainError(_("公告期不能少于议事规则规定的%(n)d天。") % {"n": minimum}, field="notice_days")
    now = now or timezone.now()
    earliest = now + dt.timedelta(days=notice)
    opens_at = opens_at or earliest
    if opens_at < earliest - dt.timedelta(minutes=1):
        raise DomainError(
            _("开始时间须在公告%(n)d天之后，最早为%(t)s。")
            % {"n": notice, "t": timezone.localtime(earliest).strftime("%Y-%m-%d %H:%M")},
            field="opens_at",
        )
    # A start typed a moment ago (a form that took a while to fill) means "now".
    opens_at = max(opens_at, now)
    if closes_at <= opens_at:
        raise DomainError(_("截止时间须晚于开始时间。"), field="closes_at")
    checked = []
    for index, spec in enumerate(questions, start=1):
        text = " ".join(spec.text.split())
        if not text:
            raise DomainError(_("第%(n)d题没有填写题目。") % {"n": index}, field="questions")
        try:
            rule_config, labels = validate_question(
                rule=spec.rule, config=spec.config, options=spec.options, electorate=electorate, is_secret=is_secret
            )
        except DomainError as exc:
            raise DomainError(_("第%(n)d题：%(e)s") % {"n": index, "e": exc.message}, field=exc.field) from exc
        checked.append((text[:500], spec.rule, rule_config, labels))
    poll = Poll.objects.create(
        title=title,
        description=description.strip(),
        scope=scope,
        scope_path=scope.path,
        electorate=electorate,
        electorate_config=config,
        is_secret=is_secret,
        notice_days=notice,
        announced_at=now,
        opens_at=opens_at,
        closes_at=closes_at,
        source=source,
        created_by_id=actor.user_id,
    )
    for position, (text, rule, rule_config, labels) in enumerate(checked, start=1):
        question = Question.objects.create(poll=poll, position=position, text=text, rule=rule, config=rule_config)
        fixed = rule in {TallyRule.YES_NO, TallyRule.ART278}
        Option.objects.bulk_create(
            Option(question=question, position=i, label=label, value=list(Opinion)[i - 1].value if fixed else "")
            for i, label in enumerate(labels, start=1)
        )
    audit_record(
        actor=actor,
        action="votes.poll_create",
        target=poll,
        label=poll.title,
        after={"scope": scope.pk, "electorate": electorate, "secret": is_secret, "questions": len(checked)},
    )
    recipients = notice_user_ids(electorate=electorate, scope_path=scope.path, config=config, on=timezone.localdate())
    _tell(
        poll,
        users=recipients - {actor.user_id},
        kind="votes.announced",
        title=_("投票公告：%(t)s") % {"t": poll.title},
        body=_("投票时间：%(a)s 至 %(b)s。")
        % {
            "a": timezone.localtime(poll.opens_at).strftime("%Y-%m-%d %H:%M"),
            "b": timezone.localtime(poll.closes_at).strftime("%Y-%m-%d %H:%M"),
        },
        key=f"votes.announced:{poll.pk}",
    )
    return poll


@transaction.atomic
def poll_cancel(*, actor: Actor, poll: Poll, reason: str) -> Poll:
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    _ensure_manage(actor, poll)
    _transition(poll, PollStatus.CANCELLED)
    poll.status = PollStatus.CANCELLED
    poll.cancelled_at = timezone.now()
    poll.cancel_reason = _reason(reason)
    poll.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    audit_record(
        actor=actor, action="votes.poll_cancel", target=poll, label=poll.title, after={"reason": poll.cancel_reason}
    )
    return poll


@transaction.atomic
def owners_rules_set(
    *, actor: Actor, compound: Node, notice_days: int, follow_majority: bool, basis: str = ""
) -> OwnersRules:
    """Record the compound's rules of procedure; polls already open keep the rules they opened with."""
    if compound.kind != NodeKind.COMPOUND:
        raise DomainError(_("议事规则按小区设置。"), field="compound")
    if not can_manage_owners_rules(actor, compound):
        raise NotAllowed(_("您不能修改该小区的议事规则。"))
    if notice_days < 1 or notice_days > 90:
        raise DomainError(_("公告期应为1至90天。"), field="notice_days")
    basis = " ".join(basis.split())
    if follow_majority and len(basis) < MIN_REASON:
        raise DomainError(
            _("开启“未投票计入多数票”须写明议事规则或管理规约中的依据条款。"), field="follow_majority_basis"
        )
    rules, _created = OwnersRules.objects.select_for_update().get_or_create(compound=compound)
    before = {"notice_days": rules.notice_days, "follow_majority": rules.follow_majority}
    rules.notice_days = notice_days
    rules.follow_majority = follow_majority
    rules.follow_majority_basis = basis[:300] if follow_majority else ""
    rules.updated_by_id = actor.user_id
    rules.save()
    audit_record(
        actor=actor,
        action="votes.owners_rules_set",
        target=rules,
        label=compound.name,
        before=before,
        after={"notice_days": notice_days, "follow_majority": follow_majority, "basis": rules.follow_majority_basis},
    )
    return rules


# --- opening: the roll is frozen ------------------------------------------------------------------------


@transaction.atomic
def poll_open(*, actor: Actor, poll: Poll, now: dt.datetime | None = None) -> Poll:
    """Freeze the roll (eligibility, weights) and the compound's rules, and start the vote."""
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    _ensure_manage(actor, poll)
    _transition(poll, PollStatus.OPEN)
    now = now or timezone.now()
    if now < poll.opens_at:
        raise DomainError(
            _("公告期未满，%(t)s后才能开始投票。")
            % {"t": timezone.localtime(poll.opens_at).strftime("%Y-%m-%d %H:%M")},
            field="opens_at",
        )
    if now >= poll.closes_at:
        raise DomainError(_("截止时间已过，不能再开始投票。"), field="closes_at")
    build = build_roll(
        electorate=poll.electorate,
        scope_path=poll.scope_path,
        config=poll.electorate_config,
        on=timezone.localdate(now),
    )
    if not build.rows:
        raise DomainError(_("投票人名册为空：该范围内没有符合条件的投票人。"), field="electorate")
    entries = RollEntry.objects.bulk_create(
        [
            RollEntry(
                poll=poll,
                voter_key=row.voter_key,
                label=row.label[:200],
                org_path=row.org_path,
                area_dm2=row.area_dm2,
                heads=row.heads,
                user_id=row.user_id,
                dwellings=row.dwellings,
            )
            for row in build.rows
        ],
        batch_size=2000,
    )
    through = RollEntry.persons.through
    through.objects.bulk_create(
        [
            through(rollentry_id=entry.pk, person_id=pk)
            for entry, row in zip(entries, build.rows, strict=True)
            for pk in row.person_ids
        ],
        batch_size=5000,
    )
    if poll.electorate == Electorate.OWNERS:
        compound = compound_of(poll.scope)
        poll.follow_majority = compound is not None and owners_rules_for(compound).follow_majority
    poll.status = PollStatus.OPEN
    poll.opened_at = now
    poll.roll_size = len(entries)
    poll.roll_area_dm2 = sum(row.area_dm2 for row in build.rows)
    poll.roll_warnings = build.warnings
    poll.save(
        update_fields=[
            "status",
            "opened_at",
            "roll_size",
            "roll_area_dm2",
            "follow_majority",
            "roll_warnings",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action="votes.poll_open",
        target=poll,
        label=poll.title,
        after={
            "roll_size": poll.roll_size,
            "roll_area_dm2": poll.roll_area_dm2,
            "follow_majority": poll.follow_majority,
        },
    )
    _tell(
        poll,
        users=_roll_user_ids(poll),
        kind="votes.opened",
        title=_("请投票：%(t)s") % {"t": poll.title},
        body=_("投票截止：%(b)s。") % {"b": timezone.localtime(poll.closes_at).strftime("%Y-%m-%d %H:%M")},
        key=f"votes.opened:{poll.pk}",
    )
    return poll


# --- voting, by every channel ---------------------------------------------------------------------------


def _open_for_ballots(poll_id: int, now: dt.datetime) -> Poll:
    poll = _lock_poll(poll_id, exclusive=False)
    if poll.status != PollStatus.OPEN:
        raise DomainError(_("这次投票不在投票期内（%(s)s）。") % {"s": PollStatus(poll.status).label}, field="poll")
    if now < poll.opens_at:
        raise DomainError(
            _("投票尚未开始，%(t)s开始。") % {"t": timezone.localtime(poll.opens_at).strftime("%Y-%m-%d %H:%M")},
            field="poll",
        )
    if now >= poll.closes_at:
        raise DomainError(
            _("投票已于%(t)s截止。") % {"t": timezone.localtime(poll.closes_at).strftime("%Y-%m-%d %H:%M")},
            field="poll",
        )
    return poll


QuestionRules = dict[int, tuple[int, str, dict[str, Any], list[int]]]


def _question_rules(poll: Poll) -> QuestionRules:
    """question id → (position, rule, config, option ids), in one query: this runs on every ballot."""
    questions: QuestionRules = {}
    for question_id, position, rule, config, option_id in (
        Option.objects.filter(question__poll=poll)
        .order_by("question__position", "position")
        .values_list("question_id", "question__position", "question__rule", "question__config", "id")
    ):
        questions.setdefault(question_id, (position, rule, config, []))[3].append(option_id)
    return questions


def _check_ballot(
    poll: Poll, choices: Mapping[Any, Sequence[Any]], questions: QuestionRules | None = None
) -> dict[str, list[int]]:
    """Every question answered, by the rules of its question (the one validator, rules.validate_choices)."""
    given = {str(key): list(value) for key, value in choices.items()}
    checked: dict[str, list[int]] = {}
    questions = questions if questions is not None else _question_rules(poll)
    for question_id, (position, rule, config, option_ids) in questions.items():
        try:
            chosen = [int(c) for c in given.pop(str(question_id), [])]
            checked[str(question_id)] = validate_choices(rule=rule, config=config, option_ids=option_ids, chosen=chosen)
        except (TypeError, ValueError) as exc:
            raise DomainError(_("第%(n)d题的选择无效。") % {"n": position}, field="choices") from exc
        except DomainError as exc:
            raise DomainError(_("第%(n)d题：%(e)s") % {"n": position, "e": exc.message}, field="choices") from exc
    if given:
        raise DomainError(_("选票中有不属于这次投票的题目。"), field="choices")
    return checked


def _record(
    *,
    poll: Poll,
    entry: RollEntry,
    choices: dict[str, list[int]],
    channel: str,
    cast_by: int | None = None,
    entered_by: int | None = None,
    proxy: Proxy | None = None,
    now: dt.datetime,
) -> tuple[Participation, Ballot]:
    try:
        with transaction.atomic():
            participation = Participation.objects.create(
                poll=poll,
                voter_key=entry.voter_key,
                roll_entry=entry,
                channel=channel,
                at=None if poll.is_secret else now,
                cast_by_id=cast_by,
                entered_by_id=entered_by,
                proxy=proxy,
            )
    except IntegrityError as exc:
        raise AlreadyVoted(
            _("%(who)s已经投过票，每位投票人只有一张选票。") % {"who": entry.label}, field="voter_key"
        ) from exc
    if poll.is_secret:
        ballot = Ballot.objects.create(poll=poll, choices=choices)
    else:
        ballot = Ballot.objects.create(
            poll=poll,
            choices=choices,
            voter_key=entry.voter_key,
            channel=channel,
            entered_by_id=entered_by,
            entered_at=now,
        )
    return participation, ballot


def _entry(poll: Poll, voter_key: str) -> RollEntry:
    entry = RollEntry.objects.filter(poll=poll, voter_key=voter_key).first()
    if entry is None:
        raise DomainError(_("投票人名册中没有该投票人。"), field="voter_key")
    return entry


@transaction.atomic
def ballot_cast(
    *,
    actor: Actor,
    poll: Poll,
    choices: Mapping[Any, Sequence[Any]],
    voter_key: str | None = None,
    now: dt.datetime | None = None,
) -> Ballot:
    """A voter (or their agent under a written proxy) votes online. ``now`` defaults to now; only the
    demo, replaying a vote already held, sets it."""
    now = now or timezone.now()
    poll = _open_for_ballots(poll.pk, now)
    candidates = voter_entries(actor=actor, poll=poll)
    if voter_key is not None:
        candidates = [(e, p) for e, p in candidates if e.voter_key == voter_key]
    if not candidates:
        raise NotAllowed(_("您不在这次投票的投票人名册中。"))
    if voter_key is None and len(candidates) > 1:
        voted = set(
            Participation.objects.filter(poll=poll, voter_key__in=[e.voter_key for e, _p in candidates]).values_list(
                "voter_key", flat=True
            )
        )
        candidates = [(e, p) for e, p in candidates if e.voter_key not in voted] or candidates[:1]
    if len(candidates) > 1:
        raise DomainError(_("您可以代表多位投票人投票，请选择代表谁投这一票。"), field="voter_key")
    entry, proxy = candidates[0]
    checked = _check_ballot(poll, choices)
    participation, ballot = _record(
        poll=poll,
        entry=entry,
        choices=checked,
        channel=Channel.PROXY if proxy else Channel.ONLINE,
        cast_by=actor.user_id,
        proxy=proxy,
        now=now,
    )
    if actor.user_id is not None:
        _tell(
            poll,
            users={actor.user_id},
            kind="votes.receipt",
            title=_("您的选票已记录：%(t)s") % {"t": poll.title},
            key=f"votes.receipt:{participation.pk}",
        )
    return ballot


def _audit_participation(*, actor: Actor, action: str, participation: Participation, entry: RollEntry) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=participation,
        label=entry.label,
        after={"poll": participation.poll_id, "voter": entry.label, "channel": participation.channel},
    )


@transaction.atomic
def paper_ballot_enter(
    *,
    actor: Actor,
    poll: Poll,
    voter_key: str,
    choices: Mapping[Any, Sequence[Any]],
    via_proxy: bool = False,
    now: dt.datetime | None = None,
) -> Ballot:
    """A clerk enters a signed paper ballot (or one signed by a registered proxy). The ballot's id is
    the receipt for a later correction; in a secret poll it is the only handle on the ballot."""
    now = now or timezone.now()
    poll = _open_for_ballots(poll.pk, now)
    _ensure_manage(actor, poll)
    entry = _entry(poll, voter_key)
    proxy = None
    if via_proxy:
        proxy = Proxy.objects.filter(poll=poll, voter_key=voter_key).first()
        if proxy is None:
            raise DomainError(_("该投票人没有登记书面委托。"), field="via_proxy")
    checked = _check_ballot(poll, choices)
    participation, ballot = _record(
        poll=poll,
        entry=entry,
        choices=checked,
        channel=Channel.PROXY if proxy else Channel.PAPER,
        entered_by=actor.user_id,
        proxy=proxy,
        now=now,
    )
    _audit_participation(actor=actor, action="votes.paper_ballot_enter", participation=participation, entry=entry)
    return ballot


@transaction.atomic
def paper_ballots_enter(
    *,
    actor: Actor,
    poll: Poll,
    ballots: Sequence[tuple[str, Mapping[Any, Sequence[Any]]]],
    now: dt.datetime | None = None,
) -> int:
    """Enter a stack of signed paper ballots at once (voter key, choices), all or none.

    For a committee typing in a count sheet, and for the demo: one insert per table instead of one
    transaction per ballot. Every ballot is checked as paper_ballot_enter checks one; the unique
    index still stands behind it against anything entered meanwhile.
    """
    now = now or timezone.now()
    poll = _open_for_ballots(poll.pk, now)
    _ensure_manage(actor, poll)
    keys = [key for key, _choices in ballots]
    if len(set(keys)) != len(keys):
        raise AlreadyVoted(_("同一投票人在这批选票中出现了两次。"), field="voter_key")
    entries = {e.voter_key: e for e in RollEntry.objects.filter(poll=poll, voter_key__in=keys)}
    if len(entries) != len(keys):
        raise DomainError(
            _("这批选票中有%(n)d张不属于投票人名册。") % {"n": len(keys) - len(entries)}, field="voter_key"
        )
    voted = Participation.objects.filter(poll=poll, voter_key__in=keys).count()
    if voted:
        raise AlreadyVoted(_("这批选票中有%(n)d位投票人已经投过票。") % {"n": voted}, field="voter_key")
    questions = _question_rules(poll)
    checked = [(entries[key], _check_ballot(poll, choices, questions)) for key, choices in ballots]
    at = None if poll.is_secret else now
    try:
        with transaction.atomic():
            Participation.objects.bulk_create(
                [
                    Participation(
                        poll=poll,
                        voter_key=e.voter_key,
                        roll_entry=e,
                        channel=Channel.PAPER,
                        at=at,
                        entered_by_id=actor.user_id,
                    )
                    for e, _c in checked
                ],
                batch_size=2000,
            )
    except IntegrityError as exc:
        raise AlreadyVoted(_("录入期间有投票人已经投票，请重新核对后录入。"), field="voter_key") from exc
    if poll.is_secret:
        # A secret box must not keep the order of the stack either.
        box = [Ballot(poll=poll, choices=c) for _e, c in sorted(checked, key=lambda _x: uuid.uuid4().hex)]
    else:
        box = [
            Ballot(
                poll=poll,
                choices=c,
                voter_key=e.voter_key,
                channel=Channel.PAPER,
                entered_by_id=actor.user_id,
                entered_at=now,
            )
            for e, c in checked
        ]
    Ballot.objects.bulk_create(box, batch_size=2000)
    audit_record(
        actor=actor, action="votes.paper_ballots_enter", target=poll, label=poll.title, after={"ballots": len(box)}
    )
    return len(box)


@transaction.atomic
def paper_ballot_correct(
    *,
    actor: Actor,
    poll: Poll,
    choices: Mapping[Any, Sequence[Any]],
    reason: str,
    voter_key: str | None = None,
    receipt: str | None = None,
) -> Ballot:
    """Correct a paper ballot that was entered wrongly: a new ballot replaces the old, which stays.

    A named poll finds the ballot by its voter; a secret poll only by the receipt (the ballot's id)
    the clerk wrote on the paper slip when entering it.
    """
    poll = _open_for_ballots(poll.pk, timezone.now())
    _ensure_manage(actor, poll)
    reason = _reason(reason)
    current = Ballot.objects.select_for_update(of=("self",)).filter(poll=poll).standing()
    if poll.is_secret:
        try:
            ballot_id = uuid.UUID(str(receipt or "").strip())
        except ValueError as exc:
            raise DomainError(_("请填写完整的选票编号。"), field="receipt") from exc
        old = current.filter(pk=ballot_id).first()
    else:
        old = current.filter(voter_key=voter_key).first() if voter_key else None
    if old is None:
        raise DomainError(_("没有找到要更正的选票。"), field="receipt" if poll.is_secret else "voter_key")
    if not poll.is_secret and old.channel == Channel.ONLINE:
        raise NotAllowed(_("网上投票的选票只能由投票人本人投出，工作人员不能更正。"))
    checked = _check_ballot(poll, choices)
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(
                poll=poll,
                choices=checked,
                replaces=old,
                correction_reason=reason,
                voter_key=old.voter_key,
                channel=old.channel,
                entered_by_id=None if poll.is_secret else actor.user_id,
                entered_at=None if poll.is_secret else timezone.now(),
            )
    except IntegrityError as exc:  # a concurrent correction of the same ballot won
        raise DomainError(_("这张选票刚被更正过，请刷新后重试。"), field="receipt") from exc
    # Secret: the box side only (the ballot), with the clerk and the reason; never the voter.
    audit_record(
        actor=actor,
        action="votes.paper_ballot_correct",
        target=ballot,
        after={"poll": poll.pk, "reason": reason, "replaces": str(old.pk)},
    )
    return ballot


@transaction.atomic
def proxy_register(
    *,
    actor: Actor,
    poll: Poll,
    voter_key: str,
    agent_name: str,
    document_no: str,
    agent_user: User | None = None,
) -> Proxy:
    """Record a written proxy (MOHURD 2009 rules Art. 26(1)): the agent then votes for the voter."""
    poll = _open_for_ballots(poll.pk, timezone.now())
    _ensure_manage(actor, poll)
    entry = _entry(poll, voter_key)
    agent_name = " ".join(agent_name.split())
    document_no = document_no.strip()
    if not agent_name:
        raise DomainError(_("请填写受托人姓名。"), field="agent_name")
    if not document_no:
        raise DomainError(_("请填写委托书编号。"), field="document_no")
    if Participation.objects.filter(poll=poll, voter_key=voter_key).exists():
        raise AlreadyVoted(_("%(who)s已经投过票，不能再登记委托。") % {"who": entry.label}, field="voter_key")
    try:
        with transaction.atomic():
            proxy = Proxy.objects.create(
                poll=poll,
                voter_key=voter_key,
                roll_entry=entry,
                agent_name=agent_name[:50],
                agent_user=agent_user,
                document_no=document_no[:60],
                registered_by_id=_uid(actor),
            )
    except IntegrityError as exc:
        raise DomainError(_("%(who)s已登记过书面委托。") % {"who": entry.label}, field="voter_key") from exc
    audit_record(
        actor=actor,
        action="votes.proxy_register",
        target=proxy,
        label=entry.label,
        after={"poll": poll.pk, "voter": entry.label, "document_no": proxy.document_no},
    )
    if agent_user is not None:
        _tell(
            poll,
            users={agent_user.pk},
            kind="votes.proxy",
            title=_("您受托代为投票：%(t)s") % {"t": poll.title},
            body=_("委托人：%(w)s。") % {"w": entry.label},
            key=f"votes.proxy:{proxy.pk}",
        )
    return proxy


# --- closing, counting once, publishing -----------------------------------------------------------------


def _count(poll: Poll) -> PollResult:
    ballots = list(Ballot.objects.filter(poll=poll).standing().only("choices", "voter_key"))
    questions = []
    owners: list[Owner] | None = None
    for question in poll.questions.prefetch_related("options").order_by("position"):
        options = list(question.options.all())
        option_ids = [o.pk for o in options]
        answers = [b.choices.get(str(question.pk), []) for b in ballots]
        value_of = {o.pk: o.value for o in options}
        tally: dict[str, Any]
        if question.rule in {TallyRule.PLURALITY, TallyRule.APPROVAL}:
            tally = tally_options(rule=question.rule, config=question.config, option_ids=option_ids, answers=answers)
        elif question.rule == TallyRule.YES_NO:
            tally = tally_yes_no(
                config=question.config, opinions=[value_of[a[0]] for a in answers if a], roll_size=poll.roll_size
            )
        else:
            if owners is None:
                owners = [
                    Owner(key=e.voter_key, holders=frozenset(), area_dm2=e.area_dm2, heads=e.heads)
                    for e in RollEntry.objects.filter(poll=poll).only("voter_key", "area_dm2", "heads")
                ]
            opinions = {b.voter_key: value_of[b.choices[str(question.pk)][0]] for b in ballots if b.voter_key}
            tally = tally_art278(
                owners=owners,
                opinions=opinions,
                major=bool(question.config.get("major")),
                matter=question.config.get("matter", ""),
                follow_majority=poll.follow_majority,
            ).as_dict()
        questions.append(
            {
                "id": question.pk,
                "position": question.position,
                "text": question.text,
                "rule": question.rule,
                "options": [{"id": o.pk, "label": o.label, "value": o.value} for o in options],
                "tally": tally,
            }
        )
    return PollResult.objects.create(poll=poll, ballots_counted=len(ballots), questions=questions)


@transaction.atomic
def poll_close(*, actor: Actor, poll: Poll, now: dt.datetime | None = None) -> PollResult:
    """End voting and count, once. An owners' vote runs its announced period unless everyone has voted."""
    poll = _lock_poll(poll.pk, exclusive=True)
    _ensure_manage(actor, poll)
    _transition(poll, PollStatus.CLOSED)
    now = now or timezone.now()
    if (
        poll.electorate == Electorate.OWNERS
        and now < poll.closes_at
        and Participation.objects.filter(poll=poll).count() < poll.roll_size
    ):
        raise DomainError(
            _("业主表决须进行到公告的截止时间（%(t)s），除非全体业主均已投票。")
            % {"t": timezone.localtime(poll.closes_at).strftime("%Y-%m-%d %H:%M")},
            field="closes_at",
        )
    poll.status = PollStatus.CLOSED
    poll.closed_at = now
    poll.save(update_fields=["status", "closed_at", "updated_at"])
    result = _count(poll)
    audit_record(
        actor=actor, action="votes.poll_close", target=poll, label=poll.title, after={"ballots": result.ballots_counted}
    )
    if poll.created_by_id is not None:
        _tell(
            poll,
            users={poll.created_by_id},
            kind="votes.closed",
            title=_("投票已截止，请核对后公布：%(t)s") % {"t": poll.title},
            key=f"votes.closed:{poll.pk}",
        )
    return result


def result_summary(result: PollResult) -> str:
    """One line per question for notices: "同意 12 票，反对 3 票，弃权 1 票：通过"."""
    lines = []
    for question in result.questions:
        tally = question["tally"]
        labels = {str(o["id"]): o["label"] for o in question["options"]}
        by_value = {o["value"]: o["label"] for o in question["options"]}
        if question["rule"] in {TallyRule.PLURALITY, TallyRule.APPROVAL}:
            counts = "，".join(_("%(o)s %(n)d票") % {"o": labels[k], "n": v} for k, v in tally["counts"].items())
            winners = "、".join(labels[str(w)] for w in tally["winners"]) or _("无（票数相同）")
            lines.append(_("%(q)s：%(c)s；当选：%(w)s") % {"q": question["text"], "c": counts, "w": winners})
        elif question["rule"] == TallyRule.YES_NO:
            counts = "，".join(_("%(o)s %(n)d票") % {"o": by_value[k], "n": v} for k, v in tally["counts"].items())
            verdict = _("通过") if tally["passed"] else _("未通过")
            lines.append(_("%(q)s：%(c)s；%(v)s") % {"q": question["text"], "c": counts, "v": verdict})
        else:
            verdict = _("通过") if tally["passed"] else _("未通过")
            lines.append(
                _("%(q)s：参与表决面积%(pa)s、人数%(ph)s；同意面积%(ya)s、人数%(yh)s；%(v)s")
                % {
                    "q": question["text"],
                    "pa": tally["participation_area"]["percent"],
                    "ph": tally["participation_heads"]["percent"],
                    "ya": tally["yes_area_share"]["percent"],
                    "yh": tally["yes_heads_share"]["percent"],
                    "v": verdict,
                }
            )
    return "\n".join(lines)


@transaction.atomic
def poll_publish(*, actor: Actor, poll: Poll) -> Poll:
    """Publish the counted result to everyone the poll concerns (results posted: 北京物业管理条例 Art. 37)."""
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    _ensure_manage(actor, poll)
    _transition(poll, PollStatus.PUBLISHED)
    poll.status = PollStatus.PUBLISHED
    poll.published_at = timezone.now()
    poll.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action="votes.poll_publish", target=poll, label=poll.title)
    _tell(
        poll,
        users=_roll_user_ids(poll) | ({poll.created_by_id} if poll.created_by_id else set()),
        kind="votes.published",
        title=_("投票结果公布：%(t)s") % {"t": poll.title},
        body=result_summary(poll.result),
        key=f"votes.published:{poll.pk}",
    )
    result_published.send_robust(
        sender=Poll,
        node=poll.scope,
        title=_("投票结果公示：%(t)s") % {"t": poll.title},
        text=result_summary(poll.result),
        source=f"votes.poll:{poll.pk}",
        origin=poll.source,
    )
    return poll


def polls_advance(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """The scheduled job: open announced polls whose start has come, close open ones whose time is up."""
    now = now or timezone.now()
    system = Actor.system("votes-schedule")
    opened = closed = 0
    for poll in Poll.objects.filter(status=PollStatus.ANNOUNCED, opens_at__lte=now, closes_at__gt=now).order_by("id"):
        try:
            poll_open(actor=system, poll=poll, now=now)
            opened += 1
        except DomainError as exc:
            logger.warning("poll %s not opened: %s", poll.pk, exc.message)
    for poll in Poll.objects.filter(status=PollStatus.OPEN, closes_at__lte=now).order_by("id"):
        poll_close(actor=system, poll=poll, now=now)
        closed += 1
    return opened, closed
