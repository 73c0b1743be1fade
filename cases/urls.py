from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("cases/<int:pk>/", views.case_detail, name="detail"),
]
