//! What the seed must yield, checked by SPARQL over a store built from `seeds/`.

mod common;

use common::*;
use policykg::render::Renderer;
use policykg::store::GraphStore;
use std::collections::BTreeSet;
use std::sync::OnceLock;

fn store() -> &'static GraphStore {
    static STORE: OnceLock<(tempfile::TempDir, GraphStore)> = OnceLock::new();
    &STORE
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("tempdir");
            let (store, report) = build_into(&[seeds()], dir.path(), Renderer::Builtin);
            assert!(report.problems.is_empty(), "{:?}", report.problems);
            (dir, store)
        })
        .1
}

/// The IRI of the one organization carrying `label` as rdfs:label or skos:altLabel.
fn org(label: &str) -> String {
    let rows = select(
        store(),
        &format!(
            r#"SELECT DISTINCT ?o WHERE {{ ?o a pkg:Organization . {{ ?o rdfs:label ?l }} UNION {{ ?o skos:altLabel ?l }} FILTER(STR(?l) = "{label}") }}"#
        ),
    );
    assert_eq!(rows.len(), 1, "organization {label}: {rows:?}");
    rows[0]["o"].clone()
}

#[test]
fn one_plan_with_its_title_described_in_the_seed_source() {
    let rows = select(
        store(),
        "SELECT ?doc ?title ?path WHERE { ?doc a pkg:PolicyDocument ; dcterms:title ?title ; pkg:describedIn ?src . ?src a pkg:Source ; pkg:path ?path }",
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["title"], "“人工智能+制造”专项行动实施意见");
    assert!(
        rows[0]["path"].ends_with("seeds/000_ddbfb2b346a9e714.txt"),
        "{}",
        rows[0]["path"]
    );
    assert!(rows[0]["doc"].is_ascii());
}

#[test]
fn issuers_are_canonical_organizations_from_both_languages() {
    let issuers: BTreeSet<String> = column(&select(store(), "SELECT ?o WHERE { ?d pkg:issuedBy ?o }"), "o")
        .into_iter()
        .collect();
    let expected: BTreeSet<String> = ["工业和信息化部", "中央网信办", "国家发展改革委"]
        .iter()
        .map(|l| org(l))
        .collect();
    assert_eq!(issuers, expected);
    for iri in &expected {
        let langs = column(
            &select(
                store(),
                &format!("SELECT (LANG(?l) AS ?lang) WHERE {{ <{iri}> rdfs:label ?l }}"),
            ),
            "lang",
        );
        assert!(
            langs.contains(&"zh".to_owned()) && langs.contains(&"en".to_owned()),
            "{iri}: {langs:?}"
        );
        // Cited from the Chinese sentence and from the English one.
        let quotes = column(
            &select(
                store(),
                &format!("SELECT ?q WHERE {{ <{iri}> pkg:evidence/pkg:quote ?q }}"),
            ),
            "q",
        );
        assert!(
            quotes.iter().any(|q| q.chars().any(|c| c > '\u{4e00}')),
            "{iri}: {quotes:?}"
        );
        assert!(
            quotes.iter().any(|q| q.is_ascii() && q.contains(' ')),
            "{iri}: {quotes:?}"
        );
    }
    let count = column(
        &select(store(), "SELECT ?n WHERE { ?d pkg:declaredIssuerCount ?n }"),
        "n",
    );
    assert_eq!(count, vec!["8"]);
}

#[test]
fn seven_tasks_in_text_order() {
    let rows = select(store(), "SELECT ?order ?label WHERE { ?d a pkg:PolicyDocument ; pkg:hasTask ?t . ?t pkg:order ?order ; rdfs:label ?label } ORDER BY ?order");
    let got: Vec<(String, String)> = rows.iter().map(|r| (r["order"].clone(), r["label"].clone())).collect();
    let expected: Vec<(String, String)> = [
        "创新筑基",
        "赋智升级",
        "产品突破",
        "主体培育",
        "生态壮大",
        "安全护航",
        "国际合作",
    ]
    .iter()
    .enumerate()
    .map(|(i, t)| ((i + 1).to_string(), (*t).to_owned()))
    .collect();
    assert_eq!(got, expected);
    assert_eq!(
        column(&select(store(), "SELECT ?n WHERE { ?d pkg:declaredTaskCount ?n }"), "n"),
        vec!["7"]
    );
}

#[test]
fn exactly_five_quantified_targets_for_2027() {
    let rows = select(
        store(),
        "SELECT ?min ?max ?unit WHERE { ?d pkg:hasTarget ?t . ?t pkg:deadline ?y ; pkg:minValue ?min ; pkg:maxValue ?max ; pkg:unit ?unit . FILTER(?y = \"2027\"^^xsd:gYear) }",
    );
    let got: BTreeSet<(String, String, String)> = rows
        .iter()
        .map(|r| (r["min"].clone(), r["max"].clone(), r["unit"].clone()))
        .collect();
    let expected: BTreeSet<(String, String, String)> = [
        ("3", "5", "个"),
        ("100", "100", "个"),
        ("500", "500", "个"),
        ("2", "3", "家"),
        ("1000", "1000", "家"),
    ]
    .iter()
    .map(|(a, b, u)| ((*a).into(), (*b).into(), (*u).into()))
    .collect();
    assert_eq!(got, expected);
    assert_eq!(rows.len(), 5);
    // Values are typed numbers, not strings.
    assert!(ask(
        store(),
        "?t pkg:minValue ?v FILTER(DATATYPE(?v) = xsd:decimal && ?v = 3)"
    ));
    // Every target of the plan falls due in 2027.
    assert!(!ask(
        store(),
        "?d pkg:hasTarget ?t . FILTER NOT EXISTS { ?t pkg:deadline \"2027\"^^xsd:gYear }"
    ));
}

#[test]
fn quantified_targets_say_what_they_measure() {
    let rows = select(
        store(),
        "SELECT ?min ?ind WHERE { ?t pkg:minValue ?min ; pkg:indicator ?ind }",
    );
    let find = |min: &str| {
        rows.iter()
            .find(|r| r["min"] == min)
            .map(|r| r["ind"].clone())
            .unwrap_or_default()
    };
    assert!(find("3").contains("通用大模型"), "{rows:?}");
    assert!(find("100").contains("高质量数据集"));
    assert!(find("500").contains("典型应用场景"));
    assert!(find("2").contains("生态主导型企业"));
    assert!(find("1000").contains("标杆企业"));
}

#[test]
fn unquantified_goals_are_targets_without_values() {
    let rows = select(
        store(),
        "SELECT ?ind WHERE { ?d pkg:hasTarget ?t . ?t pkg:indicator ?ind ; pkg:deadline ?y . FILTER NOT EXISTS { ?t pkg:minValue ?a } FILTER NOT EXISTS { ?t pkg:maxValue ?b } }",
    );
    let indicators = column(&rows, "ind");
    for phrase in ["安全可靠供给", "稳居世界前列", "专精特新中小企业", "开源开放生态"] {
        assert!(
            indicators.iter().any(|i| i.contains(phrase)),
            "{phrase} missing from {indicators:?}"
        );
    }
}

#[test]
fn six_measures_concern_the_technologies_they_name() {
    let rows = select(
        store(),
        "SELECT ?label (GROUP_CONCAT(DISTINCT ?tl; SEPARATOR='|') AS ?techs) WHERE {
           ?d pkg:hasMeasure ?m . ?m rdfs:label ?label .
           OPTIONAL { ?m pkg:concerns ?tech . { ?tech skos:prefLabel ?tl } UNION { ?tech skos:altLabel ?tl } }
         } GROUP BY ?label",
    );
    assert_eq!(rows.len(), 6, "{rows:?}");
    let techs_of = |start: &str| -> Vec<String> {
        rows.iter()
            .find(|r| r["label"].starts_with(start))
            .map(|r| {
                r.get("techs")
                    .map(|t| t.split('|').map(str::to_owned).collect())
                    .unwrap_or_default()
            })
            .unwrap_or_else(|| panic!("no measure starting {start}: {rows:?}"))
    };
    let cases: &[(&str, &[&str])] = &[
        ("推动智能芯片", &["智能芯片"]),
        ("支持模型训练", &["模型训练", "推理"]),
        ("培育重点行业大模型", &["行业大模型"]),
        ("推动大模型技术", &["大模型技术"]),
        ("加快人工智能赋能", &["工业母机", "工业机器人"]),
        (
            "攻关深度合成鉴伪",
            &["深度合成鉴伪", "工业模型算法安全防护", "训练数据保护"],
        ),
    ];
    for (measure, expected) in cases {
        let got = techs_of(measure);
        for tech in *expected {
            assert!(
                got.iter().any(|g| g == tech),
                "{measure} should concern {tech}: {got:?}"
            );
        }
    }
}

#[test]
fn glossary_pairs_give_english_labels() {
    for (zh, en) in [
        ("“人工智能+”行动", "AI Plus initiative"),
        (
            "人工智能关键核心技术",
            "key core artificial intelligence (AI) technologies",
        ),
    ] {
        assert!(
            ask(store(), &format!(r#"?x rdfs:label "{zh}"@zh ; rdfs:label "{en}"@en"#)),
            "{zh} / {en}"
        );
    }
}

#[test]
fn people_events_dates_and_publishers_use_schema_org() {
    assert!(ask(store(), r#"?p a schema:Person ; rdfs:label "习近平"@zh"#));
    assert!(ask(
        store(),
        r#"?e a schema:Event ; rdfs:label "2024世界智能产业博览会"@zh"#
    ));
    assert!(ask(
        store(),
        r#"?e a schema:Event ; rdfs:label "2025武汉国际工业设计博览会"@zh"#
    ));
    assert!(ask(
        store(),
        r#"?m a schema:Message ; schema:sender/rdfs:label "习近平"@zh ; schema:recipient/rdfs:label "2024世界智能产业博览会"@zh ; schema:dateSent "2024-06-20"^^xsd:date"#
    ));
    assert!(ask(
        store(),
        r#"?ph a schema:Photograph ; schema:dateCreated "2025-12-12"^^xsd:date ; schema:about/rdfs:label "2025武汉国际工业设计博览会"@zh ; schema:creditText "新华社""#
    ));
    // The photo's agency resolves to the canonical organization.
    let xinhua = org("新华社");
    assert!(ask(
        store(),
        &format!("?ph a schema:Photograph ; schema:publisher <{xinhua}>")
    ));
    let publishers = column(
        &select(
            store(),
            "SELECT ?l WHERE { ?s a pkg:Source ; schema:publisher ?p . ?p rdfs:label ?l }",
        ),
        "l",
    );
    for name in ["中国日报网", "学习强国"] {
        assert!(publishers.iter().any(|p| p == name), "{name}: {publishers:?}");
    }
}

#[test]
fn every_extracted_node_has_evidence_quoting_the_source() {
    let text: Vec<char> = std::fs::read_to_string(seeds().join("000_ddbfb2b346a9e714.txt"))
        .expect("seed")
        .chars()
        .collect();
    let missing = select(
        store(),
        "SELECT ?x WHERE { GRAPH ?g { ?x a ?c } ?g a pkg:Source . FILTER(?x != ?g && ?c != pkg:Evidence) FILTER NOT EXISTS { ?x pkg:evidence ?e } }",
    );
    assert!(missing.is_empty(), "nodes without evidence: {missing:?}");
    let rows = select(
        store(),
        "SELECT ?start ?end ?quote WHERE { ?e a pkg:Evidence ; pkg:start ?start ; pkg:end ?end ; pkg:quote ?quote }",
    );
    assert!(rows.len() > 50, "{}", rows.len());
    for row in rows {
        let (start, end): (usize, usize) = (row["start"].parse().expect("start"), row["end"].parse().expect("end"));
        assert!(start < end && end <= text.len());
        assert_eq!(text[start..end].iter().collect::<String>(), row["quote"]);
    }
}

#[test]
fn instance_iris_are_ascii_and_the_store_has_one_graph_per_source() {
    let rows = select(store(), "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }");
    assert!(rows.iter().all(|r| r["s"].is_ascii()), "non-ASCII IRI");
    let graphs = column(
        &select(store(), "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"),
        "g",
    );
    assert_eq!(graphs.len(), 2, "{graphs:?}"); // the seed's graph and the lexicon graph
}
