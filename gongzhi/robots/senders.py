"""Talking to the robots: which webhook URLs are accepted, the message bodies, the DingTalk signature and
one HTTP POST. No database here; services.py decides when to send and records the outcome.

WeCom: https://developer.work.weixin.qq.com/document/path/91770 (markdown content at most 4096 bytes).
DingTalk: https://open.dingtalk.com/document/robots/custom-robot-access (加签: HMAC-SHA256 of
"<timestamp ms>\\n<secret>" keyed by the secret, base64, URL-encoded, as &timestamp=…&sign=…).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from gongzhi.robots.choices import RobotKind

TIMEOUT_SECONDS = 5
MAX_CONTENT_BYTES = 4096  # WeCom's markdown limit; DingTalk accepts more, the same cut keeps both alike
OFFICIAL_HOSTS = {
    RobotKind.WECOM: "qyapi.weixin.qq.com",
    RobotKind.DINGTALK: "oapi.dingtalk.com",
}


class SendError(Exception):
    """The robot did not accept the message: network, HTTP status, or an errcode other than 0."""


def webhook_url_problem(kind: str, url: str) -> str:
    """Why the URL is refused for this kind of robot, or "" when it is fine. Only the robot's official host
    over https, or a host listed in settings.GONGZHI_ROBOT_EXTRA_HOSTS (a relay, the tests' local server),
    over http or https: a webhook is a place the server posts to, so it must not be pointed anywhere."""
    parts = urllib.parse.urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host and host in {h.lower() for h in settings.GONGZHI_ROBOT_EXTRA_HOSTS}:
        return "" if parts.scheme in {"http", "https"} else _("Webhook 地址须以 http:// 或 https:// 开头。")
    official = OFFICIAL_HOSTS.get(RobotKind(kind)) if kind in RobotKind.values else None
    if official is None:
        return _("未知的机器人类型。")
    if parts.scheme != "https":
        return _("Webhook 地址须以 https:// 开头。")
    if host != official or parts.username or parts.password:
        return _("%(kind)s的 Webhook 地址应在 %(host)s 上。") % {"kind": RobotKind(kind).label, "host": official}
    return ""


def _utf8_cut(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode(errors="ignore") + "…"


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The signature DingTalk checks, before URL-encoding."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True)
class Outgoing:
    url: str
    body: dict[str, Any]


def build(*, kind: str, url: str, secret: str, title: str, text: str, now: dt.datetime) -> Outgoing:
    """The URL and JSON body for one markdown message."""
    content = _utf8_cut(f"### {title}\n{text}", MAX_CONTENT_BYTES)
    if kind == RobotKind.WECOM:
        return Outgoing(url, {"msgtype": "markdown", "markdown": {"content": content}})
    if secret:
        timestamp = int(now.timestamp() * 1000)
        sign = urllib.parse.quote_plus(dingtalk_sign(secret, timestamp))
        url = f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"
    # The title shows in the chat list and the notification only, so the text repeats it as a heading;
    # DingTalk's markdown joins lines parted by a single newline, so each line becomes a paragraph.
    text = content.replace("\n", "\n\n")
    return Outgoing(url, {"msgtype": "markdown", "markdown": {"title": title[:64], "text": text}})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would post the message to a host the URL check never saw."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(outgoing: Outgoing) -> None:
    """POST the message; raises SendError unless the robot answers HTTP 2xx with errcode 0."""
    request = urllib.request.Request(  # noqa: S310 - the URL passed webhook_url_problem (http/https only)
        outgoing.url,
        data=json.dumps(outgoing.body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise SendError(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise SendError(_("连接失败：%(e)s") % {"e": getattr(exc, "reason", exc)}) from exc
    try:
        answer = json.loads(raw)
    except ValueError as exc:
        raise SendError(_("返回内容不是 JSON。")) from exc
    code = answer.get("errcode") if isinstance(answer, dict) else None
    if code != 0:
        message = answer.get("errmsg", "") if isinstance(answer, dict) else ""
        raise SendError(f"errcode {code}: {message}")
