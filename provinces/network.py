"""The service network (服务网络) and training classes (培训班), per plan year.

A unit keeps its own network entities: its base, the stations (站点) it set up, the patent
document outlets (网点), key contact enterprises, maker spaces, the enterprises it serves or
pilots with, and the industry associations and alliances it works with. Rollover carries
them into the next year's plan (:func:`carry_network`, registered with planning's rollover).

A training class is organised by HQ (no province) or by a unit, under a task of a plan;
a target such as "举办至少2期培训班" counts these rows (``provinces.ledger``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.visibility import scoped as unit_scoped
from planning.models import BaseLevel, Plan, plan_scoped
from workflow.files import StoredFile
from workflow.modelparts import by_user, meta
from workflow.validation import (
    check_plan_window,
    count_bound,
    normalise_phone,
    text_bound,
)


def _scoped(qs: models.QuerySet, user, province_path: str, plan_path: str) -> models.QuerySet:
    return plan_scoped(unit_scoped(qs, user, province_path), user, plan_path)


class EntityKind(models.TextChoices):
    BASE = "base", gettext_lazy("传播利用基地")
    STATION = "station", gettext_lazy("站点")
    OUTLET = "outlet", gettext_lazy("专利文献服务网点")
    KEY_CONTACT = "key_contact", gettext_lazy("重点联系单位")
    MAKER_SPACE = "maker_space", gettext_lazy("众创空间")
    ENTERPRISE = "enterprise", gettext_lazy("企业")
    ASSOCIATION = "association", gettext_lazy("行业协会")
    ALLIANCE = "alliance", gettext_lazy("产业联盟")


class EntitySubkind(models.TextChoices):
    BRANCH = "branch", gettext_lazy("分支机构")
    LIAISON = "liaison", gettext_lazy("联络点")
    SERVICE_STATION = "service_station", gettext_lazy("服务站")
    SERVED = "served", gettext_lazy("服务企业")
    PILOT = "pilot", gettext_lazy("试点企业")


# which sub-kinds a kind takes (a kind not listed takes none)
SUBKINDS = {
    EntityKind.STATION: {
        EntitySubkind.BRANCH,
        EntitySubkind.LIAISON,
        EntitySubkind.SERVICE_STATION,
    },
    EntityKind.ENTERPRISE: {EntitySubkind.SERVED, EntitySubkind.PILOT},
}


class EntityState(models.TextChoices):
    PREPARING = "preparing", gettext_lazy("筹建")
    RUNNING = "running", gettext_lazy("运行")
    STOPPED = "stopped", gettext_lazy("停止")


class NetworkEntityQuerySet(models.QuerySet):
    def visible_to(self, user) -> NetworkEntityQuerySet:
        """HQ sees every unit's entities; a unit its own; nothing under a draft plan."""
        return _scoped(self, user, "province_id", "plan__")

    def own(self, user) -> NetworkEntityQuerySet:
        """What a user may change: a unit's own entities (HQ reads, units keep them)."""
        if not getattr(user, "is_authenticated", False) or not user.is_province_staff:
            return self.none()
        return self.visible_to(user)


class NetworkEntity(models.Model):
    """One entity of the service network, owned by a unit, in one plan year."""

    Kind = EntityKind
    Subkind = EntitySubkind
    State = EntityState

    plan = models.ForeignKey(
        "planning.Plan", on_delete=models.PROTECT, related_name="network_entities"
    )
    province = models.ForeignKey(
        "provinces.Province", on_delete=models.PROTECT, related_name="network_entities"
    )
    kind = models.CharField(gettext_lazy("类型"), max_length=20, choices=EntityKind.choices)
    level = models.CharField(
        gettext_lazy("基地级别"),
        max_length=10,
        choices=BaseLevel.choices,
        blank=True,
        help_text=gettext_lazy("传播利用基地填写：重点项目或基础项目"),
    )
    subkind = models.CharField(
        gettext_lazy("细分"),
        max_length=20,
        choices=EntitySubkind.choices,
        blank=True,
        help_text=gettext_lazy("站点：分支机构、联络点或服务站；企业：服务企业或试点企业"),
    )
    name = models.CharField(gettext_lazy("名称"), max_length=200)
    place = models.CharField(
        gettext_lazy("所在地"), max_length=100, blank=True, help_text=gettext_lazy("市、县（区）")
    )
    contact_name = models.CharField(gettext_lazy("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(gettext_lazy("联系电话"), max_length=40, blank=True)
    state = models.CharField(
        gettext_lazy("状态"),
        max_length=10,
        choices=EntityState.choices,
        default=EntityState.RUNNING,
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stations",
        verbose_name=gettext_lazy("所属基地"),
    )
    note = models.TextField(gettext_lazy("备注"), blank=True, validators=[text_bound()])
    created_at = models.DateTimeField(gettext_lazy("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(gettext_lazy("更新时间"), auto_now=True)

    objects = NetworkEntityQuerySet.as_manager()

    Meta = meta(
        gettext_lazy("服务网络"),
        ordering=["plan", "province__sort_order", "kind", "name", "pk"],
        unique={"one_entity_name_per_unit_year": ("plan", "province", "kind", "name")},
    )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.name}"

    @property
    def kind_label(self) -> str:
        """The kind with its level or sub-kind, as people say it: 站点（联络点）."""
        extra = self.get_level_display() if self.level else self.get_subkind_display()
        return f"{self.get_kind_display()}（{extra}）" if extra else str(self.get_kind_display())

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == EntityKind.BASE:
            if not self.level:
                errors["level"] = _("传播利用基地须填写级别（重点项目或基础项目）。")
        elif self.level:
            errors["level"] = _("只有传播利用基地填写级别。")
        allowed = SUBKINDS.get(self.kind, set())
        if allowed and self.subkind not in allowed:
            errors["subkind"] = _("请选择%(kind)s的细分：%(choices)s。") % {
                "kind": EntityKind(self.kind).label,
                "choices": "、".join(str(EntitySubkind(s).label) for s in sorted(allowed)),
            }
        elif not allowed and self.subkind:
            errors["subkind"] = _("只有站点和企业填写细分。")
        if self.contact_phone:
            try:
                self.contact_phone = normalise_phone(self.contact_phone)
            except ValidationError as exc:
                errors["contact_phone"] = exc.messages[0]
        if self.parent_id:
            parent = self.parent
            if self.kind != EntityKind.STATION:
                errors["parent"] = _("只有站点可以填写所属基地。")
            elif (
                parent.kind != EntityKind.BASE
                or parent.province_id != self.province_id
                or parent.plan_id != self.plan_id
            ):
                errors["parent"] = _("所属基地应为本单位同一年度的传播利用基地。")
        if errors:
            raise ValidationError(errors)


def entity_choices(province_id: int | None, plan_id: int | None) -> NetworkEntityQuerySet:
    """The entities a ledger entry or case of this unit and plan may name."""
    if not province_id or not plan_id:
        return NetworkEntity.objects.none()
    return NetworkEntity.objects.filter(province_id=province_id, plan_id=plan_id).order_by(
        "kind", "name"
    )


def check_entities(entities, province_id: int | None, plan_id: int | None) -> None:
    """Named entities belong to the same unit and plan as what names them."""
    if any(e.province_id != province_id or e.plan_id != plan_id for e in entities):
        raise ValidationError(_("只能选择本单位同一年度的服务网络。"), code="entities")


def carry_network(from_plan: Plan, to_plan: Plan) -> int:
    """Copy ``from_plan``'s entities (but the stopped ones) into ``to_plan``, stations
    under the copies of their bases. Entities ``to_plan`` has already (same unit, kind
    and name) are left as they are, so carrying twice adds nothing. Returns how many."""
    existing = set(
        NetworkEntity.objects.filter(plan=to_plan).values_list("province_id", "kind", "name")
    )
    source = list(
        NetworkEntity.objects.filter(plan=from_plan)
        .exclude(state=EntityState.STOPPED)
        .order_by("pk")
    )
    copies: dict[int, NetworkEntity] = {}
    for entity in source:
        if (entity.province_id, entity.kind, entity.name) in existing:
            continue
        copies[entity.pk] = NetworkEntity(
            plan=to_plan,
            province_id=entity.province_id,
            kind=entity.kind,
            level=entity.level,
            subkind=entity.subkind,
            name=entity.name,
            place=entity.place,
            contact_name=entity.contact_name,
            contact_phone=entity.contact_phone,
            state=entity.state,
            note=entity.note,
        )
    NetworkEntity.objects.bulk_create(copies.values())
    parented = []
    for entity in source:
        copy = copies.get(entity.pk)
        if copy is not None and entity.parent_id in copies:
            copy.parent = copies[entity.parent_id]
            parented.append(copy)
    NetworkEntity.objects.bulk_update(parented, ["parent"])
    return len(copies)


# --- training classes ------------------------------------------------------------------


class TrainingClassQuerySet(models.QuerySet):
    def visible_to(self, user) -> TrainingClassQuerySet:
        """HQ sees every class; a unit its own and HQ's (which it attends); nothing under
        a draft plan; experts nothing."""
        own = _scoped(self, user, "province_id", "plan__")
        if getattr(user, "is_authenticated", False) and user.is_active and user.is_province_staff:
            return own | plan_scoped(self.filter(province__isnull=True), user, "plan__")
        return own

    def own(self, user) -> TrainingClassQuerySet:
        """What a user may change: a unit its own classes, HQ the classes HQ organised."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_hq:
            return self.filter(province__isnull=True)
        if user.is_province_staff and user.province_id:
            return plan_scoped(self.filter(province_id=user.province_id), user, "plan__")
        return self.none()


class TrainingClass(models.Model):
    """培训班: a class HQ (no province) or a unit held under a task of a plan."""

    plan = models.ForeignKey(
        "planning.Plan", on_delete=models.PROTECT, related_name="training_classes"
    )
    province = models.ForeignKey(
        "provinces.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_classes",
        verbose_name=gettext_lazy("主办单位"),
        help_text=gettext_lazy("空白表示专利文献部主办"),
    )
    task = models.ForeignKey(
        "planning.Task",
        on_delete=models.PROTECT,
        related_name="training_classes",
        verbose_name=gettext_lazy("所属任务"),
    )
    title = models.CharField(gettext_lazy("培训班名称"), max_length=200)
    start_date = models.DateField(gettext_lazy("开始日期"))
    end_date = models.DateField(gettext_lazy("结束日期"))
    place = models.CharField(gettext_lazy("地点"), max_length=200)
    teachers = models.CharField(gettext_lazy("授课教师"), max_length=500, blank=True)
    attendee_count = models.PositiveIntegerField(
        gettext_lazy("参训人数"), default=0, validators=[count_bound()]
    )
    created_by = by_user(blank=True)
    created_at = models.DateTimeField(gettext_lazy("录入时间"), auto_now_add=True)

    objects = TrainingClassQuerySet.as_manager()

    Meta = meta(
        gettext_lazy("培训班"),
        ordering=["-start_date", "-pk"],
        indexes=[models.Index(fields=["plan", "province", "task"], name="training_by_unit_task")],
    )

    def __str__(self) -> str:
        return self.title

    @property
    def organiser(self) -> str:
        return self.province.short_name if self.province_id else _("专利文献部")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.task_id and self.plan_id and self.task.plan_id != self.plan_id:
            errors["task"] = _("所属任务应为同一年度工作计划的任务。")
        plan_year = self.plan.year if self.plan_id else None
        if plan_year:
            for name in ("start_date", "end_date"):
                try:
                    check_plan_window(getattr(self, name), plan_year, name)
                except ValidationError as exc:
                    errors[name] = exc.message_dict[name][0]
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("结束日期不能早于开始日期。")
        if errors:
            raise ValidationError(errors)


class TrainingAttendeeQuerySet(models.QuerySet):
    def visible_to(self, user) -> TrainingAttendeeQuerySet:
        return self.filter(training__in=TrainingClass.objects.visible_to(user))


class TrainingAttendee(models.Model):
    """One person on a class's roster (花名册)."""

    training = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="roster")
    name = models.CharField(gettext_lazy("姓名"), max_length=50)
    organisation = models.CharField(gettext_lazy("单位"), max_length=200, blank=True)

    objects = TrainingAttendeeQuerySet.as_manager()

    Meta = meta(
        gettext_lazy("参训人员"),
        ordering=["training", "pk"],
        unique={"one_roster_line_per_person": ("training", "name", "organisation")},
    )

    def __str__(self) -> str:
        return f"{self.name}（{self.organisation}）" if self.organisation else self.name


class TrainingMaterial(StoredFile):
    """培训材料: a file of a class (programme, slides, sign-in sheet, photos)."""

    upload_dir = "training"
    owner_field = "training"

    training = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="materials")

    Meta = meta(gettext_lazy("培训材料"), base=StoredFile.Meta)
