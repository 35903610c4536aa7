from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("nodes/<int:node_id>/", views.node_members, name="node_members"),
    path("nodes/<int:node_id>/new/", views.member_create, name="member_create"),
    path("nodes/<int:node_id>/export/", views.node_export, name="node_export"),
    path("nodes/<int:node_id>/stats/", views.node_stats, name="node_stats"),
    path("nodes/<int:node_id>/duplicates/", views.node_duplicates, name="node_duplicates"),
    path("nodes/<int:node_id>/dues/", views.node_dues, name="node_dues"),
    path("<int:member_id>/", views.member_detail, name="member"),
    path("<int:member_id>/edit/", views.member_edit, name="member_edit"),
    path("<int:member_id>/leave/", views.member_leave, name="member_leave"),
    path("<int:member_id>/rejoin/", views.member_rejoin, name="member_rejoin"),
    path("<int:member_id>/transfer/", views.member_transfer, name="member_transfer"),
    path("<int:member_id>/dues/", views.member_dues, name="member_dues"),
    path("<int:member_id>/merge/", views.member_merge, name="member_merge"),
    path("dues/<int:dues_id>/cancel/", views.dues_cancel, name="dues_cancel"),
]
