from django.apps import AppConfig


class ReadingConfig(AppConfig):
    name = "readerstudy.reading"
    label = "reading"
