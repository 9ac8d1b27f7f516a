from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "readerstudy.accounts"
    label = "accounts"

    def ready(self):
        from readerstudy.accounts import signals  # noqa: F401
