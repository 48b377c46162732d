from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from .models import ZERO

MONEY = {"max_digits": 12, "decimal_places": 2}


class GridHeadForm(forms.Form):
    """What a task's grid shares: one document, one date."""

    document_number = forms.CharField(label=_("下达文号"), max_length=100, required=False)
    date = forms.DateField(
        label=_("下达日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def amount_field(label: str, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=ZERO,
        validators=[MinValueValidator(ZERO)],
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        **MONEY,
    )


class PaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("拨付金额（万元）"),
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
        **MONEY,
    )
    date = forms.DateField(
        label=_("拨付日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class SpendingForm(forms.Form):
    """A report's note, one amount per category (added in __init__), and evidence files."""

    note = forms.CharField(
        label=_("使用情况说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, categories=(), lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        lines = lines or {}
        self.categories = list(categories)
        for c in self.categories:
            field = amount_field(str(c.name))
            field.initial = lines.get(c.pk)
            self.fields[f"amount_{c.pk}"] = field

    def amounts(self) -> dict[int, Decimal]:
        return {
            c.pk: self.cleaned_data.get(f"amount_{c.pk}")
            for c in self.categories
            if self.cleaned_data.get(f"amount_{c.pk}") is not None
        }

    def amount_fields(self):
        return [self[f"amount_{c.pk}"] for c in self.categories]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ProjectAllocationForm(forms.Form):
    """One project's allocation: an amount in 万元, the document, the date."""

    amount = amount_field(_("下达经费（万元）"), required=True)
    document_number = forms.CharField(label=_("下达文号"), max_length=100, required=False)
    date = forms.DateField(
        label=_("下达日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
