from django.contrib import admin
from django.urls import include, path

from config.api import api

urlpatterns = [
    path("", include("gongzhi.core.urls")),
    path("accounts/", include("gongzhi.accounts.urls")),
    path("territory/", include("gongzhi.territory.urls")),
    path("registry/", include("gongzhi.registry.urls")),
    path("volunteering/", include("gongzhi.volunteering.urls")),
    path("stewardship/", include("gongzhi.stewardship.urls")),
    path("votes/", include("gongzhi.votes.urls")),
    path("consultation/", include("gongzhi.consultation.urls")),
    path("cases/", include("gongzhi.cases.urls")),
    path("open311/v2/", include("gongzhi.cases.open311_urls")),
    path("campaigns/", include("gongzhi.campaigns.urls")),
    path("party/", include("gongzhi.party.urls")),
    path("publicity/", include("gongzhi.publicity.urls")),
    path("dashboards/", include("gongzhi.dashboards.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler500 = "gongzhi.core.errors.server_error"
