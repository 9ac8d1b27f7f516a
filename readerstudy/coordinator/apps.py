from django.apps import AppConfig


class CoordinatorConfig(AppConfig):
    name = "readerstudy.coordinator"
    label = "coordinator"
