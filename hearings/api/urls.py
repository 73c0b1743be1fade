"""The hearings app's API routes, included under /api/v1/ by the project's URLs."""

from rest_framework.routers import SimpleRouter

from hearings.api.views import HearingAnswerViewSet, HearingViewSet

router = SimpleRouter()
router.register("hearings", HearingViewSet, basename="hearing")
router.register("hearing-answers", HearingAnswerViewSet, basename="hearinganswer")

urlpatterns = router.urls
