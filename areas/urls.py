from django.urls import path

from areas import views

app_name = "areas"
urlpatterns = [
    path("", views.home, name="home"),
    path("kommune/<str:code>/", views.municipality_detail, name="municipality"),
    path("areas/<int:pk>/", views.area_detail, name="detail"),
]
