from django.urls import path

from budgets import views

app_name = "budgets"
urlpatterns = [
    # Import and show (part A).
    path("cases/<int:case_pk>/budgets/new/", views.budget_new, name="new"),
    path("budgets/<int:pk>/", views.budget_detail, name="detail"),
    path("budgets/<int:pk>/import/", views.version_import, name="import"),
    path("budgets/<int:pk>/compare/", views.budget_compare, name="compare"),
    path("budgets/<int:pk>/versions/<slug:stage>/", views.version_detail, name="version"),
    path("budgets/<int:pk>/versions/<slug:stage>/areas/", views.version_areas, name="areas"),
    path(
        "budgets/<int:pk>/versions/<slug:stage>/sectors/<int:sector_pk>/",
        views.sector_detail,
        name="sector",
    ),
]
