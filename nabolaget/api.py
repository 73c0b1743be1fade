"""Shared pieces of the REST API."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class StrictPageNumberPagination(PageNumberPagination):
    """Page numbers that are not positive integers are a 400, not a silent page 1 or a 404."""

    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param, "1")
        if value == "last":
            return value
        if not value.isdigit() or int(value) < 1:
            raise ValidationError({self.page_query_param: [_("A page is a whole number from 1.")]})
        return value

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param or "", "")
        if (
            self.page_size_query_param
            and value
            and (not value.isdigit() or not 1 <= int(value) <= self.max_page_size)
        ):
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("The page size must be between 1 and %(max)s.")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        return super().get_page_size(request)
