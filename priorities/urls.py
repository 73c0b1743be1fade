from django.urls import path

from priorities import views

app_name = "priorities"
urlpatterns = [
    path("", views.home, name="home"),
    path("kommune/<str:code>/", views.municipality_detail, name="municipality"),
    path("priorities/new/", views.priority_new, name="new"),
    path("kommune/<str:code>/priorities/new/", views.priority_new, name="new_in"),
    path("priorities/<int:pk>/", views.priority_detail, name="detail"),
    path("priorities/<int:pk>/support/", views.priority_support, name="support"),
    path("priorities/<int:pk>/report/", views.priority_report, name="report"),
    path("priorities/<int:pk>/answer/", views.priority_answer, name="answer"),
    path("priorities/<int:pk>/moderate/", views.priority_moderate, name="moderate"),
    path("priorities/<int:pk>/redact/", views.priority_redact, name="redact"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("me/", views.my_page, name="me"),
    path("areas/<int:pk>/priorities/", views.area_priorities, name="area_list"),
    path("areas/<int:pk>/answered/", views.area_answered, name="answered"),
    path("replies/<slug:kind>/<int:pk>/", views.replies_page, name="replies"),
    path("replies/<slug:kind>/reply/<int:pk>/answer/", views.reply_answer, name="reply_answer"),
    path(
        "replies/<slug:kind>/reply/<int:pk>/moderate/",
        views.reply_moderate,
        name="reply_moderate",
    ),
]

from priorities import planner  # noqa: E402

urlpatterns += [
    path("planner/", planner.workspace, name="planner"),
    path("planner/answer/", planner.answer, name="planner_answer"),
    path("planner/merge/", planner.merge, name="planner_merge"),
    path("planner/export/", planner.export, name="export"),
    path("planner/exports/<int:pk>/", planner.export_status, name="export_status"),
]
