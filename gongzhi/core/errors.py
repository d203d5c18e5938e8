"""The server-error handler (config.urls.handler500): a database that cannot be reached is a 503 the client
may retry, not a 500.

When PostgreSQL restarts or the network to it drops, every request fails in whatever layer first touches the
database — the session middleware, the actor, the view. Django turns each into a call of this handler while
the exception is still being handled, so it is read from sys.exc_info(). The answer renders no template that
could query the database again: the HTML page is self-contained, the API and Open311 get their own error
shapes. The broken connection is dropped at the end of the request (Django closes unusable connections),
and with CONN_HEALTH_CHECKS the next request opens a new one, so the app recovers without a restart.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

from gongzhi.core.georeport import error_response
from gongzhi.core.xlsx import ExportDiskFull

RETRY_AFTER_SECONDS = 30


def database_unavailable() -> bool:
    """Whether the exception being handled is the database being unreachable (or dropping the connection)."""
    exc = sys.exc_info()[1]
    return isinstance(exc, (OperationalError, InterfaceError))


def server_error(request: HttpRequest) -> HttpResponse:
    if isinstance(sys.exc_info()[1], ExportDiskFull):
        return export_disk_full(request)
    if not database_unavailable():
        return defaults.server_error(request)
    message = _("数据库暂时无法连接，系统正在恢复，请稍后重试。您填写的内容没有提交，返回上一页即可重新提交。")
    path = request.path
    response: HttpResponse
    if path.startswith("/open311/"):
        response = error_response("xml" if path.endswith(".xml") else "json", 503, message)
    elif path.startswith(("/api/", "/healthz")):
        response = JsonResponse({"status": "unavailable", "detail": message}, status=503)
    else:
        html = render_to_string("503.html", {"message": message, "retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def export_disk_full(request: HttpRequest) -> HttpResponse:
    """507: the export's disk filled up, so nothing was exported (core.xlsx removed what was written).

    The export service wrote its access-log row when it began; the log is append-only, so a second row
    records that this export delivered nothing.
    """
    from gongzhi.core.audit import access_record

    message = _("服务器磁盘空间不足，导出未完成，没有生成任何文件。请联系系统管理员清理磁盘后重新导出。")
    actor = getattr(request, "actor", None)
    if actor is not None and actor.user_id is not None:
        access_record(
            actor=actor,
            action="export-failed",
            subject_type="export",
            subject_label=request.path,
            reason=_("磁盘空间不足，导出未完成"),
            row_count=0,
        )
    html = render_to_string("507.html", {"message": message})
    response = HttpResponse(html, status=507)
    response["Cache-Control"] = "no-store"
    return response
