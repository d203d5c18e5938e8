"""Writes for volunteers, teams, activities, sign-ups, attendance and certified hours.

Points and the shop are in ledger.py, certificates in certificates.py. Services that record a moment (sign-up,
check-in, check-out) take ``at`` only from the system (the demo seed and imports of paper records); people
always act now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.exceptions import DomainError, InvalidTransition, NotAllowed
from gongzhi.core.notifications import notify
from gongzhi.registry.models import Person
from gongzhi.territory.models import Node
from gongzhi.volunteering.checkin import checkin_code_parse, checkin_code_valid
from gongzhi.volunteering.choices import (
    ACTIVITY_TRANSITIONS,
    SIGNUP_TRANSITIONS,
    VOLUNTEER_TRANSITIONS,
    ActivityStatus,
    Availability,
    RecordKind,
    SignUpStatus,
    Skill,
    TeamKind,
    VolunteerStatus,
    transition_check,
)
from gongzhi.volunteering.hours import hours_text
from gongzhi.volunteering.ledger import (
    Award,
    points_award_for_record,
    points_take_back_for_correction,
    volunteer_lock,
    volunteer_recipients,
)
from gongzhi.volunteering.models import Activity, ServiceRecord, SignUp, Team, TeamMembership, Volunteer
from gongzhi.volunteering.permissions import (
    can_act_for_volunteer,
    can_create_activity,
    can_manage_activity,
    can_manage_teams,
    can_manage_volunteer,
    can_register_volunteer,
    can_sign_up,
)

# The notice volunteers consent to (PIPL Art. 17): who processes what, why, for how long, and their rights.
CONSENT_VERSION = "2026-01"
ADULT_AGE = 18
# PIPL Art. 28 counts all personal information of children under 14 as sensitive; Art. 31 requires their
# guardian's consent. Local volunteer regulations require a guardian's consent for every minor (under 18):
# Shanghai 志愿服务条例 (2019) Art. 13, Zhejiang (2018) Art. 9, Shandong (2021) Art. 10.
CHILD_AGE = 14
# Check-in opens this long before the start and check-out closes this long after the end.
CHECKIN_OPENS_BEFORE = dt.timedelta(hours=2)
CHECKOUT_CLOSES_AFTER = dt.timedelta(hours=12)
MAX_ACTIVITY_HOURS = 24
MAX_SLOTS = 1000


def age_on(born_on: dt.date, on: dt.date) -> int:
    return on.year - born_on.year - ((on.month, on.day) < (born_on.month, born_on.day))


def _now(actor: Actor, at: dt.datetime | None) -> dt.datetime:
    if at is not None and not actor.is_system:
        raise NotAllowed(_("只有系统导入可以指定时间。"))
    return at or timezone.now()


def _choices(values: list[str], allowed: type[Skill] | type[Availability], field_name: str) -> list[str]:
    unknown = set(values) - set(allowed.values)
    if unknown:
        raise DomainError(_("未知选项：%(v)s。") % {"v": "、".join(sorted(unknown))}, field=field_name)
    return [v for v in allowed.values if v in values]


def volunteer_number(pk: int) -> str:
    return f"ZY{pk:08d}"


# --- volunteers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Consent:
    """What the registering person ticked. ``guardian`` and ``child`` matter only for minors."""

    volunteer: bool
    guardian: bool = False
    child: bool = False


@transaction.atomic
def volunteer_register(
    *,
    actor: Actor,
    person: Person,
    consent: Consent,
    skills: list[str] | None = None,
    availability: list[str] | None = None,
    intro: str = "",
    guardian: Person | None = None,
    today: dt.date | None = None,
) -> Volunteer:
    """Register a resident as a volunteer, with their consent, or a minor with their guardian's.

    A resident registers themselves; an adult registers a minor of their own household as guardian. The
    system (paper forms, the demo) may name the guardian. Someone who withdrew comes back through here too,
    consenting again.
    """
    if not can_register_volunteer(actor, person):
        raise NotAllowed(_("只能登记本人或同户未成年家庭成员。"))
    today = today or timezone.localdate()
    if not consent.volunteer:
        raise DomainError(_("请阅读并同意《志愿者个人信息处理告知书》。"), field="consent")
    if person.born_on is None:
        raise DomainError(_("居民档案中缺少出生日期，请先到社区核实登记信息。"), field="person")
    age = age_on(person.born_on, today)
    if not actor.is_system:
        guardian = None
        if person.pk != actor.person_id and actor.person_id is not None:
            guardian = Person.objects.get(pk=actor.person_id)
            if age >= ADULT_AGE:
                raise DomainError(
                    _("只能为未满十八周岁的同户家庭成员代为登记；成年家庭成员请用本人账号登记。"), field="person"
                )
        elif age < ADULT_AGE:
            raise DomainError(_("未满十八周岁的居民须由监护人（同户成年家庭成员）代为登记并同意。"), field="person")
    if age < ADULT_AGE:
        if guardian is None or guardian.born_on is None or age_on(guardian.born_on, today) < ADULT_AGE:
            raise DomainError(_("未成年人登记须由成年监护人同意。"), field="person")
        if not consent.guardian:
            raise DomainError(_("请以监护人身份同意其参加志愿服务。"), field="guardian_consent")
        if age < CHILD_AGE and not consent.child:
            raise DomainError(
                _("未满十四周岁儿童的个人信息属于敏感个人信息，须由监护人单独同意。"), field="child_consent"
            )
    elif guardian is not None:
        raise DomainError(_("成年人登记不需要监护人。"), field="person")
    now = timezone.now()
    fields = {
        "skills": _choices(skills or [], Skill, "skills"),
        "availability": _choices(availability or [], Availability, "availability"),
        "intro": intro.strip()[:200],
        "consent_version": CONSENT_VERSION,
        "consented_at": now,
        "guardian": guardian,
        "guardian_consented_at": now if guardian is not None else None,
        "registered_by_id": actor.user_id,
    }
    existing = Volunteer.objects.select_for_update().filter(person=person).first()
    if existing is not None:
        if existing.status != VolunteerStatus.WITHDRAWN:
            raise DomainError(
                _("%(name)s 已是志愿者（编号 %(number)s）。") % {"name": person.name, "number": existing.number},
                field="person",
            )
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.status = VolunteerStatus.ACTIVE
        existing.withdrawn_at = None
        existing.save()
        audit_record(actor=actor, action="volunteering.volunteer_rejoin", target=existing, label=existing.number or "")
        return existing
    volunteer = Volunteer.objects.create(person=person, **fields)
    volunteer.number = volunteer_number(volunteer.pk)
    volunteer.save(update_fields=["number"])
    audit_record(
        actor=actor,
        action="volunteering.volunteer_register",
        target=volunteer,
        after=snapshot(volunteer, ["number", "consent_version", "guardian", "skills", "availability"]),
        label=volunteer.number or "",
    )
    return volunteer


@transaction.atomic
def volunteer_update_profile(
    *, actor: Actor, volunteer: Volunteer, skills: list[str], availability: list[str], intro: str = ""
) -> Volunteer:
    if not can_act_for_volunteer(actor, volunteer):
        raise NotAllowed(_("只能修改本人或被监护人的资料。"))
    volunteer.skills = _choices(skills, Skill, "skills")
    volunteer.availability = _choices(availability, Availability, "availability")
    volunteer.intro = intro.strip()[:200]
    volunteer.save(update_fields=["skills", "availability", "intro", "updated_at"])
    return volunteer


def _status_transition(volunteer: Volunteer, target: str) -> None:
    transition_check(VOLUNTEER_TRANSITIONS, VolunteerStatus, what=_("志愿者"), current=volunteer.status, target=target)


def _cancel_future_signups(*, actor: Actor, volunteer: Volunteer, now: dt.datetime) -> int:
    cancelled = 0
    for signup in SignUp.objects.filter(
        volunteer=volunteer,
        status__in=[SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED],
        activity__starts_at__gt=now,
        activity__status=ActivityStatus.OPEN,
    ).select_related("activity"):
        _signup_cancel_locked(actor=actor, signup=signup)
        cancelled += 1
    return cancelled


@transaction.atomic
def volunteer_withdraw(*, actor: Actor, volunteer: Volunteer) -> Volunteer:
    """Withdraw consent (PIPL Art. 15): no more sign-ups. Certified hours and points stay, because the
    organisation must keep the service record (《志愿服务条例》 Art. 19)."""
    if not can_act_for_volunteer(actor, volunteer):
        raise NotAllowed(_("只能由本人或监护人申请退出。"))
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    _status_transition(volunteer, VolunteerStatus.WITHDRAWN)
    now = timezone.now()
    _cancel_future_signups(actor=actor, volunteer=volunteer, now=now)
    volunteer.status = VolunteerStatus.WITHDRAWN
    volunteer.withdrawn_at = now
    volunteer.save(update_fields=["status", "withdrawn_at", "updated_at"])
    audit_record(actor=actor, action="volunteering.volunteer_withdraw", target=volunteer, label=volunteer.number or "")
    return volunteer


@transaction.atomic
def volunteer_set_status(*, actor: Actor, volunteer: Volunteer, status: str, reason: str) -> Volunteer:
    """A manager suspends or reinstates a volunteer, with a reason."""
    if not can_manage_volunteer(actor, volunteer):
        raise NotAllowed(_("您不能管理该志愿者。"))
    if status not in (VolunteerStatus.ACTIVE, VolunteerStatus.SUSPENDED):
        raise DomainError(_("管理员只能暂停或恢复志愿者；退出须由本人申请。"), field="status")
    reason = " ".join(reason.split())
    if len(reason) < 4:
        raise DomainError(_("请写明原因（至少4个字）。"), field="reason")
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    _status_transition(volunteer, status)
    before = snapshot(volunteer, ["status"])
    if status == VolunteerStatus.SUSPENDED:
        _cancel_future_signups(actor=actor, volunteer=volunteer, now=timezone.now())
    volunteer.status = status
    volunteer.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="volunteering.volunteer_status",
        target=volunteer,
        before=before,
        after={"status": status, "reason": reason[:200]},
        label=volunteer.number or "",
    )
    return volunteer


# --- teams --------------------------------------------------------------------------------------------


@transaction.atomic
def team_create(*, actor: Actor, node: Node, name: str, kind: str, description: str = "") -> Team:
    if not can_manage_teams(actor, node):
        raise NotAllowed(_("您不能在该区域成立团队。"))
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("请填写团队名称。"), field="name")
    if kind not in TeamKind.values:
        raise DomainError(_("请选择团队类型。"), field="kind")
    if Team.objects.filter(node=node, name=name).exists():
        raise DomainError(_("该区域已有同名团队。"), field="name")
    team = Team.objects.create(node=node, name=name[:60], kind=kind, description=description.strip()[:300])
    audit_record(actor=actor, action="volunteering.team_create", target=team, after=snapshot(team), label=team.name)
    return team


@transaction.atomic
def team_member_add(*, actor: Actor, team: Team, volunteer: Volunteer, as_leader: bool = False) -> TeamMembership:
    if not can_manage_teams(actor, team.node):
        raise NotAllowed(_("您不能管理该团队。"))
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise DomainError(_("该志愿者当前不在册。"), field="number")
    membership = TeamMembership.objects.filter(team=team, volunteer=volunteer, left_on__isnull=True).first()
    if membership is None:
        membership = TeamMembership.objects.create(team=team, volunteer=volunteer, joined_on=timezone.localdate())
    elif not as_leader:
        raise DomainError(_("该志愿者已是团队成员。"), field="number")
    if as_leader:
        team.leader = volunteer
        team.save(update_fields=["leader", "updated_at"])
    audit_record(
        actor=actor,
        action="volunteering.team_leader_set" if as_leader else "volunteering.team_member_add",
        target=team,
        after={"volunteer": volunteer.number},
        label=team.name,
    )
    return membership


@transaction.atomic
def team_member_remove(*, actor: Actor, team: Team, volunteer: Volunteer) -> None:
    if not can_manage_teams(actor, team.node):
        raise NotAllowed(_("您不能管理该团队。"))
    updated = TeamMembership.objects.filter(team=team, volunteer=volunteer, left_on__isnull=True).update(
        left_on=timezone.localdate()
    )
    if not updated:
        raise DomainError(_("该志愿者不是团队成员。"), field="number")
    if team.leader_id == volunteer.pk:
        team.leader = None
        team.save(update_fields=["leader", "updated_at"])
    audit_record(
        actor=actor,
        action="volunteering.team_member_remove",
        target=team,
        after={"volunteer": volunteer.number},
        label=team.name,
    )


# --- activities ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityData:
    title: str
    service_content: str
    node: Node
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    slots: int
    description: str = ""
    team: Team | None = None
    min_age: int = 0


def _validate_activity(data: ActivityData) -> None:
    if not data.title.strip():
        raise DomainError(_("请填写活动名称。"), field="title")
    if not data.service_content.strip():
        raise DomainError(_("请填写服务内容，它会写入志愿服务记录证明。"), field="service_content")
    if not data.place.strip():
        raise DomainError(_("请填写活动地点。"), field="place")
    if data.ends_at <= data.starts_at:
        raise DomainError(_("结束时间须晚于开始时间。"), field="ends_at")
    if data.ends_at - data.starts_at > dt.timedelta(hours=MAX_ACTIVITY_HOURS):
        raise DomainError(_("一次活动不能超过%(n)d小时，请分成几次。") % {"n": MAX_ACTIVITY_HOURS}, field="ends_at")
    if not 1 <= data.slots <= MAX_SLOTS:
        raise DomainError(_("名额须在1到%(n)d之间。") % {"n": MAX_SLOTS}, field="slots")
    if not 0 <= data.min_age <= 100:
        raise DomainError(_("最低年龄须在0到100之间。"), field="min_age")
    if data.team is not None and not data.node.path.startswith(data.team.node.path):
        raise DomainError(_("活动面向的区域须在团队所属区域之内。"), field="node")


def _activity_fields(data: ActivityData) -> dict[str, object]:
    return {
        "title": data.title.strip()[:80],
        "service_content": data.service_content.strip()[:40],
        "description": data.description.strip(),
        "node": data.node,
        "team": data.team,
        "place": data.place.strip()[:100],
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
        "slots": data.slots,
        "min_age": data.min_age,
    }


@transaction.atomic
def activity_create(*, actor: Actor, data: ActivityData) -> Activity:
    if not can_create_activity(actor, node=data.node, team=data.team):
        raise NotAllowed(_("您不能在该区域组织活动。"))
    _validate_activity(data)
    if actor.user_id is None:
        raise NotAllowed(_("活动须有组织者账号。"))
    activity = Activity.objects.create(organiser_id=actor.user_id, **_activity_fields(data))
    audit_record(
        actor=actor,
        action="volunteering.activity_create",
        target=activity,
        after=snapshot(activity),
        label=activity.title,
    )
    return activity


@transaction.atomic
def activity_update(*, actor: Actor, activity: Activity, data: ActivityData) -> Activity:
    """Edit an open activity; more places take volunteers off the waiting list in order."""
    if not can_manage_activity(actor, activity):
        raise NotAllowed(_("您不能修改该活动。"))
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status != ActivityStatus.OPEN:
        raise DomainError(_("活动已%(s)s，不能修改。") % {"s": activity.get_status_display()})
    _validate_activity(data)
    confirmed = activity.signups.filter(status=SignUpStatus.CONFIRMED).count()
    if data.slots < confirmed:
        raise DomainError(_("已有 %(n)d 人报名，名额不能少于已报名人数。") % {"n": confirmed}, field="slots")
    if data.node.pk != activity.node_id and not can_create_activity(actor, node=data.node, team=data.team):
        raise NotAllowed(_("您不能在该区域组织活动。"))
    before = snapshot(activity)
    for name, value in _activity_fields(data).items():
        setattr(activity, name, value)
    activity.save()
    _promote_waitlist(activity)
    audit_record(
        actor=actor,
        action="volunteering.activity_update",
        target=activity,
        before=before,
        after=snapshot(activity),
        label=activity.title,
    )
    return activity


def _activity_transition(activity: Activity, target: str) -> None:
    transition_check(ACTIVITY_TRANSITIONS, ActivityStatus, what=_("活动"), current=activity.status, target=target)


@transaction.atomic
def activity_close(*, actor: Actor, activity: Activity) -> Activity:
    """End sign-ups and check-ins; hours can still be certified and corrected."""
    if not can_manage_activity(actor, activity):
        raise NotAllowed(_("您不能结束该活动。"))
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _activity_transition(activity, ActivityStatus.CLOSED)
    activity.status = ActivityStatus.CLOSED
    activity.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="volunteering.activity_close", target=activity, label=activity.title)
    return activity


@transaction.atomic
def activity_cancel(*, actor: Actor, activity: Activity, reason: str) -> Activity:
    """Call off an activity nobody has served in yet; everyone signed up is told."""
    if not can_manage_activity(actor, activity):
        raise NotAllowed(_("您不能取消该活动。"))
    reason = " ".join(reason.split())
    if len(reason) < 4:
        raise DomainError(_("请写明取消原因（至少4个字）。"), field="reason")
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _activity_transition(activity, ActivityStatus.CANCELLED)
    if activity.service_records.exists():
        raise DomainError(_("已有认定的服务时长，不能取消活动；请结束活动。"))
    signups = list(
        activity.signups.filter(status__in=[SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED]).select_related(
            "volunteer__person__user", "volunteer__guardian__user"
        )
    )
    recipients = [uid for s in signups for uid in volunteer_recipients(s.volunteer)]
    activity.signups.filter(pk__in=[s.pk for s in signups]).update(status=SignUpStatus.CANCELLED)
    activity.status = ActivityStatus.CANCELLED
    activity.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="volunteering.activity_cancel",
        target=activity,
        after={"reason": reason[:200]},
        label=activity.title,
    )
    title = _("活动“%(t)s”已取消") % {"t": activity.title}
    transaction.on_commit(
        lambda: notify(
            recipient_ids=recipients,
            kind="volunteering.activity_cancelled",
            title=title,
            body=reason,
            url=reverse("volunteering:activity-detail", args=[activity.pk]),
        )
    )
    return activity


# --- sign-ups -----------------------------------------------------------------------------------------


def _check_eligible(volunteer: Volunteer, activity: Activity, now: dt.datetime) -> None:
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise DomainError(_("志愿者状态为“%(s)s”，不能报名。") % {"s": volunteer.get_status_display()})
    if not volunteer.person.org_path.startswith(activity.node.path):
        raise DomainError(_("该活动只面向%(place)s的居民。") % {"place": activity.node.name})
    born_on = volunteer.person.born_on
    if (
        activity.min_age
        and born_on is not None
        and age_on(born_on, timezone.localdate(activity.starts_at)) < activity.min_age
    ):
        raise DomainError(_("该活动要求年满%(n)d周岁。") % {"n": activity.min_age})
    if activity.status != ActivityStatus.OPEN:
        raise DomainError(_("活动%(s)s，不能报名。") % {"s": activity.get_status_display()})
    if now >= activity.ends_at:
        raise DomainError(_("活动已结束，不能报名。"))


def _clashing_signup(volunteer: Volunteer, activity: Activity) -> SignUp | None:
    return (
        SignUp.objects.filter(
            volunteer=volunteer,
            status=SignUpStatus.CONFIRMED,
            activity__status=ActivityStatus.OPEN,
            activity__starts_at__lt=activity.ends_at,
            activity__ends_at__gt=activity.starts_at,
        )
        .exclude(activity=activity)
        .select_related("activity")
        .first()
    )


def _confirmed_count(activity: Activity) -> int:
    return activity.signups.filter(status=SignUpStatus.CONFIRMED).count()


@transaction.atomic
def signup_create(*, actor: Actor, activity: Activity, volunteer: Volunteer, at: dt.datetime | None = None) -> SignUp:
    """Take a place, or join the waiting list when the places are gone."""
    if not can_sign_up(actor, volunteer):
        raise NotAllowed(_("只能为本人或被监护人报名。"))
    now = _now(actor, at)
    activity = Activity.objects.select_for_update().select_related("node").get(pk=activity.pk)
    _check_eligible(volunteer, activity, now)
    clash = _clashing_signup(volunteer, activity)
    if clash is not None:
        raise DomainError(_("与已报名的活动“%(t)s”时间冲突。") % {"t": clash.activity.title})
    signup = SignUp.objects.filter(activity=activity, volunteer=volunteer).first()
    status = SignUpStatus.CONFIRMED if _confirmed_count(activity) < activity.slots else SignUpStatus.WAITLISTED
    if signup is None:
        signup = SignUp.objects.create(activity=activity, volunteer=volunteer, status=status, queued_at=now)
    elif signup.status != SignUpStatus.CANCELLED:
        raise DomainError(_("已报名该活动（%(s)s）。") % {"s": signup.get_status_display()})
    else:
        signup.status = status
        signup.queued_at = now
        signup.save(update_fields=["status", "queued_at", "updated_at"])
    return signup


def _promote_waitlist(activity: Activity) -> list[SignUp]:
    """Fill free places from the waiting list, first come first served. ``activity`` is locked."""
    free = activity.slots - _confirmed_count(activity)
    if free <= 0:
        return []
    promoted = list(
        activity.signups.filter(status=SignUpStatus.WAITLISTED)
        .select_related("volunteer__person__user", "volunteer__guardian__user")
        .order_by("queued_at", "id")[:free]
    )
    if not promoted:
        return []
    SignUp.objects.filter(pk__in=[s.pk for s in promoted]).update(status=SignUpStatus.CONFIRMED)
    recipients = [uid for s in promoted for uid in volunteer_recipients(s.volunteer)]
    title = _("候补成功：您已报上“%(t)s”") % {"t": activity.title}
    transaction.on_commit(
        lambda: notify(
            recipient_ids=recipients,
            kind="volunteering.waitlist_promoted",
            title=title,
            body=f"{timezone.localtime(activity.starts_at):%Y-%m-%d %H:%M} {activity.place}",
            url=reverse("volunteering:activity-detail", args=[activity.pk]),
        )
    )
    return promoted


def _signup_cancel_locked(*, actor: Actor, signup: SignUp) -> SignUp:
    activity = Activity.objects.select_for_update().get(pk=signup.activity_id)
    signup = SignUp.objects.select_for_update().get(pk=signup.pk)
    if SignUpStatus.CANCELLED not in SIGNUP_TRANSITIONS[signup.status]:
        raise InvalidTransition(_("该报名已取消。"))
    if signup.checked_in_at is not None:
        raise DomainError(_("已签到，不能取消报名。"))
    was_confirmed = signup.status == SignUpStatus.CONFIRMED
    signup.status = SignUpStatus.CANCELLED
    signup.save(update_fields=["status", "updated_at"])
    if was_confirmed:
        _promote_waitlist(activity)
    return signup


@transaction.atomic
def signup_cancel(*, actor: Actor, signup: SignUp) -> SignUp:
    """The volunteer (or guardian) withdraws before the start; the organiser may remove anyone not checked in."""
    by_volunteer = can_act_for_volunteer(actor, signup.volunteer)
    if not by_volunteer and not can_manage_activity(actor, signup.activity):
        raise NotAllowed(_("您不能取消该报名。"))
    if by_volunteer and timezone.now() >= signup.activity.starts_at:
        raise DomainError(_("活动已开始，不能取消报名，请联系组织者。"))
    return _signup_cancel_locked(actor=actor, signup=signup)


# --- attendance ---------------------------------------------------------------------------------------


def _check_attendance_window(activity: Activity, now: dt.datetime) -> None:
    if activity.status != ActivityStatus.OPEN:
        raise DomainError(_("活动%(s)s，不能签到签退。") % {"s": activity.get_status_display()})
    if now < activity.starts_at - CHECKIN_OPENS_BEFORE:
        raise DomainError(_("活动开始前两小时内才能签到。"))
    if now > activity.ends_at + CHECKOUT_CLOSES_AFTER:
        raise DomainError(_("活动结束已超过12小时，不能再签到签退；请直接认定时长。"))


@transaction.atomic
def attendance_check_in(*, actor: Actor, signup: SignUp, at: dt.datetime | None = None) -> SignUp:
    if not can_manage_activity(actor, signup.activity):
        raise NotAllowed(_("只有活动组织者可以签到。"))
    now = _now(actor, at)
    signup = SignUp.objects.select_for_update().select_related("activity").get(pk=signup.pk)
    _check_attendance_window(signup.activity, now)
    if signup.status != SignUpStatus.CONFIRMED:
        raise DomainError(_("该志愿者的报名状态为“%(s)s”，不能签到。") % {"s": signup.get_status_display()})
    if signup.checked_in_at is not None:
        raise DomainError(_("已于 %(t)s 签到。") % {"t": f"{timezone.localtime(signup.checked_in_at):%H:%M}"})
    signup.checked_in_at = now
    signup.checked_in_by_id = actor.user_id
    signup.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
    return signup


@transaction.atomic
def attendance_check_out(*, actor: Actor, signup: SignUp, at: dt.datetime | None = None) -> SignUp:
    if not can_manage_activity(actor, signup.activity):
        raise NotAllowed(_("只有活动组织者可以签退。"))
    now = _now(actor, at)
    signup = SignUp.objects.select_for_update().select_related("activity").get(pk=signup.pk)
    _check_attendance_window(signup.activity, now)
    if signup.checked_in_at is None:
        raise DomainError(_("尚未签到，不能签退。"))
    if signup.checked_out_at is not None:
        raise DomainError(_("已于 %(t)s 签退。") % {"t": f"{timezone.localtime(signup.checked_out_at):%H:%M}"})
    signup.checked_out_at = max(now, signup.checked_in_at)
    signup.checked_out_by_id = actor.user_id
    signup.save(update_fields=["checked_out_at", "checked_out_by", "updated_at"])
    return signup


@transaction.atomic
def attendance_scan(
    *, actor: Actor, activity: Activity, text: str, check_out: bool = False, at: dt.datetime | None = None
) -> SignUp:
    """Check a volunteer in or out from the code their phone shows (scanned, or typed by the organiser).

    Someone who turns up without having signed up (or from the waiting list) is taken on the spot while places
    remain.
    """
    if not can_manage_activity(actor, activity):
        raise NotAllowed(_("只有活动组织者可以签到。"))
    now = _now(actor, at)
    parsed = checkin_code_parse(text)
    if parsed is None:
        raise DomainError(_("无法识别签到码，请输入志愿者编号和6位数字。"), field="code")
    volunteer = Volunteer.objects.select_related("person").filter(number=parsed.number).first()
    if volunteer is None or not checkin_code_valid(volunteer_id=volunteer.pk, code=parsed.code, at=now):
        raise DomainError(_("签到码无效或已过期，请让志愿者刷新后重试。"), field="code")
    signup = SignUp.objects.filter(activity=activity, volunteer=volunteer).first()
    if check_out:
        if signup is None:
            raise DomainError(_("%(name)s 未报名本活动。") % {"name": volunteer.person.name}, field="code")
        return attendance_check_out(actor=actor, signup=signup, at=at)
    if signup is None or signup.status != SignUpStatus.CONFIRMED:
        locked = Activity.objects.select_for_update().select_related("node").get(pk=activity.pk)
        _check_eligible(volunteer, locked, now)
        if _confirmed_count(locked) >= locked.slots:
            raise DomainError(_("名额已满，%(name)s 不能现场加入。") % {"name": volunteer.person.name}, field="code")
        if signup is None:
            signup = SignUp.objects.create(
                activity=locked, volunteer=volunteer, status=SignUpStatus.CONFIRMED, queued_at=now
            )
        else:
            signup.status = SignUpStatus.CONFIRMED
            signup.save(update_fields=["status", "updated_at"])
    return attendance_check_in(actor=actor, signup=signup, at=at)


# --- certified hours ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certification:
    record: ServiceRecord
    award: Award


def _check_minutes(activity: Activity, minutes: int, field_name: str = "hours") -> None:
    if minutes <= 0:
        raise DomainError(_("服务时长须大于0。"), field=field_name)
    if minutes > activity.duration_minutes:
        raise DomainError(
            _("认定时长不能超过活动时长（%(h)s小时）。") % {"h": hours_text(activity.duration_minutes)},
            field=field_name,
        )


@transaction.atomic
def hours_certify(*, actor: Actor, signup: SignUp, minutes: int) -> Certification:
    """The organiser certifies the time a checked-in volunteer served; the points follow by the rule in force."""
    if not can_manage_activity(actor, signup.activity):
        raise NotAllowed(_("只有活动组织者可以认定服务时长（谁组织谁记录）。"))
    activity = signup.activity
    if activity.status == ActivityStatus.CANCELLED:
        raise DomainError(_("活动已取消。"))
    _check_minutes(activity, minutes)
    volunteer = volunteer_lock(signup.volunteer_id)
    signup = SignUp.objects.select_for_update().get(pk=signup.pk)
    if signup.checked_in_at is None:
        raise DomainError(_("%(name)s 尚未签到，不能认定时长。") % {"name": volunteer.person.name}, field="hours")
    if signup.service_records.filter(kind=RecordKind.CERTIFIED).exists():
        raise DomainError(_("%(name)s 的时长已认定；如有错误请更正。") % {"name": volunteer.person.name}, field="hours")
    record = ServiceRecord.objects.create(
        volunteer=volunteer,
        activity=activity,
        signup=signup,
        kind=RecordKind.CERTIFIED,
        minutes=minutes,
        service_on=timezone.localdate(activity.starts_at),
        content=activity.service_content,
        recorded_by_id=actor.user_id,
        recorded_by_name=(actor.display_name or actor.username)[:150],
    )
    Volunteer.objects.filter(pk=volunteer.pk).update(certified_minutes=F("certified_minutes") + minutes)
    volunteer.certified_minutes += minutes
    award = points_award_for_record(actor=actor, volunteer=volunteer, record=record)
    recipients = volunteer_recipients(volunteer)
    title = _("服务时长已认定：%(h)s小时，获得 %(p)d 积分") % {"h": hours_text(minutes), "p": award.points}
    transaction.on_commit(
        lambda: notify(
            recipient_ids=recipients,
            kind="volunteering.hours_certified",
            title=title,
            body=activity.title,
            url=reverse("volunteering:my-hours"),
            dedupe_key=f"volunteering.record:{record.pk}",
        )
    )
    return Certification(record=record, award=award)


@transaction.atomic
def hours_certify_many(*, actor: Actor, activity: Activity, minutes_by_signup: dict[int, int]) -> list[Certification]:
    """Certify a roster at once: all or nothing."""
    signups = {
        s.pk: s
        for s in activity.signups.filter(pk__in=minutes_by_signup).select_related("activity", "volunteer__person")
    }
    if set(signups) != set(minutes_by_signup):
        raise DomainError(_("名单已变化，请刷新后重试。"))
    results = []
    for pk, minutes in sorted(minutes_by_signup.items()):
        try:
            results.append(hours_certify(actor=actor, signup=signups[pk], minutes=minutes))
        except DomainError as exc:
            # Name the row: the form has one hours field per volunteer.
            name = signups[pk].volunteer.person.name
            message = exc.message if name in exc.message else f"{name}：{exc.message}"
            raise DomainError(message, field=f"hours_{pk}") from exc
    return results


def record_total_minutes(original: ServiceRecord) -> int:
    return original.minutes + sum(original.corrections.values_list("minutes", flat=True))


@transaction.atomic
def hours_correct(*, actor: Actor, record: ServiceRecord, minutes: int, reason: str) -> ServiceRecord:
    """Correct certified time to ``minutes`` in total, as a new row with a reason. More time earns points by the
    rule; less time takes back what the attendance had earned beyond its new worth, as far as the balance allows."""
    original = record.corrects if record.corrects_id is not None else record
    assert original is not None  # noqa: S101 - a correction always points at its original
    if not can_manage_activity(actor, original.activity):
        raise NotAllowed(_("只有活动组织者可以更正服务时长。"))
    reason = " ".join(reason.split())
    if len(reason) < 4:
        raise DomainError(_("请写明更正原因（至少4个字）。"), field="reason")
    if minutes < 0:
        raise DomainError(_("服务时长不能为负数。"), field="hours")
    if minutes > original.activity.duration_minutes:
        _check_minutes(original.activity, minutes)
    volunteer = volunteer_lock(original.volunteer_id)
    current = record_total_minutes(original)
    delta = minutes - current
    if delta == 0:
        raise DomainError(_("更正后的时长与现在相同。"), field="hours")
    correction = ServiceRecord.objects.create(
        volunteer=volunteer,
        activity=original.activity,
        signup=original.signup,
        kind=RecordKind.CORRECTION,
        minutes=delta,
        service_on=original.service_on,
        content=original.content,
        reason=reason[:200],
        corrects=original,
        recorded_by_id=actor.user_id,
        recorded_by_name=(actor.display_name or actor.username)[:150],
    )
    Volunteer.objects.filter(pk=volunteer.pk).update(certified_minutes=F("certified_minutes") + delta)
    volunteer.certified_minutes += delta
    if delta > 0:
        points = points_award_for_record(actor=actor, volunteer=volunteer, record=correction).points
    else:
        points = -points_take_back_for_correction(
            actor=actor, volunteer=volunteer, original=original, correction=correction, new_minutes=minutes
        )
    recipients = volunteer_recipients(volunteer)
    title = _("服务时长已更正为 %(h)s 小时（积分 %(p)+d）") % {"h": hours_text(minutes), "p": points}
    transaction.on_commit(
        lambda: notify(
            recipient_ids=recipients,
            kind="volunteering.hours_corrected",
            title=title,
            body=f"{original.activity.title}：{reason}",
            url=reverse("volunteering:my-hours"),
        )
    )
    return correction
