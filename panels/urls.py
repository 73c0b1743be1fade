from django.urls import path

from panels import views

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
]
