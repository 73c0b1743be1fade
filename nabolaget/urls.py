"""Root URLs: pages, the admin, the language switch and the versioned API."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts import views as account_views
from accounts.api import AccountCloseView, AccountDataView
from accounts.limits import throttle
from areas.api.views import AddressSearchView, AreaTypeViewSet, AreaViewSet
from cases.api.views import AreaDigestView, CaseViewSet
from councils.api.views import CouncilViewSet, SubmissionViewSet
from priorities.api.replies import RecordRepliesView, ReplyAnswerView
from priorities.api.views import AreaStatsView, CategoryViewSet, PriorityViewSet


class NabolagetRouter(DefaultRouter):
    """The API's router: a viewset looked up by its primary key takes digits only, so
    "/priorities/x/" is a 404 rather than a query for id "x" that fails as a 500. Viewsets
    looked up by another field (a slug) keep DRF's default."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if getattr(viewset, "lookup_field", "pk") in ("pk", "id") and not hasattr(
            viewset, "lookup_value_regex"
        ):
            viewset = type(viewset.__name__, (viewset,), {"lookup_value_regex": "[0-9]+"})
        return super().get_lookup_regex(viewset, lookup_prefix)


router = NabolagetRouter()
router.register("area-types", AreaTypeViewSet, basename="areatype")
router.register("areas", AreaViewSet, basename="area")
router.register("categories", CategoryViewSet, basename="category")
router.register("priorities", PriorityViewSet, basename="priority")
router.register("councils", CouncilViewSet, basename="council")
router.register("submissions", SubmissionViewSet, basename="submission")
router.register("cases", CaseViewSet, basename="case")


api_v1 = [
    # An area's counts and digest are served by the apps that count (priorities) and
    # digest (cases): the areas app knows nothing of input.
    path("areas/<int:pk>/stats/", AreaStatsView.as_view(), name="area-stats"),
    path("areas/<int:pk>/digest/", AreaDigestView.as_view(), name="area-digest"),
    # Public, asked at every few key strokes: limited per client address.
    path(
        "addresses/",
        AddressSearchView.as_view(throttle_classes=[throttle("address_search", "address")]),
        name="address-search",
    ),
    path("replies/<slug:kind>/<int:pk>/", RecordRepliesView.as_view(), name="record-replies"),
    path(
        "replies/<slug:kind>/reply/<int:pk>/answer/",
        ReplyAnswerView.as_view(),
        name="reply-answer",
    ),
    path("", include(router.urls)),
    path("", include("follows.api.urls")),
    path("", include("hearings.api.urls")),
    path("", include("meetings.api.urls")),
    path("", include("budgets.api.urls")),
    path("", include("panels.api.urls")),
    path("me/data/", AccountDataView.as_view(), name="account_data"),
    path("me/close/", AccountCloseView.as_view(), name="account_close"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", include("areas.urls")),
    path("", include("priorities.urls")),
    path("", include("councils.urls")),
    path("", include("cases.urls")),
    path("", include("follows.urls")),
    path("", include("hearings.urls")),
    path("", include("meetings.urls")),
    path("", include("budgets.urls")),
    path("", include("panels.urls")),
    path("me/privacy/", account_views.account_privacy, name="privacy"),
    path("me/councillor/", account_views.councillor_profile, name="councillor_profile"),
    path("me/privacy/data.json", account_views.account_data_download, name="privacy_data"),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include((api_v1, "api"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "nabolaget.views.bad_request"
handler403 = "nabolaget.views.permission_denied"
handler404 = "nabolaget.views.page_not_found"
handler500 = "nabolaget.views.server_error"
