"""One validation per concept: the model states the rule; forms, serializers and imports call it.

A model declares its bounds as field validators (``text_bound``, ``count_bound``) and its
rules across fields in ``clean()`` (dates in the plan's window, for example). Then:

- a ModelForm runs them itself (``full_clean`` after its own parsing);
- a serializer built on ``ModelRulesSerializer`` keeps the model's validators, with the
  model's messages, and calls ``clean()`` on the candidate row;
- an import row calls ``check_row`` on the row it is about to write.

So the page, the API and the spreadsheet import refuse the same input with the same message.
"""

from __future__ import annotations

import copy
import re
from datetime import date

from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

TEXT_MAX = 5000  # characters of free text in one field
COUNT_MAX = 1_000_000  # trainees, enterprises, classes… in one record
PLAN_WINDOW = 1  # years before and after the plan's year a date may fall in

BOUND_VALIDATORS = (
    validators.MaxLengthValidator,
    validators.MinLengthValidator,
    validators.MaxValueValidator,
    validators.MinValueValidator,
)


def text_bound(limit: int = TEXT_MAX) -> validators.MaxLengthValidator:
    return validators.MaxLengthValidator(
        limit,
        message=gettext_lazy(
            "内容过长：不能超过 %(limit_value)d 个字符（现有 %(show_value)d 个）。"
        ),
    )


def count_bound(limit: int = COUNT_MAX) -> validators.MaxValueValidator:
    return validators.MaxValueValidator(
        limit, message=gettext_lazy("数值过大：不能超过 %(limit_value)s。")
    )


MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:[-转]\d{1,6})?$")


def normalise_phone(value: str) -> str:
    """A mainland mobile (13812345678) or a landline with area code (010-62086172)."""
    normalised = re.sub(r"[\s（）()]", "", value).replace("—", "-").replace("－", "-")
    if MOBILE_RE.match(normalised) or LANDLINE_RE.match(normalised):
        return normalised
    raise ValidationError(
        _("电话号码格式不正确：请填写 11 位手机号码，或带区号的固定电话（如 010-62086172）。"),
        code="phone",
    )


def check_plan_window(day: date | None, plan_year: int, field: str) -> None:
    """A date of a plan's work falls within the plan's year, give or take one year."""
    if day is None:
        return
    first, last = plan_year - PLAN_WINDOW, plan_year + PLAN_WINDOW
    if not first <= day.year <= last:
        raise ValidationError(
            {
                field: _("日期应在 %(first)d 年至 %(last)d 年之间（%(year)d 年度计划的前后一年）。")
                % {"first": first, "last": last, "year": plan_year}
            }
        )


def _concrete(model: type[models.Model]) -> set[str]:
    return {f.name for f in model._meta.concrete_fields}


def check_row(instance: models.Model, fields) -> None:
    """Run the model's validation of ``fields`` and its ``clean()`` on a row about to be written.

    Raises ValidationError with a dict of messages per field; ``clean()`` may normalise values.
    """
    fields = set(fields)
    errors: dict[str, list[str]] = {}
    try:
        instance.clean_fields(exclude=_concrete(type(instance)) - fields)
    except ValidationError as exc:
        exc.update_error_dict(errors)
    if not errors:
        try:
            instance.clean()
        except ValidationError as exc:
            exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


class RowRules:
    """``check_row`` for the many rows of one import: the same model rules, with each
    field's own validation (``Field.clean``: its type, choices and validators) run once per
    distinct value, since it depends on the value alone (relations are checked every row);
    ``clean()``, the rules across fields, runs for every row."""

    def __init__(self, model: type[models.Model], fields) -> None:
        self.fields = [model._meta.get_field(name) for name in fields]
        self._seen: dict[tuple, tuple[bool, object]] = {}

    def check(self, instance: models.Model) -> None:
        errors: dict[str, list] = {}
        for f in self.fields:
            raw = getattr(instance, f.attname)
            if f.blank and raw in f.empty_values:
                continue  # as Model.clean_fields
            key = None if f.is_relation else (f.name, type(raw), raw)
            result = self._seen.get(key) if key is not None else None
            if result is None:
                try:
                    result = (True, f.clean(raw, instance))
                except ValidationError as exc:
                    result = (False, exc.error_list)
                if key is not None:
                    self._seen[key] = result
            ok, value = result
            if ok:
                setattr(instance, f.attname, value)
            else:
                errors[f.name] = value
        if not errors:
            try:
                instance.clean()
            except ValidationError as exc:
                exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class ModelRulesSerializer(serializers.ModelSerializer):
    """A ModelSerializer that validates with the model's own rules and messages.

    DRF replaces a model's length and value validators by its own (with other wording);
    here the model's validators stay, and ``validate`` runs the model's ``clean()`` on the
    row as it would be saved (nested lists are the caller's to check).
    """

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        bounds = [v for v in model_field.validators if isinstance(v, BOUND_VALIDATORS)]
        if bounds and "choices" not in kwargs:
            for key in ("max_length", "min_length", "max_value", "min_value"):
                kwargs.pop(key, None)
            kept = [v for v in kwargs.get("validators", []) if not isinstance(v, BOUND_VALIDATORS)]
            kwargs["validators"] = kept + bounds
        return field_class, kwargs

    def candidate(self, attrs: dict) -> models.Model:
        """The row as it would be saved: the instance being changed, with the new values."""
        model = self.Meta.model
        row = copy.copy(self.instance) if self.instance is not None else model()
        for name in _concrete(model) & set(attrs):
            setattr(row, name, attrs[name])
        return row

    def validate(self, attrs):
        attrs = super().validate(attrs)
        row = self.candidate(attrs)
        try:
            row.clean()
        except ValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        for name in _concrete(self.Meta.model) & set(attrs):
            attrs[name] = getattr(row, name)  # as clean() normalised it
        return attrs
