from django.urls import path

from budgets import round_views, views

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
    # Budget rounds and their input (part B).
    path("budgets/<int:budget_pk>/rounds/new/", round_views.round_new, name="round_new"),
    path("budget-rounds/<int:pk>/", round_views.round_detail, name="round"),
    path("budget-rounds/<int:pk>/input/new/", round_views.input_new, name="input_new"),
    path("budget-rounds/<int:pk>/answers/", round_views.round_answers, name="round_answers"),
    path("budget-rounds/<int:pk>/answered/", round_views.round_answered, name="round_answered"),
    path("budget-input/<int:pk>/", round_views.input_detail, name="input"),
    path("budget-input/<int:pk>/support/", round_views.input_support, name="input_support"),
    path("budget-input/<int:pk>/moderate/", round_views.input_moderate, name="input_moderate"),
    path("kommune/<str:code>/budget-rounds/", round_views.round_list, name="round_list"),
]
