"""The provider's URLs, the paths and names of allauth's openid_connect ones
(/accounts/oidc/<provider_id>/login/ and .../login/callback/)."""

from django.urls import include, path

from accounts.oidc import views

urlpatterns = [
    path(
        "oidc/<str:provider_id>/",
        include(
            [
                path("login/", views.login, name="openid_connect_login"),
                path("login/callback/", views.callback, name="openid_connect_callback"),
            ]
        ),
    )
]
