"""The header's links, rendered once per role, unit and language.

Which links a user sees depends only on their role, their unit and the language (and the
URL configuration), never on the data, so the links of each such combination are rendered
once per process and reused: reversing some thirty URLs and translating their labels was a
third of an empty page's time. What does depend on the data (the unread count, the year
switcher) stays outside, in ``base.html``.
"""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

register = template.Library()

_rendered: dict[tuple, str] = {}
_MOST = 1024  # roles × units × languages is a few hundred


@register.simple_tag(takes_context=True)
def main_nav(context) -> str:
    """``templates/_main_nav.html`` for this user (see the module's docstring)."""
    user = context["user"]
    unit = user.province.code if user.province_id else ""
    key = (user.role, user.is_superuser, unit, get_language(), get_script_prefix(), get_urlconf())
    html = _rendered.get(key)
    if html is None:
        html = render_to_string("_main_nav.html", {"user": user, "unit": unit})
        if len(_rendered) >= _MOST:
            _rendered.clear()
        _rendered[key] = html
    return html
