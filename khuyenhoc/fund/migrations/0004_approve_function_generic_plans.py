"""PostgreSQL: `fund_approve_one` plans its statements once per session (generic plans).

PL/pgSQL caches a plan per statement, but for statements whose parameters are the function's
variables it plans afresh ("custom plans") for as long as PostgreSQL's cost comparison
prefers them, which for this function's checks (the approving role over the unit's
ancestors, the year closes along the path) was every call. Measured on the fund benchmark's
database with one connection and /proc CPU times (the method is in docs/architecture.md,
"Databases"): 2.1 ms of server CPU per approval before, 1.2 ms after. Every statement in
the function looks rows up by key, so the generic plan is the plan a custom one would be.
"""

from django.db import migrations

SIGNATURE = "fund_approve_one(bigint, bigint, text[], timestamptz, text, text, text, text, int)"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER FUNCTION {SIGNATURE} SET plan_cache_mode = force_generic_plan", params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER FUNCTION {SIGNATURE} RESET plan_cache_mode", params=None)


class Migration(migrations.Migration):
    dependencies = [("fund", "0003_approve_function")]
    operations = [migrations.RunPython(forward, backward)]
