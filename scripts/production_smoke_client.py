"""The production smoke's client (scripts/production_smoke.sh): what a browser and an API client do, through
nginx, over HTTPS verified against the smoke's own certificate.

    python scripts/production_smoke_client.py --https https://127.0.0.1:18443 --http http://127.0.0.1:18080 \
        --ca cert.pem --static-root /tmp/…/static --user jiedao

The demo password comes from GONGZHI_SMOKE_PASSWORD. The user is a subdistrict officer, who needs TOTP in
production: the client enrols a TOTP device on the real 2FA page and answers with the code an authenticator
app would show (RFC 6238). Each check prints one line; the first failed one ends the run with exit 1.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import hmac
import http.client
import http.cookiejar
import json
import os
import re
import ssl
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any


class SmokeFailure(Exception):
    pass


@dataclass
class Answer:
    status: int
    url: str
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)


def ok(message: str) -> None:
    print(f"production-smoke:   ok  {message}", flush=True)


def expect(condition: object, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def found(pattern: str, text: str, message: str) -> re.Match[str]:
    match = re.search(pattern, text)
    if match is None:
        raise SmokeFailure(message)
    return match


def totp(secret: bytes, at: float | None = None) -> str:
    """The 6-digit code of RFC 6238 (SHA-1, 30 s steps), as django-otp's TOTPDevice checks it."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


class Browser:
    """Cookies, CSRF from the page's form and a Referer, redirects followed: as a browser posts a form."""

    def __init__(self, base: str, context: ssl.SSLContext) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), urllib.request.HTTPSHandler(context=context)
        )

    def request(
        self, path: str, *, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        url = path if path.startswith("http") else self.base + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310 - loopback https
        try:
            with self.opener.open(request, timeout=60) as response:
                return Answer(response.status, response.geturl(), response.headers, response.read())
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, url, exc.headers, exc.read())

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.request(path, headers=headers)

    def submit(self, page: Answer, fields: dict[str, str]) -> Answer:
        """Post the page's form back to where it came from, with its CSRF token."""
        token = found(
            r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text, f"no CSRF token in the form of {page.url}"
        )
        data = {"csrfmiddlewaretoken": token.group(1), **fields}
        return self.request(page.url, data=data, headers={"Referer": page.url})

    def cookie(self, name: str) -> http.cookiejar.Cookie | None:
        return next((c for c in self.jar if c.name == name), None)


def check_redirect(http_base: str, https_base: str) -> None:
    parts = urllib.parse.urlsplit(http_base)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=10)
    connection.request("GET", "/healthz?from=http")
    response = connection.getresponse()
    location = response.getheader("Location")
    connection.close()
    expect(response.status == 301, f"plain HTTP answered {response.status}, not a 301 redirect")
    expect(location == f"{https_base}/healthz?from=http", f"plain HTTP redirects to {location!r}")
    ok(f"plain HTTP → 301 {location}")


def check_healthz(browser: Browser) -> None:
    answer = browser.get("/healthz")
    expect(answer.status == 200, f"/healthz answered {answer.status}: {answer.text[:300]}")
    expect(answer.json() == {"status": "ok", "database": "postgresql"}, f"/healthz said {answer.text}")
    expect("max-age=" in (answer.headers["Strict-Transport-Security"] or ""), "no HSTS header from Django")
    expect(answer.headers["Permissions-Policy"], "no Permissions-Policy header from nginx")
    ok("/healthz over HTTPS: PostgreSQL answers; HSTS (Django) and Permissions-Policy (nginx) are set")


def check_static(browser: Browser, static_root: Path) -> None:
    """A stylesheet of the login page comes from STATIC_ROOT through nginx, not from Django (WhiteNoise)."""
    page = browser.get("/accounts/login/")
    expect(page.status == 200, f"the login page answered {page.status}")
    href = found(r'href="(/static/[^"]+\.css)"', page.text, "the login page links no stylesheet")
    answer = browser.get(href.group(1))
    expect(answer.status == 200, f"{href.group(1)} answered {answer.status}")
    on_disk = static_root / href.group(1).removeprefix("/static/")
    expect(on_disk.is_file(), f"{on_disk} is not in STATIC_ROOT")
    expect(answer.body == on_disk.read_bytes(), f"{href.group(1)} is not the file collectstatic wrote")
    stat = on_disk.stat()
    # nginx's ETag is its file's mtime and size in hex; WhiteNoise's differs, and Django's
    # SecurityMiddleware would have added a Referrer-Policy to anything WhiteNoise served.
    nginx_etag = f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'
    expect(answer.headers["ETag"] == nginx_etag, f"ETag {answer.headers['ETag']} is not nginx's {nginx_etag}")
    expect(answer.headers["Referrer-Policy"] is None, "the static file went through Django")
    expect(answer.headers["X-Content-Type-Options"] == "nosniff", "nginx sent no nosniff with a static file")
    expect("immutable" in (answer.headers["Cache-Control"] or ""), "a hashed static file is not cached as immutable")
    ok(f"{href.group(1)} served by nginx from STATIC_ROOT (ETag {nginx_etag}, immutable)")


def log_in(browser: Browser, username: str, password: str) -> None:
    page = browser.get("/accounts/login/")
    answer = browser.submit(page, {"username": username, "password": password})
    expect(answer.status == 200, f"the login form answered {answer.status}")
    shown = re.findall(r'<ul class="errorlist"><li>([^<]+)', answer.text)
    expect(
        "/accounts/2fa/" in answer.url,
        f"{username} was not asked for a second factor, landed on {answer.url}: {' '.join(shown) or answer.text[:500]}",
    )
    session = browser.cookie("sessionid")
    expect(session is not None and session.secure, "the session cookie is missing or not Secure")
    ok(f"{username} logged in through the login form with CSRF; a Secure session cookie; asked for TOTP")
    secret = found(r"<code>([0-9a-f]{40})</code>", answer.text, "the 2FA enrolment page shows no TOTP secret")
    confirmed = browser.submit(answer, {"otp_token": totp(bytes.fromhex(secret.group(1)))})
    expect(confirmed.status == 200, f"the TOTP code was answered with {confirmed.status}")
    refused = re.findall(r'<ul class="errorlist"><li>([^<]+)', confirmed.text)
    expect('<ul class="codes"><li><code>' in confirmed.text, f"no recovery codes after TOTP enrolment: {refused}")
    ok("TOTP enrolled with a code computed from the shown secret; recovery codes shown")


def check_pages(browser: Browser, pages: list[tuple[str, str, str]]) -> None:
    """Each page answers 200 itself (no redirect to the login or 2FA page), with its title and a piece of content."""
    for path, text, content in pages:
        answer = browser.get(path)
        expect(answer.status == 200, f"{path} answered {answer.status}")
        expect(urllib.parse.urlsplit(answer.url).path == path, f"{path} redirected to {answer.url}")
        title = found(r"<title>([^<]*)</title>", answer.text, f"{path} has no <title>").group(1)
        expect(text in title, f"the title of {path} is {title!r}, without {text!r}")
        expect(content in answer.text, f"{path} does not show {content!r}")
        ok(f"{path}: 200, title {title.strip()!r}, shows {content!r}")


def check_api(browser: Browser, context: ssl.SSLContext) -> None:
    answer = browser.get("/api/v1/cases/cases")
    expect(answer.status == 200, f"the cases API answered {answer.status} to the session: {answer.text[:300]}")
    expect(answer.headers.get_content_type() == "application/json", "the cases API did not answer JSON")
    ok(f"/api/v1/cases/cases with the session: 200, {len(answer.body)} bytes of JSON")

    page = browser.get("/accounts/tokens/")
    made = browser.submit(page, {"name": "production smoke", "days": "1"})
    expect(made.status == 200, f"creating an API token answered {made.status}")
    token = found(r'<code class="token">([^<]+)</code>', made.text, "no API token was shown after creating one")
    client = Browser(browser.base, context)  # no cookies: the token alone
    people = client.get(
        "/api/v1/registry/people", {"Authorization": f"Bearer {token.group(1)}", "Accept-Encoding": "gzip"}
    )
    expect(people.status == 200, f"the people API answered {people.status} to the token: {people.text[:300]}")
    expect(people.headers["Content-Encoding"] == "gzip", "nginx did not gzip a JSON answer")
    listed = json.loads(gzip.decompress(people.body))
    expect(listed.get("items"), f"the people API listed nobody: {str(listed)[:300]}")
    ok(f"/api/v1/registry/people with a Bearer token: 200, {len(listed['items'])} people, gzipped by nginx")


def check_open311(base: str, context: ssl.SSLContext) -> None:
    anonymous = Browser(base, context)
    services = anonymous.get("/open311/v2/services.json")
    expect(services.status == 200, f"Open311 services.json answered {services.status}")
    listed = services.json()
    expect(isinstance(listed, list) and listed and "service_code" in listed[0], "Open311 lists no services")
    ok(f"Open311 GET services.json: {len(listed)} services")
    requests = anonymous.get("/open311/v2/requests.json")
    expect(requests.status == 200, f"Open311 requests.json answered {requests.status}")
    expect(isinstance(requests.json(), list), "Open311 requests.json is not a list")
    expect(requests.headers["ETag"], "Open311 requests.json has no ETag")
    ok(f"Open311 GET requests.json: {len(requests.json())} requests, ETag {requests.headers['ETag']}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--https", required=True, help="https://127.0.0.1:PORT")
    parser.add_argument("--http", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--ca", required=True, type=Path, help="the certificate nginx presents")
    parser.add_argument("--static-root", required=True, type=Path)
    parser.add_argument("--user", default="jiedao")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    password = os.environ.get("GONGZHI_SMOKE_PASSWORD", "")
    context = ssl.create_default_context(cafile=str(args.ca))
    browser = Browser(args.https.rstrip("/"), context)
    pages = [
        ("/", "共治", "周立新"),
        ("/registry/people/", "人员", "<table"),
        ("/cases/queue/", "待处置", 'class="page-head"'),
        ("/campaigns/", "入户走访", "2026年春季入户排查"),
        ("/territory/grids/", "网格", "<table"),
        ("/dashboards/", "驾驶舱", 'data-figure="people"'),
    ]
    try:
        check_redirect(args.http.rstrip("/"), browser.base)
        check_healthz(browser)
        check_static(browser, args.static_root)
        log_in(browser, args.user, password)
        check_pages(browser, pages)
        check_api(browser, context)
        check_open311(browser.base, context)
    except (SmokeFailure, OSError, ValueError) as exc:
        print(f"production-smoke: FAIL: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
