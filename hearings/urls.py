from django.urls import path

from hearings import views

app_name = "hearings"
urlpatterns = [
    path("cases/<int:case_pk>/hearings/new/", views.hearing_new, name="new"),
    # The old address of the request for statements, now a hearing inviting councils.
    path(
        "cases/<int:case_pk>/consultations/new/",
        views.consultation_new,
        name="consultation_new",
    ),
    path("hearings/<int:pk>/", views.hearing_detail, name="detail"),
    path("hearings/<int:pk>/answer/", views.hearing_answer, name="answer"),
    path(
        "hearings/<int:pk>/answer/confirm/<str:token>/",
        views.answer_confirm,
        name="answer_confirm",
    ),
    path("hearings/<int:pk>/answers/", views.hearing_answers, name="answers"),
    path("hearings/<int:pk>/summary/", views.hearing_summary, name="summary"),
    path("hearings/<int:pk>/summary/themes/", views.theme_save, name="theme_save"),
    path("hearing-answers/<int:pk>/", views.answer_detail, name="answer_detail"),
    path("hearing-answers/<int:pk>/status/", views.answer_status, name="answer_status"),
    path("hearing-answers/<int:pk>/moderate/", views.answer_moderate, name="moderate"),
    path("hearing-documents/<int:pk>/", views.document_download, name="document"),
    path("hearing-attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
