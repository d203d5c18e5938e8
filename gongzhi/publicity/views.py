"""Notice pages: a reader's inbox and the notice itself (opening it is the read), the public board of a
compound, and the staff pages to compose (with the count before publishing), follow the read rate per grid,
tell residents in person and export the unread."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.http import ActorRequest, add_domain_error
from gongzhi.core.photos import photos_clean
from gongzhi.publicity import exports, selectors, services
from gongzhi.publicity.choices import ActivityKind, NoticeStatus
from gongzhi.publicity.forms import ActivityForm, NoticeForm, WithdrawForm
from gongzhi.publicity.models import NO_GRID, Notice
from gongzhi.publicity.permissions import activity_paths, can_compose, can_manage_notice, can_tell
from gongzhi.publicity.targets import Target
from gongzhi.territory.models import Node
from gongzhi.territory.selectors import place_labels


def _page(request: ActorRequest, rows: Any) -> Any:
    return Paginator(rows, settings.GONGZHI_PAGE_SIZE).get_page(request.GET.get("page"))


# --- Readers ------------------------------------------------------------------------------------------


@login_required
def inbox(request: ActorRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = _page(request, selectors.inbox_list(actor=request.actor, unread_only=unread_only))
    context = {"page_obj": page, "unread_only": unread_only, "may_compose": can_compose(request.actor)}
    return render(request, "publicity/inbox.html", context)


@login_required
def notice_read(request: ActorRequest, notice_id: int) -> HttpResponse:
    """The notice as its reader sees it. Opening it marks the reader's row read (once)."""
    notice = selectors.notice_for_reader(actor=request.actor, notice_id=notice_id)
    if notice.status == NoticeStatus.PUBLISHED:
        services.notice_read(actor=request.actor, notice=notice)
    return render(
        request,
        "publicity/notice_read.html",
        {"notice": notice, "keeps": can_manage_notice(request.actor, notice)},
    )


def board(request: ActorRequest, compound_id: int) -> HttpResponse:
    """The public board of a compound: open without logging in (a QR code on the compound's notice board)."""
    compound = selectors.board_compound_get(compound_id=compound_id)
    page = _page(request, selectors.board_list(compound=compound))
    return render(request, "publicity/board.html", {"compound": compound, "page_obj": page})


def board_notice(request: ActorRequest, compound_id: int, notice_id: int) -> HttpResponse:
    compound = selectors.board_compound_get(compound_id=compound_id)
    notice = selectors.board_list(compound=compound).filter(pk=notice_id).first()
    if notice is None:
        raise Http404
    return render(request, "publicity/notice_read.html", {"notice": notice, "compound": compound, "keeps": False})


# --- Staff -------------------------------------------------------------------------------------------


def _composer_only(request: ActorRequest) -> None:
    if not can_compose(request.actor):
        raise Http404


@login_required
def manage(request: ActorRequest) -> HttpResponse:
    """The keeper's notices, or for a grid worker the notices that reached their grids."""
    actor = request.actor
    status, q = request.GET.get("status", ""), request.GET.get("q", "")
    if can_compose(actor):
        rows = selectors.notice_list(actor=actor, status=status, search=q)
    elif actor.grid_ids("grid_worker", "grid_head"):
        rows = selectors.followed_list(actor=actor)
    else:
        raise Http404
    context = {
        "page_obj": _page(request, rows),
        "status": status,
        "q": q,
        "statuses": NoticeStatus.choices,
        "may_compose": can_compose(actor),
    }
    return render(request, "publicity/manage.html", context)


def _form(request: ActorRequest, *, data: Any = None, files: Any = None, **kwargs: Any) -> NoticeForm:
    actor = request.actor
    return NoticeForm(
        data,
        files,
        nodes=selectors.composer_nodes(actor=actor),
        grids=selectors.composer_grids(actor=actor),
        **kwargs,
    )


def _notice_data(form: NoticeForm, node: Node) -> services.NoticeData:
    data = form.cleaned_data
    return services.NoticeData(
        title=data["title"],
        body=data["body"],
        node=node,
        target=form.target(),
        publish_at=data["publish_at"],
        expires_at=data["expires_at"],
        is_pinned=data["is_pinned"],
        is_public=data["is_public"],
        remind_after_hours=data["remind_after_hours"],
        channels=tuple(data["channels"]),
    )


def _uploads(form: NoticeForm) -> list[services.Upload]:
    return [
        services.Upload(name=f.name, content_type=f.content_type or "", size=f.size or 0, file=f)
        for f in form.cleaned_data.get("attachments", [])
    ]


@login_required
def notice_create(request: ActorRequest) -> HttpResponseBase:
    _composer_only(request)
    nodes = {n.pk: n for n in selectors.composer_nodes(actor=request.actor)}
    form = _form(request, data=request.POST or None, files=request.FILES or None, initial={"residents": True})
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_create(
                actor=request.actor, data=_notice_data(form, nodes[form.cleaned_data["node"]]), uploads=_uploads(form)
            )
        except NotAllowed as exc:
            form.add_error(None, exc.message)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已保存为草稿。请核对发送人数后发布。"))
            return redirect("publicity:notice-detail", notice_id=notice.pk)
    return render(request, "publicity/notice_form.html", {"form": form})


@login_required
def notice_edit(request: ActorRequest, notice_id: int) -> HttpResponseBase:
    notice = selectors.notice_get(actor=request.actor, notice_id=notice_id)
    if not can_manage_notice(request.actor, notice):
        raise PermissionDenied
    nodes = {n.pk: n for n in selectors.composer_nodes(actor=request.actor)}
    target = Target.from_json(notice.target)
    initial = {
        "title": notice.title,
        "body": notice.body,
        "node": notice.node_id,
        "nodes": list(target.nodes),
        "grids": list(target.grids),
        "residents": target.residents,
        "care_tags": list(target.care_tags),
        "owners_of": list(target.owners_of),
        "roles": list(target.roles),
        "publish_at": notice.publish_at,
        "expires_at": notice.expires_at,
        "is_pinned": notice.is_pinned,
        "is_public": notice.is_public,
        "remind_after_hours": notice.remind_after_hours,
        "channels": notice.channels,
    }
    form = _form(request, data=request.POST or None, initial=initial, with_files=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_update(
                actor=request.actor, notice=notice, data=_notice_data(form, nodes[form.cleaned_data["node"]])
            )
        except NotAllowed as exc:
            form.add_error(None, exc.message)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("publicity:notice-detail", notice_id=notice.pk)
    return render(request, "publicity/notice_form.html", {"form": form, "notice": notice})


@login_required
def notice_detail(request: ActorRequest, notice_id: int) -> HttpResponse:
    """A draft with the count it would reach; a published notice with its read rate per grid."""
    actor = request.actor
    notice = selectors.notice_get(actor=actor, notice_id=notice_id)
    keeps = can_manage_notice(actor, notice)
    context: dict[str, Any] = {"notice": notice, "keeps": keeps, "withdraw_form": WithdrawForm()}
    if notice.status in (NoticeStatus.DRAFT, NoticeStatus.SCHEDULED) and keeps:
        try:
            context["counts"] = services.target_count(
                actor=actor, node=notice.node, target=Target.from_json(notice.target)
            )
        except DomainError as exc:
            context["count_error"] = exc.message
    else:
        context["rate"] = selectors.read_rate(
            actor=actor, notice=notice, community_path=request.GET.get("community", "")[:255]
        )
    return render(request, "publicity/notice_detail.html", context)


def _action(request: ActorRequest, notice: Notice, call: Any, done: str) -> HttpResponseBase:
    try:
        call()
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("publicity:notice-detail", notice_id=notice.pk)


@login_required
@require_POST
def notice_publish(request: ActorRequest, notice_id: int) -> HttpResponseBase:
    notice = selectors.notice_get(actor=request.actor, notice_id=notice_id)
    done = _("已定时发布。") if notice.publish_at else _("已发布。")
    return _action(request, notice, lambda: services.notice_publish(actor=request.actor, notice=notice), done)


@login_required
@require_POST
def notice_withdraw(request: ActorRequest, notice_id: int) -> HttpResponseBase:
    notice = selectors.notice_get(actor=request.actor, notice_id=notice_id)
    reason = request.POST.get("reason", "")
    return _action(
        request,
        notice,
        lambda: services.notice_withdraw(actor=request.actor, notice=notice, reason=reason),
        _("已撤回。"),
    )


def _bucket(request: ActorRequest) -> tuple[int | None, str]:
    raw = request.GET.get("grid", "")
    try:
        grid_key = int(raw) if raw else None
    except ValueError:
        grid_key = None
    return grid_key, request.GET.get("community", "")[:255]


@login_required
def recipient_list(request: ActorRequest, notice_id: int) -> HttpResponse:
    """Who a notice went to, in one grid (or a community's residents in no grid), by state: the grid
    worker's list of whom to tell in person."""
    actor = request.actor
    notice = selectors.notice_get(actor=actor, notice_id=notice_id)
    grid_key, community = _bucket(request)
    state = request.GET.get("state", "unread")
    rows = selectors.recipient_list(
        actor=actor, notice=notice, grid_key=grid_key, community_path=community, state=state
    )
    page = _page(request, rows)
    recipients = list(page)
    for r in recipients:
        r.may_tell = can_tell(actor, r) and r.read_at is None and r.told_at is None
    places = place_labels(paths=[r.org_path for r in recipients])
    for r in recipients:
        r.place = places.get(r.org_path, "")
    services.recipients_reveal(actor=actor, notice=notice, row_count=len(recipients))
    context = {
        "notice": notice,
        "page_obj": page,
        "recipients": recipients,
        "grid_key": grid_key,
        "community": community,
        "state": state,
        "no_grid": NO_GRID,
        "keeps": can_manage_notice(actor, notice),
    }
    return render(request, "publicity/recipient_list.html", context)


@login_required
@require_POST
def recipient_tell(request: ActorRequest, recipient_id: int) -> HttpResponseBase:
    recipient = selectors.recipient_get(actor=request.actor, recipient_id=recipient_id)
    try:
        services.recipient_tell(actor=request.actor, recipient=recipient)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        name = recipient.person.name if recipient.person else ""
        messages.success(request, _("已登记：已当面告知%(n)s。") % {"n": name})
    back = request.POST.get("back", "")
    if back.startswith("/publicity/"):
        return redirect(back)
    return redirect("publicity:recipient-list", notice_id=recipient.notice_id)


@login_required
def unread_export(request: ActorRequest, notice_id: int) -> HttpResponseBase:
    notice = selectors.notice_get(actor=request.actor, notice_id=notice_id)
    grid_key, community = _bucket(request)
    return exports.unread_export(actor=request.actor, notice=notice, grid_key=grid_key, community_path=community)


# --- Offline publicity activities ----------------------------------------------------------------------


def _records(request: ActorRequest) -> None:
    if not activity_paths(request.actor):
        raise Http404


@login_required
def activity_list(request: ActorRequest) -> HttpResponse:
    _records(request)
    actor = request.actor
    kind = request.GET.get("kind", "")
    today = timezone.localdate()
    context = {
        "page_obj": _page(request, selectors.activity_list(actor=actor, kind=kind)),
        "kind": kind,
        "kinds": ActivityKind.choices,
        "year": selectors.activity_counts(actor=actor, since=today.replace(month=1, day=1), until=today),
    }
    return render(request, "publicity/activity_list.html", context)


@login_required
def activity_create(request: ActorRequest) -> HttpResponseBase:
    _records(request)
    actor = request.actor
    nodes = {n.pk: n for n in selectors.activity_nodes(actor=actor)}
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        nodes=list(nodes.values()),
        campaigns=selectors.activity_campaigns(actor=actor),
        initial={"held_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            photos = photos_clean(data["photos"])
            services.activity_record(
                actor=actor,
                data=services.ActivityData(
                    node=nodes[data["node"]],
                    kind=data["kind"],
                    title=data["title"],
                    held_on=data["held_on"],
                    place=data["place"],
                    reach=data["reach"],
                    description=data["description"],
                    campaign_id=data["campaign"],
                ),
                photos=photos,
            )
        except NotAllowed as exc:
            form.add_error(None, exc.message)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已登记宣传活动。"))
            return redirect("publicity:activity-list")
    return render(request, "publicity/activity_form.html", {"form": form})


@login_required
def activity_photo(request: ActorRequest, activity_photo_id: int) -> HttpResponseBase:
    photo = selectors.activity_photo_get(actor=request.actor, photo_id=activity_photo_id)
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")
