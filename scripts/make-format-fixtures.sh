#!/usr/bin/env bash
# Regenerates the PDF and DOCX fixtures of tests/fixtures/formats/ from plan.txt with real
# producers: fpdf2 (PDF with an embedded CJK TrueType font, WenQuanYi Micro Hei, so the text layer is CJK) and
# python-docx (Word's own XML, numbering drawn from numbering.xml). Needs python3 and, on
# Debian, `apt-get install fonts-wqy-microhei`. The packages go to a venv under target/.
set -euo pipefail
cd "$(dirname "$0")/.."
font=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
if [ ! -f "$font" ]; then
    echo "missing $font: apt-get install -y fonts-wqy-microhei" >&2
    exit 2
fi
venv=target/fixture-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q fpdf2 python-docx
"$venv/bin/python" scripts/make-format-fixtures.py "$font"
ls -l tests/fixtures/formats/*.pdf tests/fixtures/formats/*.docx
