"""Every management command starts with Django's system checks: they must print nothing."""

import pytest
from django.core import checks


@pytest.mark.django_db
def test_the_system_checks_report_nothing_on_this_database():
    # Includes the database-dependent checks (e.g. an index with INCLUDE columns on SQLite).
    found = [m for m in checks.run_checks(databases=["default"], include_deployment_checks=False) if not m.is_silenced()]
    assert found == []
