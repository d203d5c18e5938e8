from django.urls import path

from gongzhi.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("map.json", views.map_data, name="map-data"),
    path("screen/", views.screen, name="screen"),
    path("screen/data/", views.screen_data, name="screen-data"),
]

# The monthly reports (report_views.py).
from gongzhi.dashboards import report_views  # noqa: E402

urlpatterns += [
    path("reports/", report_views.report_list, name="report-list"),
    path("reports/generate/", report_views.report_generate, name="report-generate"),
    path("reports/<int:report_id>.pdf", report_views.report_pdf, name="report-pdf"),
    path("reports/<int:report_id>.xlsx", report_views.report_xlsx, name="report-xlsx"),
]
