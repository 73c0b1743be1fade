from django.apps import AppConfig


class NabolagetConfig(AppConfig):
    name = "nabolaget"
    verbose_name = "Nabolaget"
