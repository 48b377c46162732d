"""config.routes.pages: one way to name a noun's page paths, URL names and views."""

from __future__ import annotations

from types import SimpleNamespace

from django.urls import URLResolver
from django.urls.resolvers import RegexPattern

from config.routes import pages


def _view(name):
    def view(request, **kwargs):
        return name

    view.__name__ = name
    return view


VIEWS = SimpleNamespace(
    **{
        name: _view(name)
        for name in [
            "case_list",
            "case_edit",
            "case_detail",
            "case_delete",
            "case_action",
            "case_import",
            "case_template_download",
            "case_export",
        ]
    }
)


def _resolver(patterns):
    return URLResolver(RegexPattern(r"^/"), patterns)


def test_each_verb_is_one_path_name_and_view():
    found = {
        p.name: (str(p.pattern), p.callback.__name__)
        for p in pages(
            "cases/",
            VIEWS,
            "case",
            "list",
            "new",
            "detail",
            "edit",
            "delete",
            "import",
            "template",
            "export",
            "action",
            detail="case",
        )
    }
    assert found == {
        "case_list": ("cases/", "case_list"),
        "case_new": ("cases/new/", "case_edit"),
        "case_import": ("cases/import/", "case_import"),
        "case_template": ("cases/template.xlsx", "case_template_download"),
        "case_export": ("cases/export.xlsx", "case_export"),
        "case": ("cases/<int:pk>/", "case_detail"),
        "case_edit": ("cases/<int:pk>/edit/", "case_edit"),
        "case_delete": ("cases/<int:pk>/delete/", "case_delete"),
        "case_action": ("cases/<int:pk>/<str:action>/", "case_action"),
    }


def test_the_catch_all_action_comes_last_whatever_the_order_asked():
    patterns = pages("cases/", VIEWS, "case", "action", "delete", "edit", "detail")
    assert [p.name for p in patterns][-1] == "case_action"
    resolver = _resolver(patterns)
    assert resolver.resolve("/cases/7/edit/").url_name == "case_edit"
    assert resolver.resolve("/cases/7/delete/").url_name == "case_delete"
    match = resolver.resolve("/cases/7/submit/")
    assert match.url_name == "case_action" and match.kwargs == {"pk": 7, "action": "submit"}
    assert pages("cases/", VIEWS, "case", "detail")[0].name == "case_detail"  # the default
