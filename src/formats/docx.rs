//! DOCX (Word and WPS): paragraphs in document order, each on its own line, with the
//! numbering Word draws in front of it ("一、", "（一）", "1.") written out as text, and
//! tables as rows of cells separated by tabs.
//!
//! A DOCX is a zip of XML parts: `word/document.xml` holds the text, `word/numbering.xml`
//! the list formats, `word/styles.xml` the lists that paragraph styles attach.

use super::{Extracted, FormatError};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::BTreeMap;
use std::io::Read;

/// The text of a DOCX.
pub fn extract(bytes: &[u8]) -> Result<Extracted, FormatError> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| FormatError::Docx(format!("not a zip: {e}")))?;
    let document = part(&mut archive, "word/document.xml")?
        .ok_or_else(|| FormatError::Docx("no word/document.xml in the package".into()))?;
    let numbering = match part(&mut archive, "word/numbering.xml")? {
        Some(xml) => Numbering::parse(&xml)?,
        None => Numbering::default(),
    };
    let styles = match part(&mut archive, "word/styles.xml")? {
        Some(xml) => style_lists(&xml)?,
        None => BTreeMap::new(),
    };
    let text = body(&document, numbering, &styles)?;
    Ok(Extracted {
        text,
        encoding: "DOCX (UTF-8 XML)",
        fields: BTreeMap::new(),
    })
}

fn part<R: std::io::Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
) -> Result<Option<String>, FormatError> {
    let mut file = match archive.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(FormatError::Docx(format!("{name}: {e}"))),
    };
    let mut text = String::new();
    file.read_to_string(&mut text)
        .map_err(|e| FormatError::Docx(format!("{name}: {e}")))?;
    Ok(Some(text))
}

fn xml_error(part: &str, reader: &Reader<&[u8]>, e: impl std::fmt::Display) -> FormatError {
    FormatError::Docx(format!("{part}: XML error at byte {}: {e}", reader.buffer_position()))
}

/// The value of the attribute with this local name (`w:val` → "val").
fn attr(e: &BytesStart<'_>, local: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

/// One list level: its number format, its text pattern ("%1、"), its first number.
#[derive(Debug, Clone, Default)]
struct Level {
    format: String,
    text: String,
    start: u32,
}

/// The list definitions of `numbering.xml` and the counters as the body is read.
#[derive(Debug, Default)]
struct Numbering {
    abstracts: BTreeMap<String, BTreeMap<u8, Level>>,
    /// numId → abstractNumId.
    nums: BTreeMap<String, String>,
    counters: BTreeMap<String, [Option<u32>; 9]>,
}

impl Numbering {
    fn parse(xml: &str) -> Result<Self, FormatError> {
        let mut numbering = Numbering::default();
        let mut reader = Reader::from_str(xml);
        let (mut abstract_id, mut num_id, mut level) = (None::<String>, None::<String>, None::<u8>);
        loop {
            let event = reader
                .read_event()
                .map_err(|e| xml_error("word/numbering.xml", &reader, e))?;
            match event {
                Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                    b"abstractNum" => abstract_id = attr(&e, b"abstractNumId"),
                    b"lvl" => {
                        level = attr(&e, b"ilvl").and_then(|v| v.parse().ok());
                        if let (Some(a), Some(l)) = (&abstract_id, level) {
                            numbering.abstracts.entry(a.clone()).or_default().insert(
                                l,
                                Level {
                                    start: 1,
                                    ..Level::default()
                                },
                            );
                        }
                    }
                    b"num" => num_id = attr(&e, b"numId"),
                    b"abstractNumId" => {
                        if let (Some(n), Some(v)) = (&num_id, attr(&e, b"val")) {
                            numbering.nums.insert(n.clone(), v);
                        }
                    }
                    name @ (b"start" | b"numFmt" | b"lvlText") => {
                        let slot = abstract_id
                            .as_ref()
                            .zip(level)
                            .and_then(|(a, l)| numbering.abstracts.get_mut(a)?.get_mut(&l));
                        if let (Some(slot), Some(v)) = (slot, attr(&e, b"val")) {
                            match name {
                                b"start" => slot.start = v.parse().unwrap_or(1),
                                b"numFmt" => slot.format = v,
                                _ => slot.text = v,
                            }
                        }
                    }
                    _ => {}
                },
                Event::End(e) => match e.local_name().as_ref() {
                    b"abstractNum" => abstract_id = None,
                    b"lvl" => level = None,
                    b"num" => num_id = None,
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(numbering)
    }

    /// The label of the next paragraph of list `num` at `level` ("一、", "（二）", "3.").
    fn next(&mut self, num: &str, level: u8) -> String {
        let Some(levels) = self.nums.get(num).and_then(|a| self.abstracts.get(a)) else {
            return String::new();
        };
        let l = usize::from(level.min(8));
        let counters = self.counters.entry(num.to_owned()).or_default();
        let start = levels.get(&level).map_or(1, |lv| lv.start);
        counters[l] = Some(counters[l].map_or(start, |n| n + 1));
        for deeper in counters.iter_mut().skip(l + 1) {
            *deeper = None;
        }
        let Some(this) = levels.get(&level) else {
            return String::new();
        };
        if matches!(this.format.as_str(), "bullet" | "none") {
            return String::new();
        }
        let mut label = this.text.clone();
        for (i, counter) in counters.iter().enumerate().take(l + 1) {
            let format = levels
                .get(&u8::try_from(i).unwrap_or(0))
                .map_or("decimal", |lv| lv.format.as_str());
            let n = counter.unwrap_or_else(|| levels.get(&u8::try_from(i).unwrap_or(0)).map_or(1, |lv| lv.start));
            label = label.replace(&format!("%{}", i + 1), &number_text(n, format));
        }
        label
    }
}

/// A number written in a Word number format.
fn number_text(n: u32, format: &str) -> String {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let chinese = |n: u32| -> String {
        match n {
            0..=9 => DIGITS[n as usize].to_owned(),
            10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[(n % 10) as usize] }),
            20..=99 => format!(
                "{}十{}",
                DIGITS[(n / 10) as usize],
                if n.is_multiple_of(10) {
                    ""
                } else {
                    DIGITS[(n % 10) as usize]
                }
            ),
            _ => n.to_string(),
        }
    };
    let letter = |n: u32, base: u8| -> String {
        let count = (n.saturating_sub(1) / 26) as usize + 1;
        let c = char::from(base + u8::try_from((n.saturating_sub(1)) % 26).unwrap_or(0));
        std::iter::repeat_n(c, count).collect()
    };
    match format {
        "chineseCounting"
        | "chineseCountingThousand"
        | "chineseLegalSimplified"
        | "japaneseCounting"
        | "taiwaneseCounting" => chinese(n),
        "ideographTraditional" => ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"]
            .get(n.saturating_sub(1) as usize)
            .map_or_else(|| n.to_string(), |s| (*s).to_owned()),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32(0x2460 + n - 1).map_or_else(|| n.to_string(), String::from)
        }
        "decimalFullWidth" => n
            .to_string()
            .chars()
            .filter_map(|c| char::from_u32(c as u32 - '0' as u32 + 0xFF10))
            .collect(),
        "lowerLetter" => letter(n, b'a'),
        "upperLetter" => letter(n, b'A'),
        "lowerRoman" => roman(n).to_ascii_lowercase(),
        "upperRoman" => roman(n),
        _ => n.to_string(),
    }
}

fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, digits) in TABLE {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// The list (numId, level) each paragraph style attaches (`styles.xml`).
fn style_lists(xml: &str) -> Result<BTreeMap<String, (String, u8)>, FormatError> {
    let mut lists = BTreeMap::new();
    let mut reader = Reader::from_str(xml);
    let (mut style, mut num, mut level) = (None::<String>, None::<String>, 0u8);
    loop {
        match reader
            .read_event()
            .map_err(|e| xml_error("word/styles.xml", &reader, e))?
        {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"style" => {
                    style = attr(&e, b"styleId");
                    num = None;
                    level = 0;
                }
                b"numId" => num = attr(&e, b"val"),
                b"ilvl" => level = attr(&e, b"val").and_then(|v| v.parse().ok()).unwrap_or(0),
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == b"style" => {
                if let (Some(s), Some(n)) = (style.take(), num.take()) {
                    lists.insert(s, (n, level));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(lists)
}

/// Paragraph and table state while reading `document.xml`.
#[derive(Default)]
struct Body {
    lines: Vec<String>,
    paragraph: String,
    /// Nesting of paragraphs (text boxes hold paragraphs inside a paragraph).
    depth: usize,
    in_text: bool,
    style: Option<String>,
    num: Option<String>,
    level: Option<u8>,
    /// Open tables: the cells of the current row, the text of the current cell.
    tables: Vec<(Vec<String>, String)>,
}

fn body(xml: &str, mut numbering: Numbering, styles: &BTreeMap<String, (String, u8)>) -> Result<String, FormatError> {
    let mut reader = Reader::from_str(xml);
    let mut b = Body::default();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| xml_error("word/document.xml", &reader, e))?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                b"p" => {
                    b.depth += 1;
                    if b.depth == 1 {
                        b.paragraph.clear();
                        (b.style, b.num, b.level) = (None, None, None);
                    }
                }
                b"t" => b.in_text = true,
                b"tbl" => b.tables.push((Vec::new(), String::new())),
                b"tr" => {
                    if let Some(t) = b.tables.last_mut() {
                        t.0.clear();
                    }
                }
                b"tc" => {
                    if let Some(t) = b.tables.last_mut() {
                        t.1.clear();
                    }
                }
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"pStyle" if b.depth == 1 => b.style = attr(&e, b"val"),
                b"numId" if b.depth == 1 => b.num = attr(&e, b"val"),
                b"ilvl" if b.depth == 1 => b.level = attr(&e, b"val").and_then(|v| v.parse().ok()),
                b"tab" if b.depth >= 1 => b.paragraph.push('\t'),
                b"br" | b"cr" if b.depth >= 1 => b.paragraph.push('\n'),
                b"p" => b.end_paragraph(&mut numbering, styles),
                _ => {}
            },
            Event::Text(t) if b.in_text => {
                let text = t.unescape().map_err(|e| xml_error("word/document.xml", &reader, e))?;
                b.paragraph.push_str(&text);
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => b.in_text = false,
                b"p" => {
                    b.depth = b.depth.saturating_sub(1);
                    if b.depth == 0 {
                        b.end_paragraph(&mut numbering, styles);
                    }
                }
                b"tc" => {
                    if let Some((cells, cell)) = b.tables.last_mut() {
                        cells.push(std::mem::take(cell).trim().to_owned());
                    }
                }
                b"tr" => {
                    if let Some((cells, _)) = b.tables.last_mut() {
                        let row = std::mem::take(cells);
                        let row: Vec<String> = row.into_iter().filter(|c| !c.is_empty()).collect();
                        if !row.is_empty() {
                            b.emit(row.join("\t"));
                        }
                    }
                }
                b"tbl" => {
                    b.tables.pop();
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(b.lines.join("\n"))
}

impl Body {
    fn end_paragraph(&mut self, numbering: &mut Numbering, styles: &BTreeMap<String, (String, u8)>) {
        let from_style = self.style.as_ref().and_then(|s| styles.get(s));
        let num = self.num.clone().or_else(|| from_style.map(|(n, _)| n.clone()));
        let level = self.level.or_else(|| from_style.map(|&(_, l)| l)).unwrap_or(0);
        let text = std::mem::take(&mut self.paragraph);
        let text: Vec<&str> = text.split('\n').map(str::trim).filter(|l| !l.is_empty()).collect();
        // A numbering id of 0 switches numbering off.
        let label = match num.as_deref() {
            Some(n) if n != "0" && !text.is_empty() => numbering.next(n, level),
            _ => String::new(),
        };
        let mut lines = text.into_iter();
        if let Some(first) = lines.next() {
            self.emit(format!("{label}{first}"));
        }
        for line in lines {
            self.emit(line.to_owned());
        }
    }

    /// A finished line: into the open table cell, or the text.
    fn emit(&mut self, line: String) {
        match self.tables.last_mut() {
            Some((_, cell)) if !line.contains('\t') => {
                if !cell.is_empty() {
                    cell.push(' ');
                }
                cell.push_str(&line);
            }
            _ => self.lines.push(line),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_word_formats() {
        let cases = [
            (1, "chineseCounting", "一"),
            (10, "chineseCounting", "十"),
            (12, "chineseCountingThousand", "十二"),
            (21, "chineseCounting", "二十一"),
            (3, "decimal", "3"),
            (2, "lowerLetter", "b"),
            (4, "upperRoman", "IV"),
            (3, "decimalEnclosedCircle", "③"),
            (2, "ideographTraditional", "乙"),
        ];
        for (n, format, expected) in cases {
            assert_eq!(number_text(n, format), expected, "{n} {format}");
        }
    }

    const NUMBERING: &str = r#"<w:numbering xmlns:w="w">
<w:abstractNum w:abstractNumId="0">
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
</w:abstractNum><w:num w:numId="3"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#;

    #[test]
    fn paragraphs_numbering_and_tables() {
        let document = r#"<w:document xmlns:w="w"><w:body>
<w:p><w:r><w:t>某某方案</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="3"/></w:numPr></w:pPr><w:r><w:t>总体要求</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="3"/></w:numPr></w:pPr><w:r><w:t xml:space="preserve">发展</w:t></w:r><w:r><w:t>目标</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="3"/></w:numPr></w:pPr><w:r><w:t>重点任务 &amp; 措施</w:t></w:r><w:del><w:r><w:delText>删去</w:delText></w:r></w:del></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>指标</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>2027年</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:p/></w:body></w:document>"#;
        let numbering = Numbering::parse(NUMBERING).expect("numbering");
        let text = body(document, numbering, &BTreeMap::new()).expect("body");
        assert_eq!(
            text,
            "某某方案\n一、总体要求\n（一）发展目标\n二、重点任务 & 措施\n指标\t2027年"
        );
    }

    #[test]
    fn not_a_zip_is_an_error() {
        let got = extract(b"PK\x03\x04 broken");
        assert!(matches!(got, Err(FormatError::Docx(_))), "{got:?}");
    }
}
