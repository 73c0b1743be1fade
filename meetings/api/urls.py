"""The meetings app's API routes, included under /api/v1/ by the project's URLs."""

from rest_framework.routers import SimpleRouter

from meetings.api.views import MeetingViewSet

router = SimpleRouter()
router.register("meetings", MeetingViewSet, basename="meeting")

urlpatterns: list = router.urls
