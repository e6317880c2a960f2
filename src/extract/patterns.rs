//! The regular expressions the extractors share, compiled once from the cue words.

use crate::lexicon::Cues;
use regex::Regex;

/// Chinese or Arabic digits of a count (八, 7, 十二, 两).
pub const COUNT: &str = "[0-9〇零一二三四五六七八九十两]+";
/// A four-digit year in Arabic or Chinese digits.
pub const YEAR: &str = "[0-9〇零一二三四五六七八九]{4}";

/// An alternation of literal words, longest first.
pub fn alternation(words: &[String]) -> String {
    let mut sorted: Vec<&String> = words.iter().filter(|w| !w.is_empty()).collect();
    sorted.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    sorted.iter().map(|w| regex::escape(w)).collect::<Vec<_>>().join("|")
}

/// The deadlines named without a year: the century points of the cues, and the end of a
/// five-year plan named by its number ("十四五"末).
fn relative_deadlines(cues: &Cues) -> String {
    let plan_end = r#"[“"]?十[一二三四五六七八九]五[”"]?(?:时期)?末"#;
    let centuries: Vec<String> = cues.century_points.keys().cloned().collect();
    match alternation(&centuries) {
        words if words.is_empty() => plan_end.to_owned(),
        words => format!("{words}|{plan_end}"),
    }
}

pub fn compile(pattern: &str) -> Regex {
    // The patterns are built from escaped words around fixed syntax, so they always compile;
    // a failure here is a programming error caught by every test.
    #[allow(clippy::expect_used)]
    Regex::new(pattern).expect("built-in pattern compiles")
}

pub struct Patterns {
    pub title: Regex,
    pub issue_verb: Regex,
    pub declared_count: Regex,
    pub issue_en: Regex,
    pub deadline: Regex,
    pub deadline_en: Regex,
    /// A deadline named without a year: 到本世纪末, 到“十四五”末.
    pub deadline_relative: Regex,
    /// A year named with its goal: "2035年碳排放强度目标".
    pub year_goal: Regex,
    /// A period of years, 从1953年到1957年: its end binds only its own sentence.
    pub period: Regex,
    /// A bullet or numbered item opening a paragraph: （一）, (2), 3., ①, 一是, —.
    pub list_item: Regex,
    pub task_list: Regex,
    /// "部署了A、B…N方面任务": a list with its count and no 等.
    pub task_list_bare: Regex,
    /// "在A、B等N方面部署M项重点任务".
    pub task_list_areas: Regex,
    /// "部署了N方面任务", followed by the areas one by one.
    pub task_area_count: Regex,
    /// "在A方面".
    pub task_area: Regex,
    /// "seven key tasks: A, B and C".
    pub task_list_en: Regex,
    pub measure_list: Regex,
    pub date: Regex,
    /// "March 5, 2024", "Sept. 12, 2030".
    pub date_en: Regex,
    pub event: Regex,
    pub message: Regex,
    pub credit: Regex,
    pub first_publication: Regex,
    pub representative: Regex,
    pub document_number: Regex,
    pub resolution: Regex,
    /// 根据《…》, 落实《…》.
    pub citation_verb: Regex,
    /// "作关于…的报告".
    pub report_title: Regex,
    /// "第十四届全国人民代表大会第二次会议".
    pub npc_session: Regex,
    /// "中国共产党第十八次全国代表大会".
    pub cpc_congress: Regex,
    /// "the Second Session of the 14th National People's Congress".
    pub npc_session_en: Regex,
    /// "the 18th National Congress of the Communist Party of China".
    pub cpc_congress_en: Regex,
    pub frame: super::document::FramePatterns,
    pub deadline_words: super::targets::DeadlineWords,
    /// What joins several issuers' names (、, 和, 会同, 联合).
    pub issuer_joiner: Regex,
    /// Any head word of a technology term (技术, 平台): one automaton, not a scan per word.
    pub technology_heads: aho_corasick::AhoCorasick,
}

impl Patterns {
    /// The patterns of a lexicon, compiled once per lexicon (by fingerprint) and shared.
    pub fn cached(lexicon: &crate::lexicon::Lexicon) -> std::sync::Arc<Self> {
        static CACHE: std::sync::Mutex<Option<(String, std::sync::Arc<Patterns>)>> = std::sync::Mutex::new(None);
        let mut cache = CACHE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match cache.as_ref() {
            Some((fingerprint, patterns)) if *fingerprint == lexicon.fingerprint => std::sync::Arc::clone(patterns),
            _ => {
                let patterns = std::sync::Arc::new(Self::new(&lexicon.cues));
                *cache = Some((lexicon.fingerprint.clone(), std::sync::Arc::clone(&patterns)));
                patterns
            }
        }
    }

    pub fn new(cues: &Cues) -> Self {
        let credit_labels: Vec<String> = cues.credit_labels.iter().map(|c| c.text.clone()).collect();
        let count_words: Vec<String> = cues.count_words_en.keys().cloned().collect();
        Self {
            title: compile(r"《([^《》\n]{1,120})》"),
            issue_verb: compile(&format!("(?:{})", alternation(&cues.issue_verbs))),
            declared_count: compile(&format!(
                r"等\s*({COUNT})\s*(?:{})",
                alternation(&cues.issuer_count_nouns)
            )),
            issue_en: compile(&format!(
                r"(?i)(?-u:\b)(?:{})\s+(?:(?P<count>\d+|{})\s+(?:{})\s+(?:including|led by|such as)\s+)?",
                alternation(&cues.issue_verbs_en),
                alternation(&count_words),
                alternation(&cues.issuer_count_nouns_en)
            )),
            deadline: compile(&format!(
                r"(?:{})\s*(?P<year>{YEAR})\s*年(?:底|末)?",
                alternation(&cues.deadline_leads)
            )),
            deadline_en: compile(&format!(
                r"(?i)(?-u:\b)(?:{})\s+(?P<year>(?:19|20)\d{{2}})(?-u:\b)",
                alternation(&cues.deadline_leads_en)
            )),
            year_goal: compile(&format!(
                r"(?:^|[^\d从比较至到—\-~])(?P<year>{YEAR})\s*年(?:底|末)?(?:的)?[\p{{Han}}“”「」]{{0,16}}?(?:{})",
                alternation(&cues.year_goal_nouns.words)
            )),
            deadline_relative: compile(&format!(
                r"(?:{})\s*(?P<phrase>{})",
                alternation(&cues.deadline_leads),
                relative_deadlines(cues)
            )),
            period: compile(&format!(
                r"(?:{})\s*{YEAR}\s*年\s*(?:到|至)\s*(?P<year>{YEAR})\s*年",
                alternation(&cues.from_words)
            )),
            list_item: compile(
                r"\A(?:[(（][0-9一二三四五六七八九十]{1,3}[)）]|[0-9]{1,2}[.、．]|[①-⑳]|[一二三四五六七八九十]{1,3}是|[-—·•*])",
            ),
            task_list: compile(&format!(
                r"(?:{})了?(?P<list>[^。；;!?！？\n]{{2,400}}?)等\s*(?P<count>{COUNT})\s*(?:{})?(?:{})",
                alternation(&cues.task_list_leads),
                alternation(&cues.task_count_classifiers),
                alternation(&cues.task_count_nouns)
            )),
            task_list_bare: compile(&format!(
                r"(?:{})了?(?P<list>[^。；;!?！？，,\n等]{{2,400}}?)(?P<count>{COUNT})\s*(?:{})(?:重点|主要)?(?:{})",
                alternation(&cues.task_list_leads),
                alternation(&cues.task_count_classifiers),
                alternation(&cues.task_count_nouns)
            )),
            task_list_areas: compile(&format!(
                r"{}(?P<list>[^。；;!?！？，,\n]{{2,300}}?)等\s*(?P<count>{COUNT})\s*(?:{})(?:{})了?\s*(?:{COUNT})\s*(?:{})?(?:{})",
                regex::escape(&cues.task_areas.open),
                alternation(&cues.task_areas.area_classifiers),
                alternation(&cues.task_list_leads),
                alternation(&cues.task_count_classifiers),
                alternation(&cues.task_count_nouns)
            )),
            task_area_count: compile(&format!(
                r"(?:{})了?\s*(?P<count>{COUNT})\s*(?:{})(?:{})",
                alternation(&cues.task_list_leads),
                alternation(&cues.task_areas.area_classifiers),
                alternation(&cues.task_count_nouns)
            )),
            task_area: compile(&format!(
                r"{}(?P<area>[^，。,；;：:\n]{{2,15}}?){}",
                regex::escape(&cues.task_areas.open),
                regex::escape(&cues.task_areas.close)
            )),
            task_list_en: compile(&format!(
                r"(?i)(?-u:\b)(?P<count>\d+|{})\s+(?:{})\s*(?:{})\s*(?P<list>[^.\n]+)",
                alternation(&count_words),
                alternation(&cues.task_nouns_en),
                alternation(&cues.task_list_leads_en)
            )),
            measure_list: compile(&format!(
                r"(?:{})[^。\n]{{0,12}}?(?:{})\s*[:：,，]?\s*(?P<list>[^。\n]+)",
                alternation(&cues.measure_nouns),
                alternation(&cues.measure_list_leads)
            )),
            date: compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
            date_en: compile(
                r"(?-u:\b)(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},\s*(?P<y>(?:19|20)\d{2})(?-u:\b)",
            ),
            event: compile(&format!(
                r"(?:(?:19|20)\d{{2}}年?|第{COUNT}届)[\p{{Han}}A-Za-z0-9]{{1,24}}?(?:{})",
                alternation(&cues.event_suffixes)
            )),
            message: compile(&format!(
                r"——\s*(?P<date>\d{{4}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日)?\s*[,，]?\s*(?P<person>\p{{Han}}{{2,4}}?)(?:致|在)(?P<to>[^，。,\n]{{2,60}}?)的(?P<kind>{})",
                alternation(&cues.message_nouns)
            )),
            credit: compile(&format!(
                r"(?P<label>{})\s*[:：]\s*(?P<name>[^\s,，。;；()（）]{{2,30}})",
                alternation(&credit_labels)
            )),
            document_number: compile(
                r"(?P<prefix>\p{Han}{1,12})\s*[〔\[［(（](?P<year>\d{4})[〕\]］)）]\s*(?P<n>\d+)\s*号",
            ),
            representative: compile(&format!(
                r"我(?:现在)?(?:{})(?P<who>[^，,。；、\s]{{2,30}}?)(?:向|作|，|,)",
                alternation(&cues.representation_verbs)
            )),
            resolution: compile(&format!(
                r"\A\s*(?P<who>第[^，,。
]{{2,30}}?会议)(?:{})",
                alternation(&cues.resolution_verbs)
            )),
            citation_verb: compile(&format!("(?:{})", alternation(&cues.citation_verbs))),
            report_title: compile(&format!(
                r"(?:{})(?P<title>[^，。,；;：:\n“”]{{2,40}}?(?:{}))",
                alternation(&cues.report_title.verbs),
                alternation(&cues.report_title.nouns)
            )),
            npc_session: compile(&format!(
                r"第(?P<term>{COUNT})届全国人民代表大会第(?P<session>{COUNT})次(?:全体)?会议"
            )),
            cpc_congress: compile(&format!(r"(?:中国共产党|党的)第(?P<n>{COUNT})次全国代表大会")),
            npc_session_en: compile(&format!(
                r"(?i)(?-u:\b)(?P<session>{})\s+Session\s+of\s+the\s+(?P<term>\d{{1,2}})(?:st|nd|rd|th)\s+National\s+People's\s+Congress",
                alternation(&cues.sessions.ordinals_en.keys().cloned().collect::<Vec<_>>())
            )),
            cpc_congress_en: compile(
                r"(?i)(?-u:\b)(?P<n>\d{1,2})(?:st|nd|rd|th)\s+National\s+Congress\s+of\s+the\s+Communist\s+Party\s+of\s+China",
            ),
            frame: super::document::FramePatterns::new(&cues.news),
            deadline_words: super::targets::DeadlineWords::new(cues),
            issuer_joiner: compile(&format!("(?:{})", alternation(&cues.issuer_joiners))),
            first_publication: compile(&format!(
                r#"(?:{})\s*[“"]?(?P<name>[^”"\s，。,]{{2,20}})[”"]?"#,
                alternation(&cues.first_publication_leads)
            )),
            technology_heads: words(&cues.technology_heads),
        }
    }
}

/// An automaton that finds any of `words` (the empty word excluded).
pub fn words(words: &[String]) -> aho_corasick::AhoCorasick {
    // Built from a list of words, which always builds; a failure is a programming error.
    #[allow(clippy::expect_used)]
    aho_corasick::AhoCorasick::new(words.iter().filter(|w| !w.is_empty())).expect("word automaton builds")
}

/// An ISO date `YYYY-MM-DD` from the captures of [`Patterns::date`], if it is a real date.
pub fn iso_date(caps: &regex::Captures<'_>) -> Option<String> {
    let y: u32 = caps.name("y")?.as_str().parse().ok()?;
    let m: u32 = caps.name("m")?.as_str().parse().ok()?;
    let d: u32 = caps.name("d")?.as_str().parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// A count written in Chinese or Arabic digits (八 → 8, 十二 → 12, 7 → 7).
pub fn count(text: &str) -> Option<u32> {
    let numeral = super::numbers::numeral_at(text)?;
    (numeral.magnitude.is_empty() && numeral.len == text.len())
        .then(|| numeral.value.to_f64())
        .filter(|v| v.fract() == 0.0 && *v >= 0.0 && *v < 1e6)
        .map(|v| v as u32)
}
