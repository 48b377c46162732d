"""The spending categories of the notice's practice (劳务、会议、培训、资料、差旅、其他); HQ may
change them in the admin."""

from django.db import migrations

CATEGORIES = ["劳务", "会议", "培训", "资料", "差旅", "其他"]


def seed(apps, schema_editor):
    SpendingCategory = apps.get_model("funding", "SpendingCategory")
    for order, name in enumerate(CATEGORIES, start=1):
        SpendingCategory.objects.get_or_create(name=name, defaults={"sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
