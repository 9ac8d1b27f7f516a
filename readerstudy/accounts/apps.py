from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "readerstudy.accounts"
    label = "accounts"

    def ready(self):
        from django.contrib import admin
        from django_otp.admin import OTPAdminSite

        from readerstudy.accounts import signals  # noqa: F401

        # Staff reach the admin only with a verified second factor (django-otp's documented way
        # of switching the default site, so every registered model stays where it is).
        admin.site.__class__ = OTPAdminSite
