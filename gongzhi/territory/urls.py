from django.urls import path

from gongzhi.territory import views

app_name = "territory"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("nodes/<int:node_id>/", views.node_detail, name="node-detail"),
    path("grids/", views.grid_list, name="grid-list"),
    path("grids/<int:grid_id>/", views.grid_detail, name="grid-detail"),
]
