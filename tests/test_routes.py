"""Every URL route and every API operation is either deliberately public or scoped.

A new route fails this test until it is added to ROUTES (or API_OPERATIONS) with a decision, and the
decision is then checked: scoped routes refuse anonymous visitors and answer 404 to a signed-in user
with no duties for another persona's rows.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.api import api
from gongzhi.accounts.models import Duty
from gongzhi.accounts.security import api_token_create

pytestmark = pytest.mark.django_db

PUBLIC = "public"  # no login; shows no personal data
SIGNED_IN = "signed-in"  # any signed-in user; shows only their own things
SCOPED = "scoped"  # rows start from a visible_* scope; others' rows are 404
ROLE_ONLY = "role-only"  # only holders of one role (auditor, officer); 404 for everyone else
ADMIN = "admin"  # Django admin: staff accounts only

ROUTES = {
    "core:healthz": PUBLIC,
    "accounts:login": PUBLIC,
    "accounts:logout": PUBLIC,
    "set_language": PUBLIC,
    "core:home": SIGNED_IN,
    "core:inbox": SIGNED_IN,
    "core:inbox-read-all": SIGNED_IN,
    "core:inbox-read": SCOPED,
    "accounts:two-factor": SIGNED_IN,
    "accounts:token-list": SIGNED_IN,
    "accounts:token-revoke": SCOPED,
    "accounts:access-log": ROLE_ONLY,
    "accounts:audit-trail": ROLE_ONLY,
    "dashboards:cockpit": ROLE_ONLY,  # node and grid roles; the focus (?node=, ?grid=) is 404 outside scope
    "dashboards:screen": ROLE_ONLY,
    "dashboards:screen-data": ROLE_ONLY,
    "dashboards:map-data": ROLE_ONLY,
    "territory:browse": SCOPED,
    "territory:node-detail": SCOPED,
    "territory:grid-list": SCOPED,
    "territory:grid-detail": SCOPED,
    "territory:chain-list": SCOPED,
    "territory:chain-detail": SCOPED,
    "territory:duty-revoke": SCOPED,
    "territory:duty-list": ROLE_ONLY,
    "registry:person-list": SCOPED,
    "registry:person-detail": SCOPED,
    "registry:person-reveal": SCOPED,
    "registry:household-detail": SCOPED,
    "registry:dwelling-detail": SCOPED,
    "registry:household-member-add": SCOPED,
    "registry:household-move-in": SCOPED,
    "registry:household-move-house": SCOPED,
    "registry:person-move-out": SCOPED,
    "registry:household-register": SCOPED,
    "registry:import": ROLE_ONLY,
    "stewardship:compound-list": SCOPED,
    "stewardship:manager-list": ROLE_ONLY,
    "stewardship:compound-detail": SCOPED,
    "stewardship:contract-create": SCOPED,
    "stewardship:contract-terminate": SCOPED,
    "stewardship:committee-create": SCOPED,
    "stewardship:term-open": SCOPED,
    "stewardship:term-file": SCOPED,
    "stewardship:member-add": SCOPED,
    "stewardship:election-open": SCOPED,
    "stewardship:election-apply": SCOPED,
    "stewardship:position-set": SCOPED,
    "stewardship:ledger": SCOPED,
    "stewardship:ledger-new": SCOPED,
    "stewardship:ledger-export": SCOPED,
    "stewardship:ledger-comment": SCOPED,
    "stewardship:ledger-photo": SCOPED,
    "stewardship:evaluation-home": SIGNED_IN,  # only months with subjects the user sees
    "stewardship:lists": SIGNED_IN,  # the published red and black lists are public to everyone signed in
    "stewardship:rubrics": ROLE_ONLY,
    "stewardship:month": SCOPED,
    "stewardship:month-export": SCOPED,
    "stewardship:month-act": ROLE_ONLY,
    "stewardship:evaluation": SCOPED,
    "stewardship:rate": SCOPED,
    "stewardship:appeal-file": SCOPED,
    "stewardship:appeal-decide": SCOPED,
    "stewardship:deduction-photo": SCOPED,
    "registry:quality": ROLE_ONLY,
    "registry:quality-export": ROLE_ONLY,
    "registry:quality-assign-grid": ROLE_ONLY,
    "registry:quality-attach": ROLE_ONLY,
    "registry:import-template": SIGNED_IN,
    "registry:import-detail": SCOPED,
    "registry:import-rejects": SCOPED,
    "registry:export-people": ROLE_ONLY,
    "registry:export-households": ROLE_ONLY,
    "registry:export-dwellings": ROLE_ONLY,
    # Volunteering: a resident's own pages show only their own volunteer records.
    "volunteering:home": SIGNED_IN,
    "volunteering:register": SIGNED_IN,
    "volunteering:profile": SIGNED_IN,
    "volunteering:withdraw": SIGNED_IN,
    "volunteering:my-code": SIGNED_IN,
    "volunteering:my-hours": SIGNED_IN,
    "volunteering:my-points": SIGNED_IN,
    "volunteering:my-orders": SIGNED_IN,
    "volunteering:my-certificates": SIGNED_IN,
    "volunteering:rules": SIGNED_IN,
    "volunteering:certificate-pdf": SCOPED,
    "volunteering:activity-list": SCOPED,
    "volunteering:activity-create": ROLE_ONLY,
    "volunteering:activity-detail": SCOPED,
    "volunteering:activity-edit": SCOPED,
    "volunteering:activity-signup": SCOPED,
    "volunteering:activity-roster": SCOPED,
    "volunteering:activity-scan": SCOPED,
    "volunteering:activity-certify": SCOPED,
    "volunteering:activity-close": SCOPED,
    "volunteering:activity-cancel": SCOPED,
    "volunteering:signup-cancel": SCOPED,
    "volunteering:signup-attendance": SCOPED,
    "volunteering:record-correct": SCOPED,
    "volunteering:shop": SCOPED,
    "volunteering:shop-redeem": SCOPED,
    "volunteering:order-cancel": SCOPED,
    "volunteering:team-list": SCOPED,
    "volunteering:team-detail": SCOPED,
    # Anyone holding a certificate's verification code sees what the certificate shows, nothing more.
    "volunteering:certificate-verify": PUBLIC,
    "volunteering:certificate-verify-code": PUBLIC,
    # The volunteer-association manager's pages and exports.
    "volunteering:manage": ROLE_ONLY,
    "volunteering:volunteer-list": ROLE_ONLY,
    "volunteering:volunteer-detail": ROLE_ONLY,
    "volunteering:volunteer-status": ROLE_ONLY,
    "volunteering:shop-items": ROLE_ONLY,
    "volunteering:shop-item-detail": ROLE_ONLY,
    "volunteering:pickup": ROLE_ONLY,
    "volunteering:order-list": ROLE_ONLY,
    "volunteering:order-export": ROLE_ONLY,
    "volunteering:ledger": ROLE_ONLY,
    "volunteering:ledger-export": ROLE_ONLY,
    "volunteering:hours": ROLE_ONLY,
    "volunteering:hours-export": ROLE_ONLY,
    "volunteering:adjustment-list": ROLE_ONLY,
    "volunteering:adjustment-decide": ROLE_ONLY,
    "votes:poll-list": SIGNED_IN,
    "votes:poll-create": ROLE_ONLY,
    "votes:poll-detail": SCOPED,
    "votes:ballot-cast": SCOPED,
    "votes:poll-open": SCOPED,
    "votes:poll-close": SCOPED,
    "votes:poll-publish": SCOPED,
    "votes:poll-cancel": SCOPED,
    "votes:roll": SCOPED,
    "votes:paper-entry": SCOPED,
    "votes:paper-correct": SCOPED,
    "votes:proxy-register": SCOPED,
    "votes:poll-export": SCOPED,
    "votes:owners-rules": SCOPED,
    "consultation:suggestion-list": SIGNED_IN,
    "consultation:suggestion-create": SIGNED_IN,
    "consultation:suggestion-detail": SCOPED,
    "consultation:suggestion-support": SCOPED,
    "consultation:suggestion-report": SCOPED,
    "consultation:suggestion-moderate": SCOPED,
    "consultation:moderation": SIGNED_IN,
    "consultation:report-dismiss": SCOPED,
    "consultation:topic-list": SIGNED_IN,
    "consultation:topic-create": ROLE_ONLY,
    "consultation:topic-detail": SCOPED,
    "consultation:post-add": SCOPED,
    "consultation:post-report": SCOPED,
    "consultation:post-moderate": SCOPED,
    "consultation:meeting-convene": SCOPED,
    "consultation:meeting-minutes": SCOPED,
    "consultation:resolution-propose": SCOPED,
    "consultation:resolution-close": SCOPED,
    "consultation:follow-up-add": SCOPED,
    "consultation:follow-up-done": SCOPED,
    "consultation:topic-publish": SCOPED,
    "consultation:topic-drop": SCOPED,
    # Cases: a reporter's own list; the desk, queue and pages below are for the roles that work cases.
    "cases:case-mine": SIGNED_IN,
    "cases:case-report": ROLE_ONLY,
    "cases:case-nearby": SIGNED_IN,
    "cases:case-detail": SCOPED,
    "cases:case-act": SCOPED,
    "cases:case-photo": SCOPED,
    "cases:queue": ROLE_ONLY,
    "cases:desk": ROLE_ONLY,
    "cases:parked": ROLE_ONLY,
    "cases:calendar": ROLE_ONLY,
    "cases:keys": ROLE_ONLY,
    "cases:key-revoke": ROLE_ONLY,
    "cases:measures": ROLE_ONLY,
    "cases:measures-export": ROLE_ONLY,
    # Open311 GeoReport v2: GETs are open by the spec and show public cases without personal data;
    # POST needs an api_key (403 without).
    "open311:discovery": PUBLIC,
    "open311:services": PUBLIC,
    "open311:service-definition": PUBLIC,
    "open311:requests": PUBLIC,
    "open311:request-detail": PUBLIC,
    "open311:token": PUBLIC,
    # Campaigns: the list shows only campaigns over the user's places; everything else is a campaign's row.
    "campaigns:campaign-list": SIGNED_IN,
    "campaigns:campaign-create": ROLE_ONLY,
    "campaigns:campaign-detail": SCOPED,
    "campaigns:campaign-open": SCOPED,
    "campaigns:campaign-close": SCOPED,
    "campaigns:campaign-map": SCOPED,
    "campaigns:answer-summary": SCOPED,
    "campaigns:answer-export": SCOPED,
    "campaigns:visit-list": SCOPED,
    "campaigns:visit-record": SCOPED,
    "campaigns:person-found": SCOPED,
    "campaigns:missing-list": SCOPED,
    "campaigns:missing-export": SCOPED,
    "campaigns:grid-reassign": SCOPED,
    "open311:media": PUBLIC,
    # Party: membership is restricted data; the officer and the branch's secretary only.
    "party:home": ROLE_ONLY,
    "party:tree": ROLE_ONLY,
    "party:org-create": ROLE_ONLY,
    "party:org-detail": SCOPED,
    "party:org-edit": SCOPED,
    "party:member-add": SCOPED,
    "party:member-export": SCOPED,
    "party:committee-set": SCOPED,
    "party:member-move": SCOPED,
    "party:member-end": SCOPED,
    "party:consent-give": SCOPED,
    "party:consent-withdraw": SCOPED,
    "party:service-list": SCOPED,
    "party:service-create": SCOPED,
    "publicity:inbox": SIGNED_IN,
    "publicity:notice-read": SCOPED,
    "publicity:board": PUBLIC,
    "publicity:board-notice": PUBLIC,
    "publicity:manage": ROLE_ONLY,
    "publicity:notice-create": ROLE_ONLY,
    "publicity:notice-detail": SCOPED,
    "publicity:notice-edit": SCOPED,
    "publicity:notice-publish": SCOPED,
    "publicity:notice-withdraw": SCOPED,
    "publicity:recipient-list": SCOPED,
    "publicity:unread-export": SCOPED,
    "publicity:recipient-tell": SCOPED,
    "publicity:activity-list": ROLE_ONLY,
    "publicity:activity-create": ROLE_ONLY,
    "publicity:activity-photo": SCOPED,
    "party:meeting-list": SCOPED,
    "party:meeting-new": SCOPED,
    "party:meeting-detail": SCOPED,
    "party:meeting-edit": SCOPED,
    "party:meeting-photo": SCOPED,
    "party:compliance": SCOPED,
    "party:compliance-overview": ROLE_ONLY,
    # Honour campaigns (publicity)
    "publicity:honour-list": SIGNED_IN,  # only campaigns the user lives or works in
    "publicity:honour-create": ROLE_ONLY,
    "publicity:honour-roll": SIGNED_IN,  # published winners of the user's own subdistrict
    "publicity:honour-roll-node": SCOPED,
    "publicity:honour-detail": SCOPED,
    "publicity:honour-nominate": SCOPED,
    "publicity:honour-vote": SCOPED,
    "publicity:honour-review": SCOPED,
    "publicity:honour-act": SCOPED,
    "publicity:honour-audit": SCOPED,
    "publicity:honour-score": SCOPED,
    "publicity:honour-results": SCOPED,
    "publicity:honour-review-act": SCOPED,
    "publicity:honour-tie": SCOPED,
    "publicity:honour-citation": SCOPED,
    "publicity:honour-certificate": SCOPED,
    "publicity:honour-photo": SCOPED,
    # 双报到: a resident's own slip and card; the register and every slip, need and sheet for keepers only.
    "party:me": SIGNED_IN,
    "party:report-submit": SIGNED_IN,
    "party:report-register": ROLE_ONLY,
    "party:report-export": ROLE_ONLY,
    "party:report-enter": ROLE_ONLY,
    "party:report-detail": SCOPED,
    "party:report-slip": SCOPED,
    "party:report-withdraw": SCOPED,
    "party:report-accept": SCOPED,
    "party:report-decline": SCOPED,
    "party:report-end": SCOPED,
    "party:report-place": SCOPED,
    "party:report-appraisal": SCOPED,
    "party:report-needs": SCOPED,
    "party:report-need-claim": SCOPED,
    "party:report-need-close": SCOPED,
    "party:report-need-activity": SCOPED,
    "party:report-units": SCOPED,
    "party:report-feedback": SCOPED,
    "party:report-feedback-xlsx": SCOPED,
    "party:report-feedback-pdf": SCOPED,
    "party:report-feedback-send": SCOPED,
    # The cockpit's monthly reports: a node worker sees the reports of their subtree, only they generate.
    "dashboards:report-list": SCOPED,
    "dashboards:report-generate": ROLE_ONLY,
    "dashboards:report-pdf": SCOPED,
    "dashboards:report-xlsx": SCOPED,
    # The API's own routes; its operations are checked one by one below.
    "api:openapi-json": PUBLIC,
    "api:openapi-view": PUBLIC,
    "api:api-root": PUBLIC,
}
API_OPERATIONS = {
    ("get", "/api/v1/territory/nodes"): SCOPED,
    ("get", "/api/v1/territory/nodes/{node_id}"): SCOPED,
    ("get", "/api/v1/territory/nodes/{node_id}/children"): SCOPED,
    ("get", "/api/v1/territory/grids"): SCOPED,
    ("get", "/api/v1/territory/grids/{grid_id}"): SCOPED,
    ("get", "/api/v1/registry/people"): SCOPED,
    ("get", "/api/v1/registry/people/{person_id}"): SCOPED,
    ("get", "/api/v1/registry/households"): SCOPED,
    ("get", "/api/v1/registry/households/{household_id}"): SCOPED,
    ("get", "/api/v1/volunteering/volunteers/mine"): SCOPED,
    ("get", "/api/v1/volunteering/activities"): SCOPED,
    ("get", "/api/v1/volunteering/activities/{activity_id}"): SCOPED,
    ("post", "/api/v1/volunteering/activities/{activity_id}/signups"): SCOPED,
    ("get", "/api/v1/volunteering/shop/items"): SCOPED,
    ("post", "/api/v1/volunteering/shop/items/{item_id}/orders"): SCOPED,
    ("get", "/api/v1/volunteering/orders"): SCOPED,
    ("get", "/api/v1/volunteering/points/entries"): SCOPED,
    ("get", "/api/v1/volunteering/hours"): SCOPED,
    ("get", "/api/v1/votes/polls"): SCOPED,
    ("get", "/api/v1/votes/polls/{poll_id}"): SCOPED,
    ("post", "/api/v1/votes/polls/{poll_id}/ballots"): SCOPED,
    ("get", "/api/v1/votes/polls/{poll_id}/result"): SCOPED,
    ("get", "/api/v1/cases/cases"): SCOPED,
    ("post", "/api/v1/cases/cases"): ROLE_ONLY,  # residents and staff with places report; 403 for others
    ("get", "/api/v1/cases/cases/{case_id}"): SCOPED,
    ("post", "/api/v1/cases/cases/{case_id}/actions"): SCOPED,
    ("get", "/api/v1/cases/categories"): SIGNED_IN,  # configuration, the same for everyone
    ("get", "/api/v1/cases/places"): SCOPED,
    ("get", "/api/v1/campaigns/"): SCOPED,
    ("get", "/api/v1/campaigns/{campaign_id}/coverage"): SCOPED,
    ("post", "/api/v1/campaigns/{campaign_id}/households/{row_id}/visits"): SCOPED,
    ("get", "/api/v1/stewardship/evaluations"): SCOPED,
    ("get", "/api/v1/stewardship/evaluations/{evaluation_id}"): SCOPED,
    ("get", "/api/v1/stewardship/lists"): SIGNED_IN,  # published red and black lists only
}
POST_ONLY = {
    "stewardship:contract-create",
    "stewardship:contract-terminate",
    "stewardship:committee-create",
    "stewardship:term-open",
    "stewardship:term-file",
    "stewardship:member-add",
    "stewardship:election-open",
    "stewardship:election-apply",
    "stewardship:position-set",
    "stewardship:ledger-comment",
    "stewardship:month-act",
    "stewardship:appeal-file",
    "stewardship:appeal-decide",
    "registry:quality-assign-grid",
    "registry:quality-attach",
    "registry:household-member-add",
    "registry:household-move-in",
    "registry:household-move-house",
    "registry:person-move-out",
    "core:inbox-read-all",
    "core:inbox-read",
    "accounts:token-revoke",
    "territory:duty-revoke",
    "registry:person-reveal",
    "votes:ballot-cast",
    "votes:poll-open",
    "votes:poll-close",
    "votes:poll-publish",
    "votes:poll-cancel",
    "consultation:suggestion-support",
    "consultation:suggestion-report",
    "consultation:suggestion-moderate",
    "consultation:report-dismiss",
    "consultation:post-add",
    "consultation:post-report",
    "consultation:post-moderate",
    "consultation:resolution-close",
    "consultation:follow-up-add",
    "consultation:follow-up-done",
    "consultation:topic-drop",
    "accounts:logout",
    "set_language",
    "volunteering:withdraw",
    "volunteering:activity-signup",
    "volunteering:activity-scan",
    "volunteering:activity-certify",
    "volunteering:activity-close",
    "volunteering:activity-cancel",
    "volunteering:signup-cancel",
    "volunteering:signup-attendance",
    "volunteering:shop-redeem",
    "volunteering:order-cancel",
    "volunteering:volunteer-status",
    "volunteering:adjustment-decide",
    "cases:case-act",
    "cases:key-revoke",
    "campaigns:campaign-open",
    "campaigns:campaign-close",
    "campaigns:person-found",
    "party:member-add",
    "party:committee-set",
    "party:member-move",
    "party:member-end",
    "party:consent-give",
    "party:consent-withdraw",
    "publicity:notice-publish",
    "publicity:notice-withdraw",
    "publicity:recipient-tell",
    "publicity:honour-vote",
    "publicity:honour-act",
    "publicity:honour-review-act",
    "publicity:honour-tie",
    "publicity:honour-citation",
    "party:report-withdraw",
    "party:report-accept",
    "party:report-decline",
    "party:report-end",
    "party:report-place",
    "party:report-appraisal",
    "party:report-need-claim",
    "party:report-need-close",
    "party:report-feedback-send",
    "dashboards:report-generate",
}


# Role-only pages that say "not for you" (403) rather than hide that they exist: the cockpit's pages,
# whose focus outside one's scope is still 404 (dashboards/tests/test_views.py).
REFUSED_403 = {"dashboards:cockpit", "dashboards:screen", "dashboards:screen-data", "dashboards:map-data"}


def walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, namespace + (f"{p.namespace}:" if p.namespace else ""))
        elif isinstance(p, URLPattern):
            yield namespace + (p.name or f"<unnamed {p.pattern}>"), p


def all_route_names():
    return {name for name, _p in walk(get_resolver().url_patterns)}


def test_every_route_has_a_decision():
    undecided = {n for n in all_route_names() if not n.startswith("admin:") and n.split(":")[0] != "api"} - set(ROUTES)
    assert not undecided, f"routes without a public/scoped decision in tests/test_routes.py: {sorted(undecided)}"
    stale = set(ROUTES) - all_route_names()
    assert not stale, f"decisions for routes that no longer exist: {sorted(stale)}"


def test_every_api_operation_has_a_decision():
    operations = {(method, path) for path, item in api.get_openapi_schema()["paths"].items() for method in item}
    assert operations == set(API_OPERATIONS), (
        f"undecided: {sorted(operations - set(API_OPERATIONS))}; stale: {sorted(set(API_OPERATIONS) - operations)}"
    )


def _kwargs(world):
    from gongzhi.volunteering.testing import build_volunteering

    jiedao_token, _ = api_token_create(user=world.user("jiedao"), name="t")
    duty = Duty.objects.filter(user=world.user("wangge_a")).first()
    v = build_volunteering(world)
    return {
        "activity_id": v.activity.pk,
        "signup_id": v.signup.pk,
        "record_id": v.record.pk,
        "item_id": v.item.pk,
        "order_id": v.order.pk,
        "certificate_id": v.certificate.pk,
        "team_id": v.team.pk,
        "adjustment_id": v.adjustment.pk,
        "volunteer_id": v.volunteer.pk,
        "code": v.certificate.verification_code,
        "node_id": world.compound_x.pk,
        "grid_id": world.grid_a.pk,
        "compound_id": world.compound_x.pk,
        "duty_id": duty.pk,
        "person_id": world.people["jumin"].pk,
        "household_id": world.households["jumin"].pk,
        "dwelling_id": world.dwellings["1-101"].pk,
        "token_id": jiedao_token.pk,
        "notification_id": _notice_for(world.user("jiedao")),
        "job_id": _import_job_for(world.user("jiedao")),
        **_participation_rows(world),
    }


def _participation_rows(world):
    """Rows of the apps that work in compound X: votes, consultation, cases and campaigns."""
    from gongzhi.campaigns.tests.helpers import rows_for_routes as campaign_rows
    from gongzhi.cases.tests.helpers import rows_for_routes as case_rows
    from gongzhi.consultation.tests.helpers import rows_for_routes as consultation_rows
    from gongzhi.dashboards.tests.report_helpers import rows_for_routes as report_rows
    from gongzhi.party.tests.helpers import rows_for_routes as party_rows
    from gongzhi.publicity.tests.helpers import rows_for_routes as publicity_rows
    from gongzhi.publicity.tests.honour_helpers import rows_for_routes as honour_rows
    from gongzhi.stewardship.tests.helpers import evaluation_rows
    from gongzhi.stewardship.tests.helpers import rows_for_routes as stewardship_rows
    from gongzhi.votes.tests.helpers import rows_for_routes as vote_rows

    return {
        **vote_rows(world),
        **consultation_rows(world),
        **case_rows(world),
        **campaign_rows(world),
        **stewardship_rows(world),
        **evaluation_rows(world),
        **party_rows(world),
        **publicity_rows(world),
        **honour_rows(world),
        **report_rows(world),
    }


def _notice_for(user):
    from gongzhi.core.models import Notification
    from gongzhi.core.notifications import notify

    notify(recipient_ids=[user.pk], kind="test", title="t")
    return Notification.objects.filter(recipient=user).latest("id").pk


def _import_job_for(user):
    from django.core.files.base import ContentFile

    from gongzhi.registry.models import ImportJob

    job = ImportJob(created_by=user, original_name="a.xlsx")
    job.file.save("a.xlsx", ContentFile(b"x"), save=False)
    job.rejects_file.save("r.xlsx", ContentFile(b"x"), save=False)
    job.save()
    return job.pk


def _url(name, pattern, kwargs):
    needed = {key: kwargs[key] for key in pattern.pattern.converters}
    return reverse(name, kwargs=needed)


WORLD_NAMES = ("居民甲", "曾小红", "邻居乙", "住户丙", "住户丁")


def test_decisions_hold_for_anonymous_and_for_a_user_without_duties(world, client, client_of):
    kwargs = _kwargs(world)
    outsider = client_of("outsider")
    for name, pattern in walk(get_resolver().url_patterns):
        if name.startswith(("admin:", "api:")):
            continue
        decision = ROUTES[name]
        url = _url(name, pattern, kwargs)
        method = "post" if name in POST_ONLY else "get"
        anonymous = getattr(client, method)(url)
        if decision == PUBLIC:
            assert anonymous.status_code in {200, 302, 405}, name
            continue
        assert anonymous.status_code == 302, name
        assert anonymous["Location"].startswith(reverse("accounts:login")), name
        response = getattr(outsider, method)(url)
        if decision in {SCOPED, ROLE_ONLY} and pattern.pattern.converters:
            assert response.status_code == 404, f"{name} answered {response.status_code} to a user without duties"
        elif decision == ROLE_ONLY:
            assert response.status_code == (403 if name in REFUSED_403 else 404), name
        else:
            assert response.status_code in ({200, 302} if method == "post" else {200}), name
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            body = raw.decode(errors="replace")
            assert not any(n in body for n in WORLD_NAMES), f"{name} shows registry data to a user without duties"


def _row_counts():
    from django.apps import apps

    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_api_operations_refuse_anonymous_and_scope_the_rest(world, client, client_of):
    kwargs = _kwargs(world)
    outsider = client_of("outsider")
    for (method, path), decision in API_OPERATIONS.items():
        url = path.format(**kwargs)
        before = _row_counts()
        assert getattr(client, method)(url).status_code == 401, path
        response = getattr(outsider, method)(url)
        if "{" in path:
            assert response.status_code == 404, f"{path} answered {response.status_code} to a user without duties"
        elif method == "post":
            # A write that names no row: only a role may make it, and the service refuses anyone else.
            assert decision == ROLE_ONLY, path
            assert response.status_code == 403 and response.json()["detail"], path
        elif decision == SIGNED_IN:
            assert response.status_code == 200, path
            assert not any(n in response.content.decode() for n in WORLD_NAMES), path
        else:
            assert response.status_code == 200, path
            body = response.json()
            items = body["items"] if isinstance(body, dict) else body
            assert items == [], f"{path} lists rows to a user without duties"
        if method == "post":
            assert _row_counts() == before, f"{path} wrote rows for anonymous or a user without duties"


def test_admin_is_for_staff_only(world, client, client_of):
    assert client.get("/admin/").status_code == 302
    assert client_of("outsider").get("/admin/").status_code == 302
    assert client_of("admin").get("/admin/").status_code == 200
