"""Writes the PDF and DOCX fixtures of tests/fixtures/formats/ from plan.txt (our own text).

Run through scripts/make-format-fixtures.sh, which sets up the Python packages (fpdf2,
python-docx) and the CJK font. The outputs are committed; rerun this after editing plan.txt.
"""

import datetime
import re
import warnings
import sys
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from fpdf import FPDF

HERE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "formats"
# One TrueType font with CJK, Latin and digits, so each line is one text run.
FONT = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
LINES = [l for l in (HERE / "plan.txt").read_text(encoding="utf-8").splitlines() if l.strip()]
FIXED = datetime.datetime(2026, 3, 6, tzinfo=datetime.timezone.utc)
warnings.filterwarnings("ignore", message="Dimensions for page format")
RUNNING = "算力基础设施绿色升级行动方案"
TOP = re.compile(r"^[一二三四五六七八九十]+、")
SUB = re.compile(r"^（[一二三四五六七八九十]+）")


class Plan(FPDF):
    def header(self):
        self.set_font("cjk", size=9)
        self.cell(0, 8, RUNNING, align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def footer(self):
        self.set_y(-14)
        self.set_font("cjk", size=9)
        self.cell(0, 8, f"- {self.page_no()} -", align="C")


def pdf():
    doc = Plan(format="A5")
    doc.set_creation_date(FIXED)
    doc.add_font("cjk", fname=str(FONT))
    doc.add_page()
    for line in LINES:
        doc.set_font("cjk", size=12)
        # Chinese lines break between any two characters, as word processors break them;
        # Latin lines break at spaces.
        wrap = "WORD" if re.search("[A-Za-z]", line) else "CHAR"
        doc.multi_cell(0, 7, line, align="L", wrapmode=wrap, new_x="LMARGIN", new_y="NEXT")
        doc.ln(1)
    doc.output(str(HERE / "plan.pdf"))


def scan():
    """A page with a drawing and no text: what a scanner without OCR gives."""
    doc = FPDF(format="A5")
    doc.set_creation_date(FIXED)
    doc.add_page()
    doc.set_fill_color(40, 40, 40)
    for i in range(12):
        doc.rect(15, 20 + i * 12, 110 - (i % 3) * 20, 5, style="F")
    doc.output(str(HERE / "scan.pdf"))


CHINESE_LIST = """<w:abstractNum {ns} w:abstractNumId="90">
<w:multiLevelType w:val="multilevel"/>
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/><w:lvlJc w:val="left"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/><w:lvlJc w:val="left"/></w:lvl>
</w:abstractNum>"""


def numbered(paragraph, num_id, level):
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def docx():
    """The plan with its 一、 and （一） numbering drawn by Word (numbering.xml), not typed."""
    doc = Document()
    numbering = doc.part.numbering_part.element
    first_num = numbering.find(qn("w:num"))
    abstract = parse_xml(CHINESE_LIST.format(ns=nsdecls("w")))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    # Each 三、 section restarts its （一） list: a new num instance per section, overriding level 1.
    section = 0
    for line in LINES:
        if TOP.match(line):
            section += 1
            numbering.append(
                parse_xml(
                    f'<w:num {nsdecls("w")} w:numId="{90 + section}"><w:abstractNumId w:val="90"/>'
                    f'<w:lvlOverride w:ilvl="1"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
                )
            )
            numbered(doc.add_paragraph(TOP.sub("", line)), 90, 0)
        elif SUB.match(line):
            numbered(doc.add_paragraph(SUB.sub("", line)), 90, 1)
        else:
            doc.add_paragraph(line)
    doc.core_properties.author = "policykg tests"
    doc.core_properties.created = doc.core_properties.modified = FIXED.replace(tzinfo=None)
    doc.save(str(HERE / "plan.docx"))


def table_docx():
    """A table of indicators and a decimal list (the template's List Number style)."""
    doc = Document()
    doc.add_paragraph("主要指标")
    table = doc.add_table(rows=3, cols=3)
    for r, row in enumerate([["指标", "2025年", "2028年"], ["电能利用效率", "1.3", "1.25"], ["示范项目（个）", "40", "120"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    doc.add_paragraph("开展能效诊断。", style="List Number")
    doc.add_paragraph("推广液冷技术。", style="List Number")
    doc.save(str(HERE / "table.docx"))


if __name__ == "__main__":
    pdf()
    scan()
    docx()
    table_docx()
