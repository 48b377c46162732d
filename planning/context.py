from django.http import Http404
from django.utils.functional import SimpleLazyObject

from .working import visible_plans, working_plan


def year_switcher(request):
    """The header's year switcher: the plans the user may choose and the one in use,
    read only when a page shows the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def build() -> dict:
        try:
            current = working_plan(request)
        except Http404:
            current = None
        return {"plans": visible_plans(request), "current": current}

    return {"year_switcher": SimpleLazyObject(build)}
