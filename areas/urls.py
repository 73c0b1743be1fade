from django.urls import path

from areas import views

app_name = "areas"
urlpatterns = [
    path("areas/<int:pk>/", views.area_detail, name="detail"),
    path("kommune/<str:code>/emblem.png", views.municipality_emblem, name="emblem"),
    path("kommune/<str:code>/identity.css", views.municipality_identity_css, name="identity_css"),
]
