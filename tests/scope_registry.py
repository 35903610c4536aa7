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


# --- awards: one finished cycle of commune A (tests/awards/factories.py) ---
@factory("programme_id")
def _award_programme(world):
    from tests.awards.factories import commune_a_awards

    return commune_a_awards(world).programme.pk


@factory("nomination_id")
def _award_nomination(world):
    from tests.awards.factories import commune_a_awards

    return commune_a_awards(world).nomination.pk


@factory("evidence_id")
def _award_evidence(world):
    from tests.awards.factories import commune_a_awards

    return commune_a_awards(world).evidence.pk


@factory("decision_id")
def _award_decision(world):
    from tests.awards.factories import commune_a_awards

    return commune_a_awards(world).decision.pk


@factory("award_id")
def _award(world):
    from tests.awards.factories import commune_a_awards

    return commune_a_awards(world).award.pk


# URLs whose argument is not an object of a node: (name, kwargs) answered without scope.
UNSCOPED_ARGS = {"path", "document_root", "app_label", "object_id", "content_type_id", "url", "uidb64", "token"}


@factory("job_id")
def _job(world):
    from khuyenhoc.core.jobs import job_attach_file
    from khuyenhoc.core.models import Job

    job = Job.objects.create(kind="test.noop", node=world.chapter_a, status="done")
    job_attach_file(job, name="a.txt", content=b"A")
    return job.pk


# awards: the public check page of a certificate takes its unguessable code, no login.
UNSCOPED_ARGS.add("certificate_code")


# The public figures page of an association is found by the association's code: public
# pages answer everyone, so the walk has nothing to deny there (reports).
UNSCOPED_ARGS.add("association_code")


# ------------------------------------------------------------------ learning titles
# One small year of commune A's chapter, built through the learning services once per
# world: a household registered, self-assessed, reviewed, approved and recognised.


def _learning(world):
    cached = getattr(world, "_learning_objects", None)
    if cached is not None:
        return cached
    import datetime as dt

    from khuyenhoc.learning import services
    from khuyenhoc.learning.models import CriteriaSetVersion

    services.load_builtin()
    family = CriteriaSetVersion.objects.get(code="family_sample_qd448", version=1)
    household = services.household_create(
        actor=None, node=world.chapter_a, code="WALK-1", since_year=2020,
        members=[{"full_name": "Nguyễn Văn Đi", "birth_year": 1970, "gender": "m", "relation": "head"}],
    )
    ev = services.evaluation_register(actor=None, title="family", subject=household, year=2024, criteria_set=family)
    answers = {i.code: i.max_points for i in family.parsed().items}
    services.evaluation_self_assess(actor=None, evaluation=ev, answers=answers)
    services.evaluations_accept(actor=None, evaluations=[ev])
    services.evaluations_approve(actor=None, evaluations=[ev])
    rec = services.evaluations_recognise(
        actor=None, node=world.commune_a, evaluations=[ev], title="family", year=2024, body="commune_committee",
        body_name="UBND phường An Bình", number="1/QĐ-UBND", decided_on=dt.date(2024, 12, 20),
    )
    citizen_set = CriteriaSetVersion.objects.get(code="citizen_hkhvn_2021_2030_farmers", version=1)
    submission = services.submission_create(
        node=world.chapter_a, year=2024, full_name="Lý Thị Hỏi", birth_year=1990, gender="f", audience="farmers",
        criteria_set=citizen_set, answers={i.code: 8 for i in citizen_set.parsed().items},
    )
    objects = {
        "household_id": household.pk,
        "evaluation_id": ev.pk,
        "recognition_id": rec.pk,
        "submission_id": submission.pk,
        "clan_id": services.clan_create(actor=None, node=world.chapter_a, name="Dòng họ Nguyễn An Bình",
                                        surname="Nguyễn", since_year=2020, households=[household]).pk,
        "unit_id": services.unit_create(actor=None, node=world.chapter_a, name="Trường Tiểu học An Bình",
                                        kind="school", staff_count=30, since_year=2020).pk,
        "set_id": services.criteria_set_copy(actor=None, source=family, node=world.commune_a,
                                             code="family_an_binh").pk,
    }
    world._learning_objects = objects
    return objects


for _name in ("household_id", "evaluation_id", "recognition_id", "submission_id", "clan_id", "unit_id", "set_id"):
    FACTORIES[_name] = lambda world, _name=_name: _learning(world)[_name]


# ------------------------------------------------------------- members and imports
# One member of commune A's chapter with a dues payment, and one checked import.


def _members(world):
    cached = getattr(world, "_member_objects", None)
    if cached is not None:
        return cached
    import datetime as dt

    from khuyenhoc.imports.services import import_job_analyse, import_job_create
    from khuyenhoc.members.importing import MEMBER_IMPORT
    from khuyenhoc.members.services import dues_record, member_create

    member = member_create(actor=None, node=world.chapter_a, full_name="Nông Thị Phạm Vi", birth_year=1970, joined_on=dt.date(2020, 1, 5))
    dues = dues_record(actor=None, member=member, year=2022, amount=12_000, paid_on=dt.date(2022, 3, 1))
    job = import_job_create(actor=None, node=world.chapter_a, kind=MEMBER_IMPORT, file_name="hoi-vien.xlsx", data=MEMBER_IMPORT.template())
    import_job_analyse(job=job)
    objects = {"member_id": member.pk, "dues_id": dues.pk, "import_id": job.pk}
    world._member_objects = objects
    return objects


for _name in ("member_id", "dues_id", "import_id"):
    FACTORIES[_name] = lambda world, _name=_name: _members(world)[_name]


@factory("kind")
def _import_kind(world):
    return "members"
