from django.db import migrations


def load_units(apps, schema_editor):
    from provinces.data import ensure_units

    ensure_units(apps.get_model("provinces", "Province"))


class Migration(migrations.Migration):
    dependencies = [("provinces", "0001_initial")]
    operations = [migrations.RunPython(load_units, migrations.RunPython.noop)]
