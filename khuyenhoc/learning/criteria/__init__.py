"""Criteria sets for the learning titles, kept as versioned TOML data, and the scoring engine.

Pure Python with no database access: the Django app stores sets (as the TOML text from
``dump_set``) and evaluations, and calls into this package to check and score them.
"""

from .loader import CriteriaFileError, dump_set, load_builtin_sets, load_set, validate_set
from .schema import (
    AUDIENCES,
    PLACEHOLDER_NAME,
    TITLE_NAMES,
    TITLES,
    CriteriaSet,
    Criterion,
    Grade,
    InputStep,
    Item,
    LegalBasis,
    Level,
    PassRule,
    Prerequisite,
)
from .scoring import Scorer, ScoreResult, ScoringInputError, score, score_many

__all__ = [
    "AUDIENCES",
    "PLACEHOLDER_NAME",
    "TITLES",
    "TITLE_NAMES",
    "CriteriaFileError",
    "CriteriaSet",
    "Criterion",
    "Grade",
    "InputStep",
    "Item",
    "LegalBasis",
    "Level",
    "PassRule",
    "Prerequisite",
    "ScoreResult",
    "Scorer",
    "ScoringInputError",
    "dump_set",
    "load_builtin_sets",
    "load_set",
    "score",
    "score_many",
    "validate_set",
]
