"""How the permission walk finds an object of commune A for each URL argument.

Every URL argument name in the project must be listed here; a new one makes the
walk fail until its factory is added, so every new page falls under the walk.
Each factory takes the test `world` and returns the id of an object that belongs
to commune A (or its chapter).
"""

from __future__ import annotations

from collections.abc import Callable

FACTORIES: dict[str, Callable] = {}


def factory(*names: str):
    def deco(fn):
        for name in names:
            FACTORIES[name] = fn
        return fn

    return deco


@factory("node_id")
def _node(world):
    return world.chapter_a.pk


@factory("officer_id")
def _officer(world):
    return world.officer_a.pk


@factory("grant_id")
def _grant(world):
    return world.viewer_a.grants.get().pk


def _fund_of_commune_a(world):
    """A fund of commune A with one posted receipt: drafted by its treasurer, approved by its admin."""
    import datetime as dt

    from khuyenhoc.accounts.models import Role
    from khuyenhoc.fund.models import Fund
    from khuyenhoc.fund.services import fund_create, voucher_approve, voucher_draft
    from tests.conftest import make_user

    fund = Fund.objects.filter(node=world.commune_a, name="Quỹ khuyến học (phạm vi)").first()
    if fund is None:
        fund = fund_create(actor=world.admin_a, node=world.commune_a, name="Quỹ khuyến học (phạm vi)", opened_on=dt.date(2022, 1, 1))
        treasurer = make_user("thuquy_scope", node=world.commune_a, role=Role.TREASURER)
        v = voucher_draft(actor=treasurer, fund=fund, kind="receipt", date=dt.date(2022, 3, 1), account=fund.accounts.get(kind="cash"),
                          amount=1_000_000, party_kind="person", party_name="Hoàng Văn Ánh", reason="Ủng hộ quỹ")
        voucher_approve(actor=world.admin_a, voucher=v)
    return fund


@factory("fund_id")
def _fund(world):
    return _fund_of_commune_a(world).pk


@factory("voucher_id")
def _voucher(world):
    return _fund_of_commune_a(world).vouchers.get().pk


# URLs whose argument is not an object of a node: (name, kwargs) answered without scope.
UNSCOPED_ARGS = {"path", "document_root", "app_label", "object_id", "content_type_id", "url", "uidb64", "token"}


@factory("job_id")
def _job(world):
    from khuyenhoc.core.jobs import job_attach_file
    from khuyenhoc.core.models import Job

    job = Job.objects.create(kind="test.noop", node=world.chapter_a, status="done")
    job_attach_file(job, name="a.txt", content=b"A")
    return job.pk
