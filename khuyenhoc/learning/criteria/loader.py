"""Reading, checking and writing criteria sets as TOML.

Criteria sets are edited by association staff, not programmers, so every error says in
Vietnamese *where* the problem is: the line and column for TOML syntax errors (taken
from tomllib's own message), and the field path plus, when it can be found, the line
for errors of meaning. Field paths count from 1 (``criteria[2].items[1]`` is the first
item of the second criterion) because that is how a person reads the file.

All problems of meaning found in one pass are reported together, so that an
administrator fixing a set from a page does not go round the loop once per mistake.

``dump_set`` writes TOML by hand (the standard library only reads TOML); its output
loads back to an equal ``CriteriaSet``.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from importlib import resources
from typing import Any

from .schema import (
    AUDIENCES,
    NATIONAL_SCOPE,
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

__all__ = [
    "CriteriaFileError",
    "dump_set",
    "load_builtin_sets",
    "load_set",
    "validate_set",
]

_SET_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_INPUT_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_SCOPE_RE = re.compile(r"^[0-9]{1,3}$")
_TOML_POS_RE = re.compile(
    r"^(?P<msg>.*) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$", re.S
)

# tomllib's messages in Vietnamese; anything not listed is shown as tomllib wrote it.
_TOML_MESSAGES: dict[str, str] = {
    "Cannot overwrite a value": "giá trị này đã được khai báo trước đó",
    "Escaped character is not a Unicode scalar value": "ký tự thoát không phải ký tự Unicode hợp lệ",
    "Expected '=' after a key in a key/value pair": 'thiếu dấu "=" sau tên trường',
    "Expected ']' at the end of a table declaration": 'thiếu dấu "]" ở cuối tên bảng',
    "Expected ']]' at the end of an array declaration": 'thiếu "]]" ở cuối tên mảng bảng',
    "Expected newline or end of document after a statement": "thừa nội dung sau một dòng khai báo (mỗi trường một dòng)",
    "Invalid date or datetime": "ngày tháng không hợp lệ (viết theo dạng 2024-02-12)",
    "Invalid hex value": "mã thập lục phân không hợp lệ",
    "Invalid initial character for a key part": "tên trường bắt đầu bằng ký tự không hợp lệ",
    "Invalid statement": "dòng khai báo không hợp lệ",
    "Invalid value": 'giá trị không hợp lệ (chuỗi phải đặt trong dấu ngoặc kép "…")',
    "Unclosed array": 'mảng chưa đóng (thiếu "]")',
    "Unclosed inline table": 'bảng trên một dòng chưa đóng (thiếu "}")',
    "Unescaped '\\' in a string": 'dấu "\\" trong chuỗi phải viết thành "\\\\"',
    "Unterminated string": "chuỗi chưa có dấu ngoặc kép đóng",
}
_TOML_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^Cannot declare (.+) twice$"), "bảng {0} được khai báo hai lần"),
    (re.compile(r"^Illegal character (.+)$"), "ký tự không được phép {0}"),
    (re.compile(r"^Found invalid character (.+)$"), "ký tự không hợp lệ {0}"),
    (re.compile(r"^Expected (.+)$"), "cần có {0}"),
)


class CriteriaFileError(ValueError):
    """A criteria set that cannot be read or does not make sense.

    ``errors`` holds every problem found (each a full Vietnamese sentence); the
    exception's text is all of them, one a line. ``line`` and ``field`` describe the
    first problem, for pages that want to point at it.
    """

    def __init__(
        self,
        errors: Iterable[str],
        *,
        filename: str = "",
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.errors: tuple[str, ...] = tuple(errors)
        self.filename = filename
        self.line = line
        self.field = field
        super().__init__("\n".join(self.errors))


# --------------------------------------------------------------------------- reading


class _Problems:
    """Collects problems of meaning, each tied to a field path and maybe a line."""

    def __init__(self, filename: str, text: str | None) -> None:
        self.filename = filename
        self._lines = text.splitlines() if text is not None else []
        self.errors: list[str] = []
        self.first_line: int | None = None
        self.first_field: str | None = None

    def add(self, field: str, message: str, *, code: str | None = None) -> None:
        line = self._find_line(field, code)
        where = f"Tệp {self.filename}, " if self.filename else ""
        at_line = f" (dòng {line})" if line else ""
        self.errors.append(f"{where}trường {field}{at_line}: {message}")
        if self.first_field is None:
            self.first_field, self.first_line = field, line

    def raise_if_any(self) -> None:
        if self.errors:
            raise CriteriaFileError(
                self.errors, filename=self.filename, line=self.first_line, field=self.first_field
            )

    def _find_line(self, field: str, code: str | None) -> int | None:
        """Best effort: the line of the element's ``code = "…"`` or of the field's key.

        TOML parsers do not report where a value sits, and a wrong line is worse than
        none, so this only answers when the match is unambiguous enough.
        """
        if not self._lines:
            return None
        key = field.rsplit(".", 1)[-1].split("[", 1)[0]
        if code is not None:
            pattern = re.compile(r'^\s*code\s*=\s*"' + re.escape(code) + r'"')
            start = next((i for i, ln in enumerate(self._lines) if pattern.match(ln)), None)
            if start is None:
                return None
            # Look for the field's own key within this element, which ends at the next header.
            key_re = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
            for i in range(start, len(self._lines)):
                if i > start and self._lines[i].lstrip().startswith("["):
                    break
                if key_re.match(self._lines[i]):
                    return i + 1
            return start + 1
        if "." not in field and "[" not in field:
            key_re = re.compile(r"^" + re.escape(key) + r"\s*=")
            for i, ln in enumerate(self._lines):
                if ln.lstrip().startswith("["):
                    break
                if key_re.match(ln):
                    return i + 1
            return None
        table, _, rest = field.partition(".")
        if "[" not in table and "." not in rest:
            header = re.compile(r"^\s*\[" + re.escape(table) + r"\]\s*(#.*)?$")
            key_re = re.compile(r"^\s*" + re.escape(rest) + r"\s*=")
            inside = False
            for i, ln in enumerate(self._lines):
                if header.match(ln):
                    inside = True
                elif inside and ln.lstrip().startswith("["):
                    return None
                elif inside and key_re.match(ln):
                    return i + 1
        return None


_MISSING: Any = object()


class _Reader:
    """Typed access to one TOML table, reporting wrong types and unknown keys."""

    def __init__(
        self, data: Mapping[str, Any], path: str, problems: _Problems, code: str | None = None
    ) -> None:
        self.data = data
        self.path = path
        self.problems = problems
        self.code = code

    def _field(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def check_keys(self, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        for key in self.data:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                more = f' (có phải "{hint[0]}"?)' if hint else ""
                self.problems.add(
                    self._field(key), f"trường không có trong mẫu{more}.", code=self.code
                )

    def _get(self, key: str, default: Any, kind: str, test: Callable[[Any], bool]) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                self.problems.add(self._field(key), "thiếu trường bắt buộc.", code=self.code)
                return None
            return default
        if not test(value):
            self.problems.add(
                self._field(key), f"phải là {kind}, đang là {value!r}.", code=self.code
            )
            return None if default is _MISSING else default
        return value

    def text(self, key: str, default: Any = _MISSING) -> str:
        value = self._get(key, default, "chuỗi ký tự", lambda v: isinstance(v, str))
        return "" if value is None else value

    def integer(self, key: str, default: Any = _MISSING) -> int:
        # bool is an int in Python but "true" is never a number of points.
        value = self._get(key, default, "số nguyên", lambda v: type(v) is int)
        return 0 if value is None else value

    def opt_integer(self, key: str) -> int | None:
        return self._get(key, None, "số nguyên", lambda v: type(v) is int)

    def number(self, key: str, default: Any = _MISSING) -> float:
        value = self._get(
            key, default, "số", lambda v: type(v) in (int, float) and math.isfinite(v)
        )
        return 0.0 if value is None else float(value)

    def flag(self, key: str, default: Any = _MISSING) -> bool:
        value = self._get(key, default, "true hoặc false", lambda v: type(v) is bool)
        return bool(value)

    def day(self, key: str) -> date | None:
        # tomllib returns datetime for date-times; datetime is a date subclass, so test exactly.
        return self._get(key, None, "ngày (dạng 2024-02-12)", lambda v: type(v) is date)

    def tables(self, key: str, *, required: bool = False) -> list[tuple[str, Mapping[str, Any]]]:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            if required:
                self.problems.add(self._field(key), "thiếu trường bắt buộc.", code=self.code)
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problems.add(self._field(key), "phải là danh sách các bảng [[…]].", code=self.code)
            return []
        return [(f"{self._field(key)}[{i}]", v) for i, v in enumerate(value, start=1)]

    def table(self, key: str, *, required: bool = False) -> Mapping[str, Any] | None:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            if required:
                self.problems.add(self._field(key), "thiếu bảng bắt buộc.", code=self.code)
            return None
        if not isinstance(value, dict):
            self.problems.add(self._field(key), "phải là một bảng [….].", code=self.code)
            return None
        return value


def _code_of(data: Mapping[str, Any]) -> str | None:
    code = data.get("code")
    return code if isinstance(code, str) else None


_ITEM_KEYS = (
    "code",
    "name",
    "max_points",
    "mandatory",
    "min_points_if_mandatory",
    "placeholder",
    "from_input",
    "input_steps",
    "note",
)
_SET_KEYS = (
    "code",
    "version",
    "title",
    "name",
    "issuer",
    "scope",
    "recognition_years",
    "legal_basis",
    "official",
    "is_sample",
    "points_unconfirmed",
    "audience",
    "audience_confirmed",
    "valid_from",
    "valid_to",
    "source_note",
    "max_total",
    "pass_rule",
    "prerequisites",
    "grades",
    "levels",
    "criteria",
)


def _read_item(path: str, data: Mapping[str, Any], problems: _Problems) -> Item:
    r = _Reader(data, path, problems, _code_of(data))
    r.check_keys(_ITEM_KEYS)
    mandatory = r.flag("mandatory", False)
    max_points = r.integer("max_points")
    steps: list[InputStep] = []
    for spath, sdata in r.tables("input_steps"):
        s = _Reader(sdata, spath, problems, r.code)
        s.check_keys(("min_value", "points"))
        steps.append(InputStep(min_value=s.number("min_value"), points=s.integer("points")))
    return Item(
        code=r.text("code"),
        name=r.text("name"),
        max_points=max_points,
        mandatory=mandatory,
        # A mandatory item with no stated minimum must be fully met: the usual meaning of
        # a yes/no condition such as "no child drops out".
        min_points_if_mandatory=r.integer(
            "min_points_if_mandatory", max_points if mandatory else 0
        ),
        placeholder=r.flag("placeholder", False),
        from_input=r.text("from_input", ""),
        input_steps=tuple(steps),
        note=r.text("note", ""),
    )


def _read_set(data: Mapping[str, Any], problems: _Problems) -> tuple[CriteriaSet, int | None]:
    r = _Reader(data, "", problems)
    r.check_keys(_SET_KEYS)

    legal: list[LegalBasis] = []
    for path, ldata in r.tables("legal_basis"):
        lr = _Reader(ldata, path, problems)
        lr.check_keys(("number", "issued_on", "title", "note"))
        legal.append(
            LegalBasis(
                number=lr.text("number"),
                issued_on=lr.day("issued_on"),
                title=lr.text("title", ""),
                note=lr.text("note", ""),
            )
        )

    pass_rule = PassRule(min_total=0)
    pdata = r.table("pass_rule", required=True)
    if pdata is not None:
        pr = _Reader(pdata, "pass_rule", problems)
        pr.check_keys(("min_total", "min_per_item", "confirmed", "note"))
        pass_rule = PassRule(
            min_total=pr.integer("min_total"),
            min_per_item=pr.opt_integer("min_per_item"),
            confirmed=pr.flag("confirmed", True),
            note=pr.text("note", ""),
        )

    prereqs: list[Prerequisite] = []
    for path, pdata2 in r.tables("prerequisites"):
        q = _Reader(pdata2, path, problems)
        q.check_keys(("input", "label", "min_value", "percent"))
        prereqs.append(
            Prerequisite(
                input=q.text("input"),
                label=q.text("label"),
                min_value=q.number("min_value"),
                percent=q.flag("percent", False),
            )
        )

    grades: list[Grade] = []
    for path, gdata in r.tables("grades"):
        g = _Reader(gdata, path, problems, _code_of(gdata))
        g.check_keys(("code", "label", "min_points", "max_points"))
        grades.append(
            Grade(
                code=g.text("code"),
                label=g.text("label"),
                min_points=g.integer("min_points"),
                max_points=g.integer("max_points"),
            )
        )

    levels: list[Level] = []
    for path, ldata2 in r.tables("levels"):
        lv = _Reader(ldata2, path, problems, _code_of(ldata2))
        lv.check_keys(("code", "label", "min_total", "min_criterion_ratio"))
        levels.append(
            Level(
                code=lv.text("code"),
                label=lv.text("label"),
                min_total=lv.integer("min_total"),
                min_criterion_ratio=lv.number("min_criterion_ratio", 0.0),
            )
        )

    criteria: list[Criterion] = []
    for path, cdata in r.tables("criteria", required=True):
        c = _Reader(cdata, path, problems, _code_of(cdata))
        c.check_keys(("code", "name", "items"))
        items = tuple(
            _read_item(ipath, idata, problems) for ipath, idata in c.tables("items", required=True)
        )
        criteria.append(Criterion(code=c.text("code"), name=c.text("name"), items=items))

    cset = CriteriaSet(
        code=r.text("code"),
        version=r.integer("version"),
        title=r.text("title"),
        name=r.text("name"),
        issuer=r.text("issuer"),
        scope=r.text("scope"),
        recognition_years=r.integer("recognition_years"),
        criteria=tuple(criteria),
        pass_rule=pass_rule,
        legal_basis=tuple(legal),
        official=r.flag("official"),
        is_sample=r.flag("is_sample"),
        points_unconfirmed=r.flag("points_unconfirmed", False),
        audience=r.text("audience", ""),
        audience_confirmed=r.flag("audience_confirmed", True),
        valid_from=r.day("valid_from"),
        valid_to=r.day("valid_to"),
        source_note=r.text("source_note"),
        grades=tuple(grades),
        levels=tuple(levels),
        prerequisites=tuple(prereqs),
    )
    return cset, r.opt_integer("max_total")


def _syntax_error(exc: tomllib.TOMLDecodeError, filename: str) -> CriteriaFileError:
    raw = str(exc)
    m = _TOML_POS_RE.match(raw)
    msg = m.group("msg") if m else raw
    line = int(m.group("line")) if m and m.group("line") else None
    col = int(m.group("col")) if m and m.group("col") else None
    vi = _TOML_MESSAGES.get(msg)
    if vi is None:
        for pattern, template in _TOML_PATTERNS:
            pm = pattern.match(msg)
            if pm:
                vi = template.format(*pm.groups())
                break
    detail = vi or msg
    if line is not None:
        where = f"Tệp {filename} dòng {line}, cột {col}"
    elif m:
        where = f"Tệp {filename} ở cuối tệp"
    else:
        where = f"Tệp {filename}"
    return CriteriaFileError(
        [f"{where}: lỗi cú pháp TOML — {detail}."], filename=filename, line=line
    )


def load_set(text: str, *, filename: str) -> CriteriaSet:
    """Parse and check one criteria set written in TOML.

    Raises ``CriteriaFileError`` for syntax errors (with the line) and for every problem
    of meaning (with the field path and, when found, the line).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(exc, filename) from None
    problems = _Problems(filename, text)
    cset, declared_total = _read_set(data, problems)
    # Types must be right before meaning can be judged; a wrong type already substituted
    # a neutral value that would only produce confusing follow-on errors.
    problems.raise_if_any()
    _check(cset, problems, declared_total)
    problems.raise_if_any()
    return cset


# -------------------------------------------------------------------------- checking


def validate_set(cset: CriteriaSet, *, filename: str = "") -> None:
    """Check a set built in code (e.g. from an administrator's form) like ``load_set`` does."""
    problems = _Problems(filename, None)
    _check(cset, problems, None)
    problems.raise_if_any()


def _dupes(codes: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    dup: set[str] = set()
    for code in codes:
        (dup if code in seen else seen).add(code)
    return dup


def _check(cset: CriteriaSet, p: _Problems, declared_total: int | None) -> None:
    _check_header(cset, p)
    max_total = _check_criteria(cset, p)
    if declared_total is not None and declared_total != max_total:
        p.add(
            "max_total",
            f"khai báo tổng điểm {declared_total} nhưng các mục cộng lại được {max_total}.",
        )
    if cset.grades and cset.levels:
        p.add(
            "grades",
            "một bộ tiêu chí chỉ dùng một cách xếp loại: hoặc grades (khung điểm) hoặc levels (mức độ).",
        )
    if cset.grades:
        _check_grades(cset, p, max_total)
    if cset.levels:
        _check_levels(cset, p, max_total)
    _check_pass_rule(cset, p, max_total)
    _check_prerequisites(cset, p)


def _check_header(cset: CriteriaSet, p: _Problems) -> None:
    if not _SET_CODE_RE.match(cset.code):
        p.add(
            "code", f'mã bộ tiêu chí "{cset.code}" chỉ gồm chữ thường không dấu, số, "_" hoặc "-".'
        )
    if cset.version < 1:
        p.add("version", f"phiên bản phải là số nguyên từ 1 trở lên, đang là {cset.version}.")
    if cset.title not in TITLES:
        p.add(
            "title", f'danh hiệu "{cset.title}" không hợp lệ; chọn một trong: {", ".join(TITLES)}.'
        )
    for field in ("name", "issuer", "source_note"):
        if not getattr(cset, field).strip():
            p.add(field, "không được để trống.")
    if cset.scope != NATIONAL_SCOPE and not _SCOPE_RE.match(cset.scope):
        p.add(
            "scope",
            f'phạm vi phải là "{NATIONAL_SCOPE}" hoặc mã tỉnh (ví dụ "19"), đang là "{cset.scope}".',
        )
    if cset.recognition_years not in (1, 3):
        p.add(
            "recognition_years",
            f"thời hạn công nhận phải là 1 hoặc 3 năm, đang là {cset.recognition_years}.",
        )
    if cset.is_sample and cset.official:
        p.add(
            "official",
            "bộ tiêu chí mẫu (is_sample = true) không thể đồng thời là văn bản chính thức.",
        )
    if cset.official and not cset.legal_basis:
        p.add("legal_basis", "bộ tiêu chí chính thức phải ghi căn cứ pháp lý (số văn bản).")
    for i, lb in enumerate(cset.legal_basis, start=1):
        if not lb.number.strip():
            p.add(f"legal_basis[{i}].number", "thiếu số, ký hiệu văn bản.")
    if cset.audience:
        if cset.title != "citizen":
            p.add("audience", "chỉ bộ tiêu chí Công dân học tập mới chia theo đối tượng.")
        elif cset.audience not in AUDIENCES:
            p.add(
                "audience",
                f'đối tượng "{cset.audience}" không hợp lệ; chọn một trong: {", ".join(AUDIENCES)}.',
            )
    if cset.valid_from and cset.valid_to and cset.valid_from > cset.valid_to:
        p.add(
            "valid_to",
            f"ngày hết hiệu lực {cset.valid_to:%d/%m/%Y} trước ngày bắt đầu {cset.valid_from:%d/%m/%Y}.",
        )


def _check_criteria(cset: CriteriaSet, p: _Problems) -> int:
    if not cset.criteria:
        p.add("criteria", "bộ tiêu chí phải có ít nhất một tiêu chí.")
    for code in sorted(_dupes(c.code for c in cset.criteria)):
        p.add("criteria", f'mã tiêu chí "{code}" bị trùng.', code=code)
    for code in sorted(_dupes(it.code for c in cset.criteria for it in c.items)):
        p.add(
            "criteria", f'mã mục "{code}" bị trùng (mã mục phải khác nhau trong cả bộ).', code=code
        )
    total = 0
    for ci, crit in enumerate(cset.criteria, start=1):
        cpath = f"criteria[{ci}]"
        if not _CODE_RE.match(crit.code):
            p.add(
                f"{cpath}.code",
                f'mã tiêu chí "{crit.code}" không hợp lệ (chữ, số, ".", "_", "-").',
                code=crit.code or None,
            )
        if not crit.name.strip():
            p.add(f"{cpath}.name", "tên tiêu chí không được để trống.", code=crit.code or None)
        if not crit.items:
            p.add(
                f"{cpath}.items",
                f'tiêu chí "{crit.code}" phải có ít nhất một mục.',
                code=crit.code or None,
            )
        for ii, item in enumerate(crit.items, start=1):
            _check_item(item, f"{cpath}.items[{ii}]", p)
            total += max(item.max_points, 0)
    return total


def _check_item(item: Item, path: str, p: _Problems) -> None:
    code = item.code or None
    label = f'mục "{item.code}"'
    if not _CODE_RE.match(item.code):
        p.add(
            f"{path}.code",
            f'mã mục "{item.code}" không hợp lệ (chữ, số, ".", "_", "-").',
            code=code,
        )
    if not item.name.strip():
        p.add(f"{path}.name", f"{label}: tên không được để trống.", code=code)
    if item.max_points <= 0:
        p.add(
            f"{path}.max_points",
            f"{label}: điểm tối đa phải lớn hơn 0, đang là {item.max_points}.",
            code=code,
        )
    if item.mandatory:
        if not 1 <= item.min_points_if_mandatory <= max(item.max_points, 1):
            p.add(
                f"{path}.min_points_if_mandatory",
                f"{label} là mục bắt buộc: điểm tối thiểu phải từ 1 đến {item.max_points}, "
                f"đang là {item.min_points_if_mandatory}.",
                code=code,
            )
    elif item.min_points_if_mandatory:
        p.add(
            f"{path}.min_points_if_mandatory",
            f"{label} không phải mục bắt buộc nên không có điểm tối thiểu.",
            code=code,
        )
    if item.from_input:
        if not _INPUT_RE.match(item.from_input):
            p.add(
                f"{path}.from_input",
                f'{label}: tên số liệu "{item.from_input}" chỉ gồm chữ thường không dấu, số, "_".',
                code=code,
            )
        if not item.input_steps:
            p.add(
                f"{path}.input_steps",
                f"{label} lấy điểm từ số liệu nên phải có bảng quy đổi input_steps.",
                code=code,
            )
        prev: InputStep | None = None
        for si, step in enumerate(item.input_steps, start=1):
            spath = f"{path}.input_steps[{si}]"
            if not math.isfinite(step.min_value):
                p.add(f"{spath}.min_value", f"{label}: ngưỡng phải là số hữu hạn.", code=code)
            if not 0 <= step.points <= item.max_points:
                p.add(
                    f"{spath}.points",
                    f"{label}: điểm quy đổi {step.points} phải từ 0 đến {item.max_points}.",
                    code=code,
                )
            # Steps must rise together so that a better input never gives fewer points.
            if prev is not None and not (
                step.min_value > prev.min_value and step.points >= prev.points
            ):
                p.add(
                    spath,
                    f"{label}: các bậc quy đổi phải xếp theo ngưỡng tăng dần và điểm không giảm.",
                    code=code,
                )
            prev = step
    elif item.input_steps:
        p.add(f"{path}.input_steps", f"{label}: có bảng quy đổi nhưng thiếu from_input.", code=code)


def _fmt_band(g: Grade) -> str:
    return f'"{g.code}" ({g.min_points}–{g.max_points})'


def _check_grades(cset: CriteriaSet, p: _Problems, max_total: int) -> None:
    for code in sorted(_dupes(g.code for g in cset.grades)):
        p.add("grades", f'mã xếp loại "{code}" bị trùng.', code=code)
    ok = True
    for gi, g in enumerate(cset.grades, start=1):
        path = f"grades[{gi}]"
        if not g.label.strip():
            p.add(
                f"{path}.label",
                f'xếp loại "{g.code}": tên không được để trống.',
                code=g.code or None,
            )
        if g.min_points < 0 or g.min_points > g.max_points:
            p.add(
                path,
                f"xếp loại {_fmt_band(g)}: điểm sàn phải từ 0 và không lớn hơn điểm trần.",
                code=g.code or None,
            )
            ok = False
        elif g.max_points > max_total:
            p.add(
                f"{path}.max_points",
                f"xếp loại {_fmt_band(g)} vượt tổng điểm tối đa {max_total} của bộ tiêu chí.",
                code=g.code or None,
            )
            ok = False
    if not ok:
        return
    bands = sorted(cset.grades, key=lambda g: (g.min_points, g.max_points))
    if bands[0].min_points > 0:
        p.add(
            "grades",
            f"khoảng 0–{bands[0].min_points - 1} điểm chưa thuộc xếp loại nào (thấp hơn {_fmt_band(bands[0])}).",
        )
    for lo, hi in zip(bands, bands[1:], strict=False):
        if hi.min_points <= lo.max_points:
            p.add(
                "grades",
                f"xếp loại {_fmt_band(lo)} và {_fmt_band(hi)} chồng nhau ở khoảng "
                f"{hi.min_points}–{min(lo.max_points, hi.max_points)} điểm.",
            )
        elif hi.min_points > lo.max_points + 1:
            p.add(
                "grades",
                f"giữa xếp loại {_fmt_band(lo)} và {_fmt_band(hi)} bỏ trống khoảng "
                f"{lo.max_points + 1}–{hi.min_points - 1} điểm.",
            )
    top = max(g.max_points for g in bands)
    if top < max_total:
        p.add(
            "grades",
            f"khoảng {top + 1}–{max_total} điểm chưa thuộc xếp loại nào (tổng tối đa là {max_total}).",
        )


def _check_levels(cset: CriteriaSet, p: _Problems, max_total: int) -> None:
    for code in sorted(_dupes(lv.code for lv in cset.levels)):
        p.add("levels", f'mã mức độ "{code}" bị trùng.', code=code)
    prev: Level | None = None
    for li, lv in enumerate(cset.levels, start=1):
        path = f"levels[{li}]"
        code = lv.code or None
        if not lv.label.strip():
            p.add(f"{path}.label", f'mức độ "{lv.code}": tên không được để trống.', code=code)
        if not 0 <= lv.min_total <= max_total:
            p.add(
                f"{path}.min_total",
                f'mức độ "{lv.code}": điểm tối thiểu {lv.min_total} phải từ 0 đến tổng tối đa {max_total}.',
                code=code,
            )
        if not 0.0 <= lv.min_criterion_ratio <= 1.0:
            p.add(
                f"{path}.min_criterion_ratio",
                f'mức độ "{lv.code}": tỉ lệ tối thiểu mỗi tiêu chí phải từ 0 đến 1.',
                code=code,
            )
        # Levels are cumulative: a higher level may never ask for less than a lower one,
        # otherwise more points could drop a unit to a lower level.
        if prev is not None and (
            lv.min_total < prev.min_total or lv.min_criterion_ratio < prev.min_criterion_ratio
        ):
            p.add(
                path,
                f'mức độ "{lv.code}" phải đòi hỏi không thấp hơn mức "{prev.code}" đứng trước.',
                code=code,
            )
        prev = lv


def _check_pass_rule(cset: CriteriaSet, p: _Problems, max_total: int) -> None:
    rule = cset.pass_rule
    if not 0 <= rule.min_total <= max_total:
        p.add(
            "pass_rule.min_total",
            f"mức đạt {rule.min_total} phải từ 0 đến tổng điểm tối đa {max_total}.",
        )
    elif cset.grades:
        # The grade shown for a failed evaluation is the highest *failing* band, so the
        # pass mark has to sit on a band boundary with at least one band below it.
        floors = sorted({g.min_points for g in cset.grades})
        if rule.min_total not in floors[1:]:
            p.add(
                "pass_rule.min_total",
                f"mức đạt {rule.min_total} phải trùng với điểm sàn của một xếp loại "
                f"(trừ xếp loại thấp nhất); các điểm sàn hiện có: {', '.join(map(str, floors))}.",
            )
    if rule.min_per_item is not None:
        if rule.min_per_item < 0:
            p.add(
                "pass_rule.min_per_item",
                f"điểm tối thiểu mỗi mục không được âm, đang là {rule.min_per_item}.",
            )
        for crit in cset.criteria:
            for item in crit.items:
                if 0 < item.max_points < rule.min_per_item:
                    p.add(
                        "pass_rule.min_per_item",
                        f'mục "{item.code}" tối đa {item.max_points} điểm nên không bao giờ đạt '
                        f"mức tối thiểu {rule.min_per_item} mỗi mục.",
                    )


def _check_prerequisites(cset: CriteriaSet, p: _Problems) -> None:
    for name in sorted(_dupes(q.input for q in cset.prerequisites)):
        p.add("prerequisites", f'điều kiện tiên quyết về số liệu "{name}" bị khai báo hai lần.')
    for qi, q in enumerate(cset.prerequisites, start=1):
        path = f"prerequisites[{qi}]"
        if not _INPUT_RE.match(q.input):
            p.add(
                f"{path}.input", f'tên số liệu "{q.input}" chỉ gồm chữ thường không dấu, số, "_".'
            )
        if not q.label.strip():
            p.add(f"{path}.label", "phải mô tả điều kiện tiên quyết.")
        if not math.isfinite(q.min_value):
            p.add(f"{path}.min_value", "ngưỡng phải là số hữu hạn.")


# --------------------------------------------------------------------------- builtins


def load_builtin_sets() -> dict[str, CriteriaSet]:
    """Every set shipped under ``criteria/sets/``, keyed by set code (a fresh dict each call)."""
    return dict(_builtin_sets())


# The files only change with a deploy and sets are immutable, so parse them once per process.
@functools.cache
def _builtin_sets() -> tuple[tuple[str, CriteriaSet], ...]:
    folder = resources.files(__package__).joinpath("sets")
    sets: dict[str, CriteriaSet] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        cset = load_set(entry.read_text(encoding="utf-8"), filename=entry.name)
        if cset.code in sets:
            raise CriteriaFileError(
                [
                    f'Tệp {entry.name}, trường code: mã bộ tiêu chí "{cset.code}" đã dùng ở tệp khác.'
                ],
                filename=entry.name,
                field="code",
            )
        sets[cset.code] = cset
    return tuple(sets.items())


# ---------------------------------------------------------------------------- writing


def _toml_str(value: str) -> str:
    """A TOML basic string; multi-line when the text has line breaks, for readability."""
    out: list[str] = []
    for ch in value:
        cp = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\n")
        elif ch == "\t":
            out.append("\\t")
        elif cp < 0x20 or cp == 0x7F:
            out.append(f"\\u{cp:04X}")
        else:
            out.append(ch)
    body = "".join(out)
    if "\n" in value:
        # A newline right after the opening quotes is dropped by TOML, so this keeps
        # the text exactly while starting it on its own line.
        return '"""\n' + body + '"""'
    return '"' + body + '"'


def _toml_float(value: float) -> str:
    # repr gives the shortest text that reads back to the same float, and its forms
    # ("0.5", "1e-05", "1e+16") are all valid TOML; inf/nan are rejected by the checks.
    return repr(float(value))


def _kv(lines: list[str], key: str, value: object) -> None:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = _toml_float(value)
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, str):
        text = _toml_str(value)
    else:  # pragma: no cover - only called with the types above
        raise TypeError(type(value))
    lines.append(f"{key} = {text}")


def dump_set(cset: CriteriaSet) -> str:
    """Write a set as TOML that ``load_set`` reads back to an equal set."""
    # A comment may not hold control characters or line breaks, so the name is flattened.
    heading = "".join(ch if ch.isprintable() else " " for ch in cset.name)
    lines: list[str] = [f"# {heading}", ""]
    for key in (
        "code",
        "version",
        "title",
        "name",
        "issuer",
        "scope",
        "recognition_years",
        "official",
        "is_sample",
        "points_unconfirmed",
    ):
        _kv(lines, key, getattr(cset, key))
    if cset.audience:
        _kv(lines, "audience", cset.audience)
    if not cset.audience_confirmed:
        _kv(lines, "audience_confirmed", False)
    for key in ("valid_from", "valid_to"):
        value = getattr(cset, key)
        if value is not None:  # TOML has no null: an open end is an absent key
            _kv(lines, key, value)
    _kv(lines, "max_total", cset.max_total)
    _kv(lines, "source_note", cset.source_note)

    for lb in cset.legal_basis:
        lines += ["", "[[legal_basis]]"]
        _kv(lines, "number", lb.number)
        if lb.issued_on is not None:
            _kv(lines, "issued_on", lb.issued_on)
        if lb.title:
            _kv(lines, "title", lb.title)
        if lb.note:
            _kv(lines, "note", lb.note)

    rule = cset.pass_rule
    lines += ["", "[pass_rule]"]
    _kv(lines, "min_total", rule.min_total)
    if rule.min_per_item is not None:
        _kv(lines, "min_per_item", rule.min_per_item)
    _kv(lines, "confirmed", rule.confirmed)
    if rule.note:
        _kv(lines, "note", rule.note)

    for q in cset.prerequisites:
        lines += ["", "[[prerequisites]]"]
        _kv(lines, "input", q.input)
        _kv(lines, "label", q.label)
        _kv(lines, "min_value", float(q.min_value))
        if q.percent:
            _kv(lines, "percent", True)

    for g in cset.grades:
        lines += ["", "[[grades]]"]
        for key in ("code", "label", "min_points", "max_points"):
            _kv(lines, key, getattr(g, key))

    for lv in cset.levels:
        lines += ["", "[[levels]]"]
        for key in ("code", "label", "min_total"):
            _kv(lines, key, getattr(lv, key))
        _kv(lines, "min_criterion_ratio", float(lv.min_criterion_ratio))

    for crit in cset.criteria:
        lines += ["", "[[criteria]]"]
        _kv(lines, "code", crit.code)
        _kv(lines, "name", crit.name)
        for item in crit.items:
            lines += ["", "[[criteria.items]]"]
            _kv(lines, "code", item.code)
            _kv(lines, "name", item.name)
            _kv(lines, "max_points", item.max_points)
            if item.mandatory:
                _kv(lines, "mandatory", True)
                _kv(lines, "min_points_if_mandatory", item.min_points_if_mandatory)
            elif item.min_points_if_mandatory:
                # Invalid, but written as is so that a round trip never hides it.
                _kv(lines, "min_points_if_mandatory", item.min_points_if_mandatory)
            if item.placeholder:
                _kv(lines, "placeholder", True)
            if item.from_input:
                _kv(lines, "from_input", item.from_input)
            if item.input_steps:
                steps = ", ".join(
                    f"{{ min_value = {_toml_float(s.min_value)}, points = {s.points} }}"
                    for s in item.input_steps
                )
                lines.append(f"input_steps = [{steps}]")
            if item.note:
                _kv(lines, "note", item.note)
    return "\n".join(lines) + "\n"
