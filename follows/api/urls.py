"""The follows app's API routes, included under /api/v1/ by the project's URLs."""

from rest_framework.routers import SimpleRouter

from follows.api.views import FollowViewSet

router = SimpleRouter()
router.register("me/follows", FollowViewSet, basename="follow")

urlpatterns: list = router.urls
