from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "readerstudy.analysis"
    label = "analysis"
