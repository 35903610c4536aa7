"""The dashboard's figures are rendered once per node, year, language and state of the data
and shared between requests: these tests fail if a cached copy outlives a change to the data,
shows one node's figures on another's page, carries one person's page to another, or lets a
request skip the access check."""

from __future__ import annotations

import re

import pytest

from khuyenhoc.reports import selectors
from khuyenhoc.reports.models import FiguresCache

from .conftest import close, fund_with_receipts

pytestmark = pytest.mark.django_db


def _dashboard(client, node, year=2022, **extra):
    resp = client.get(f"/app/reports/nodes/{node.pk}/dashboard/?year={year}", **extra)
    assert resp.status_code == 200
    return resp.content.decode()


def _headline(html: str) -> str:
    return html.split('<section class="stats headline">', 1)[1].split("</section>", 1)[0]


def test_a_change_to_the_data_shows_on_the_next_request(world, client_for):
    fund_with_receipts(world, world.commune_a, [5_000_000])
    c = client_for(world.admin_city)
    assert "5.000.000 đ" in _headline(_dashboard(c, world.city))
    assert FiguresCache.objects.filter(key__startswith=f"dashboard-html:{world.city.pk}:").exists()
    # Another ward's receipts: the city's copy was rendered from an older state of the data.
    fund_with_receipts(world, world.commune_b, [7_000_000])
    assert "12.000.000 đ" in _headline(_dashboard(c, world.city))


def test_closing_the_year_shows_on_the_next_request(world, client_for):
    fund_with_receipts(world, world.commune_a, [5_000_000])
    c = client_for(world.admin_a)
    html = _dashboard(c, world.commune_a)
    assert "5.000.000 đ" in _headline(html)
    close(world.commune_a, 2022)
    # The snapshot's figures now; a receipt after the close cannot be dated in 2022, so the
    # page proves only that the copy was rendered again (the data version moved on).
    key = f"dashboard-html:{world.commune_a.pk}:{world.commune_a.path}:2022:vi"
    assert FiguresCache.objects.get(key=key).version < selectors.data_version()
    assert "5.000.000 đ" in _headline(_dashboard(c, world.commune_a))
    assert FiguresCache.objects.get(key=key).version == selectors.data_version()


def test_a_stale_copy_is_never_served(world, client_for):
    c = client_for(world.admin_a)
    _dashboard(c, world.commune_a)
    key = f"dashboard-html:{world.commune_a.pk}:{world.commune_a.path}:2022:vi"
    row = FiguresCache.objects.get(key=key)
    FiguresCache.objects.filter(pk=row.pk).update(data="<p>STALE</p>", version=row.version - 1)
    assert "STALE" not in _dashboard(c, world.commune_a)
    # The same copy under the current version is what a warm request serves.
    FiguresCache.objects.filter(pk=row.pk).update(data="<p>CURRENT</p>", version=selectors.data_version())
    assert "CURRENT" in _dashboard(c, world.commune_a)


def test_each_node_and_year_has_its_own_figures(world, client_for):
    fund_with_receipts(world, world.commune_a, [5_000_000])
    fund_with_receipts(world, world.commune_b, [7_000_000])
    a = _headline(_dashboard(client_for(world.admin_a), world.commune_a))
    b = _headline(_dashboard(client_for(world.admin_b), world.commune_b))
    assert "5.000.000 đ" in a and "7.000.000 đ" not in a
    assert "7.000.000 đ" in b and "5.000.000 đ" not in b
    # Another year of the same node: nothing raised then.
    assert "5.000.000 đ" not in _headline(_dashboard(client_for(world.admin_a), world.commune_a, year=2021))


def test_the_access_check_runs_on_every_request(world, client_for):
    fund_with_receipts(world, world.commune_a, [5_000_000])
    _dashboard(client_for(world.admin_a), world.commune_a)  # the copy exists now
    other = client_for(world.admin_b)
    assert other.get(f"/app/reports/nodes/{world.commune_a.pk}/dashboard/?year=2022").status_code == 404
    # A revoked grant ends access at once, copy or not.
    from khuyenhoc.accounts.models import RoleGrant
    from khuyenhoc.accounts.services import grant_revoke

    c = client_for(world.viewer_a)
    _dashboard(c, world.commune_a)
    grant_revoke(actor=None, grant=RoleGrant.objects.get(user=world.viewer_a))
    assert c.get(f"/app/reports/nodes/{world.commune_a.pk}/dashboard/?year=2022").status_code in (302, 404)


def test_the_page_around_the_figures_belongs_to_the_person_asking(world, client_for):
    admin = _dashboard(client_for(world.admin_a), world.commune_a)
    viewer_client = client_for(world.viewer_a)
    viewer = _dashboard(viewer_client, world.commune_a)
    assert _headline(admin) == _headline(viewer)  # the shared part
    assert str(world.admin_a) in admin and str(world.admin_a) not in viewer
    assert str(world.viewer_a) in viewer
    # The tabs follow each person's capabilities: the statistics sheet is for those who close.
    sheet = f"/app/reports/nodes/{world.commune_a.pk}/import/"
    assert sheet in admin and sheet not in viewer
    # A fresh CSRF token on every page (a cached one would be another session's).
    token = re.compile(r'"X-CSRFToken": "([^"]+)"')
    first, second = token.search(viewer).group(1), token.search(_dashboard(viewer_client, world.commune_a)).group(1)
    assert first and second and first != second


def test_each_language_has_its_own_copy(world, client_for):
    c = client_for(world.admin_a)
    assert "Biểu đồ năm 2022" in _dashboard(c, world.commune_a)
    c.cookies["django_language"] = "en"
    english = _dashboard(c, world.commune_a)
    assert "Dashboard 2022" in english and "Biểu đồ năm 2022" not in english
    # The year is a year in English too (localised, it would read 2,022), in the links as well.
    assert "2,022" not in english
    assert f"/app/reports/nodes/{world.commune_a.pk}/?year=2022" in english


def test_a_warm_request_reads_little(world, client_for, django_assert_max_num_queries):
    fund_with_receipts(world, world.commune_a, [5_000_000])
    c = client_for(world.admin_city)
    _dashboard(c, world.city)
    # Session, user, grants, the node (the access check) and the rendered figures.
    with django_assert_max_num_queries(5):
        assert "5.000.000 đ" in _headline(_dashboard(c, world.city))
