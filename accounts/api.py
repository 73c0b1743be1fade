"""The account endpoints of the API: the resident's data, and closing the account."""

from __future__ import annotations

from django.contrib.auth import logout
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import privacy
from accounts.forms import AccountCloseForm
from accounts.limits import throttle
from accounts.views import data_response
from core import security


class AccountDataView(APIView):
    """Everything stored about the logged-in account, as a JSON file (GDPR art. 15, 20)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return data_response(request.user)


class AccountCloseView(APIView):
    """Close the logged-in account: its personal data is blanked (see the README's privacy
    section). Confirm with ``password``, or ``email`` for an account without a password.
    Limited per account and address; a wrong password counts towards the login lockout."""

    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [throttle("account_close", "user"), throttle("account_close", "address")]

    @extend_schema(
        request=inline_serializer(
            "AccountClose",
            {
                "password": serializers.CharField(required=False),
                "email": serializers.CharField(required=False),
            },
        ),
        responses={204: None, 400: OpenApiResponse(description="Wrong confirmation")},
    )
    def post(self, request):
        data = request.data if hasattr(request.data, "get") else {}
        form = AccountCloseForm(data, user=request.user, request=request._request)
        if not form.is_valid():
            if form.locked:
                return security.lockout_response(request._request)
            raise ValidationError(form.errors)
        privacy.account_close(user=request.user)
        if request.session.session_key:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
