"""Pages of the monthly evaluation (月度评比): months, the ranking, a subject's sheet and trend, the phone
rating form, appeals, the public red and black lists, and the rubric.

Every score shown starts from permissions.visible_evaluations, so an unpublished month reaches staff only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseForbidden
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.http import ActorRequest, action_attempt
from gongzhi.core.photos import CleanPhoto, photo_clean
from gongzhi.stewardship import evaluation as ev
from gongzhi.stewardship import exports, rubrics, standings
from gongzhi.stewardship.choices import AppealStatus, Indicator, MonthStatus, RaterKind, SubjectKind
from gongzhi.stewardship.models import Appeal, Deduction, Evaluation, EvaluationMonth, Rating, Rubric
from gongzhi.stewardship.permissions import (
    STAFF_ROLES,
    may_appeal,
    may_run_evaluation,
    rateable_evaluations,
    rater_kinds_of,
    sees_drafts,
    visible_evaluations,
)

INDICATOR_FIGURES = {
    Indicator.ON_TIME: ("on_time_permille", "permille"),
    Indicator.REWORK: ("rework_permille", "permille"),
    Indicator.LEDGER: ("ledger_permille", "permille"),
    Indicator.COMPLAINTS: ("complaints", "count"),
    Indicator.MEETINGS: ("meetings_days", "count"),
    Indicator.FINANCE: ("finance_days", "count"),
}


def _first_day(text: str) -> dt.date | None:
    """ "2026-11" → 2026-11-01; anything else None."""
    year, _sep, month = text.partition("-")
    if not (len(year) == 4 and year.isdigit() and month.isdigit() and len(month) == 2):
        return None
    try:
        return dt.date(int(year), int(month), 1)
    except ValueError:
        return None


def _month_of(text: str) -> EvaluationMonth:
    first = _first_day(text)
    if first is None:
        raise Http404
    return get_object_or_404(EvaluationMonth, month=first)


def _is_staff(request: ActorRequest) -> bool:
    return request.actor.is_system or request.actor.has_role(*STAFF_ROLES)


def _points(text: str, label: str = "") -> int:
    """ "2" or "2.5" (分) → tenths; anything else a clear refusal naming the field."""
    label = label or _("扣分")
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise DomainError(_("%(f)s请填写数字，最多一位小数，例如 2 或 1.5。") % {"f": label}, field="points") from exc
    if not value.is_finite() or value < 0 or value > 100 or value != value.quantize(Decimal("0.1")):
        raise DomainError(_("%(f)s应为0到100之间、最多一位小数的数字。") % {"f": label}, field="points")
    return int(value * 10)


def _ids(values: list[str]) -> list[int]:
    """Row ids posted by a form; anything that is not a plausible id is dropped (never an overflow)."""
    return [int(v) for v in values if v.isdigit() and len(v) <= 18]


def _percent(permille: Any) -> str:
    return "—" if permille is None else f"{int(permille) / 10:.1f}%"


# --- months and the ranking -----------------------------------------------------------------------------------


@login_required
def evaluation_home(request: ActorRequest) -> HttpResponseBase:
    actor = request.actor
    runs = may_run_evaluation(actor)
    if request.method == "POST":
        if not runs:
            return HttpResponseForbidden(_("只有街道干部可以开始评比。"))
        first = _first_day(request.POST.get("month", ""))
        if first is None:
            messages.error(request, _("请选择要评比的月份。"))
            return redirect("stewardship:evaluation-home")
        try:
            month = ev.month_open(actor=actor, month=first)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("stewardship:evaluation-home")
        messages.success(
            request, _("已开始 %(m)s 的评比：%(n)d 个对象。") % {"m": f"{first:%Y-%m}", "n": month.evaluations.count()}
        )
        return redirect("stewardship:month", month=f"{first:%Y-%m}")
    visible = visible_evaluations(actor)
    months = EvaluationMonth.objects.filter(pk__in=visible.values("month_id")).annotate(
        subjects=Count("evaluations", distinct=True),
        pending=Count("evaluations__appeals", filter=Q(evaluations__appeals__status=AppealStatus.PENDING)),
    )
    today = timezone.localdate()
    previous = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    tasks = [
        {"e": e, "kinds": [(k, RaterKind(k).label) for k in rater_kinds_of(actor, e)]}
        for e in rateable_evaluations(actor).exclude(pk__in=visible.values("pk")).select_related("month", "compound")
    ]
    return render(
        request,
        "stewardship/evaluation/home.html",
        {
            "months": months[:36],
            "tasks": tasks,
            "runs": runs,
            "suggested": previous,
            "latest": f"{today:%Y-%m}",
        },
    )


def _filters(request: ActorRequest, results: list[standings.Result]) -> tuple[list[standings.Result], dict[str, Any]]:
    kind = request.GET.get("kind", "")
    community = request.GET.get("community", "")
    communities = sorted({(r.evaluation.community_id, r.evaluation.community.name) for r in results})
    if kind in SubjectKind.values:
        results = [r for r in results if r.evaluation.subject_kind == kind]
    if community.isdigit():
        results = [r for r in results if r.evaluation.community_id == int(community)]
    return results, {"kind": kind, "community": community, "communities": communities, "kinds": SubjectKind.choices}


@login_required
def month_detail(request: ActorRequest, month: str) -> HttpResponse:
    actor = request.actor
    evaluation_month = _month_of(month)
    visible = visible_evaluations(actor).filter(month=evaluation_month)
    if not visible.exists():
        raise Http404
    results, filters = _filters(request, standings.month_results(evaluation_month, visible))
    rates = {r.evaluation.pk: rater_kinds_of(actor, r.evaluation) for r in results}
    rated = set(
        Rating.objects.filter(evaluation__month=evaluation_month, submitted_at__isnull=False).values_list(
            "evaluation_id", "rater_kind"
        )
    )
    rows = [
        {
            "r": r,
            "total": standings.points_text(r.total),
            "sheets": [(k, RaterKind(k).label, (r.evaluation.pk, k) in rated) for k in rates[r.evaluation.pk]],
        }
        for r in results
    ]
    status = evaluation_month.status
    return render(
        request,
        "stewardship/evaluation/month.html",
        {
            "month": evaluation_month,
            "label": month,
            "rows": rows,
            "runs": may_run_evaluation(actor),
            "rating": status == MonthStatus.RATING,
            "draft": status != MonthStatus.PUBLISHED,
            "staff": _is_staff(request),
            "turnout": standings.satisfaction_turnout(
                [r.evaluation.satisfaction_question_id for r in results if r.evaluation.satisfaction_question_id]
            )
            if status == MonthStatus.RATING
            else None,
            **filters,
        },
    )


@login_required
@require_POST
def month_act(request: ActorRequest, month: str, action: str) -> HttpResponseBase:
    actor = request.actor
    if not may_run_evaluation(actor):
        raise Http404
    evaluation_month = _month_of(month)
    done = {
        "review": (
            lambda: ev.month_review(actor=actor, month=evaluation_month),
            _("已提交审核：居民测评已计票，指标已固定。"),
        ),
        "reopen": (
            lambda: ev.month_reopen(actor=actor, month=evaluation_month, reason=request.POST.get("reason", "")),
            _("已退回评分。"),
        ),
        "publish": (lambda: ev.month_publish(actor=actor, month=evaluation_month), _("已发布公示，申诉期7天。")),
    }
    if action not in done:
        raise Http404
    act, message = done[action]
    return action_attempt(request, act, message) or redirect("stewardship:month", month=month)


@login_required
def month_export(request: ActorRequest, month: str) -> FileResponse:
    actor = request.actor
    evaluation_month = _month_of(month)
    visible = visible_evaluations(actor).filter(month=evaluation_month)
    if not visible.exists():
        raise Http404
    results = standings.month_results(evaluation_month, visible)
    return exports.ranking_export(actor=actor, month=evaluation_month, results=results)


@login_required
def lists(request: ActorRequest) -> HttpResponse:
    """The latest published month's red and black lists (红黑榜), for everyone signed in."""
    published = EvaluationMonth.objects.filter(status=MonthStatus.PUBLISHED)
    chosen = request.GET.get("month", "")
    month = None
    if chosen:
        month = published.filter(month=f"{chosen}-01").first() if len(chosen) == 7 else None
    month = month or published.first()
    red: list[standings.Result] = []
    black: list[standings.Result] = []
    if month is not None:
        for r in standings.month_results(month):
            if r.red:
                red.append(r)
            elif r.black:
                black.append(r)
    return render(
        request,
        "stewardship/evaluation/lists.html",
        {
            "month": month,
            "months": [f"{m:%Y-%m}" for m in published.values_list("month", flat=True)[:24]],
            "red": red,
            "black": black,
        },
    )


# --- one subject --------------------------------------------------------------------------------------------


def _visible_evaluation(request: ActorRequest, evaluation_id: int) -> Evaluation:
    return get_object_or_404(
        visible_evaluations(request.actor).select_related("month", "rubric", "compound", "community"),
        pk=evaluation_id,
    )


def _item_rows(evaluation: Evaluation, figures: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for item in evaluation.rubric.items.all():
        row: dict[str, Any] = {"item": item, "max": standings.points_text(item.max_points)}
        if item.indicator:
            key, shape = INDICATOR_FIGURES[Indicator(item.indicator)]
            value = figures.get(key)
            row["figure"] = _percent(value) if shape == "permille" else ("—" if value is None else str(value))
        rows.append(row)
    return rows


@login_required
def evaluation_detail(request: ActorRequest, evaluation_id: int) -> HttpResponse:
    actor = request.actor
    evaluation = _visible_evaluation(request, evaluation_id)
    month = evaluation.month
    visible = visible_evaluations(actor)
    result = next(iter(standings.month_results(month, visible.filter(pk=evaluation.pk))))
    staff = sees_drafts(actor, evaluation)
    live = standings.live_figures(month.month) if month.status == MonthStatus.RATING else None
    sheets = list(
        evaluation.ratings.filter(submitted_at__isnull=False).prefetch_related(
            "deductions__item", "deductions__withdrawn_by"
        )
    )
    appeals = list(evaluation.appeals.prefetch_related("deductions__item"))
    pending = next((a for a in appeals if a.status == AppealStatus.PENDING), None)
    now = timezone.now()
    appeal_open = bool(
        month.is_published and month.appeals_until and now <= month.appeals_until and may_appeal(actor, evaluation)
    )
    history = standings.trend(evaluation, visible)
    chart = {
        "months": [f"{r.evaluation.month.month:%Y-%m}" for r in history],
        "totals": [r.total / 10 for r in history],
    }
    return render(
        request,
        "stewardship/evaluation/evaluation.html",
        {
            "e": evaluation,
            "month": month,
            "label": f"{month.month:%Y-%m}",
            "result": result,
            "total": standings.points_text(result.total),
            "parts": [(RaterKind(k).label, standings.points_text(v)) for k, v in result.parts.items()],
            "items": _item_rows(evaluation, standings.figures_of(evaluation, live)),
            "sheets": sheets,
            "staff": staff,
            "appeals": appeals,
            "pending": pending,
            "appeal_open": appeal_open and pending is None,
            "decides": may_run_evaluation(actor) and pending is not None,
            "rates": [(k, RaterKind(k).label) for k in rater_kinds_of(actor, evaluation)]
            if month.status == MonthStatus.RATING
            else [],
            "history": [
                (f"{r.evaluation.month.month:%Y-%m}", standings.points_text(r.total), r.grade) for r in history
            ],
            "chart": chart,
        },
    )


def _specs(request: ActorRequest, evaluation: Evaluation) -> list[ev.DeductionSpec]:
    """The form's rows (points-<item>, evidence-<item>, photo-<item>) as deductions; blank rows are none."""
    specs = []
    for item in evaluation.rubric.items.filter(indicator=""):
        raw = request.POST.get(f"points-{item.pk}", "").strip()
        if not raw or raw in {"0", "0.0"}:
            continue
        points = _points(raw)
        upload = request.FILES.get(f"photo-{item.pk}")
        photo: CleanPhoto | None = None
        if upload is not None:
            photo = photo_clean(upload, size=upload.size or 0, field=f"photo-{item.pk}")
        specs.append(ev.DeductionSpec(item.pk, points, request.POST.get(f"evidence-{item.pk}", ""), photo))
    return specs


@login_required
def rating_form(request: ActorRequest, evaluation_id: int, rater_kind: str) -> HttpResponseBase:
    actor = request.actor
    evaluation = get_object_or_404(
        Evaluation.objects.filter(pk__in=rateable_evaluations(actor).values("pk")).select_related(
            "month", "rubric", "compound"
        ),
        pk=evaluation_id,
    )
    if rater_kind not in rater_kinds_of(actor, evaluation):
        raise Http404
    sheet = evaluation.ratings.filter(rater_kind=rater_kind).prefetch_related("deductions").first()
    error = ""
    values: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in request.POST if k.startswith(("points-", "evidence-"))}
        try:
            ev.rating_save(
                actor=actor,
                evaluation=evaluation,
                rater_kind=rater_kind,
                deductions=_specs(request, evaluation),
                note=request.POST.get("note", ""),
            )
        except NotAllowed as exc:
            return HttpResponseForbidden(exc.message)
        except DomainError as exc:
            error = exc.message
        else:
            done = {"k": RaterKind(rater_kind).label, "who": evaluation.subject_name}
            messages.success(request, _("已提交%(k)s：%(who)s。") % done)
            if sees_drafts(actor, evaluation):
                return redirect("stewardship:month", month=f"{evaluation.month.month:%Y-%m}")
            return redirect("stewardship:evaluation-home")
    elif sheet is not None:
        for d in sheet.deductions.all():
            values[f"points-{d.item_id}"] = standings.points_text(d.points)
            values[f"evidence-{d.item_id}"] = d.evidence
    live = standings.live_figures(evaluation.month.month)
    rows = _item_rows(evaluation, standings.figures_of(evaluation, live))
    for row in rows:
        pk = row["item"].pk
        row["points"] = values.get(f"points-{pk}", "")
        row["evidence"] = values.get(f"evidence-{pk}", "")
    return render(
        request,
        "stewardship/evaluation/rate.html",
        {
            "e": evaluation,
            "rater_kind": rater_kind,
            "rater_label": RaterKind(rater_kind).label,
            "rows": rows,
            "note": request.POST.get("note", "") if request.method == "POST" else (sheet.note if sheet else ""),
            "error": error,
            "sheet": sheet,
            "staff": sees_drafts(actor, evaluation),
        },
        status=422 if error else 200,
    )


@login_required
@require_POST
def appeal_file(request: ActorRequest, evaluation_id: int) -> HttpResponseBase:
    actor = request.actor
    evaluation = _visible_evaluation(request, evaluation_id)
    ids = _ids(request.POST.getlist("deductions"))
    text = request.POST.get("text", "")
    return action_attempt(
        request,
        lambda: ev.appeal_file(actor=actor, evaluation=evaluation, text=text, deduction_ids=ids),
        _("申诉已提交，街道将作出裁定。"),
    ) or redirect("stewardship:evaluation", evaluation_id=evaluation.pk)


@login_required
@require_POST
def appeal_decide(request: ActorRequest, appeal_id: int) -> HttpResponseBase:
    actor = request.actor
    appeal = get_object_or_404(Appeal.objects.filter(evaluation__in=visible_evaluations(actor)), pk=appeal_id)
    upheld = request.POST.get("upheld") == "1"
    ids = _ids(request.POST.getlist("withdraw")) if upheld else []
    reason = request.POST.get("reason", "")
    return action_attempt(
        request,
        lambda: ev.appeal_decide(actor=actor, appeal=appeal, upheld=upheld, reason=reason, withdraw_ids=ids),
        _("已裁定。"),
    ) or redirect("stewardship:evaluation", evaluation_id=appeal.evaluation_id)


@login_required
def deduction_photo(request: ActorRequest, deduction_id: int) -> FileResponse:
    deduction = get_object_or_404(
        Deduction.objects.filter(rating__evaluation__in=visible_evaluations(request.actor)).exclude(photo=""),
        pk=deduction_id,
    )
    evaluation = deduction.rating.evaluation
    if not (sees_drafts(request.actor, evaluation) or evaluation.month.is_published):
        raise Http404
    return FileResponse(deduction.photo.open("rb"), content_type="image/jpeg")


# --- the rubric ---------------------------------------------------------------------------------------------------


def _int(request: ActorRequest, name: str, label: str) -> int:
    raw = request.POST.get(name, "").strip()
    if not raw.isdigit() or len(raw) > 4:
        raise DomainError(_("%(f)s请填写整数。") % {"f": label}, field=name)
    return int(raw)


def _bands(text: str) -> list[tuple[str, int]]:
    """ "AAA 85, AA 80, A 70, B 60, C 0" → [("AAA", 850), …] (分 → tenths)."""
    bands = []
    for part in text.replace("，", ",").split(","):
        bits = part.split()
        if len(bits) != 2:
            raise DomainError(_("等级划分的写法：等级 分数线，用逗号隔开，例如 AAA 85, AA 80, C 0。"), field="bands")
        bands.append((bits[0], _points(bits[1], _("分数线"))))
    return bands


@login_required
def rubric_page(request: ActorRequest) -> HttpResponseBase:
    actor = request.actor
    if not (may_run_evaluation(actor) or _is_staff(request)):
        raise Http404
    kinds = [(kind, label, rubrics.active_rubric(kind)) for kind, label in SubjectKind.choices]
    if request.method == "POST":
        if not may_run_evaluation(actor):
            return HttpResponseForbidden(_("只有街道干部可以修改评比细则。"))
        given = request.POST.get("rubric", "")
        rubric = get_object_or_404(Rubric, pk=next(iter(_ids([given])), 0))
        try:
            _rubric_change(request, rubric)
        except NotAllowed as exc:
            return HttpResponseForbidden(exc.message)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("细则已保存；已用过的细则另存为新版本，下个评比月起使用。"))
        return redirect(reverse("stewardship:rubrics") + f"#rubric-{rubric.subject_kind}")
    return render(
        request,
        "stewardship/evaluation/rubrics.html",
        {
            "kinds": [
                {
                    "kind": kind,
                    "label": label,
                    "rubric": r,
                    "items": [{"item": i, "max": standings.points_text(i.max_points)} for i in r.items.all()],
                    "bands": ", ".join(f"{name} {standings.points_text(int(low))}" for name, low in r.grade_bands),
                    "black_below": standings.points_text(r.black_below),
                }
                for kind, label, r in kinds
            ],
            "runs": may_run_evaluation(actor),
            "indicators": Indicator.choices,
        },
    )


def _rubric_change(request: ActorRequest, rubric: Rubric) -> None:
    actor = request.actor
    action = request.POST.get("action", "")
    if action == "rules":
        rubrics.rubric_rules_set(
            actor=actor,
            rubric=rubric,
            weights=(
                _int(request, "weight_community", _("社区权重")),
                _int(request, "weight_subdistrict", _("街道权重")),
                _int(request, "weight_committee", _("业委会权重")),
                _int(request, "weight_residents", _("居民满意度权重")),
            ),
            bands=_bands(request.POST.get("bands", "")),
            red_grades=request.POST.get("red_grades", "").replace("，", " ").replace(",", " ").split(),
            black_below=_points(request.POST.get("black_below", ""), _("黑榜分数线")),
            black_last_months=_int(request, "black_last_months", _("连续末位月数")),
        )
    elif action == "add":
        spec = rubrics.ItemSpec(
            section=request.POST.get("section", "").strip()[:30],
            text=request.POST.get("text", "").strip()[:300],
            max_points=_points(request.POST.get("max_points", ""), _("分值")),
            deduction_rule=request.POST.get("deduction_rule", "").strip()[:300],
            deduction_step=_points(request.POST.get("deduction_step", ""), _("每次扣分")),
        )
        rubrics.rubric_item_save(actor=actor, rubric=rubric, spec=spec)
    elif action == "remove":
        rubrics.rubric_item_remove(actor=actor, rubric=rubric, position=_int(request, "position", _("序号")))
    else:
        raise DomainError(_("未知的操作。"))
