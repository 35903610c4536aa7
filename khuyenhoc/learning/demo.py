"""Demo step: the learning titles of Bắc Kạn city in 2022.

Recognitions equal the seed article exactly — 10,110 learning families, 9 clans, 101
village communities and 26 units — with registrations a little above (a few dossiers
did not meet the criteria), spread unevenly over the 8 wards and communes. Everything
is written through the services, in bulk, the way a commune would work through a year:
register, self-assess, review at the commune, council approval, the People's
Committee's decision. The 2023 plan's learning-citizen model starts with one chapter's
first self-assessments (some typed by people on the public form, waiting for the head).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from khuyenhoc.core.money import format_number
from khuyenhoc.demo import figures
from khuyenhoc.demo.names import ethnicity, person_name
from khuyenhoc.organizations.models import ChapterType, Node

from .models import (
    Audience,
    Community,
    CriteriaSetVersion,
    DecidingBody,
    Evaluation,
    Household,
    Status,
    Title,
    Unit,
)
from .services import (
    citizen_create,
    clan_create,
    evaluation_review,
    evaluations_accept,
    evaluations_approve,
    evaluations_mark_not_met,
    evaluations_recognise,
    evaluations_register,
    evaluations_self_assess,
    public_link_for,
    subjects_sync_from_tree,
    submission_create,
    unit_update,
)
from .services.households_bulk import HouseholdData, households_upsert
from .services.subjects import clean_member

YEAR = figures.YEAR
# Households of the city (about 45,000 people), and how many registered in 2022.
HOUSEHOLDS = 11_426
FAMILIES_REGISTERED = 10_368
CLANS = 12
CLANS_REGISTERED = 10
COMMUNITIES_REGISTERED = 104
UNITS_REGISTERED = 28
SINCE = 2016

STAFF = {"school": (22, 70), "agency": (12, 40), "firm": (25, 160)}


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights``, exactly (largest remainder)."""
    raw = [total * w / sum(weights) for w in weights]
    out = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[: total - sum(out)]:
        out[i] += 1
    return out


def _pick(rng: random.Random, items: list, count: int, rate_of) -> list:
    """``count`` items, each chapter's items more or less likely by its own rate."""
    keyed = sorted(items, key=lambda it: rng.random() - rate_of(it))
    return keyed[:count]


def _answers(rng: random.Random, cset, *, passing: bool, derived: int = 0) -> dict[str, int]:
    """Points per answered item whose total, with at least ``derived`` points from
    figures, passes or narrowly fails (mandatory items are met when passing)."""
    items = [it for it in cset.items if not it.from_input]
    mark = cset.pass_rule.min_total
    # A failing dossier must fail whatever its figures give.
    derived_max = sum(it.max_points for it in cset.items if it.from_input)
    for _ in range(500):
        answers = {}
        for it in items:
            step = max(1, it.max_points // 10)
            cut = (0 if it.mandatory else rng.choice([0, 0, 0, 1, 2, 3])) if passing else rng.choice([1, 2, 3, 4, 5])
            answers[it.code] = max(0, it.max_points - cut * step)
        total = sum(answers.values())
        if (passing and total + derived >= mark) or (not passing and mark - 25 <= total + derived_max < mark):
            return answers
    return {it.code: it.max_points if passing else it.max_points // 2 for it in items}


def _member(rng: random.Random, name: str, birth: int, gender: str, relation: str) -> dict:
    age = YEAR - birth
    if age < 6:
        schooling = "not_yet"
    elif age <= 18:
        schooling = "dropped_out" if rng.random() < 0.015 else "in_school"
    else:
        schooling = "completed"
    return clean_member({
        "full_name": name, "birth_year": birth, "gender": gender, "relation": relation,
        "schooling": schooling, "literate": age < 6 or rng.random() < 0.985,
        "studies_topic": age >= 19 and rng.random() < 0.62,
    })


def _household(rng: random.Random, node: Node, code: str, address: str) -> HouseholdData:
    eth = ethnicity(rng)
    family = person_name(rng, female=False, ethnicity=eth).split()[0]
    head_female = rng.random() < 0.18
    head_birth = rng.randint(1950, 1995)

    def name(female: bool, surname: str = family) -> str:
        return " ".join([surname, *person_name(rng, female=female, ethnicity=eth).split()[1:]])

    members = [_member(rng, name(head_female), head_birth, "f" if head_female else "m", "head")]
    if rng.random() < 0.85:
        spouse_female = not head_female
        members.append(_member(rng, name(spouse_female, person_name(rng, female=spouse_female, ethnicity=ethnicity(rng)).split()[0]),
                               head_birth + rng.randint(-4, 5), "f" if spouse_female else "m", "spouse"))
    for _ in range(rng.choice([0, 1, 1, 2, 2, 2, 3])):
        female = rng.random() < 0.49
        birth = min(YEAR, head_birth + rng.randint(20, 35))
        members.append(_member(rng, name(female), birth, "f" if female else "m", "child"))
    if head_birth > 1970 and rng.random() < 0.25:
        female = rng.random() < 0.6
        members.append(_member(rng, name(female), head_birth - rng.randint(22, 30), "f" if female else "m", "parent"))
    return HouseholdData(node=node, code=code, members=members, address=address)


def _ward_short(ward: Node) -> str:
    return ward.name.replace("Hội Khuyến học phường ", "").replace("Hội Khuyến học xã ", "")


def _decision(rng: random.Random, ward: Node, number: int, day: int):
    short = _ward_short(ward)
    is_commune = "xã" in ward.name
    return {
        "body": DecidingBody.COMMUNE_COMMITTEE,
        "body_name": f"Ủy ban nhân dân {'xã' if is_commune else 'phường'} {short}",
        "number": f"{number}/QĐ-UBND",
        "decided_on": dt.date(YEAR, 12, day),
    }


def _run_title(ctx, actor, *, ward, title, subjects, passing_ids, cset, decision, inputs=None, derived=0):
    """One ward's year for one title: register, self-assess, review, approve, recognise."""
    rng = ctx.rng
    if not subjects:
        return
    evs = evaluations_register(actor=actor, title=title, subjects=subjects, year=YEAR, criteria_set=cset, node=ward)
    parsed = cset.parsed()
    items = [
        (e, _answers(rng, parsed, passing=e.subject.pk in passing_ids, derived=derived), inputs)
        for e in evs
    ]
    evs = evaluations_self_assess(actor=actor, items=items, node=ward)
    # A few family dossiers get a point corrected at the commune's review.
    fixed = set()
    if title == Title.FAMILY:
        for e in rng.sample(evs, k=min(len(evs) - 1, 2)):
            if e.passed and e.total >= parsed.pass_rule.min_total + 5:
                code = next(c for c, v in e.answers.items() if v > 0)
                evaluation_review(actor=actor, evaluation=e, answers={**e.answers, code: e.answers[code] - 1},
                                  comment="Điều chỉnh theo minh chứng kiểm tra thực tế.")
                fixed.add(e.pk)
    rest = [e for e in evs if e.pk not in fixed]
    if rest:
        evaluations_accept(actor=actor, evaluations=rest, node=ward)
    evs = list(Evaluation.objects.filter(pk__in=[e.pk for e in evs]))
    ok = [e for e in evs if e.passed]
    failed = [e for e in evs if not e.passed]
    if failed:
        evaluations_mark_not_met(actor=actor, evaluations=failed, comment="Chưa đạt điểm theo bộ tiêu chí.", node=ward)
    if ok:
        evaluations_approve(actor=actor, evaluations=ok, node=ward)
        evaluations_recognise(actor=actor, node=ward, evaluations=ok, title=title, year=YEAR, **decision)


def build(ctx) -> None:
    rng = ctx.rng
    actor = ctx.users.get("admin")
    # The shipped sets come with a data migration; a test database flushed between tests
    # has lost them, so store any that are missing.
    from .services.criteria import load_builtin

    load_builtin()
    sets = {t: CriteriaSetVersion.objects.get(code=f"{t}_sample_qd448", version=1) for t in ("family", "clan", "community", "unit")}

    subjects_sync_from_tree(actor=actor, node=ctx.city, since_year=SINCE)
    for unit in Unit.objects.filter(node__path__startswith=ctx.city.path).order_by("pk"):
        low, high = STAFF[unit.kind]
        unit_update(actor=actor, unit=unit, staff_count=rng.randint(low, high))

    ward_of = {c.pk: w for w in ctx.wards for c in ctx.chapters if c.parent_id == w.pk}
    villages = [c for c in ctx.chapters if c.chapter_type in (ChapterType.VILLAGE, ChapterType.RESIDENTIAL)]
    # Villages in the communes are smaller than residential groups in the wards.
    weights = [rng.uniform(0.6, 1.0) if c.chapter_type == ChapterType.VILLAGE else rng.uniform(0.85, 1.35) for c in villages]
    sizes = _allocate(HOUSEHOLDS, weights)
    by_ward: dict[int, list[HouseholdData]] = defaultdict(list)
    for chapter, size in zip(villages, sizes, strict=True):
        ward = ward_of[chapter.pk]
        place = chapter.name.replace("Chi hội khuyến học ", "")
        address = f"{place}, {'xã' if 'xã' in ward.name else 'phường'} {_ward_short(ward)}, thành phố Bắc Kạn"
        for i in range(1, size + 1):
            by_ward[ward.pk].append(_household(rng, chapter, f"{i:04d}", address))
    for ward in ctx.wards:
        households_upsert(actor=actor, scope=ward, items=by_ward[ward.pk], since_year=SINCE)

    # Families: each chapter registers and succeeds at its own rate.
    households = list(Household.objects.filter(node__path__startswith=ctx.city.path).order_by("pk"))
    rate = {c.pk: rng.uniform(0.82, 0.99) for c in villages}
    registered = _pick(rng, households, FAMILIES_REGISTERED, lambda h: rate[h.node_id])
    passing = {h.pk for h in _pick(rng, registered, figures.LEARNING_FAMILIES, lambda h: rate[h.node_id])}
    per_ward: dict[int, list[Household]] = defaultdict(list)
    for h in registered:
        per_ward[ward_of[h.node_id].pk].append(h)
    for n, ward in enumerate(ctx.wards, start=1):
        _run_title(ctx, actor, ward=ward, title=Title.FAMILY, subjects=sorted(per_ward[ward.pk], key=lambda h: h.pk),
                   passing_ids=passing, cset=sets["family"], decision=_decision(rng, ward, 100 + n * 7, 15 + n))

    # Clans: two branches per clan board, gathering the ward's households of that surname.
    clan_boards = [c for c in ctx.chapters if c.chapter_type == ChapterType.CLAN]
    clans = []
    for board in clan_boards:
        surname = board.name.rsplit(" ", 1)[-1]
        ward = ward_of[board.pk]
        pool = [h for h in Household.objects.filter(node__parent=ward, head_name__startswith=surname + " ").order_by("pk")]
        rng.shuffle(pool)
        for branch, part in enumerate((pool[: len(pool) // 2], pool[len(pool) // 2 :]), start=1):
            clans.append(clan_create(
                actor=actor, node=board, name=f"Dòng họ {surname} chi {branch} {_ward_short(ward)}", surname=surname,
                representative=person_name(rng, female=False, ethnicity="Tày"), since_year=SINCE, households=part[:40],
            ))
    clans = clans[:CLANS]
    registered_clans = sorted(_pick(rng, clans, CLANS_REGISTERED, lambda c: 0), key=lambda c: c.pk)
    passing_clans = {c.pk for c in registered_clans[: figures.LEARNING_CLANS]}

    # Villages and residential groups; agencies, schools and firms.
    communities = list(Community.objects.filter(node__path__startswith=ctx.city.path).order_by("pk"))
    registered_c = _pick(rng, communities, COMMUNITIES_REGISTERED, lambda c: rate.get(c.node_id, 0.5))
    passing_c = {c.pk for c in _pick(rng, registered_c, figures.LEARNING_COMMUNITIES, lambda c: rate.get(c.node_id, 0.5))}
    units = list(Unit.objects.filter(node__path__startswith=ctx.city.path).order_by("pk"))
    registered_u = _pick(rng, units, UNITS_REGISTERED, lambda u: 0.3 if u.kind == "school" else 0)
    passing_u = {u.pk for u in registered_u[: figures.LEARNING_UNITS]}

    for n, ward in enumerate(ctx.wards, start=1):
        def mine(subjects, ward=ward):
            return sorted((s for s in subjects if ward_of.get(s.node_id) == ward), key=lambda s: s.pk)

        _run_title(ctx, actor, ward=ward, title=Title.CLAN, subjects=mine(registered_clans), passing_ids=passing_clans,
                   cset=sets["clan"], decision=_decision(rng, ward, 200 + n * 3, 20 + n))
        _run_title(ctx, actor, ward=ward, title=Title.COMMUNITY, subjects=mine(registered_c), passing_ids=passing_c,
                   cset=sets["community"], decision=_decision(rng, ward, 210 + n * 3, 20 + n))
        # Units declare the share of their staff holding the learning-citizen title.
        _run_title(ctx, actor, ward=ward, title=Title.UNIT, subjects=mine(registered_u), passing_ids=passing_u,
                   cset=sets["unit"], decision=_decision(rng, ward, 220 + n * 3, 20 + n),
                   inputs={"citizen_title_share": round(rng.uniform(0.9, 0.97), 2)}, derived=20)

    _citizens_2023(ctx, actor)
    ctx.log.append(
        f"Danh hiệu học tập {YEAR}: {format_number(figures.LEARNING_FAMILIES)} gia đình, {figures.LEARNING_CLANS} dòng họ, "
        f"{figures.LEARNING_COMMUNITIES} cộng đồng, {figures.LEARNING_UNITS} đơn vị học tập được công nhận"
    )


def _citizens_2023(ctx, actor) -> None:
    """The 2023 plan's new model: one chapter's first learning citizens."""
    rng = ctx.rng
    chapter = ctx.chapters[0]
    public_link_for(chapter)
    officials = CriteriaSetVersion.objects.get(code="citizen_hkhvn_2021_2030_officials", version=1)
    adults = [
        m for h in Household.objects.filter(node=chapter).prefetch_related("members").order_by("pk")[:20]
        for m in h.members.all() if 2023 - m.birth_year >= 19
    ][:24]
    citizens = [
        citizen_create(actor=actor, node=chapter, full_name=m.full_name, birth_year=m.birth_year, gender=m.gender,
                       audience=Audience.OFFICIALS, since_year=2023, member=m)
        for m in adults
    ]
    evs = evaluations_register(actor=actor, title=Title.CITIZEN, subjects=citizens, year=2023, criteria_set=officials, node=chapter)
    parsed = officials.parsed()
    done = evs[: len(evs) * 2 // 3]
    evaluations_self_assess(
        actor=actor, node=chapter,
        items=[(e, {it.code: rng.choice([6, 7, 8, 8, 9, 9, 10, 10]) for it in parsed.items}, None) for e in done],
    )
    for i in range(3):
        female = i % 2 == 0
        submission_create(
            node=chapter, year=2023, full_name=person_name(rng, female=female, ethnicity="Tày"),
            birth_year=rng.randint(1970, 2000), gender="f" if female else "m", audience=Audience.OFFICIALS,
            criteria_set=officials, answers={it.code: rng.choice([7, 8, 9, 10]) for it in parsed.items},
        )
    assert Evaluation.objects.filter(title=Title.CITIZEN, status=Status.SELF_ASSESSED).exists()
