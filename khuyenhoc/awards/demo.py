"""Demo step: the awards of Bắc Kạn city in 2022, written through the awards services.

The year-end conference of 30/12/2022 gave certificates of merit to 19 collectives,
18 individuals, 4 learning clans and 18 learning families (`figures.CERTIFICATES`),
in one decision; during the year the city association also rewarded top university
entrants, poor students overcoming hardship and excellent students. The city's
decisions add up to exactly `figures.CITY_AWARD_PAYMENTS`, and each is paid through the
fund's own services (drafted by the treasurer, approved by the chair) — but only if
the fund's ledger still has room under the article's figures, so this step never makes
the demo's totals exceed them whichever way the fund step splits its own payments.
`PAID_BY_NODE` says what this step pays, for the fund step to leave out. The ward of
Đức Xuân runs its own programme too; its decision waits for payment the same way.

Clans and families are nominated straight from their 2022 recognition records when the
learning step has made them.
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.db.models import Sum

from khuyenhoc.demo import figures
from khuyenhoc.demo.names import ethnicity, person_name
from khuyenhoc.organizations.models import ChapterType, Node

from . import learning_link, services
from .models import Nomination, NominationStatus, Programme

YEAR = figures.YEAR


def d(month: int, day: int) -> dt.date:
    return dt.date(YEAR, month, day)


# (preset, count, amount, deadline, nominated on)
CITY_STUDENTS = [
    ("university_entrants", 15, 1_000_000, d(8, 20), d(8, 15)),
    ("poor_students", 50, 500_000, d(11, 10), d(11, 5)),
    ("excellent_students", 11, 350_000, d(11, 10), d(11, 6)),
]
# (decision number, date, presets it awards)
CITY_DECISIONS = [
    (25, d(8, 26), ["university_entrants"]),
    (31, d(11, 15), ["poor_students"]),
    (32, d(11, 18), ["excellent_students"]),
    (38, d(12, 30), ["collectives", "individuals", "model_clans", "model_families"]),
]
CONFERENCE = {"collectives": 500_000, "individuals": 300_000, "model_clans": 500_000, "model_families": 300_000}
DUC_XUAN = ("poor_students", 12, 300_000, d(11, 20), d(11, 12), 15, d(11, 25))

# What this step pays through the fund, by node code (the fund step pays the rest).
PAID_BY_NODE = {
    "BK": sum(n * a for _p, n, a, _dl, _on in CITY_STUDENTS)
    + sum(figures.CERTIFICATES[k] * CONFERENCE[p] for k, p in (("collective", "collectives"), ("individual", "individuals"),
                                                                ("clan", "model_clans"), ("family", "model_families"))),
    "BK-DX": DUC_XUAN[1] * DUC_XUAN[2],
}
assert PAID_BY_NODE["BK"] == figures.CITY_AWARD_PAYMENTS  # 66.150.000 đ

UNIVERSITIES = ["Đại học Bách khoa Hà Nội", "Đại học Y Hà Nội", "Đại học Sư phạm Thái Nguyên", "Đại học Kinh tế Quốc dân",
                "Học viện Nông nghiệp Việt Nam", "Đại học Quốc gia Hà Nội", "Học viện Ngân hàng"]


def _school(chapter: Node) -> str:
    return chapter.name.replace("Ban khuyến học ", "")


def _student(rng: random.Random, born: tuple[int, int]) -> tuple[str, int]:
    female = rng.random() < 0.52
    return person_name(rng, female=female, ethnicity=ethnicity(rng)), rng.randint(*born)


def _class_for(birth_year: int) -> str:
    grade = max(1, min(12, YEAR - birth_year - 6))
    return f"{grade}{'ABCD'[grade % 4]}"


class _Demo:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.rng = random.Random(figures.RANDOM_SEED * 11 + 5)  # own stream: other steps do not move these names
        self.users = ctx.users
        self.ward_of = {c.pk: w for w in ctx.wards for c in ctx.chapters if c.parent_id == w.pk}
        self.reviewer = {w.pk: self.users["thuky"] for w in ctx.wards}
        if "ducxuan" in self.users:
            self.reviewer[ctx.wards[0].pk] = self.users["ducxuan"]

    # --- helpers -------------------------------------------------------------------

    def proposer(self, node: Node):
        if "chihoi" in self.users and self.ctx.chapters and node.pk == self.ctx.chapters[0].pk:
            return self.users["chihoi"]
        if "ducxuan" in self.users and node.path.startswith(self.ctx.wards[0].path) and node.pk != self.ctx.wards[0].pk:
            return self.users["ducxuan"]
        return self.users["thuky"]

    def programme(self, node: Node, preset: str, count: int, amount: int, deadline: dt.date, **overrides) -> Programme:
        return services.programme_create_from_preset(
            actor=self.users["admin"], node=node, preset=preset, year=YEAR, deadline=deadline, budget=count * amount,
            amount=amount, requires_evidence=False, **overrides,
        )

    def up(self, n: Nomination) -> Nomination:
        """Forward level by level until the nomination is before the programme's council."""
        while not n.is_at_top:
            n = services.nomination_forward(actor=self.reviewer.get(n.at_node_id, self.users["thuky"]), nomination=n)
        return n

    def score(self, council, n: Nomination) -> None:
        rubric = n.programme.rubric
        if not rubric:
            return
        floor = (n.programme.pass_score or 0) + 2
        for _ in range(50):
            scores = {i["key"]: self.rng.randint(int(i["max"] * 0.7), i["max"]) for i in rubric}
            if sum(scores.values()) >= floor:
                break
        services.nomination_score(actor=council, nomination=n, scores=scores)

    # --- the year --------------------------------------------------------------------

    def students(self, programme: Programme, count: int, on: dt.date, born: tuple[int, int], *, within: Node) -> None:
        chapters = [c for c in self.ctx.chapters if c.path.startswith(within.path)
                    and c.chapter_type in (ChapterType.VILLAGE, ChapterType.RESIDENTIAL, ChapterType.SCHOOL)]
        schools = [_school(c) for c in self.ctx.chapters if c.chapter_type == ChapterType.SCHOOL and c.path.startswith(within.path)]
        council = self.users["chutich"] if programme.node.pk == self.ctx.city.pk else self.users.get("ducxuan", self.users["admin"])
        for _ in range(count):
            for _attempt in range(5):
                try:
                    n = self._one_student(programme, chapters, schools, born, on)
                except ValidationError:  # the same name and year drawn twice in a commune
                    continue
                break
            self.score(council, self.up(n))
        approved = services.nominations_approve_ranked(actor=council, programme=programme)
        assert approved == count, (programme.name, approved, count)

    def _one_student(self, programme: Programme, chapters: list[Node], schools: list[str], born: tuple[int, int], on: dt.date) -> Nomination:
        rng = self.rng
        chapter = rng.choice(chapters)
        name, birth = _student(rng, born)
        if programme.preset == "university_entrants":
            school, class_name = rng.choice(["Trường THPT Bắc Kạn", "Trường THPT Chuyên Bắc Kạn", "Trường PT DTNT tỉnh Bắc Kạn"]), "12A" + str(rng.randint(1, 6))
            achievement = f"Đỗ {rng.choice(UNIVERSITIES)} năm {YEAR} với tổng điểm {rng.randint(255, 290) / 10:.1f}."
        else:
            school = _school(chapter) if chapter.chapter_type == ChapterType.SCHOOL else (rng.choice(schools) if schools else "")
            class_name = _class_for(birth)
            achievement = (
                "Gia đình thuộc hộ nghèo, em vẫn đạt học sinh giỏi năm học 2021–2022." if programme.requires_poor_household
                else f"Học sinh giỏi năm học 2021–2022, đạt giải {rng.choice(['Nhất', 'Nhì', 'Ba'])} kỳ thi học sinh giỏi cấp thành phố."
            )
        return services.nomination_create(
            actor=self.proposer(chapter), programme=programme, node=chapter, nominee_kind="student", nominee_name=name,
            birth_year=birth, class_name=class_name, school=school, poor_household=programme.requires_poor_household,
            achievement=achievement, on=on,
        )

    def collectives(self, programme: Programme, on: dt.date) -> None:
        rng, city = self.rng, self.ctx.city
        wards = list(self.ctx.wards)
        chosen_wards = rng.sample(wards, 5)
        for ward in chosen_wards:
            n = services.nomination_create(
                actor=self.users["thuky"], programme=programme, node=city, nominee_kind="collective", nominee_name=ward.name,
                achievement="Hoàn thành xuất sắc các chỉ tiêu công tác khuyến học, khuyến tài năm 2022.", on=on,
            )
            self.score(self.users["chutich"], n)
        per_ward = [1] * len(wards)
        for i in rng.sample(range(len(wards)), 14 - sum(per_ward)):
            per_ward[i] += 1
        for ward, k in zip(wards, per_ward, strict=True):
            units = [c for c in self.ctx.chapters if c.parent_id == ward.pk]
            for unit in rng.sample(units, k):
                n = services.nomination_create(
                    actor=self.reviewer[ward.pk], programme=programme, node=ward, nominee_kind="collective", nominee_name=unit.name,
                    school=ward.name, achievement="Phát triển hội viên, xây dựng quỹ khuyến học và các mô hình học tập đạt kết quả cao.", on=on,
                )
                self.score(self.users["chutich"], self.up(n))

    def individuals(self, programme: Programme, on: dt.date) -> None:
        from khuyenhoc.organizations.models import Officer

        officers = list(Officer.objects.filter(node__in=self.ctx.chapters).select_related("node").order_by("pk"))
        for officer in self.rng.sample(officers, figures.CERTIFICATES["individual"]):
            ward = self.ward_of[officer.node_id]
            n = services.nomination_create(
                actor=self.reviewer[ward.pk], programme=programme, node=ward, nominee_kind="individual", nominee_name=officer.full_name,
                birth_year=self.rng.randint(1955, 1985), school=f"{officer.get_title_display()}, {officer.node.name}",
                achievement="Tích cực vận động hội viên, xây dựng quỹ khuyến học của chi hội.", on=on,
            )
            self.score(self.users["chutich"], self.up(n))

    def from_learning(self, programme: Programme, title: str, count: int, on: dt.date) -> None:
        candidates = []
        if learning_link.learning_available():
            from khuyenhoc.learning.models import Evaluation, Status

            candidates = list(
                Evaluation.objects.filter(title=title, year=YEAR, status=Status.RECOGNISED, node__path__startswith=self.ctx.city.path)
                .select_related("node", "recognition", "household", "clan")
                .order_by("-total", "pk")[: max(count * 20, 100)]
            )
        if len(candidates) >= count:
            for ev in sorted(self.rng.sample(candidates, count), key=lambda e: e.pk):
                n = learning_link.nomination_from_recognition(actor=self.proposer(ev.node), programme=programme, evaluation=ev, on=on)
                self.up(n)
        else:
            # Without the learning step's records (e.g. a partial demo), typed nominations.
            services.programme_update(actor=self.users["admin"], programme=programme, requires_recognition=False)
            programme.refresh_from_db()
            chapters = [c for c in self.ctx.chapters if c.chapter_type in (ChapterType.VILLAGE, ChapterType.RESIDENTIAL)]
            for i in range(count):
                chapter = self.rng.choice(chapters)
                name = person_name(self.rng, female=False, ethnicity=ethnicity(self.rng))
                if title == "clan":
                    name = f"Dòng họ {name.split()[0]} {chapter.name.split()[-1]} {i + 1}"
                n = services.nomination_create(
                    actor=self.proposer(chapter), programme=programme, node=chapter, nominee_kind=title, nominee_name=name,
                    achievement=f"Được công nhận danh hiệu năm {YEAR}.", on=on,
                )
                self.up(n)
        for n in programme.nominations.filter(status=NominationStatus.PENDING):
            services.nomination_approve(actor=self.users["chutich"], nomination=n)

    def issue(self, node: Node, number: int, date: dt.date, programmes: list[Programme], council):
        fields = services.decision_defaults(node, programmes, date)
        fields.update(number=number, date=date)
        return services.decision_issue(actor=council, node=node, programmes=programmes, **fields)

    def pay(self, decision, drafter, approver) -> bool:
        """Pay through the fund if the ledger has room under the article's figures; else leave it waiting."""
        try:
            from khuyenhoc.fund.models import Fund, LedgerEntry
            from khuyenhoc.fund.selectors import account_balance
        except ImportError:  # pragma: no cover - the fund app ships with the product
            return False
        fund = Fund.objects.filter(node=decision.node, status="active").order_by("pk").first()
        if fund is None:
            return False
        awards = LedgerEntry.objects.filter(purpose="award", date__year=YEAR)
        paid_here = -(awards.filter(fund__node=decision.node).aggregate(s=Sum("amount"))["s"] or 0)
        paid_all = -(awards.filter(fund__node__path__startswith=self.ctx.city.path).aggregate(s=Sum("amount"))["s"] or 0)
        if paid_all + decision.total > figures.AWARD_PAYMENTS:
            return False
        if decision.node.pk == self.ctx.city.pk and paid_here + decision.total > figures.CITY_AWARD_PAYMENTS:
            return False
        accounts = sorted((a for a in fund.accounts.exclude(kind="in_kind")), key=lambda a: -account_balance(a))
        if not accounts or account_balance(accounts[0]) < decision.total:
            return False
        services.decision_pay(actor=drafter, decision=decision, fund=fund, account=accounts[0], date=decision.date)
        services.decision_approve_payments(actor=approver, decision=decision)
        return True


def build(ctx) -> None:
    demo = _Demo(ctx)
    city, users = ctx.city, ctx.users
    made: dict[str, Programme] = {}
    for preset, count, amount, deadline, on in CITY_STUDENTS:
        born = {"university_entrants": (2003, 2004), "poor_students": (2006, 2015), "excellent_students": (2006, 2015)}[preset]
        made[preset] = demo.programme(city, preset, count, amount, deadline)
        demo.students(made[preset], count, on, born, within=city)
    deadline, on = d(12, 15), d(12, 10)
    counts = {"collectives": 19, "individuals": 18, "model_clans": 4, "model_families": 18}
    assert counts == {p: figures.CERTIFICATES[k] for k, p in (("collective", "collectives"), ("individual", "individuals"),
                                                               ("clan", "model_clans"), ("family", "model_families"))}
    for preset, count in counts.items():
        made[preset] = demo.programme(city, preset, count, CONFERENCE[preset], deadline)
    demo.collectives(made["collectives"], on)
    demo.individuals(made["individuals"], on)
    for preset in ("collectives", "individuals"):
        assert services.nominations_approve_ranked(actor=users["chutich"], programme=made[preset]) == counts[preset]
    demo.from_learning(made["model_clans"], "clan", counts["model_clans"], on)
    demo.from_learning(made["model_families"], "family", counts["model_families"], on)

    paid = []
    total = 0
    for number, date, presets in CITY_DECISIONS:
        decision = demo.issue(city, number, date, [made[p] for p in presets], users["chutich"])
        total += decision.total
        if demo.pay(decision, users["thuquy"], users["chutich"]):
            paid.append(decision.code)
    assert total == figures.CITY_AWARD_PAYMENTS

    # One ward runs its own programme for poor pupils.
    ward = ctx.wards[0]
    preset, count, amount, deadline, on, number, date = DUC_XUAN
    ward_admin = users.get("ducxuan", users["admin"])
    programme = services.programme_create_from_preset(
        actor=ward_admin, node=ward, preset=preset, year=YEAR, deadline=deadline, budget=count * amount, amount=amount, requires_evidence=False,
        name="Khen thưởng học sinh nghèo vượt khó phường Đức Xuân",
    )
    demo.students(programme, count, on, (2008, 2015), within=ward)
    ward_decision = demo.issue(ward, number, date, [programme], ward_admin)
    if demo.pay(ward_decision, ward_admin, users["admin"]):
        paid.append(ward_decision.code)

    ctx.log.append(
        f"Khen thưởng: {len(CITY_DECISIONS) + 1} quyết định, {Nomination.objects.filter(status='awarded').count()} giấy khen "
        f"(hội nghị 30/12/{YEAR}: 19 tập thể, 18 cá nhân, 04 dòng họ, 18 gia đình); "
        f"đã chi qua quỹ: {', '.join(paid) if paid else 'chưa (quỹ đã ghi đủ số chi khen thưởng của bài báo)'}"
    )
