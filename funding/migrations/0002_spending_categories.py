"""The spending categories of the notice's practice (funding/data.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from funding.data import ensure_categories

    ensure_categories(apps.get_model("funding", "SpendingCategory"))


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
