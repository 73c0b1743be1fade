from django.urls import path

from councils import views as councils

app_name = "councils"
urlpatterns = [
    path("councils/", councils.council_list, name="list"),
    path("councils/<int:pk>/", councils.council_detail, name="detail"),
    path("councils/<int:pk>/file/", councils.submission_new, name="file"),
    path("submissions/<int:pk>/", councils.submission_detail, name="submission"),
    path("submissions/<int:pk>/answer/", councils.submission_answer, name="answer"),
    path("submissions/<int:pk>/withdraw/", councils.submission_withdraw, name="withdraw"),
    path("attachments/<int:pk>/", councils.attachment_download, name="attachment"),
    path("consultations/<int:pk>/", councils.consultation_detail, name="consultation"),
    path("kommune/<str:code>/councils/coverage/", councils.council_coverage, name="coverage"),
]
