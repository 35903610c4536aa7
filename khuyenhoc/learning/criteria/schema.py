"""The shape of a criteria set for the learning titles, as plain frozen dataclasses.

Criteria for the five learning titles are a national framework that each province
adapts, and several of the rules we know of are not confirmed (see docs in
/work/shared/domain.md). So a criteria set is *data*: an association enters its own
province's set, and everything the product shows about a set's status comes from the
flags below rather than from code.

How much of a set can be trusted is said by separate flags, because the doubts differ:

* ``official`` — the set follows a document of a competent body, cited in
  ``legal_basis``. It does not claim that every value was checked against that
  document; the finer flags below say what was not.
* ``is_sample`` — our own illustration, to be replaced by the province's set. A sample
  is never official.
* ``points_unconfirmed`` — the structure is known but the point values are ours.
* ``PassRule.confirmed`` — the pass mark is commonly cited but not verified.
* ``Item.placeholder`` — an item whose content we could not retrieve; it keeps the
  set's total right and must be filled in from the document.
* ``audience_confirmed`` — for learning-citizen forms: whether that form for that group
  of people is known to exist.

Learning-citizen forms are modelled as **one criteria set per group of people**
(``audience``), not as variants inside one set: each form is filled in on its own,
may change on its own, and carries its own legal basis and confirmation flags. The
three competency groups A/B/C are the set's criteria; the ten indicators are items.

Grading is either ``grades`` (bands of total points covering 0..max_total without gaps
or overlaps) or ``levels`` (cumulative levels such as "mức độ 1/2", each with a minimum
total and a minimum share of every criterion), or neither (pass/fail only, as for the
learning citizen). Which grade/level a score reaches and whether it passes is decided
in :mod:`khuyenhoc.learning.criteria.scoring`.

A set may read other titles' results through named numeric *inputs* (for example the
share of a clan's families holding the learning-family title): a ``Prerequisite`` gates
the whole set on an input, and an item with ``from_input`` takes its points from an
input through a step table instead of from an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

Title = Literal["family", "clan", "community", "unit", "citizen", "commune_community"]

TITLES: Final[tuple[str, ...]] = (
    "family",
    "clan",
    "community",
    "unit",
    "citizen",
    "commune_community",
)

# Vietnamese names of the titles, for messages and pages.
TITLE_NAMES: Final[dict[str, str]] = {
    "family": "Gia đình học tập",
    "clan": "Dòng họ học tập",
    "community": "Cộng đồng học tập cấp thôn, tổ dân phố",
    "unit": "Đơn vị học tập",
    "citizen": "Công dân học tập",
    "commune_community": "Cộng đồng học tập cấp xã",
}

# Groups of people with their own learning-citizen form.
AUDIENCES: Final[dict[str, str]] = {
    "farmers": "Nông dân, lao động nông thôn",
    "workers": "Công nhân, lao động công nghiệp và thủ công nghiệp",
    "officials": "Cán bộ, công chức, viên chức, người lao động từ cấp xã trở lên",
    "pupils": "Học sinh, sinh viên",
}

NATIONAL_SCOPE: Final = "national"

PLACEHOLDER_NAME: Final = "(chưa có nội dung chính thức — điền theo văn bản)"


@dataclass(frozen=True, slots=True)
class LegalBasis:
    """One document a set is based on or refers to.

    ``issued_on`` may be unknown (None): we would rather leave it empty than guess.
    """

    number: str
    issued_on: date | None = None
    title: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class InputStep:
    """``points`` are given once the input reaches ``min_value``."""

    min_value: float
    points: int


@dataclass(frozen=True, slots=True)
class Item:
    """The smallest scored unit; answers are keyed by ``code``.

    A mandatory item must reach ``min_points_if_mandatory`` for the set to pass,
    whatever the total. An item with ``from_input`` is not answered: its points come
    from the named input through ``input_steps`` (the highest step reached; 0 below
    the first step).
    """

    code: str
    name: str
    max_points: int
    mandatory: bool = False
    min_points_if_mandatory: int = 0
    placeholder: bool = False
    from_input: str = ""
    input_steps: tuple[InputStep, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Criterion:
    code: str
    name: str
    items: tuple[Item, ...]

    @property
    def max_points(self) -> int:
        return sum(item.max_points for item in self.items)


@dataclass(frozen=True, slots=True)
class Grade:
    """A band of total points, both ends included."""

    code: str
    label: str
    min_points: int
    max_points: int


@dataclass(frozen=True, slots=True)
class Level:
    """A recognition level; levels are listed from the lowest to the highest.

    A level is reached when the total reaches ``min_total`` and every criterion
    reaches ``min_criterion_ratio`` of its own maximum. Levels are cumulative, so
    the loader requires both numbers not to decrease from one level to the next.
    """

    code: str
    label: str
    min_total: int
    min_criterion_ratio: float = 0.0


@dataclass(frozen=True, slots=True)
class PassRule:
    """Total at least ``min_total`` and, if set, no item below ``min_per_item``."""

    min_total: int
    min_per_item: int | None = None
    confirmed: bool = True
    note: str = ""


@dataclass(frozen=True, slots=True)
class Prerequisite:
    """The set can only pass when the named input reaches ``min_value``.

    ``percent`` only changes how the value is shown (0.5 as "50%").
    """

    input: str
    label: str
    min_value: float
    percent: bool = False


@dataclass(frozen=True, slots=True)
class CriteriaSet:
    code: str
    version: int
    title: str
    name: str
    issuer: str
    scope: str
    recognition_years: int
    criteria: tuple[Criterion, ...]
    pass_rule: PassRule
    legal_basis: tuple[LegalBasis, ...] = ()
    official: bool = False
    is_sample: bool = False
    points_unconfirmed: bool = False
    audience: str = ""
    audience_confirmed: bool = True
    valid_from: date | None = None
    valid_to: date | None = None
    source_note: str = ""
    grades: tuple[Grade, ...] = ()
    levels: tuple[Level, ...] = ()
    prerequisites: tuple[Prerequisite, ...] = ()

    @property
    def max_total(self) -> int:
        return sum(c.max_points for c in self.criteria)

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for c in self.criteria for item in c.items)

    @property
    def grading(self) -> Literal["grades", "levels", "pass_fail"]:
        if self.grades:
            return "grades"
        if self.levels:
            return "levels"
        return "pass_fail"

    def item(self, code: str) -> Item:
        for c in self.criteria:
            for it in c.items:
                if it.code == code:
                    return it
        raise KeyError(code)

    def is_valid_on(self, day: date) -> bool:
        """Whether ``day`` falls in the set's validity period (open ends allowed)."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return not (self.valid_to is not None and day > self.valid_to)
