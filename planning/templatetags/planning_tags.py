from django import template

from planning.models import Target

register = template.Library()


@register.filter
def unit_names(codes, provinces) -> str:
    """Province codes → "江西、河南…" for the import preview."""
    return "、".join(provinces[c].short_name for c in codes if c in provinces)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def period_label(value: str) -> str:
    """ "quarter" → 每季度 (a parsed target's period, before it is a model row)."""
    return str(dict(Target.Period.choices).get(value, value))
