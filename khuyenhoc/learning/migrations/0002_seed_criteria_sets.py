"""Store the criteria sets shipped under khuyenhoc/learning/criteria/sets/ (data only).

Later releases that ship new files add them with `manage.py load_criteria_sets`.
Reversing removes the shipped rows that no evaluation uses.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from khuyenhoc.learning.criteria import dump_set, load_builtin_sets

    CriteriaSetVersion = apps.get_model("learning", "CriteriaSetVersion")
    for cset in load_builtin_sets().values():
        if CriteriaSetVersion.objects.filter(code=cset.code, version=cset.version).exists():
            continue
        CriteriaSetVersion.objects.create(
            code=cset.code,
            version=cset.version,
            title=cset.title,
            audience=cset.audience,
            name=cset.name[:300],
            issuer=cset.issuer[:200],
            scope=cset.scope,
            official=cset.official,
            is_sample=cset.is_sample,
            max_total=cset.max_total,
            pass_min_total=cset.pass_rule.min_total,
            valid_from=cset.valid_from,
            valid_to=cset.valid_to,
            toml=dump_set(cset),
            builtin=True,
            active=True,
        )


def unseed(apps, schema_editor):
    CriteriaSetVersion = apps.get_model("learning", "CriteriaSetVersion")
    CriteriaSetVersion.objects.filter(builtin=True, evaluations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
