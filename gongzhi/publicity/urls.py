from django.urls import path  # noqa: F401 - the paths below are added by the notice and honour pages

app_name = "publicity"
urlpatterns: list[object] = [
    # Notices
    # Honour campaigns
]
