from django.urls import path

from areas import views

app_name = "areas"
urlpatterns = [
    path("areas/<int:pk>/", views.area_detail, name="detail"),
]
