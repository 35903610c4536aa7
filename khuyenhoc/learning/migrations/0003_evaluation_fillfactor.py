"""PostgreSQL only: leave room on each page of learning_evaluation for updated rows.

Scores are written back to a million rows at a time; with free space on the page the
update is a HOT update that touches no index (bench/bench_learning.py: about five times
faster). Existing pages keep their layout until the table is rewritten (VACUUM FULL).
"""

from django.db import migrations


def set_fillfactor(apps, schema_editor, value=70):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE learning_evaluation SET (fillfactor = {int(value)})")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE learning_evaluation RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("learning", "0002_seed_criteria_sets")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
