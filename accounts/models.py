"""Users and their roles in the programme."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token


class Role(models.TextChoices):
    PROVINCE_STAFF = "province_staff", _("省局工作人员")
    HQ_REVIEWER = "hq_reviewer", _("专利文献部")
    EXPERT = "expert", _("评审专家")
    ADMINISTRATOR = "administrator", _("系统管理员")


# The groups of roles that views declare (``@role_required(HQ)``, ``roles = {"create": STAFF}``).
ALL = frozenset(Role)  # anyone logged in
HQ = frozenset({Role.HQ_REVIEWER, Role.ADMINISTRATOR})  # HQ reviewers and administrators
STAFF = frozenset({Role.PROVINCE_STAFF})
EXPERTS = frozenset({Role.EXPERT})
ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})


class WorkplanUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in; province staff are tied to exactly one province."""

    role = models.CharField(
        _("角色"), max_length=20, choices=Role.choices, default=Role.PROVINCE_STAFF
    )
    province = models.ForeignKey(
        "provinces.Province",
        verbose_name=_("所属执行单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("省局工作人员与评审专家所在的省（区、市）"),
    )
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    notify_by = models.CharField(
        _("通知方式"),
        max_length=10,
        choices=[("immediate", _("每条通知立即发邮件")), ("daily", _("每天一封汇总邮件"))],
        default="immediate",
    )
    language = models.CharField(
        _("通知语言"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("通知邮件使用的语言"),
    )
    working_year = models.PositiveSmallIntegerField(
        _("工作年度"),
        null=True,
        blank=True,
        help_text=_("页眉年度切换所选的年度计划；留空使用默认年度。"),
    )
    calendar_token = models.CharField(
        _("日历订阅密钥"), max_length=64, unique=True, null=True, blank=True, editable=False
    )

    objects = WorkplanUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="province_staff") | models.Q(province__isnull=False),
                name="province_staff_has_province",
            )
        ]

    def has_role(self, roles: frozenset[str]) -> bool:
        """Whether the user plays one of ``roles``; a superuser plays HQ's and the administrator's."""
        return self.role in roles or (self.is_superuser and not roles.isdisjoint(HQ))

    @property
    def is_province_staff(self) -> bool:
        return self.has_role(STAFF)

    @property
    def is_hq(self) -> bool:
        """HQ reviewers and administrators see every province."""
        return self.has_role(HQ)

    @property
    def is_expert(self) -> bool:
        return self.has_role(EXPERTS)

    @property
    def is_administrator(self) -> bool:
        return self.has_role(ADMINISTRATORS)

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        self._revoke_api_token = True

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        if getattr(self, "_revoke_api_token", False):
            # A new password ends every API token made with the old one, whichever way it
            # was changed (the page, the admin, a reset, manage.py changepassword).
            self._revoke_api_token = False
            Token.objects.filter(user=self).delete()

    def rotate_api_token(self) -> Token:
        """A new API token for this user; the old one stops working at once."""
        Token.objects.filter(user=self).delete()
        return Token.objects.create(user=self)

    def revoke_api_token(self) -> None:
        Token.objects.filter(user=self).delete()

    def ensure_calendar_token(self, *, renew: bool = False) -> str:
        """The secret in the user's private iCalendar feed address; renewing revokes the old."""
        import secrets

        if renew or not self.calendar_token:
            self.calendar_token = secrets.token_urlsafe(32)
            self.save(update_fields=["calendar_token"])
        return self.calendar_token

    def display_name(self) -> str:
        """Chinese names read family name first, with no space: 李江."""
        if self.last_name or self.first_name:
            return f"{self.last_name}{self.first_name}".strip()
        return self.username
