"""The annual review report (báo cáo tổng kết) as an editable DOCX.

The layout is a docxtpl template: ``docx/bao_cao_tong_ket.docx`` by default (built once
by ``build_default_template`` — A4, Times New Roman, the administrative header of Decree
30/2020/NĐ-CP — and committed), or the association's own upload. ``PLACEHOLDERS`` lists
every name a template may use; a template using any other name is refused, naming it.
"""

from __future__ import annotations

import io
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import ReportTemplate
from .report import ReportData, headline
from .tables import Table

DEFAULT_TEMPLATE = Path(__file__).parent / "docx" / "bao_cao_tong_ket.docx"

# Every name a report template may use, with what it holds (shown on the template page).
PLACEHOLDERS: dict[str, str] = {
    "supervising_body": "Cơ quan chủ quản (dòng trên bên trái), ví dụ UBND THÀNH PHỐ BẮC KẠN",
    "association": "Tên hội (in hoa, đậm)",
    "association_name": "Tên hội (viết thường)",
    "area": "Địa bàn, ví dụ thành phố Bắc Kạn",
    "number": "Số, ký hiệu văn bản, ví dụ Số: 12/BC-HKH",
    "place_date": "Địa danh, ngày tháng năm",
    "title": "Tên loại văn bản (BÁO CÁO)",
    "subject": "Trích yếu nội dung",
    "intro": "Đoạn mở đầu (căn cứ)",
    "year": "Năm báo cáo",
    "next_year": "Năm sau",
    "prev_year": "Năm trước",
    "situation": "Đoạn: tình hình chung",
    "organisation": "Đoạn: tổ chức, hội viên",
    "learning": "Đoạn: các mô hình học tập",
    "fund": "Đoạn: quỹ khuyến học",
    "awards": "Đoạn: khen thưởng",
    "certificates": "Đoạn: tặng giấy khen",
    "centres": "Đoạn: trung tâm học tập cộng đồng",
    "assessment": "Đoạn: đánh giá chung (để Văn phòng bổ sung)",
    "direction": "Đoạn: phương hướng năm sau",
    "targets": "Danh sách chỉ tiêu năm sau (mỗi mục một dòng)",
    "comparison": "Bảng so sánh với năm trước: label, previous, current, change",
    "org_rows": "Biểu 1 (tổ chức, hội viên): mỗi dòng có name, cur, prev",
    "learning_rows": "Biểu 2 (mô hình học tập): mỗi dòng có name, cur, prev",
    "fund_rows": "Biểu 3 (quỹ, triệu đồng): mỗi dòng có name, cur, prev",
    "clc_rows": "Biểu 4 (trung tâm học tập cộng đồng): mỗi dòng có name, cur, prev",
    "signer_title": "Thẩm quyền ký (TM. BAN THƯỜNG VỤ)",
    "signer_role": "Chức vụ người ký (CHỦ TỊCH)",
    "signer_name": "Họ tên người ký",
    "recipients": "Nơi nhận (mỗi mục một dòng)",
    "chapters_and_boards": "Số chi hội và Ban khuyến học",
    "members": "Số hội viên",
    "learning_families": "Số gia đình học tập",
    "learning_clans": "Số dòng họ học tập",
    "learning_communities": "Số cộng đồng học tập",
    "learning_units": "Số đơn vị học tập",
    "learning_citizens": "Số công dân học tập",
    "fund_receipts": "Số tiền thu quỹ (chữ), ví dụ hơn 768 triệu đồng",
    "fund_payments": "Số tiền chi quỹ (chữ)",
    "fund_balance": "Số dư quỹ cuối năm (chữ)",
    "awards_amount": "Tổng tiền khen thưởng (chữ)",
    "own_awards_amount": "Tiền khen thưởng của chính hội (chữ)",
    "certificates_collective": "Giấy khen tập thể",
    "certificates_individual": "Giấy khen cá nhân",
    "certificates_clan": "Giấy khen dòng họ học tập",
    "certificates_family": "Giấy khen gia đình học tập",
    "reported_note": "Ghi chú khi có số liệu do đơn vị báo cáo (không nhập trên hệ thống)",
}


def _rows(table: Table) -> list[dict]:
    from .report import _cell

    out = []
    for i, r in enumerate(table.rows, start=1):
        money = [c.money for c in table.spec.columns]
        out.append(
            {
                "no": "" if r.kind == "total" else str(i),
                "name": r.name + (" (*)" if r.reported else ""),
                "cur": [_cell(v, m) for v, m in zip(r.current, money, strict=True)],
                "prev": [_cell(v, m) for v, m in zip(r.previous, money, strict=True)],
                "total": r.kind == "total",
            }
        )
    return out


def context(data: ReportData) -> dict:
    from .narrative import area_of, target_text

    stats = data.stats
    tables = {t.spec.code: t for t in data.tables}
    ctx = {
        **data.header,
        "association_name": data.node.name,
        "area": area_of(data.node),
        "year": stats.year,
        "next_year": stats.year + 1,
        "prev_year": stats.year - 1,
        **data.text,
        "targets": [target_text(c) for c in data.next_targets] or ["…"],
        "comparison": [c.__dict__ for c in data.comparison],
        "org_rows": _rows(tables["org"]),
        "learning_rows": _rows(tables["learning"]),
        "fund_rows": _rows(tables["fund"]),
        "clc_rows": _rows(tables["clc"]),
        "signer_title": data.signer_title,
        "signer_role": "CHỦ TỊCH",
        "signer_name": data.signer_name,
        "recipients": data.recipients,
        **headline(stats),
        "reported_note": (
            "(*) Số liệu do đơn vị báo cáo bằng biểu thống kê, chưa nhập trên hệ thống."
            if any(r.reported for r in stats.children) or stats.reported
            else ""
        ),
    }
    missing = set(PLACEHOLDERS) - set(ctx)
    if missing:  # a programming error: every documented placeholder has a value
        raise RuntimeError(f"report context lacks {sorted(missing)}")
    return ctx


def template_bytes(node) -> tuple[bytes, str]:
    """The template in use at `node`: its own upload, or one of an association above it, or the default."""
    t = (
        ReportTemplate.objects.filter(active=True, node__path__in=node.ancestor_paths())
        .order_by("-node__depth", "-uploaded_at")
        .first()
    )
    if t is not None:
        with t.file.open("rb") as fh:
            return fh.read(), t.file_name
    return DEFAULT_TEMPLATE.read_bytes(), DEFAULT_TEMPLATE.name


def _open(content: bytes, file_name: str):
    from docxtpl import DocxTemplate

    try:
        tpl = DocxTemplate(io.BytesIO(content))
        tpl.init_docx()
        return tpl
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same message
        raise ValidationError(
            _("%(file)s is not a Word document (.docx) that can be read.") % {"file": file_name}
        ) from exc


def check_template(content: bytes, file_name: str) -> set[str]:
    """The placeholders a template uses; refused if any is unknown or its syntax is broken."""
    from jinja2 import TemplateSyntaxError

    tpl = _open(content, file_name)
    try:
        unknown = tpl.get_undeclared_template_variables(context=dict.fromkeys(PLACEHOLDERS))
        used = tpl.get_undeclared_template_variables()
    except TemplateSyntaxError as exc:
        raise ValidationError(
            _("The template %(file)s has a broken placeholder: %(error)s") % {"file": file_name, "error": exc.message}
        ) from exc
    if unknown:
        raise ValidationError(
            _("The template %(file)s uses unknown placeholders: %(names)s. Known placeholders are listed on this page.")
            % {"file": file_name, "names": ", ".join(f"{{{{ {n} }}}}" for n in sorted(unknown))}
        )
    return used


def render_report(data: ReportData) -> bytes:
    content, name = template_bytes(data.node)
    check_template(content, name)
    tpl = _open(content, name)
    tpl.render(context(data), autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


# --- the default template, built once with python-docx -------------------------------------------


def build_default_template(path: Path = DEFAULT_TEMPLATE) -> Path:
    """Write the default template. Run again only to change the layout:
    ``python -c "from khuyenhoc.reports.docx_report import build_default_template as b; b()"``."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(20)
    sec.left_margin, sec.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.1
    CENTER, JUSTIFY, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT

    def para(container, text="", *, bold=False, italic=False, size=None, align=None, indent=False, underline=False):
        p = container.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Mm(10)
        if text:
            r = p.add_run(text)
            r.bold, r.italic, r.underline = bold, italic, underline
            if size:
                r.font.size = Pt(size)
        return p

    def no_borders(table):
        tbl_pr = table._tbl.tblPr
        borders = OxmlElement("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            el = OxmlElement(f"w:{edge}")
            el.set(qn("w:val"), "nil")
            borders.append(el)
        tbl_pr.append(borders)

    def cell_para(cell, text, *, bold=False, italic=False, size=13, align=CENTER, underline=False, first=False):
        p = cell.paragraphs[0] if first else cell.add_paragraph()
        p.alignment = align
        p.paragraph_format.space_after = Pt(0)
        r = p.add_run(text)
        r.bold, r.italic, r.underline = bold, italic, underline
        r.font.size = Pt(size)
        return p

    # Header: issuing body on the left, national title and motto on the right.
    head = doc.add_table(rows=1, cols=2)
    no_borders(head)
    left, right = head.rows[0].cells
    left.width, right.width = Mm(68), Mm(97)
    cell_para(left, "{{ supervising_body }}", size=13, first=True)
    cell_para(left, "{{ association }}", bold=True, size=13)
    cell_para(left, "———", size=10)
    cell_para(left, "{{ number }}", size=13)
    cell_para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12, first=True)
    cell_para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13, underline=True)
    cell_para(right, "", size=8)
    cell_para(right, "{{ place_date }}", italic=True, size=14)

    para(doc, "")
    para(doc, "{{ title }}", bold=True, align=CENTER)
    para(doc, "{{ subject }}", bold=True, align=CENTER)
    para(doc, "———", align=CENTER, size=10)
    para(doc, "{{ intro }}", indent=True, align=JUSTIFY)

    para(doc, "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM {{ year }}", bold=True)
    para(doc, "1. Tình hình chung", bold=True)
    para(doc, "{{ situation }}", indent=True, align=JUSTIFY)
    para(doc, "2. Công tác tổ chức, phát triển hội viên", bold=True)
    para(doc, "{{ organisation }}", indent=True, align=JUSTIFY)
    para(doc, "3. Xây dựng các mô hình học tập", bold=True)
    para(doc, "{{ learning }}", indent=True, align=JUSTIFY)
    para(doc, "{{ centres }}", indent=True, align=JUSTIFY)
    para(doc, "4. Quỹ khuyến học, khen thưởng", bold=True)
    para(doc, "{{ fund }}", indent=True, align=JUSTIFY)
    para(doc, "{{ awards }}", indent=True, align=JUSTIFY)
    para(doc, "{{ certificates }}", indent=True, align=JUSTIFY)
    para(doc, "5. So sánh với năm {{ prev_year }}", bold=True)

    def grid(headers: list[str], widths_mm: list[int]):
        t = doc.add_table(rows=1, cols=len(headers))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text, w in zip(t.rows[0].cells, headers, widths_mm, strict=True):
            cell.width = Mm(w)
            cell_para(cell, text, bold=True, size=11, first=True)
        return t

    def loop_rows(t, loop: str, cells: list[tuple[str, object]]):
        open_row = t.add_row().cells
        cell_para(open_row[0], "{%tr for r in " + loop + " %}", size=10, first=True, align=LEFT)
        row = t.add_row().cells
        for cell, (text, align) in zip(row, cells, strict=True):
            cell_para(cell, text, size=11, first=True, align=align)
        close_row = t.add_row().cells
        cell_para(close_row[0], "{%tr endfor %}", size=10, first=True, align=LEFT)

    RIGHT = WD_ALIGN_PARAGRAPH.RIGHT
    t = grid(["Chỉ tiêu", "Năm {{ prev_year }}", "Năm {{ year }}", "Tăng, giảm"], [70, 30, 30, 30])
    loop_rows(t, "comparison", [("{{ r.label }}", LEFT), ("{{ r.previous }}", RIGHT), ("{{ r.current }}", RIGHT), ("{{ r.change }}", RIGHT)])

    para(doc, "6. Đánh giá chung", bold=True)
    para(doc, "{{ assessment }}", indent=True, align=JUSTIFY)

    para(doc, "II. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {{ next_year }}", bold=True)
    para(doc, "{{ direction }}", indent=True, align=JUSTIFY)
    para(doc, "Phấn đấu đạt các chỉ tiêu chủ yếu:", indent=True)
    para(doc, "{%p for t in targets %}")
    para(doc, "- {{ t }};", indent=True, align=JUSTIFY)
    para(doc, "{%p endfor %}")
    para(doc, "III. KIẾN NGHỊ, ĐỀ XUẤT", bold=True)
    para(doc, "…", indent=True)

    para(doc, "BIỂU THỐNG KÊ NĂM {{ year }} (so với năm {{ prev_year }})", bold=True, align=CENTER)
    para(doc, "Biểu 1. Tổ chức và hội viên", bold=True, size=13)
    t = grid(["TT", "Đơn vị", "Chi hội, Ban KH {{ prev_year }}", "Chi hội, Ban KH {{ year }}", "Hội viên {{ prev_year }}", "Hội viên {{ year }}", "Kết nạp mới"], [10, 50, 20, 20, 22, 22, 20])
    loop_rows(
        t,
        "org_rows",
        [("{{ r.no }}", CENTER), ("{{ r.name }}", LEFT), ("{{ r.prev[0] }}", RIGHT), ("{{ r.cur[0] }}", RIGHT), ("{{ r.prev[3] }}", RIGHT), ("{{ r.cur[3] }}", RIGHT), ("{{ r.cur[4] }}", RIGHT)],
    )
    para(doc, "Biểu 2. Các mô hình học tập được công nhận", bold=True, size=13)
    t = grid(["TT", "Đơn vị", "GĐHT", "DHHT", "CĐHT", "ĐVHT", "CDHT"], [10, 55, 22, 18, 18, 18, 20])
    loop_rows(
        t,
        "learning_rows",
        [("{{ r.no }}", CENTER), ("{{ r.name }}", LEFT), ("{{ r.cur[1] }}", RIGHT), ("{{ r.cur[3] }}", RIGHT), ("{{ r.cur[5] }}", RIGHT), ("{{ r.cur[7] }}", RIGHT), ("{{ r.cur[8] }}", RIGHT)],
    )
    para(doc, "Biểu 3. Quỹ khuyến học, khen thưởng (triệu đồng)", bold=True, size=13)
    t = grid(["TT", "Đơn vị", "Thu {{ prev_year }}", "Thu {{ year }}", "Chi {{ year }}", "Khen thưởng {{ year }}", "Số dư"], [10, 50, 20, 20, 20, 24, 20])
    loop_rows(
        t,
        "fund_rows",
        [("{{ r.no }}", CENTER), ("{{ r.name }}", LEFT), ("{{ r.prev[0] }}", RIGHT), ("{{ r.cur[0] }}", RIGHT), ("{{ r.cur[1] }}", RIGHT), ("{{ r.cur[2] }}", RIGHT), ("{{ r.cur[4] }}", RIGHT)],
    )
    para(doc, "{{ reported_note }}", italic=True, size=11)
    para(doc, "")

    # Signature block: recipients on the left, the signer on the right.
    sign = doc.add_table(rows=1, cols=2)
    no_borders(sign)
    left, right = sign.rows[0].cells
    left.width, right.width = Mm(80), Mm(85)
    cell_para(left, "Nơi nhận:", bold=True, italic=True, size=12, align=LEFT, first=True)
    cell_para(left, "{%p for x in recipients %}", size=11, align=LEFT)
    cell_para(left, "{{ x }}", size=11, align=LEFT)
    cell_para(left, "{%p endfor %}", size=11, align=LEFT)
    cell_para(right, "{{ signer_title }}", bold=True, size=14, first=True)
    cell_para(right, "{{ signer_role }}", bold=True, size=14)
    for _i in range(4):
        cell_para(right, "", size=14)
    cell_para(right, "{{ signer_name }}", bold=True, size=14)

    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
