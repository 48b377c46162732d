"""The spending categories of the notice's practice (劳务、会议、培训、资料、差旅、其他); HQ may
change them in the admin."""

CATEGORIES = ["劳务", "会议", "培训", "资料", "差旅", "其他"]


def ensure_categories(SpendingCategory) -> int:
    """Create the default categories that are missing; returns how many exist. Idempotent."""
    for order, name in enumerate(CATEGORIES, start=1):
        SpendingCategory.objects.get_or_create(name=name, defaults={"sort_order": order})
    return SpendingCategory.objects.count()
