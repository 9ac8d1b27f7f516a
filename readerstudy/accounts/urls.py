from django.contrib.auth import views as auth_views
from django.urls import path

from readerstudy.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invite/<uidb64>/<token>/", views.InvitationView.as_view(), name="invitation"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/verify/", views.otp_verify, name="otp_verify"),
]
