from django.urls import path

from panels import member_views

app_name = "panels"
urlpatterns: list = [
    # Members' access, information, sessions and the survey (issue 16, part B).
    path("p/<str:token>/", member_views.member_enter, name="member_enter"),
    path("panels/<int:pk>/member/", member_views.member_home, name="member_home"),
    path("panels/<int:pk>/survey/", member_views.survey_answer, name="survey_answer"),
    path("panels/<int:pk>/survey/results/", member_views.survey_results, name="survey_results"),
    path("panels/<int:pk>/survey/edit/", member_views.survey_edit, name="survey_edit"),
    path(
        "panels/<int:pk>/survey/<str:action>/",
        member_views.survey_state,
        name="survey_state",
    ),
    path("panels/<int:pk>/information/", member_views.information_page, name="information"),
    path(
        "panel-themes/<int:pk>/information/", member_views.information_edit, name="information_edit"
    ),
    path("panel-documents/<int:pk>/", member_views.document, name="document"),
    path("panels/<int:pk>/members/", member_views.members_page, name="members"),
    path(
        "panel-members/<int:pk>/<str:action>/",
        member_views.member_link_change,
        name="member_link_change",
    ),
    path("panels/<int:pk>/sessions/", member_views.sessions_page, name="sessions"),
    path("panel-sessions/<int:pk>/summary/", member_views.session_summary, name="session_summary"),
]
