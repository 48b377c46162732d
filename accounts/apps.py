import axes.apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("用户与角色")


class AxesConfig(axes.apps.AppConfig):
    """django-axes (login lockout) under a Chinese name in the admin instead of "Axes"."""

    default = False  # accounts' own config stays the default of this module
    verbose_name = _("登录保护")
