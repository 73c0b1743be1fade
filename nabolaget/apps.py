from django.apps import AppConfig

from nabolaget import gdal


class NabolagetConfig(AppConfig):
    name = "nabolaget"
    verbose_name = "Nabolaget"

    def ready(self):
        # Before any request or command can hand GDAL a file: three drivers, no network.
        gdal.configure()
