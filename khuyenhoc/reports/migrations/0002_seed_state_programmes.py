"""Load the targets of the 2021–2030 state programmes and the national congress plan."""

from decimal import Decimal

from django.db import migrations


def load(apps, schema_editor):
    from khuyenhoc.reports.seed import STATE_PROGRAMMES

    Programme = apps.get_model("reports", "Programme")
    Target = apps.get_model("reports", "Target")
    for code, name, kind, issuer, basis, y0, y1, note, targets in STATE_PROGRAMMES:
        p, _ = Programme.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "issuer": issuer, "legal_basis": basis, "year_from": y0, "year_to": y1, "note": note},
        )
        for year, indicator, value, above, unconfirmed, tnote in targets:
            Target.objects.get_or_create(
                programme=p,
                node=None,
                year=year,
                indicator=indicator,
                defaults={"value": Decimal(value), "above": above, "unconfirmed": unconfirmed, "note": tnote},
            )


def unload(apps, schema_editor):
    from khuyenhoc.reports.seed import STATE_PROGRAMMES

    Programme = apps.get_model("reports", "Programme")
    Target = apps.get_model("reports", "Target")
    codes = [p[0] for p in STATE_PROGRAMMES]
    Target.objects.filter(programme__code__in=codes).delete()
    Programme.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
