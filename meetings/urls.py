from django.urls import path

from meetings import views

app_name = "meetings"
urlpatterns = [
    path("meetings/new/", views.meeting_new, name="new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="detail"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("meetings/<int:pk>/input/new/", views.input_new, name="input_new"),
    path("meeting-input/<int:pk>/answer/", views.input_answer, name="input_answer"),
    path("meeting-photos/<int:pk>/", views.photo, name="photo"),
    path("m/<slug:code>/", views.follow, name="follow"),
    path("m/<slug:code>/confirm/<str:token>/", views.follow_confirm, name="follow_confirm"),
    path("kommune/<str:code>/meetings/", views.calendar, name="calendar"),
    path("kommune/<str:code>/meetings.ics", views.calendar_ics, name="calendar_ics"),
    path("areas/<int:pk>/meetings/", views.area_calendar, name="area_calendar"),
    path("areas/<int:pk>/meetings.ics", views.area_calendar_ics, name="area_calendar_ics"),
]
