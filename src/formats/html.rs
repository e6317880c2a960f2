//! HTML pages: the main text (navigation, scripts, styles, footers and share bars
//! dropped), one line per paragraph, heading and list item, entities decoded, the declared
//! charset honoured; the page's `<title>` and `<meta>` fields and the key/value table
//! government pages put above a policy (索引号, 发文机关, 发文字号, …), as labelled lines
//! after the main text.
//!
//! Which elements are content is data: `ontology/formats/html.json`.

use super::{collapse_whitespace, Extracted, FormatError};
use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node, Selector};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, serde::Deserialize)]
struct Cues {
    content_selectors: Vec<String>,
    dropped_elements: BTreeSet<String>,
    dropped_class_words: Vec<String>,
    block_elements: BTreeSet<String>,
    cell_elements: BTreeSet<String>,
    meta_fields: BTreeMap<String, String>,
    title_field: String,
}

fn cues() -> Result<&'static Cues, FormatError> {
    static CUES: std::sync::OnceLock<Result<Cues, String>> = std::sync::OnceLock::new();
    CUES.get_or_init(|| {
        serde_json::from_str(include_str!("../../ontology/formats/html.json"))
            .map_err(|e| format!("ontology/formats/html.json: {e}"))
    })
    .as_ref()
    .map_err(|e| FormatError::Html(e.clone()))
}

/// The labels of the official header (`ontology/formats/header.json`, which
/// `extract::header` reads for what each states), longest first.
fn header_labels() -> &'static [String] {
    #[derive(serde::Deserialize)]
    struct Labels {
        fields: BTreeMap<String, String>,
    }
    static LABELS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    LABELS.get_or_init(|| {
        let mut labels: Vec<String> =
            serde_json::from_str::<Labels>(include_str!("../../ontology/formats/header.json"))
                .map(|l| l.fields.into_keys().collect())
                .unwrap_or_default();
        labels.sort_by_key(|l| std::cmp::Reverse(l.chars().count()));
        labels
    })
}

/// The page's text and fields.
pub fn extract(bytes: &[u8]) -> Result<Extracted, FormatError> {
    let cues = cues()?;
    let (markup, encoding) = decode(bytes)?;
    let page = Html::parse_document(&markup);
    let mut fields = BTreeMap::new();
    if let Some(title) = select_first(&page, "title") {
        let title = collapse_whitespace(&title.text().collect::<String>()).trim().to_owned();
        if !title.is_empty() {
            fields.insert(cues.title_field.clone(), title);
        }
    }
    if let Ok(meta) = Selector::parse("meta[name]") {
        for element in page.select(&meta) {
            let (Some(name), Some(content)) = (element.attr("name"), element.attr("content")) else {
                continue;
            };
            let key = cues.meta_fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name));
            let content = collapse_whitespace(content).trim().to_owned();
            if let (Some((_, field)), false) = (key, content.is_empty()) {
                fields.insert(field.clone(), content);
            }
        }
    }
    let (header_lines, header_tables) = header_tables(&page);
    let root = cues
        .content_selectors
        .iter()
        .filter_map(|s| Selector::parse(s).ok())
        .find_map(|s| page.select(&s).next())
        .unwrap_or_else(|| page.root_element());
    let mut lines = Lines::default();
    walk(*root, cues, &header_tables, &mut lines);
    lines.flush();
    // The header table goes after the main text: the text opens with the document's own
    // heading, as a printed document does (the title and the notice are read from there).
    let mut text_lines = lines.done;
    text_lines.extend(header_lines);
    Ok(Extracted {
        text: text_lines.join("\n"),
        encoding,
        fields,
    })
}

fn select_first<'a>(page: &'a Html, selector: &str) -> Option<ElementRef<'a>> {
    let selector = Selector::parse(selector).ok()?;
    page.select(&selector).next()
}

/// The markup as text: a BOM, else the charset the page declares, else as plain text is
/// detected (UTF-8, GB18030, Big5).
fn decode(bytes: &[u8]) -> Result<(String, &'static str), FormatError> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let text = encoding
            .decode_without_bom_handling_and_without_replacement(&bytes[bom..])
            .ok_or_else(|| FormatError::Html(format!("invalid {} after its BOM", encoding.name())))?;
        return Ok((text.into_owned(), encoding.name()));
    }
    if let Some(encoding) = declared_charset(bytes) {
        if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes) {
            return Ok((text.into_owned(), encoding.name()));
        }
    }
    crate::ingest::decode(bytes).map_err(FormatError::Html)
}

/// `<meta charset="gbk">` or `content="text/html; charset=gb2312"` in the first 4 KB.
fn declared_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let head: String = head.iter().map(|&b| char::from(b.to_ascii_lowercase())).collect();
    let at = head.find("charset=")? + "charset=".len();
    let label: String = head[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    encoding_rs::Encoding::for_label(label.as_bytes())
}

/// The key/value tables of the official header, as "标签：值" lines, and the tables'
/// node ids (kept out of the main text).
fn header_tables(page: &Html) -> (Vec<String>, BTreeSet<ego_tree::NodeId>) {
    let mut lines = Vec::new();
    let mut ids = BTreeSet::new();
    let Ok(tables) = Selector::parse("table") else {
        return (lines, ids);
    };
    let Ok(cells) = Selector::parse("td, th") else {
        return (lines, ids);
    };
    for table in page.select(&tables) {
        // The innermost table holds the pairs; an outer layout table is not the header.
        if table.select(&tables).nth(1).is_some() {
            continue;
        }
        let texts: Vec<String> = table
            .select(&cells)
            .map(|c| collapse_whitespace(&c.text().collect::<String>()).trim().to_owned())
            .collect();
        let pairs = header_pairs(&texts);
        if pairs.len() >= 2 {
            lines.extend(pairs.into_iter().map(|(k, v)| format!("{k}：{v}")));
            ids.insert(table.id());
        }
    }
    (lines, ids)
}

/// Label/value pairs among table cells: a cell that is a label ("发文字号：") and the cell
/// after it, or one cell holding both ("发文字号：工信部联科〔2026〕15号").
fn header_pairs(cells: &[String]) -> Vec<(String, String)> {
    let labels = header_labels();
    let mut pairs = Vec::new();
    let mut i = 0;
    while i < cells.len() {
        let cell = cells[i].as_str();
        // Pages space labels out to one width ("标　　题：", "索 引 号："): a label cell
        // alone is read without its spaces.
        let compact: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
        let compact = compact.trim_end_matches(['：', ':']);
        let alone = labels.iter().find(|l| l.as_str() == compact);
        let label = alone.or_else(|| labels.iter().find(|l| cell.starts_with(l.as_str())));
        if let Some(label) = label {
            let rest = if alone.is_some() {
                ""
            } else {
                cell[label.len()..].trim_start_matches([' ', '：', ':']).trim()
            };
            if rest.is_empty() {
                let value = cells.get(i + 1).map(String::as_str).unwrap_or("");
                if !value.is_empty() && !labels.iter().any(|l| value.starts_with(l.as_str())) {
                    pairs.push((label.clone(), value.to_owned()));
                    i += 1;
                }
            } else {
                pairs.push((label.clone(), rest.to_owned()));
            }
        }
        i += 1;
    }
    pairs
}

/// Lines of text as they are written out: the current line gathers inline text; cells of
/// a row are separated by tabs.
#[derive(Default)]
struct Lines {
    done: Vec<String>,
    cells: Vec<String>,
    current: String,
}

impl Lines {
    fn cell(&mut self) {
        let text = collapse_whitespace(&self.current).trim().to_owned();
        self.current.clear();
        if !text.is_empty() {
            self.cells.push(text);
        }
    }

    fn flush(&mut self) {
        self.cell();
        if !self.cells.is_empty() {
            self.done.push(self.cells.join("\t"));
            self.cells.clear();
        }
    }
}

fn walk(node: NodeRef<'_, Node>, cues: &Cues, skip: &BTreeSet<ego_tree::NodeId>, lines: &mut Lines) {
    match node.value() {
        Node::Text(text) => lines.current.push_str(text),
        Node::Element(element) => {
            let name = element.name().to_ascii_lowercase();
            if cues.dropped_elements.contains(&name) || skip.contains(&node.id()) {
                return;
            }
            let furniture = [element.attr("class"), element.attr("id")]
                .into_iter()
                .flatten()
                .map(str::to_ascii_lowercase)
                .any(|v| cues.dropped_class_words.iter().any(|w| v.contains(w.as_str())));
            if furniture {
                return;
            }
            if name == "br" {
                lines.flush();
                return;
            }
            let block = cues.block_elements.contains(&name);
            let cell = cues.cell_elements.contains(&name);
            if block {
                lines.flush();
            } else if cell {
                lines.cell();
            }
            for child in node.children() {
                walk(child, cues, skip, lines);
            }
            if block {
                lines.flush();
            } else if cell {
                lines.cell();
            }
        }
        Node::Document | Node::Fragment => {
            for child in node.children() {
                walk(child, cues, skip, lines);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(html: &str) -> String {
        extract(html.as_bytes()).expect("html").text
    }

    #[test]
    fn the_header_labels_load() {
        assert!(header_labels().iter().any(|l| l == "发文字号"));
    }

    #[test]
    fn main_text_without_furniture() {
        let html = r#"<html><head><title>T</title><style>p{}</style><script>var x="<p>no</p>";</script></head>
<body><nav>首页 &gt; 政策</nav><div class="share-bar">分享到</div>
<div id="content"><h1>某某方案</h1><p>第一段&nbsp;文字&amp;符号，<b>加粗</b>。</p>
<ul><li>一、甲</li><li>二、乙</li></ul><table><tr><td>指标</td><td>2027年</td></tr></table></div>
<footer>版权所有</footer></body></html>"#;
        assert_eq!(
            text(html),
            "某某方案\n第一段 文字&符号，加粗。\n一、甲\n二、乙\n指标\t2027年"
        );
    }

    #[test]
    fn declared_gbk_charset_is_honoured() {
        let body = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body><p>推进工业数字化转型</p></body></html>";
        let (bytes, _, _) = encoding_rs::GBK.encode(body);
        let got = extract(&bytes).expect("gbk page");
        assert_eq!(got.text, "推进工业数字化转型");
        assert_eq!(got.encoding, "GBK");
    }

    #[test]
    fn header_table_and_meta_become_fields_and_lines() {
        let html = r#"<html><head><title>页面</title><meta name="PubDate" content="2026-03-02"></head><body>
<table><tr><td>索 引 号：</td><td>000-2026-0001</td><td>主题分类：</td><td>工业</td></tr>
<tr><td>发文字号：</td><td>某部科〔2026〕7号</td><td>成文日期：</td><td>2026年02月27日</td></tr></table>
<div class="pages_content"><p>正文。</p></div></body></html>"#;
        let got = extract(html.as_bytes()).expect("page");
        assert_eq!(
            got.text,
            "正文。\n索引号：000-2026-0001\n主题分类：工业\n发文字号：某部科〔2026〕7号\n成文日期：2026年02月27日"
        );
        assert_eq!(got.fields.get("发布日期").map(String::as_str), Some("2026-03-02"));
        assert_eq!(got.fields.get("标题").map(String::as_str), Some("页面"));
    }
}
