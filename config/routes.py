"""The paths of a noun's pages, written once: every app names them the same way.

``pages("cases/", cases, "case", "list", "new", "detail", "edit", "action", detail="case")``
stands for the five ``path()`` lines it returns. Each verb is one path, one URL name and one
view of the noun's views module (``views``):

========== ============================= ================== ==========================
verb       path (after the prefix)       URL name           view
========== ============================= ================== ==========================
list       (the prefix itself)           {noun}_list        {noun}_list
new        ``new/``                      {noun}_new         {noun}_edit (with no pk)
import     ``import/``                   {noun}_import      {noun}_import
template   ``template.xlsx``             {noun}_template    {noun}_template_download
export     ``export.xlsx``               {noun}_export      {noun}_export
detail     ``<int:pk>/``                 ``detail=`` name   {noun}_detail
                                         (else {noun}_detail)
action     ``<int:pk>/<str:action>/``    {noun}_action      {noun}_action
any other  ``<int:pk>/{verb}/``          {noun}_{verb}      {noun}_{verb}
           (edit, delete, publish, …)
========== ============================= ================== ==========================

The paths come in that order whatever the order asked, the catch-all ``action`` last, so
that ``<pk>/edit/`` is never read as an action. What a view lets each role do is declared
on the view (``accounts.access.role_required``), not here.
"""

from __future__ import annotations

from types import ModuleType

from django.urls import URLPattern, path

COLLECTION = {  # verb: (path, view)
    "list": ("", "list"),
    "new": ("new/", "edit"),
    "import": ("import/", "import"),
    "template": ("template.xlsx", "template_download"),
    "export": ("export.xlsx", "export"),
}


def pages(
    prefix: str, views: ModuleType, noun: str, *verbs: str, detail: str | None = None
) -> list[URLPattern]:
    """The ``path()`` of each of ``verbs`` for ``noun`` under ``prefix`` (see the module)."""
    standard = {"detail", "action"} | set(COLLECTION)
    ordered = [v for v in COLLECTION if v in verbs]
    ordered += ["detail"] if "detail" in verbs else []
    ordered += [v for v in verbs if v not in standard]
    ordered += ["action"] if "action" in verbs else []
    found = []
    for verb in ordered:
        if verb in COLLECTION:
            route, view = COLLECTION[verb]
        elif verb == "detail":
            route, view = "<int:pk>/", "detail"
        elif verb == "action":
            route, view = "<int:pk>/<str:action>/", "action"
        else:
            route, view = f"<int:pk>/{verb}/", verb
        name = (detail or f"{noun}_detail") if verb == "detail" else f"{noun}_{verb}"
        found.append(path(prefix + route, getattr(views, f"{noun}_{view}"), name=name))
    return found
