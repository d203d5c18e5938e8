from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.consultation import selectors, services
from gongzhi.consultation.choices import SuggestionStatus, TopicStatus
from gongzhi.consultation.forms import (
    DoneForm,
    FollowUpForm,
    MeetingForm,
    MinutesForm,
    ModerateForm,
    NoticeForm,
    PostForm,
    ResolutionForm,
    SuggestionForm,
    TopicForm,
)
from gongzhi.consultation.models import Topic
from gongzhi.consultation.permissions import (
    can_discuss,
    can_moderate,
    can_run_topic,
    can_support,
    may_run_topics,
)
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.http import ActorRequest, add_domain_error, safe_next
from gongzhi.territory import selectors as territory_selectors
from gongzhi.votes import selectors as vote_selectors
from gongzhi.votes.forms import ReasonForm


def _page(request: ActorRequest, rows: Any) -> Any:
    return Paginator(rows, settings.GONGZHI_PAGE_SIZE).get_page(request.GET.get("page"))


# --- 广言亭 -----------------------------------------------------------------------------------------------


@login_required
def suggestion_list(request: ActorRequest) -> HttpResponse:
    order = "new" if request.GET.get("order") == "new" else "supports"
    status = SuggestionStatus.PROMOTED if request.GET.get("status") == "promoted" else SuggestionStatus.OPEN
    page = _page(request, selectors.suggestion_list(actor=request.actor, order=order, status=status))
    return render(
        request,
        "consultation/suggestion_list.html",
        {"page_obj": page, "order": order, "status": status, "can_run": may_run_topics(request.actor)},
    )


def _scope_choices(nodes: Any) -> list[tuple[str, str]]:
    return [(str(n.pk), f"{n.kind_label} · {n.name}") for n in nodes]


@login_required
def suggestion_create(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    scopes = _scope_choices(selectors.suggestion_scopes(actor=actor))
    form = SuggestionForm(request.POST or None, scopes=scopes)
    if request.method == "POST" and scopes and form.is_valid():
        try:
            suggestion = services.suggestion_post(
                actor=actor,
                scope=_offered_scope(actor, int(form.cleaned_data["scope"])),
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("建议已发布，邀请邻居们来支持吧。"))
            return redirect("consultation:suggestion-detail", suggestion_id=suggestion.pk)
    return render(request, "consultation/suggestion_form.html", {"form": form, "has_scope": bool(scopes)})


def _offered_scope(actor: Any, node_id: int) -> Any:
    """One of the places offered: a resident's compound and community are not in any browsing scope."""
    node = selectors.suggestion_scopes(actor=actor).filter(pk=node_id).first()
    if node is None:
        raise Http404
    return node


@login_required
def suggestion_detail(request: ActorRequest, suggestion_id: int) -> HttpResponse:
    actor = request.actor
    suggestion = selectors.suggestion_get(actor=actor, suggestion_id=suggestion_id)
    return render(
        request,
        "consultation/suggestion_detail.html",
        {
            "suggestion": suggestion,
            "threshold": selectors.suggestion_threshold(suggestion=suggestion),
            "supported": selectors.suggestion_supported(actor=actor, suggestion=suggestion),
            "can_support": can_support(actor, suggestion),
            "can_moderate": can_moderate(actor, suggestion.scope_path),
            "topic": selectors.suggestion_topic(actor=actor, suggestion=suggestion),
            "report_form": ReasonForm(),
            "moderate_form": ModerateForm(),
        },
    )


@login_required
@require_POST
def suggestion_support(request: ActorRequest, suggestion_id: int) -> HttpResponse:
    suggestion = selectors.suggestion_get(actor=request.actor, suggestion_id=suggestion_id)
    try:
        suggestion = services.suggestion_support(actor=request.actor, suggestion=suggestion)
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if suggestion.status == SuggestionStatus.PROMOTED:
            messages.success(request, _("感谢支持！这条建议已获得足够支持，转入议事角。"))
        else:
            messages.success(request, _("感谢支持！"))
    return redirect("consultation:suggestion-detail", suggestion_id=suggestion_id)


@login_required
@require_POST
def suggestion_report(request: ActorRequest, suggestion_id: int) -> HttpResponse:
    suggestion = selectors.suggestion_get(actor=request.actor, suggestion_id=suggestion_id)
    form = ReasonForm(request.POST)
    try:
        services.report_add(actor=request.actor, suggestion=suggestion, reason=form.data.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("举报已提交，社区工作人员会处理。"))
    return redirect("consultation:suggestion-detail", suggestion_id=suggestion_id)


@login_required
@require_POST
def suggestion_moderate(request: ActorRequest, suggestion_id: int) -> HttpResponse:
    actor = request.actor
    suggestion = selectors.suggestion_get(actor=actor, suggestion_id=suggestion_id)
    selectors.ensure_moderator(actor=actor, scope_path=suggestion.scope_path)
    form = ModerateForm(request.POST)
    try:
        services.suggestion_moderate(
            actor=actor, suggestion=suggestion, kind=form.data.get("kind", ""), reason=form.data.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已处理，并记入公开的管理记录。"))
    return redirect(
        safe_next(request, reverse("consultation:suggestion-detail", kwargs={"suggestion_id": suggestion_id}))
    )


# --- moderation -----------------------------------------------------------------------------------------


@login_required
def moderation(request: ActorRequest) -> HttpResponse:
    """The reports waiting for a moderator, and the public log of what was hidden and why."""
    actor = request.actor
    queue = list(selectors.report_queue(actor=actor)[:100]) if may_run_topics(actor) else []
    page = _page(request, selectors.moderation_log(actor=actor))
    return render(
        request,
        "consultation/moderation.html",
        {"queue": queue, "page_obj": page, "is_moderator": may_run_topics(actor), "moderate_form": ModerateForm()},
    )


@login_required
@require_POST
def report_dismiss(request: ActorRequest, report_id: int) -> HttpResponse:
    report = selectors.report_get(actor=request.actor, report_id=report_id)
    try:
        services.report_dismiss(actor=request.actor, report=report)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("consultation:moderation")


# --- 议事角 -----------------------------------------------------------------------------------------------


@login_required
def topic_list(request: ActorRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in TopicStatus.values:
        status = ""
    page = _page(request, selectors.topic_list(actor=request.actor, status=status))
    return render(
        request,
        "consultation/topic_list.html",
        {"page_obj": page, "status": status, "statuses": TopicStatus.choices, "can_run": may_run_topics(request.actor)},
    )


@login_required
def topic_create(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    if not may_run_topics(actor):
        raise Http404
    scopes = _scope_choices(vote_selectors.poll_scopes(actor=actor))
    form = TopicForm(request.POST or None, scopes=scopes)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_open(
                actor=actor,
                scope=territory_selectors.node_get(actor=actor, node_id=int(form.cleaned_data["scope"])),
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("consultation:topic-detail", topic_id=topic.pk)
    return render(request, "consultation/topic_form.html", {"form": form})


def _topic_context(request: ActorRequest, topic: Topic, **forms: Any) -> dict[str, Any]:
    actor = request.actor
    runs = can_run_topic(actor, topic)
    return {
        "path": selectors.topic_path(actor=actor, topic=topic),
        "topic": topic,
        "runs": runs,
        "can_discuss": can_discuss(actor, topic),
        "can_moderate": can_moderate(actor, topic.scope_path),
        "post_form": forms.get("post_form") or PostForm(),
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(),
        "done_form": DoneForm(),
        "reason_form": ReasonForm(),
        "moderate_form": ModerateForm(),
        "statuses": TopicStatus,
    }


@login_required
def topic_detail(request: ActorRequest, topic_id: int) -> HttpResponse:
    topic = selectors.topic_get(actor=request.actor, topic_id=topic_id)
    return render(request, "consultation/topic_detail.html", _topic_context(request, topic))


@login_required
@require_POST
def post_add(request: ActorRequest, topic_id: int) -> HttpResponse:
    topic = selectors.topic_get(actor=request.actor, topic_id=topic_id)
    form = PostForm(request.POST)
    if form.is_valid():
        try:
            services.post_add(actor=request.actor, topic=topic, body=form.cleaned_data["body"])
        except NotAllowed as exc:
            return HttpResponseForbidden(exc.message)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect(_topic_url(topic, "discussion"))
    return render(request, "consultation/topic_detail.html", _topic_context(request, topic, post_form=form), status=400)


@login_required
@require_POST
def post_report(request: ActorRequest, post_id: int) -> HttpResponse:
    post = selectors.post_get(actor=request.actor, post_id=post_id)
    try:
        services.report_add(actor=request.actor, post=post, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("举报已提交，社区工作人员会处理。"))
    return redirect("consultation:topic-detail", topic_id=post.topic_id)


@login_required
@require_POST
def post_moderate(request: ActorRequest, post_id: int) -> HttpResponse:
    actor = request.actor
    post = selectors.post_get(actor=actor, post_id=post_id)
    selectors.ensure_moderator(actor=actor, scope_path=post.topic.scope_path)
    try:
        services.post_moderate(
            actor=actor, post=post, kind=request.POST.get("kind", ""), reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已处理，并记入公开的管理记录。"))
    return redirect(safe_next(request, _topic_url(post.topic)))


def _topic_url(topic: Topic, anchor: str = "") -> str:
    url = reverse("consultation:topic-detail", kwargs={"topic_id": topic.pk})
    return f"{url}#{anchor}" if anchor else url


def _run_topic(request: ActorRequest, topic_id: int) -> Topic:
    topic = selectors.topic_get(actor=request.actor, topic_id=topic_id)
    if not can_run_topic(request.actor, topic):
        raise Http404
    return topic


def _step(
    request: ActorRequest,
    topic: Topic,
    form: Any,
    *,
    step: str,
    done: str,
    save: Callable[[dict[str, Any]], object],
    **extra: Any,
) -> HttpResponse:
    """A staff step on a topic: check the form, call the service, go back to the topic's page."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("consultation:topic-detail", topic_id=topic.pk)
    return render(request, "consultation/step_form.html", {"topic": topic, "form": form, "step": step, **extra})


@login_required
def meeting_convene(request: ActorRequest, topic_id: int) -> HttpResponse:
    topic = _run_topic(request, topic_id)
    return _step(
        request,
        topic,
        MeetingForm(request.POST or None),
        step="meeting",
        done=_("会议已召集，已通知参与讨论的居民。"),
        save=lambda d: services.meeting_convene(
            actor=request.actor, topic=topic, starts_at=d["starts_at"], place=d["place"], invited=d["invited"]
        ),
    )


@login_required
def meeting_minutes(request: ActorRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(actor=request.actor, meeting_id=meeting_id)
    topic = _run_topic(request, meeting.topic_id)
    return _step(
        request,
        topic,
        MinutesForm(request.POST or None),
        step="minutes",
        meeting=meeting,
        done=_("会议纪要已记录。"),
        save=lambda d: services.meeting_minutes_record(
            actor=request.actor, meeting=meeting, minutes=d["minutes"], attendees=d["attendees"]
        ),
    )


@login_required
def resolution_propose(request: ActorRequest, topic_id: int) -> HttpResponse:
    topic = _run_topic(request, topic_id)
    return _step(
        request,
        topic,
        ResolutionForm(request.POST or None),
        step="resolution",
        done=_("已提交表决，投票开始。"),
        save=lambda d: services.resolution_propose(
            actor=request.actor,
            topic=topic,
            text=d["text"],
            closes_at=d["closes_at"],
            electorate=d["electorate"],
            is_secret=d["is_secret"],
        ),
    )


@login_required
@require_POST
def resolution_close(request: ActorRequest, topic_id: int) -> HttpResponse:
    topic = _run_topic(request, topic_id)
    try:
        services.resolution_close(actor=request.actor, topic=topic)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("表决已截止并计票。请安排跟进事项并发布结果公示。"))
    return redirect("consultation:topic-detail", topic_id=topic.pk)


@login_required
@require_POST
def follow_up_add(request: ActorRequest, topic_id: int) -> HttpResponse:
    topic = _run_topic(request, topic_id)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_add(
                actor=request.actor,
                topic=topic,
                description=form.cleaned_data["description"],
                owner_name=form.cleaned_data["owner_name"],
                owner_party=form.cleaned_data["owner_party"],
                due_on=form.cleaned_data["due_on"],
                owner_user_id=form.cleaned_data["owner_username"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("跟进事项已添加。"))
            return redirect(_topic_url(topic, "follow-up"))
    return render(
        request, "consultation/topic_detail.html", _topic_context(request, topic, follow_up_form=form), status=400
    )


@login_required
@require_POST
def follow_up_done(request: ActorRequest, follow_up_id: int) -> HttpResponse:
    follow_up = selectors.follow_up_get(actor=request.actor, follow_up_id=follow_up_id)
    try:
        services.follow_up_done(actor=request.actor, follow_up=follow_up, note=request.POST.get("note", ""))
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确认完成。"))
    return redirect("consultation:topic-detail", topic_id=follow_up.topic_id)


@login_required
def topic_publish(request: ActorRequest, topic_id: int) -> HttpResponse:
    topic = _run_topic(request, topic_id)
    return _step(
        request,
        topic,
        NoticeForm(request.POST or None),
        step="publish",
        path=selectors.topic_path(actor=request.actor, topic=topic),
        done=_("结果已公示。"),
        save=lambda d: services.topic_publish(actor=request.actor, topic=topic, body=d["body"]),
    )


@login_required
@require_POST
def topic_drop(request: ActorRequest, topic_id: int) -> HttpResponse:
    topic = _run_topic(request, topic_id)
    try:
        services.topic_drop(actor=request.actor, topic=topic, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("议题已终止。"))
    return redirect("consultation:topic-detail", topic_id=topic.pk)
