from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/new/", views.case_new, name="new"),
    path("cases/<int:pk>/", views.case_detail, name="detail"),
    path("cases/<int:pk>/work/", views.case_manage, name="manage"),
    path("cases/<int:pk>/areas/", views.case_adjust_areas, name="adjust_areas"),
    path("cases/<int:pk>/link/", views.case_link, name="link"),
    path("cases/<int:pk>/layers/", views.case_layer_add, name="layer_add"),
    path("cases/<int:pk>/freeze/", views.case_freeze, name="freeze"),
    path("cases/<int:pk>/digest/", views.case_digest, name="digest"),
    path("cases/<int:pk>/digests/<int:version>/", views.frozen_digest, name="frozen"),
    path("cases/<int:pk>/digests/<int:version>/pdf/", views.frozen_digest_pdf, name="frozen_pdf"),
    path("areas/<int:pk>/digest/", views.area_digest, name="area_digest"),
    path("kommune/<str:code>/population/", views.population_upload, name="population"),
    path("kommune/<str:code>/representation/", views.representation_page, name="representation"),
]
