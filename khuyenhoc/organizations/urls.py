from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.home, name="home"),
    path("nodes/<int:node_id>/", views.node_detail, name="node"),
    path("nodes/<int:node_id>/new/", views.node_create, name="node_create"),
    path("nodes/<int:node_id>/edit/", views.node_edit, name="node_edit"),
    path("nodes/<int:node_id>/move/", views.node_move, name="node_move"),
    path("nodes/<int:node_id>/close/", views.node_close, name="node_close"),
    path("nodes/<int:node_id>/merge/", views.node_merge, name="node_merge"),
    path("nodes/<int:node_id>/history/", views.node_history, name="node_history"),
    path("nodes/<int:node_id>/audit/", views.node_audit, name="node_audit"),
    path("nodes/<int:node_id>/officers/new/", views.officer_create, name="officer_create"),
    path("officers/<int:officer_id>/end/", views.officer_end, name="officer_end"),
]
