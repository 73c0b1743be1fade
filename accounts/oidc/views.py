"""allauth's OpenID Connect log-in and callback views, run with the ID-porten adapter
(allauth's own views construct its plain adapter, which skips the signature check)."""

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.http import Http404

from accounts.oidc.provider import IDPortenOAuth2Adapter


@login_not_required
def login(request, provider_id):
    try:
        return OAuth2LoginView.adapter_view(IDPortenOAuth2Adapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as e:
        raise Http404 from e


@login_not_required
def callback(request, provider_id):
    try:
        return OAuth2CallbackView.adapter_view(IDPortenOAuth2Adapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as e:
        raise Http404 from e
