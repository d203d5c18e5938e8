"""Every form's CSRF is enforced (issue 19 part 7): a POST without a CSRF token, made with a signed-in
session, is refused with Django's CSRF failure on every route — pages, Django admin and the JSON API alike —
and writes nothing. The only exceptions are listed in EXEMPT with their reason.

Django's test Client skips the check unless built with enforce_csrf_checks=True, so the sweep uses such a
client; the same POST carrying a valid token is the control that the 403 is the CSRF check and not a
permission refusal."""

from __future__ import annotations

from django.middleware import csrf
from django.test import Client
from django.urls import get_resolver
from django.urls.resolvers import RegexPattern

from tests.test_routes import API_OPERATIONS, POST_ONLY, _kwargs, _row_counts, _url, walk

# Routes a tokenless POST may reach, and why.
EXEMPT = {
    # Open311 (gongzhi/cases/open311.py, the only csrf_exempt view): third-party clients authenticated by an
    # api_key in the form, without cookies; a forged browser request carries no api_key.
    "open311:",
    # The JSON API's views are csrf_exempt at Django's level: django-ninja checks CSRF itself in the session
    # cookie auth (checked below), and a bearer token, which a browser never sends by itself, needs none.
    "api:",
}
# The reasons Django's CsrfViewMiddleware gives when it refuses a request (django.middleware.csrf.REASON_*).
CSRF_REASONS = {value for key, value in vars(csrf).items() if key.startswith("REASON_")}
SECRET = "a" * csrf.CSRF_SECRET_LENGTH  # an unmasked secret: valid as the cookie and as the token


def _enforcing(world, username: str) -> Client:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user(username))
    return client


def _csrf_reason(response) -> str | None:  # type: ignore[no-untyped-def]
    """The reason Django's CSRF failure view was rendered with, or None if the response is something else."""
    if response.status_code != 403 or response.context is None:
        return None
    reason = response.context.get("reason")
    return reason if reason in CSRF_REASONS else None


def _post_routes(world):  # type: ignore[no-untyped-def]
    """Every route but the exempt ones, with the persona that posts to it: admin's as the admin account."""
    kwargs = {**_kwargs(world), "object_id": "1"}
    for name, pattern in walk(get_resolver().url_patterns):
        if name.startswith(tuple(EXEMPT)):
            continue
        if name.startswith("admin:"):
            if "<unnamed" in name or pattern.pattern.converters.keys() - kwargs.keys():
                continue  # the admin's unnamed redirects and the routes needing a content type
            if isinstance(pattern.pattern, RegexPattern):
                continue  # the app indexes (?P<app_label>...): GET-only pages like the admin's index
            yield name, _url(name, pattern, kwargs), "admin"
        else:
            yield name, _url(name, pattern, kwargs), "jiedao"
            yield name, _url(name, pattern, kwargs), "jumin"


def test_every_route_refuses_a_post_without_its_csrf_token(world) -> None:  # type: ignore[no-untyped-def]
    routes = list(_post_routes(world))
    clients = {username: _enforcing(world, username) for username in ("jiedao", "jumin", "admin")}
    before = _row_counts()
    swept: dict[str, str] = {}
    not_refused = {}
    for name, url, username in routes:
        swept[name] = url
        response = clients[username].post(url, {})
        if _csrf_reason(response) is None:
            not_refused[(name, username)] = response.status_code
    assert not not_refused, f"routes that answered a tokenless POST without the CSRF failure: {not_refused}"
    assert _row_counts() == before, "a tokenless POST wrote rows"

    # The control: the same POST with a valid token is not a CSRF failure, so the 403s above were the check.
    accepting = set()
    for client in clients.values():
        client.cookies[csrf.settings.CSRF_COOKIE_NAME] = SECRET
    for name, url, username in routes:
        response = clients[username].post(url, {"csrfmiddlewaretoken": SECRET})
        assert _csrf_reason(response) is None, f"{name} refused a POST carrying its CSRF token"
        if response.status_code != 405:
            accepting.add(name)
    assert accepting >= POST_ONLY, f"POST-only routes the sweep missed: {sorted(POST_ONLY - accepting)}"
    assert len(swept) > 300 and len(accepting) > 50, (
        f"{len(swept)} routes swept, {len(accepting)} accept POST: the sweep did not cover the forms"
    )


def test_the_sweep_fails_a_route_that_takes_a_tokenless_post(world) -> None:  # type: ignore[no-untyped-def]
    """What the sweep asserts tells an exempt view from a protected one: the Open311 request form."""
    response = _enforcing(world, "jiedao").post("/open311/v2/requests.json", {})
    assert _csrf_reason(response) is None  # refused (no api_key) by the view itself, not by the CSRF check
    protected = _enforcing(world, "jiedao").post("/accounts/logout/", {})
    assert _csrf_reason(protected) is not None


def test_api_writes_with_the_session_cookie_need_the_csrf_token(world) -> None:  # type: ignore[no-untyped-def]
    from gongzhi.accounts.security import api_token_create

    kwargs = _kwargs(world)
    writes = [path.format(**kwargs) for (method, path) in API_OPERATIONS if method == "post"]
    assert len(writes) >= 5
    _, bearer = api_token_create(user=world.user("jumin"), name="csrf")
    clients = [_enforcing(world, username) for username in ("jiedao", "jumin")]
    before = _row_counts()
    for client in clients:
        for url in writes:
            response = client.post(url, {}, content_type="application/json")
            assert response.status_code == 403, f"{url} took a session POST without the CSRF token"
            assert response.json() == {"detail": "CSRF check Failed"}, url
    assert _row_counts() == before, "a session POST without the CSRF token wrote rows"

    # With the token the session POST passes the check; a bearer token needs none (no cookie to forge).
    session = _enforcing(world, "jumin")
    session.cookies[csrf.settings.CSRF_COOKIE_NAME] = SECRET
    bearer_client = Client(enforce_csrf_checks=True)
    for url in writes:
        with_token = session.post(url, {}, content_type="application/json", headers={"X-CSRFToken": SECRET})
        assert with_token.json() != {"detail": "CSRF check Failed"}, url
        by_bearer = bearer_client.post(
            url, {}, content_type="application/json", headers={"Authorization": f"Bearer {bearer}"}
        )
        assert by_bearer.status_code != 401 and by_bearer.json() != {"detail": "CSRF check Failed"}, url
