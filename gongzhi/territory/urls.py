from django.urls import path

from gongzhi.territory import views, views_chains

app_name = "territory"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("nodes/<int:node_id>/", views.node_detail, name="node-detail"),
    path("grids/", views.grid_list, name="grid-list"),
    path("grids/<int:grid_id>/", views.grid_detail, name="grid-detail"),
    path("chains/", views_chains.chain_list, name="chain-list"),
    path("chains/<int:compound_id>/", views_chains.chain_detail, name="chain-detail"),
    path("duties/", views_chains.duty_list, name="duty-list"),
    path("duties/<int:duty_id>/revoke/", views_chains.duty_revoke, name="duty-revoke"),
]
