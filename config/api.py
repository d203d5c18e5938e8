"""The JSON API at /api/v1/ (django-ninja, OpenAPI 3.1 at /api/v1/openapi.json, docs at /api/v1/docs)."""

from django.conf import settings

from gongzhi.accounts.api_auth import ActorRateThrottle, SessionActorAuth, TokenActorAuth
from gongzhi.campaigns.api import router as campaigns_router
from gongzhi.cases.api import router as cases_router
from gongzhi.core.api import FastJSONRenderer, GongzhiAPI
from gongzhi.registry.api import router as registry_router
from gongzhi.stewardship.api import router as stewardship_router
from gongzhi.territory.api import router as territory_router
from gongzhi.volunteering.api import router as volunteering_router
from gongzhi.votes.api import router as votes_router

api = GongzhiAPI(
    title="共治 Gongzhi API",
    version="1",
    description=(
        "Territory, registry, volunteering, voting, cases, campaigns and the monthly evaluation "
        "for staff clients, residents' phones and integrations. "
        "Every list is scoped to the caller."
    ),
    auth=[SessionActorAuth(), TokenActorAuth()],
    throttle=[ActorRateThrottle(settings.GONGZHI_API_RATE)],
    urls_namespace="api",
    renderer=FastJSONRenderer(),
)
api.add_router("/territory/", territory_router)
api.add_router("/registry/", registry_router)
api.add_router("/volunteering/", volunteering_router)
api.add_router("/votes/", votes_router)
api.add_router("/cases/", cases_router)
api.add_router("/campaigns/", campaigns_router)
api.add_router("/stewardship/", stewardship_router)
