"""Pages for residents (their hours, points, orders, certificates, the shop), organisers (activities, rosters,
check-in, certification) and the public certificate check. Managers' pages are in views_manage.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts.two_factor import qr_code_data_uri
from gongzhi.core.badges import activity_badges
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.http import ActorRequest, safe_next
from gongzhi.territory import selectors as territory_selectors
from gongzhi.territory.choices import NodeKind
from gongzhi.volunteering import certificates, ledger, selectors, services
from gongzhi.volunteering.checkin import STEP_SECONDS, VALID_MINUTES, checkin_code
from gongzhi.volunteering.choices import OrderStatus, RecordKind, SignUpStatus, VolunteerStatus
from gongzhi.volunteering.forms import (
    ActivityForm,
    CertifyForm,
    CorrectForm,
    PeriodForm,
    ProfileForm,
    ReasonForm,
    RedeemForm,
    RegisterForm,
    RuleForm,
    ScanForm,
    VerifyForm,
)
from gongzhi.volunteering.hours import hours_text, next_star_hours, star_level
from gongzhi.volunteering.models import Activity, SignUp, Volunteer
from gongzhi.volunteering.permissions import (
    can_create_activity,
    can_manage_activity,
    can_manage_rules,
    can_manage_teams,
    can_view_ledger,
    led_team_ids,
)

# --- helpers ------------------------------------------------------------------------------------------


def attempt(request: HttpRequest, call: Callable[[], Any], form: Any = None) -> bool:
    """Run a service call; a domain error becomes a form error (or a message), a refusal becomes 403."""
    try:
        call()
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        if form is not None:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.error(request, exc.message)
        return False
    return True


def page_of(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, settings.GONGZHI_PAGE_SIZE).get_page(request.GET.get("page"))


def _chosen(request: ActorRequest, mine: list[Volunteer]) -> Volunteer | None:
    """Which of the actor's volunteers a page is about: ?v=<id> among their own, else their own record."""
    raw = request.GET.get("v") or request.POST.get("v") or ""
    if raw.isdigit():
        for volunteer in mine:
            if volunteer.pk == int(raw):
                return volunteer
        raise Http404
    return mine[0] if mine else None


def _own_context(request: ActorRequest) -> dict[str, Any]:
    mine = selectors.own_volunteers(actor=request.actor)
    return {"mine": mine, "volunteer": _chosen(request, mine)}


# --- the resident's pages -----------------------------------------------------------------------------


@login_required
def home(request: ActorRequest) -> HttpResponse:
    context = _own_context(request)
    volunteer = context["volunteer"]
    if volunteer is not None:
        context.update(
            star=star_level(volunteer.certified_minutes),
            next_star_hours=next_star_hours(volunteer.certified_minutes),
            signups=selectors.signup_list_for(volunteer=volunteer)[:10],
        )
    context["can_register"] = bool(selectors.registrable_people(actor=request.actor))
    context["is_organiser"] = can_create_activity(request.actor)
    context["is_manager"] = can_view_ledger(request.actor)
    return render(request, "volunteering/home.html", context)


@login_required
def register(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    people = selectors.registrable_people(actor=actor)
    form = RegisterForm(request.POST or None, people=people, actor_person_id=actor.person_id)
    if request.method == "POST" and people and form.is_valid():
        data = form.cleaned_data
        consent = services.Consent(
            volunteer=data["consent"], guardian=data["guardian_consent"], child=data["child_consent"]
        )
        result: dict[str, Volunteer] = {}

        def call() -> None:
            result["v"] = services.volunteer_register(
                actor=actor,
                person=data["person"],
                consent=consent,
                skills=data["skills"],
                availability=data["availability"],
                intro=data["intro"],
            )

        if attempt(request, call, form):
            messages.success(request, _("登记成功，志愿者编号 %(n)s。") % {"n": result["v"].number})
            return redirect(f"{reverse('volunteering:home')}?v={result['v'].pk}")
    return render(request, "volunteering/register.html", {"form": form, "people": people})


@login_required
def profile(request: ActorRequest) -> HttpResponse:
    context = _own_context(request)
    volunteer = context["volunteer"]
    if volunteer is None:
        return render(request, "volunteering/not_volunteer.html", context)
    initial = {"skills": volunteer.skills, "availability": volunteer.availability, "intro": volunteer.intro}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        call = lambda: services.volunteer_update_profile(  # noqa: E731
            actor=request.actor, volunteer=volunteer, **data
        )
        if attempt(request, call, form):
            messages.success(request, _("资料已保存。"))
            return redirect(f"{reverse('volunteering:home')}?v={volunteer.pk}")
    context["form"] = form
    return render(request, "volunteering/profile.html", context)


@login_required
@require_POST
def withdraw(request: ActorRequest) -> HttpResponse:
    volunteer = _own_context(request)["volunteer"]
    if volunteer is not None and attempt(
        request, lambda: services.volunteer_withdraw(actor=request.actor, volunteer=volunteer)
    ):
        messages.success(request, _("已退出志愿者队伍。已认定的服务记录依法保留，随时可以重新登记。"))
    return redirect("volunteering:home")


@login_required
def my_code(request: ActorRequest) -> HttpResponse:
    """The check-in QR code; htmx swaps in a fresh one every half minute."""
    context = _own_context(request)
    volunteer = context["volunteer"]
    if volunteer is not None and volunteer.number:
        code = checkin_code(volunteer_id=volunteer.pk, number=volunteer.number)
        context.update(code=code, qr=qr_code_data_uri(code.payload), valid_minutes=VALID_MINUTES)
        context["refresh_seconds"] = STEP_SECONDS // 2
    template = "volunteering/_code.html" if request.htmx else "volunteering/my_code.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def my_hours(request: ActorRequest) -> HttpResponse:
    context = _own_context(request)
    volunteer = context["volunteer"]
    if volunteer is not None:
        records = selectors.service_record_list(actor=request.actor, volunteer=volunteer)
        context["page_obj"] = page_of(request, records)
        context["star"] = star_level(volunteer.certified_minutes)
        context["next_star_hours"] = next_star_hours(volunteer.certified_minutes)
        context["stars"] = settings.GONGZHI_VOLUNTEER_STAR_HOURS
    return render(request, "volunteering/my_hours.html", context)


@login_required
def my_points(request: ActorRequest) -> HttpResponse:
    context = _own_context(request)
    volunteer = context["volunteer"]
    if volunteer is not None:
        entries = selectors.points_entry_list(actor=request.actor, volunteer=volunteer)
        context["page_obj"] = page_of(request, entries)
        context["rule"] = selectors.points_rule_current()
    return render(request, "volunteering/my_points.html", context)


@login_required
def my_orders(request: ActorRequest) -> HttpResponse:
    context = _own_context(request)
    orders = selectors.order_list(actor=request.actor, volunteers=context["mine"])
    page = page_of(request, orders)
    context["page_obj"] = page
    context["qr"] = {o.pk: qr_code_data_uri(o.pickup_code) for o in page if o.status == OrderStatus.PLACED}
    return render(request, "volunteering/my_orders.html", context)


@login_required
def my_certificates(request: ActorRequest) -> HttpResponse:
    context = _own_context(request)
    volunteer = context["volunteer"]
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and volunteer is not None and form.is_valid():
        call = lambda: certificates.certificate_issue(  # noqa: E731
            actor=request.actor, volunteer=volunteer, **form.cleaned_data
        )
        if attempt(request, call, form):
            messages.success(request, _("证明已开具，可下载PDF打印后到志愿者协会盖章。"))
            return redirect(f"{reverse('volunteering:my-certificates')}?v={volunteer.pk}")
    if volunteer is not None:
        context["certificates"] = selectors.certificate_list(actor=request.actor, volunteer=volunteer)
    context["form"] = form
    return render(request, "volunteering/my_certificates.html", context)


@login_required
def certificate_pdf(request: ActorRequest, certificate_id: int) -> HttpResponse:
    certificate = selectors.certificate_get(actor=request.actor, certificate_id=certificate_id)
    verify_url = request.build_absolute_uri(
        reverse("volunteering:certificate-verify-code", args=[certificate.verification_code])
    )
    pdf = certificates.certificate_pdf(actor=request.actor, certificate=certificate, verify_url=verify_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.number}.pdf"'
    return response


# --- the public check ---------------------------------------------------------------------------------


def certificate_verify(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        code = certificates.verification_code_normalise(form.cleaned_data["code"])
        return redirect("volunteering:certificate-verify-code", code=code)
    return render(request, "volunteering/verify.html", {"form": form})


def certificate_verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """Shows exactly what the certificate shows, nothing more, to anyone holding its code."""
    certificate = certificates.certificate_find(code)
    context = {
        "form": VerifyForm(initial={"code": code}),
        "certificate": certificate,
        "code": certificates.verification_code_display(certificates.verification_code_normalise(code)),
    }
    return render(request, "volunteering/verify.html", context, status=200 if certificate else 404)


# --- activities ---------------------------------------------------------------------------------------


@login_required
def activity_list(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    when = request.GET.get("when", "upcoming")
    if when not in {"upcoming", "past", "organised"}:
        when = "upcoming"
    activities = (
        selectors.activity_list(actor=actor, when="all", organised_only=True)
        if when == "organised"
        else selectors.activity_list(actor=actor, when=when)
    )
    page = page_of(request, activities)
    mine = selectors.own_volunteers(actor=actor)
    return render(
        request,
        "volunteering/activity_list.html",
        {
            "page_obj": page,
            "when": when,
            "my_signups": selectors.own_signups(actor=actor, volunteers=mine),
            "can_create": can_create_activity(actor),
            "badges": activity_badges(a.pk for a in page),
        },
    )


def _activity_form_choices(request: ActorRequest) -> tuple[list[Any], list[Any]]:
    """Places an organiser may open an activity to, and the teams they may run it for."""
    actor = request.actor
    nodes = [
        node
        for node in territory_selectors.node_list(
            actor=actor, kinds=[NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.COMPOUND]
        )
        if can_create_activity(actor, node=node)
    ]
    team_ids = led_team_ids(actor)
    teams = [t for t in selectors.team_list(actor=actor) if t.pk in team_ids or can_manage_teams(actor, t.node)]
    for team in teams:
        if team.pk in team_ids and team.node not in nodes:
            nodes.append(team.node)
    return nodes, teams


def _activity_data(form: ActivityForm) -> services.ActivityData:
    return services.ActivityData(**form.cleaned_data)  # the form's fields are the dataclass's


@login_required
def activity_create(request: ActorRequest) -> HttpResponse:
    if not can_create_activity(request.actor):
        raise Http404
    nodes, teams = _activity_form_choices(request)
    form = ActivityForm(request.POST or None, nodes=nodes, teams=teams)
    if request.method == "POST" and form.is_valid():
        created: dict[str, Activity] = {}

        def call() -> None:
            created["a"] = services.activity_create(actor=request.actor, data=_activity_data(form))

        if attempt(request, call, form):
            messages.success(request, _("活动已发布。"))
            return redirect("volunteering:activity-detail", activity_id=created["a"].pk)
    return render(request, "volunteering/activity_form.html", {"form": form})


@login_required
def activity_edit(request: ActorRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_get(actor=request.actor, activity_id=activity_id)
    if not can_manage_activity(request.actor, activity):
        raise PermissionDenied
    nodes, teams = _activity_form_choices(request)
    if activity.node not in nodes:
        nodes.append(activity.node)
    local = timezone.localtime
    initial = {
        "title": activity.title,
        "service_content": activity.service_content,
        "node": activity.node_id,
        "team": activity.team_id,
        "place": activity.place,
        "starts_at": local(activity.starts_at),
        "ends_at": local(activity.ends_at),
        "slots": activity.slots,
        "min_age": activity.min_age,
        "description": activity.description,
    }
    form = ActivityForm(request.POST or None, initial=initial, nodes=nodes, teams=teams)
    if request.method == "POST" and form.is_valid():
        call = lambda: services.activity_update(  # noqa: E731
            actor=request.actor, activity=activity, data=_activity_data(form)
        )
        if attempt(request, call, form):
            messages.success(request, _("活动已更新。"))
            return redirect("volunteering:activity-detail", activity_id=activity.pk)
    return render(request, "volunteering/activity_form.html", {"form": form, "activity": activity})


@login_required
def activity_detail(request: ActorRequest, activity_id: int) -> HttpResponse:
    actor = request.actor
    activity = selectors.activity_get(actor=actor, activity_id=activity_id)
    mine = [v for v in selectors.own_volunteers(actor=actor) if v.status == VolunteerStatus.ACTIVE]
    signups = {s.volunteer_id: s for s in selectors.own_signups_for(activity=activity, volunteers=mine)}
    return render(
        request,
        "volunteering/activity_detail.html",
        {
            "activity": activity,
            "mine": mine,
            "signups": signups,
            "unsigned": [v for v in mine if v.pk not in signups],
            "can_manage": can_manage_activity(actor, activity),
            "is_over": timezone.now() >= activity.ends_at,
            "has_started": timezone.now() >= activity.starts_at,
        },
    )


@login_required
@require_POST
def activity_signup(request: ActorRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_get(actor=request.actor, activity_id=activity_id)
    volunteer = _chosen(request, selectors.own_volunteers(actor=request.actor))
    if volunteer is None:
        messages.error(request, _("请先登记成为志愿者。"))
        return redirect("volunteering:register")
    result: dict[str, SignUp] = {}

    def call() -> None:
        result["s"] = services.signup_create(actor=request.actor, activity=activity, volunteer=volunteer)

    if attempt(request, call):
        if result["s"].status == SignUpStatus.WAITLISTED:
            messages.info(
                request,
                _("名额已满，%(name)s 已进入候补名单，有人取消时按顺序递补。") % {"name": volunteer.person.name},
            )
        else:
            messages.success(request, _("%(name)s 报名成功。") % {"name": volunteer.person.name})
    return redirect("volunteering:activity-detail", activity_id=activity.pk)


@login_required
@require_POST
def signup_cancel(request: ActorRequest, signup_id: int) -> HttpResponse:
    signup = selectors.signup_get(actor=request.actor, signup_id=signup_id)
    if attempt(request, lambda: services.signup_cancel(actor=request.actor, signup=signup)):
        messages.success(request, _("已取消报名。"))
    return redirect(safe_next(request, reverse("volunteering:activity-detail", args=[signup.activity_id])))


# --- the organiser's roster -----------------------------------------------------------------------------


def _managed_activity(request: ActorRequest, activity_id: int) -> Activity:
    activity = selectors.activity_get(actor=request.actor, activity_id=activity_id)
    if not can_manage_activity(request.actor, activity):
        raise PermissionDenied
    return activity


def _roster_context(activity: Activity, certify_form: CertifyForm | None = None) -> dict[str, Any]:
    roster = list(selectors.activity_roster(activity=activity))
    for signup in roster:
        records = list(signup.service_records.all())
        signup.original = next((r for r in records if r.kind == RecordKind.CERTIFIED), None)  # type: ignore[attr-defined]
        signup.total_minutes = sum(r.minutes for r in records)  # type: ignore[attr-defined]
    pending = [s for s in roster if s.checked_in_at is not None and s.original is None]  # type: ignore[attr-defined]
    return {
        "activity": activity,
        "roster": roster,
        "pending": pending,
        "certify_form": certify_form or CertifyForm(signups=pending),
        "default_hours": _default_hours(activity),
        "scan_form": ScanForm(),
    }


def _default_hours(activity: Activity) -> str:
    return hours_text(activity.duration_minutes)


@login_required
def activity_roster(request: ActorRequest, activity_id: int) -> HttpResponse:
    activity = _managed_activity(request, activity_id)
    return render(request, "volunteering/activity_roster.html", _roster_context(activity))


@login_required
@require_POST
def activity_scan(request: ActorRequest, activity_id: int) -> HttpResponse:
    activity = _managed_activity(request, activity_id)
    form = ScanForm(request.POST)
    result: dict[str, SignUp] = {}
    ok = False
    if form.is_valid():

        def call() -> None:
            result["s"] = services.attendance_scan(
                actor=request.actor,
                activity=activity,
                text=form.cleaned_data["code"],
                check_out=form.cleaned_data["direction"] == "out",
            )

        ok = attempt(request, call, form)
    if ok:
        signup = result["s"]
        done = _("签退") if form.cleaned_data["direction"] == "out" else _("签到")
        text = _("%(name)s %(done)s成功。") % {"name": signup.volunteer.person.name, "done": done}
    else:
        text = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if request.htmx:  # type: ignore[attr-defined]
        context = _roster_context(activity)
        context.update(scan_ok=ok, scan_text=text)
        return render(request, "volunteering/_scan_result.html", context)
    (messages.success if ok else messages.error)(request, text)
    return redirect("volunteering:activity-roster", activity_id=activity.pk)


@login_required
@require_POST
def signup_attendance(request: ActorRequest, signup_id: int) -> HttpResponse:
    """The manual list: tick a volunteer in or out without their phone."""
    signup = selectors.signup_get(actor=request.actor, signup_id=signup_id)
    if not can_manage_activity(request.actor, signup.activity):
        raise PermissionDenied
    if request.POST.get("direction") == "out":
        ok = attempt(request, lambda: services.attendance_check_out(actor=request.actor, signup=signup))
        done = _("签退")
    else:
        ok = attempt(request, lambda: services.attendance_check_in(actor=request.actor, signup=signup))
        done = _("签到")
    if ok:
        messages.success(request, _("%(name)s %(done)s成功。") % {"name": signup.volunteer.person.name, "done": done})
    return redirect("volunteering:activity-roster", activity_id=signup.activity_id)


@login_required
@require_POST
def activity_certify(request: ActorRequest, activity_id: int) -> HttpResponse:
    activity = _managed_activity(request, activity_id)
    pending = _roster_context(activity)["pending"]
    form = CertifyForm(request.POST, signups=pending)
    if form.is_valid():
        minutes = form.minutes_by_signup()
        if not minutes:
            form.add_error(None, _("请至少为一名志愿者填写服务时长。"))
        else:
            results: list[services.Certification] = []

            def call() -> None:
                results.extend(
                    services.hours_certify_many(actor=request.actor, activity=activity, minutes_by_signup=minutes)
                )

            if attempt(request, call, form):
                points = sum(r.award.points for r in results)
                messages.success(
                    request,
                    _("已认定 %(n)d 人的服务时长，共发放 %(p)d 积分。") % {"n": len(results), "p": points},
                )
                if any(r.award.capped for r in results):
                    messages.info(request, _("部分志愿者已达到当日或当月积分上限，时长照常认定，积分按上限发放。"))
                return redirect("volunteering:activity-roster", activity_id=activity.pk)
    return render(request, "volunteering/activity_roster.html", _roster_context(activity, form), status=400)


@login_required
@require_POST
def activity_close(request: ActorRequest, activity_id: int) -> HttpResponse:
    activity = _managed_activity(request, activity_id)
    if attempt(request, lambda: services.activity_close(actor=request.actor, activity=activity)):
        messages.success(request, _("活动已结束，不再接受报名和签到；仍可认定和更正时长。"))
    return redirect("volunteering:activity-roster", activity_id=activity.pk)


@login_required
@require_POST
def activity_cancel(request: ActorRequest, activity_id: int) -> HttpResponse:
    activity = _managed_activity(request, activity_id)
    reason = ReasonForm(request.POST)
    text = reason.cleaned_data["reason"] if reason.is_valid() else ""
    if attempt(request, lambda: services.activity_cancel(actor=request.actor, activity=activity, reason=text)):
        messages.success(request, _("活动已取消，已通知报名的志愿者。"))
    return redirect("volunteering:activity-detail", activity_id=activity.pk)


@login_required
def record_correct(request: ActorRequest, record_id: int) -> HttpResponse:
    record = selectors.service_record_get(actor=request.actor, record_id=record_id)
    if not can_manage_activity(request.actor, record.activity):
        raise PermissionDenied
    current = services.record_total_minutes(record)
    form = CorrectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        call = lambda: services.hours_correct(  # noqa: E731
            actor=request.actor, record=record, minutes=form.cleaned_data["hours"], reason=form.cleaned_data["reason"]
        )
        if attempt(request, call, form):
            messages.success(request, _("服务时长已更正，更正记录已保存。"))
            return redirect("volunteering:activity-roster", activity_id=record.activity_id)
    return render(
        request,
        "volunteering/record_correct.html",
        {
            "record": record,
            "form": form,
            "current": current,
            "corrections": selectors.record_corrections(record=record),
        },
    )


# --- the shop -----------------------------------------------------------------------------------------


@login_required
def shop(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    mine = [v for v in selectors.own_volunteers(actor=actor) if v.status == VolunteerStatus.ACTIVE]
    items = list(selectors.shop_item_list(actor=actor))
    return render(
        request,
        "volunteering/shop.html",
        {"mine": mine, "items": [(item, RedeemForm(volunteers=mine)) for item in items]},
    )


@login_required
@require_POST
def shop_redeem(request: ActorRequest, item_id: int) -> HttpResponse:
    item = selectors.shop_item_get(actor=request.actor, item_id=item_id)
    mine = [v for v in selectors.own_volunteers(actor=request.actor) if v.status == VolunteerStatus.ACTIVE]
    form = RedeemForm(request.POST, volunteers=mine)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("volunteering:shop")
    result: dict[str, tuple[Any, bool]] = {}

    def call() -> None:
        result["r"] = ledger.points_redeem(
            actor=request.actor,
            volunteer=form.cleaned_data["volunteer"],
            item=item,
            quantity=form.cleaned_data["quantity"],
            client_key=form.cleaned_data["client_key"],
        )

    if not attempt(request, call):
        return redirect("volunteering:shop")
    order, created = result["r"]
    if created:
        messages.success(request, _("兑换成功！领取码 %(code)s，请凭码到积分超市领取。") % {"code": order.pickup_code})
    else:
        messages.info(request, _("这笔兑换已经提交过，没有重复扣分。"))
    return redirect(f"{reverse('volunteering:my-orders')}#order-{order.pk}")


@login_required
@require_POST
def order_cancel(request: ActorRequest, order_id: int) -> HttpResponse:
    order = selectors.order_get(actor=request.actor, order_id=order_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if attempt(request, lambda: ledger.order_cancel(actor=request.actor, order=order, reason=reason)):
        messages.success(request, _("订单已取消，%(n)d 积分已退还。") % {"n": order.points})
    return redirect(safe_next(request, reverse("volunteering:my-orders")))


# --- rules --------------------------------------------------------------------------------------------


@login_required
def rules(request: ActorRequest) -> HttpResponse:
    """How points are earned, for everyone; a subdistrict manager adds the next version."""
    can_edit = can_manage_rules(request.actor)
    form = RuleForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            call = lambda: ledger.points_rule_add(actor=request.actor, **form.cleaned_data)  # noqa: E731
            if attempt(request, call, form):
                messages.success(request, _("新规则已保存，从生效日期起认定的时长按新规则计分。"))
                return redirect("volunteering:rules")
    return render(
        request,
        "volunteering/rules.html",
        {
            "rules": selectors.points_rule_list(),
            "current": selectors.points_rule_current(),
            "form": form,
            "stars": settings.GONGZHI_VOLUNTEER_STAR_HOURS,
        },
    )
