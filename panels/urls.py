from django.urls import path

from panels import member_views, views

app_name = "panels"
urlpatterns: list = [
    # --- Part A: set-up, register, invitations, volunteers, selection ---
    path("cases/<int:case_pk>/panels/new/", views.panel_new, name="new"),
    path("panels/<int:pk>/", views.panel_detail, name="detail"),
    path("panels/<int:pk>/manage/", views.panel_manage, name="manage"),
    path("panels/<int:pk>/register/", views.register_upload, name="register_upload"),
    path("panels/<int:pk>/invitations/", views.invitations_draw, name="invitations_draw"),
    path("panels/<int:pk>/letters.csv", views.invitation_letters, name="letters"),
    path("panels/<int:pk>/letters.pdf", views.invitation_letters_pdf, name="letters_pdf"),
    path("panels/<int:pk>/selection/", views.selection_run, name="selection_run"),
    path("panels/<int:pk>/selection/tell/", views.members_tell, name="members_tell"),
    path("panels/<int:pk>/close/", views.panel_close, name="close"),
    path("panel/", views.volunteer_start, name="volunteer_start"),
    path("panel/<str:code>/", views.volunteer_form, name="volunteer"),
    # --- end of part A ---
    # --- Part B: members' access, information, sessions and the survey ---
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
    # --- end of part B ---
]
