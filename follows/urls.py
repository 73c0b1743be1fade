from django.urls import path

from follows import views

app_name = "follows"
urlpatterns = [
    path("me/follows/", views.my_follows, name="mine"),
    path("me/follows/new/", views.follow_new, name="new"),
    path("me/follows/<int:pk>/", views.follow_edit, name="edit"),
    path("me/follows/<int:pk>/delete/", views.follow_delete, name="delete"),
    path("follows/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("areas/<int:pk>/feed.atom", views.area_feed, name="area_feed"),
    path("kommune/<str:code>/feed.atom", views.municipality_feed, name="municipality_feed"),
]
