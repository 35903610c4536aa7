"""The default Word template of an award decision, built with python-docx.

The committed file `quyet_dinh_khen_thuong.docx` next to this module was made with
`python -m khuyenhoc.awards.documents.docx_template`; associations download it, change
the wording or layout in Word, and upload their own. Placeholders are docxtpl (Jinja)
tags; the names they may use are listed in `decision.PLACEHOLDERS`.

Layout per Decree 30/2020/NĐ-CP: A4, Times New Roman, margins 20/20/30/15 mm; issuer
and number top left, national title and motto top right, each underlined by a short
rule; place and date in italics; legal bases in italics; signer bottom right and
"Nơi nhận" bottom left; the list of awardees as an appendix.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

PATH = Path(__file__).with_name("quyet_dinh_khen_thuong.docx")
FONT = "Times New Roman"


def _rule(paragraph, indent_mm: float) -> None:
    """A short horizontal rule: the top border of an indented empty paragraph."""
    fmt = paragraph.paragraph_format
    fmt.left_indent = Mm(indent_mm)
    fmt.right_indent = Mm(indent_mm)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for k, v in {"w:val": "single", "w:sz": "6", "w:space": "1", "w:color": "000000"}.items():
        top.set(qn(k), v)
    border.append(top)
    ppr.append(border)
    run = paragraph.add_run()
    run.font.size = Pt(4)


def _para(container, text: str = "", *, size: int = 14, bold=False, italic=False, align=WD_ALIGN_PARAGRAPH.CENTER, after: int = 0, before: int = 0, indent_first=None):
    p = container.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_after = Pt(after)
    fmt.space_before = Pt(before)
    if indent_first is not None:
        fmt.first_line_indent = Mm(indent_first)
    if text:
        run = p.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold
        run.italic = italic
    return p


def _run(p, text: str, *, size: int = 14, bold=False, italic=False):
    run = p.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    run.italic = italic
    return run


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _clear_cell(cell):
    # A new cell holds one empty paragraph; remove it so content starts at the top.
    for p in list(cell.paragraphs):
        p._element.getparent().remove(p._element)
    return cell


def build() -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(0)

    head = doc.add_table(rows=1, cols=2)
    _no_borders(head)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = head.rows[0].cells
    left.width, right.width = Mm(70), Mm(95)
    _clear_cell(left)
    _clear_cell(right)
    _para(left, "{{ issuer_parent }}", size=12)
    _para(left, "{{ issuer_name }}", size=12, bold=True)
    _rule(_para(left), 20)
    _para(left, "Số: {{ number }}", size=13, before=4)
    _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True)
    _para(right, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True)
    _rule(_para(right), 22)
    _para(right, "{{ place_date }}", size=13, italic=True, before=4)

    _para(doc, "QUYẾT ĐỊNH", size=14, bold=True, before=18)
    _para(doc, "{{ subject }}", size=14, bold=True)
    _rule(_para(doc), 60)
    _para(doc, "{{ issuing_body }}", size=14, bold=True, before=12, after=6)

    _para(doc, "{%p for line in legal_bases %}", size=14, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _para(doc, "{{ line }}", size=14, italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_first=10, after=3)
    _para(doc, "{%p endfor %}", size=14, align=WD_ALIGN_PARAGRAPH.JUSTIFY)

    _para(doc, "QUYẾT ĐỊNH:", size=14, bold=True, before=6, after=6)
    for n in (1, 2, 3):
        p = _para(doc, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_first=10, after=4)
        _run(p, f"Điều {n}. ", bold=True)
        _run(p, f"{{{{ article{n} }}}}")

    foot = doc.add_table(rows=1, cols=2)
    _no_borders(foot)
    left, right = foot.rows[0].cells
    left.width, right.width = Mm(80), Mm(85)
    _clear_cell(left)
    _clear_cell(right)
    _para(left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=12)
    _para(left, "{%p for r in recipients %}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(left, "- {{ r }}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(left, "{%p endfor %}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(right, "{{ signer_title }}", size=14, bold=True, before=12)
    for _ in range(4):
        _para(right, "", size=14)
    _para(right, "{{ signer_name }}", size=14, bold=True)

    brk = doc.add_paragraph()
    brk.add_run().add_break(WD_BREAK.PAGE)
    _para(doc, "DANH SÁCH KHEN THƯỞNG", size=14, bold=True)
    _para(doc, "(Kèm theo Quyết định số {{ number }} ngày {{ decision_date }} của {{ issuing_body_title }})", size=13, italic=True, after=8)

    table = doc.add_table(rows=5, cols=5)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = (Mm(12), Mm(50), Mm(45), Mm(35), Mm(25))
    headers = ("STT", "Tên tập thể, cá nhân", "Lớp, trường, đơn vị", "Nội dung khen thưởng", "Số tiền (đồng)")
    for cell, text, w in zip(table.rows[0].cells, headers, widths, strict=True):
        cell.width = w
        _clear_cell(cell)
        _para(cell, text, size=12, bold=True)
    # docxtpl row loop: the first and last rows are replaced by the loop tags.
    for cell in table.rows[1].cells:
        _clear_cell(cell)
    table.rows[1].cells[0].add_paragraph("{%tr for a in awards %}")
    values = ("{{ a.no }}", "{{ a.name }}", "{{ a.details }}", "{{ a.programme }}", "{{ a.amount }}")
    aligns = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT)
    for cell, text, w, align in zip(table.rows[2].cells, values, widths, aligns, strict=True):
        cell.width = w
        _clear_cell(cell)
        _para(cell, text, size=12, align=align)
    for cell in table.rows[3].cells:
        _clear_cell(cell)
    table.rows[3].cells[0].add_paragraph("{%tr endfor %}")
    total_row = table.rows[4].cells
    merged = total_row[0].merge(total_row[3])
    _clear_cell(merged)
    _para(merged, "Tổng cộng: {{ count }} khen thưởng", size=12, bold=True)
    _clear_cell(total_row[4])
    _para(total_row[4], "{{ total }}", size=12, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "(Bằng chữ: {{ total_words }})", size=13, italic=True, before=6)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def main() -> int:
    PATH.write_bytes(build())
    print(PATH)
    return 0


if __name__ == "__main__":
    sys.exit(main())
