"""The budgets app's API routes, included under /api/v1/ by the project's URLs."""

from django.urls import path

from budgets.api.views import BudgetDetail

urlpatterns = [
    path("budgets/<int:pk>/", BudgetDetail.as_view(), name="budget-detail"),
]
