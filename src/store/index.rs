//! The store's working form: a sorted, dictionary-encoded index of every quad, kept in
//! `DIR/store.index` beside the N-Quads snapshot so that opening a store reads two
//! arrays instead of parsing and inserting every quad again.
//!
//! Each distinct term is stored once as its N-Triples text; terms are numbered in the
//! byte order of that text (0 stands for the default graph). Because a space sorts before
//! every byte that can continue a term's text, quads sorted by their numbers in
//! (subject, predicate, object, graph) order are exactly the sorted lines of the N-Quads
//! snapshot, so the snapshot is written straight from the index, without sorting text.
//! Four orders (SPOG, POSG, OSPG, GSPO) answer every triple pattern with a binary search;
//! [`IndexView`] hands them to Oxigraph's SPARQL evaluator (`spareval`) as a
//! [`QueryableDataset`].
//!
//! The file is a cache: it records the length, modification time and checksum of the
//! snapshot it was made from and a CRC-32 of itself; when any of these disagree the
//! snapshot is read instead (and the index written again).

use super::Checked;
use oxigraph::model::{
    BlankNode, GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, QuadRef, Term,
    TermRef,
};
use rustc_hash::FxHashMap as HashMap;
use spareval::{ExpressionTerm, InternalQuad, QueryableDataset};
use std::cell::RefCell;
use std::io::{Read, Write};
use std::sync::{Arc, OnceLock};

/// The number of the default graph; stored terms are numbered from 1.
const DEFAULT_GRAPH: u32 = 0;
const MAGIC: &[u8; 8] = b"PKGIDX01";

/// Positions of subject, predicate, object and graph in a row of each order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    Spog,
    Posg,
    Ospg,
    Gspo,
}

impl Order {
    const ALL: [Order; 4] = [Order::Spog, Order::Posg, Order::Ospg, Order::Gspo];

    /// For each key position, which of s, p, o, g (0..4) it holds.
    fn layout(self) -> [usize; 4] {
        match self {
            Order::Spog => [0, 1, 2, 3],
            Order::Posg => [1, 2, 0, 3],
            Order::Ospg => [2, 0, 1, 3],
            Order::Gspo => [3, 0, 1, 2],
        }
    }

    fn key(self, spog: [u32; 4]) -> [u32; 4] {
        self.layout().map(|i| spog[i])
    }

    fn spog(self, key: [u32; 4]) -> [u32; 4] {
        let mut out = [0; 4];
        for (k, i) in self.layout().into_iter().enumerate() {
            out[i] = key[k];
        }
        out
    }
}

/// Why an index file was not used.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Invalid(String),
}

fn invalid(message: impl Into<String>) -> IndexError {
    IndexError::Invalid(message.into())
}

/// What an index file says about the snapshot it was made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotStamp {
    pub len: u64,
    pub modified_ns: u64,
    pub sha256: String,
}

/// Every quad of a store, dictionary-encoded and sorted four ways.
#[derive(Default)]
pub struct Index {
    /// The N-Triples text of every term, concatenated in sorted order (UTF-8, checked per
    /// term when one is decoded, so opening need not read it all).
    text: Vec<u8>,
    /// Where term `n` (1-based) starts and ends in `text`: `bounds[n - 1]..bounds[n]`.
    bounds: Vec<usize>,
    /// Rows in each [`Order`], in the order of [`Order::ALL`].
    rows: [Vec<[u32; 4]>; 4],
    /// For each order, where the rows whose first number is `n` start (`starts[n]`), made
    /// on the first scan that needs it: a pattern's first bound term costs one lookup,
    /// and the binary search runs over that term's rows only.
    starts: [OnceLock<Vec<u32>>; 4],
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("terms", &self.terms())
            .field("quads", &self.len())
            .finish()
    }
}

/// A term's N-Triples text, as Oxigraph's `Display` writes it (the snapshot's lines are
/// those texts). Written by hand: `Display` pushes a literal one character at a time, and
/// every document's text is a literal.
fn term_text(term: TermRef<'_>) -> String {
    match term {
        TermRef::NamedNode(n) => {
            let mut out = String::with_capacity(n.as_str().len() + 2);
            out.push('<');
            out.push_str(n.as_str());
            out.push('>');
            out
        }
        TermRef::Literal(l) => {
            let mut out = String::with_capacity(l.value().len() + 2);
            push_quoted(&mut out, l.value());
            if let Some(language) = l.language() {
                out.push('@');
                out.push_str(language);
            } else if l.datatype() != oxigraph::model::vocab::xsd::STRING {
                out.push_str("^^<");
                out.push_str(l.datatype().as_str());
                out.push('>');
            }
            out
        }
        other => other.to_string(),
    }
}

/// A string in double quotes, escaped as Oxigraph's `print_quoted_str` escapes it: the runs
/// between characters that need an escape are copied whole.
fn push_quoted(out: &mut String, value: &str) {
    out.push('"');
    let mut run = 0;
    for (at, c) in value.char_indices() {
        let escape = match c {
            '\u{8}' => "\\b",
            '\t' => "\\t",
            '\n' => "\\n",
            '\u{C}' => "\\f",
            '\r' => "\\r",
            '"' => "\\\"",
            '\\' => "\\\\",
            '\0'..='\u{1F}' | '\u{7F}' | '\u{FFFE}' | '\u{FFFF}' => "",
            _ => continue,
        };
        out.push_str(&value[run..at]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{:04X}", u32::from(c)));
        } else {
            out.push_str(escape);
        }
        run = at + c.len_utf8();
    }
    out.push_str(&value[run..]);
    out.push('"');
}

fn graph_term(graph: GraphNameRef<'_>) -> Option<TermRef<'_>> {
    match graph {
        GraphNameRef::NamedNode(n) => Some(n.into()),
        GraphNameRef::BlankNode(b) => Some(b.into()),
        GraphNameRef::DefaultGraph => None,
    }
}

impl Index {
    /// The number of distinct terms.
    pub fn terms(&self) -> usize {
        self.bounds.len().saturating_sub(1)
    }

    /// The number of quads.
    pub fn len(&self) -> usize {
        self.rows[0].len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The N-Triples text of term `id`, as bytes.
    fn bytes_of(&self, id: u32) -> Option<&[u8]> {
        let i = usize::try_from(id).ok()?;
        let (start, end) = (*self.bounds.get(i.checked_sub(1)?)?, *self.bounds.get(i)?);
        self.text.get(start..end)
    }

    /// The N-Triples text of term `id`.
    fn text_of(&self, id: u32) -> Option<&str> {
        std::str::from_utf8(self.bytes_of(id)?).ok()
    }

    /// The number of a term given as N-Triples text, if the index holds it.
    fn id_of_text(&self, text: &str) -> Option<u32> {
        let (mut lo, mut hi) = (1usize, self.bounds.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.bytes_of(mid as u32)?.cmp(text.as_bytes()) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid as u32),
            }
        }
        None
    }

    fn id_of(&self, term: TermRef<'_>) -> Option<u32> {
        self.id_of_text(&term_text(term))
    }

    /// Term `id` decoded.
    fn term(&self, id: u32) -> Result<Term, IndexError> {
        let text = self
            .text_of(id)
            .ok_or_else(|| invalid(format!("term {id} is out of range")))?;
        parse_term(text).ok_or_else(|| invalid(format!("term {id} does not parse: {text}")))
    }

    fn quad(&self, spog: [u32; 4]) -> Result<Quad, IndexError> {
        let subject = match self.term(spog[0])? {
            Term::NamedNode(n) => NamedOrBlankNode::NamedNode(n),
            Term::BlankNode(b) => NamedOrBlankNode::BlankNode(b),
            other => return Err(invalid(format!("a literal as subject: {other}"))),
        };
        let Term::NamedNode(predicate) = self.term(spog[1])? else {
            return Err(invalid("a predicate that is no IRI"));
        };
        let graph = match spog[3] {
            DEFAULT_GRAPH => GraphName::DefaultGraph,
            g => match self.term(g)? {
                Term::NamedNode(n) => GraphName::NamedNode(n),
                Term::BlankNode(b) => GraphName::BlankNode(b),
                other => return Err(invalid(format!("a literal as graph name: {other}"))),
            },
        };
        Ok(Quad::new(subject, predicate, self.term(spog[2])?, graph))
    }

    /// The rows to filter for a pattern of numbers (`None` for any): of the orders whose
    /// prefix holds the most bound terms, the one with the fewest rows. A predicate and a
    /// graph both bound are answered from the graph's rows, not from every row of the
    /// predicate.
    fn scan(&self, pattern: [Option<u32>; 4]) -> (Order, std::ops::Range<usize>) {
        let prefix_len = |order: Order| order.layout().iter().take_while(|&&i| pattern[i].is_some()).count();
        let most = Order::ALL.into_iter().map(prefix_len).max().unwrap_or(0);
        Order::ALL
            .into_iter()
            .filter(|&order| prefix_len(order) == most)
            .map(|order| self.range(order, most, pattern))
            .min_by_key(|(_, range)| range.len())
            .unwrap_or((Order::Spog, 0..self.len()))
    }

    /// The rows of `order` whose first `bound` numbers are those of `pattern`.
    fn range(&self, order: Order, bound: usize, pattern: [Option<u32>; 4]) -> (Order, std::ops::Range<usize>) {
        let key = order.layout().map(|i| pattern[i].unwrap_or(0));
        let prefix = &key[..bound];
        let all = &self.rows[order as usize];
        let (offset, rows) = match prefix.first() {
            Some(&first) => {
                let starts = self.starts[order as usize].get_or_init(|| starts_of(all, self.terms()));
                let at = |n: u32| starts.get(n as usize).map_or(all.len(), |&s| s as usize);
                let (from, to) = (at(first), at(first.saturating_add(1)));
                (from, all.get(from..to).unwrap_or_default())
            }
            None => (0, &all[..]),
        };
        let start = rows.partition_point(|row| &row[..bound] < prefix);
        let end = start + rows[start..].partition_point(|row| &row[..bound] <= prefix);
        (order, offset + start..offset + end)
    }

    /// Every quad, in N-Quads line order.
    pub fn quads(&self) -> impl Iterator<Item = Result<Quad, IndexError>> + '_ {
        self.rows[0].iter().map(|row| self.quad(*row))
    }

    /// The quads of one graph (`None`: the default graph), in N-Quads line order.
    pub fn graph_quads(&self, graph: GraphNameRef<'_>) -> Result<Vec<Quad>, IndexError> {
        let Some(id) = self.graph_number(graph) else {
            return Ok(Vec::new());
        };
        let (order, range) = self.scan([None, None, None, Some(id)]);
        self.rows[order as usize][range]
            .iter()
            .map(|row| self.quad(order.spog(*row)))
            .collect()
    }

    /// The number of a graph in the rows (the default graph's is [`DEFAULT_GRAPH`]), if
    /// any quad is in it.
    fn graph_number(&self, graph: GraphNameRef<'_>) -> Option<u32> {
        match graph_term(graph) {
            None => Some(DEFAULT_GRAPH),
            Some(term) => self.id_of(term),
        }
    }

    /// The number of quads in one graph.
    pub fn graph_len(&self, graph: NamedNodeRef<'_>) -> usize {
        match self.id_of(TermRef::NamedNode(graph)) {
            Some(id) => self.scan([None, None, None, Some(id)]).1.len(),
            None => 0,
        }
    }

    /// Whether named graph `graph` holds exactly the quads of `batch` (all in that graph).
    pub fn holds_exactly(&self, graph: NamedNodeRef<'_>, batch: &Batch) -> bool {
        let Some(g) = self.id_of(TermRef::NamedNode(graph)) else {
            return batch.is_empty();
        };
        let (order, range) = self.scan([None, None, None, Some(g)]);
        let rows = &self.rows[order as usize][range];
        let graph_text = self.bytes_of(g);
        // Both sides are sorted by the text of subject, predicate and object.
        rows.len() == batch.len()
            && rows.iter().zip(&batch.0.rows[0]).all(|(row, theirs)| {
                let ours = order.spog(*row);
                theirs[3] != DEFAULT_GRAPH
                    && batch.0.bytes_of(theirs[3]) == graph_text
                    && (0..3).all(|i| self.bytes_of(ours[i]) == batch.0.bytes_of(theirs[i]))
            })
    }

    /// The numbers of the named graphs, sorted, once each.
    fn graph_ids(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = self.rows[Order::Gspo as usize]
            .iter()
            .map(|row| row[0])
            .filter(|&g| g != DEFAULT_GRAPH)
            .collect();
        ids.dedup();
        ids
    }

    /// The names of the named graphs, sorted.
    pub fn named_graphs(&self) -> Result<Vec<NamedOrBlankNode>, IndexError> {
        self.graph_ids()
            .into_iter()
            .map(|id| match self.term(id)? {
                Term::NamedNode(n) => Ok(n.into()),
                Term::BlankNode(b) => Ok(b.into()),
                other => Err(invalid(format!("a literal as graph name: {other}"))),
            })
            .collect()
    }

    /// Writes every quad as sorted N-Quads lines (the snapshot's body).
    pub fn write_nquads(&self, out: &mut dyn Write) -> std::io::Result<()> {
        write_nquads_of(self, out)
    }

    /// An index of `quads` (duplicates dropped).
    pub fn build<'a>(quads: impl IntoIterator<Item = QuadRef<'a>>) -> Self {
        Self::merge(&Index::default(), |_| false, &[&Batch::new(quads)])
    }

    /// This index without the graphs `drop` names (by their N-Triples text), plus the quads
    /// of `batches`. Terms no quad uses any longer are left out, so the result is the index
    /// a fresh build of the same quads gives.
    pub fn merge(base: &Index, drop: impl Fn(&str) -> bool, batches: &[&Batch]) -> Self {
        Merge::new(base, drop, batches).build()
    }

    /// Writes the index file.
    pub fn write(&self, stamp: &SnapshotStamp, out: &mut dyn Write) -> std::io::Result<()> {
        write_index_of(self, stamp, out)
    }

    /// Reads an index file: its stamp, then (when `wanted` accepts the stamp) the index.
    /// `len` is the file's length: the counts in the header must add up to it, so a
    /// damaged header cannot ask for more memory than the file could fill.
    pub fn read(
        input: &mut dyn Read,
        len: u64,
        wanted: impl FnOnce(&SnapshotStamp) -> bool,
    ) -> Result<Option<(SnapshotStamp, Index)>, IndexError> {
        let mut input = Checked {
            inner: input,
            digest: crc32fast::Hasher::new(),
        };
        let mut header = [0u8; 8 + 8 + 8 + 64 + 8 + 8 + 8];
        input.read_exact(&mut header)?;
        if &header[..8] != MAGIC {
            return Err(invalid("not a policykg index (or one from another version)"));
        }
        let word = |at: usize| u64::from_le_bytes(header[at..at + 8].try_into().unwrap_or([0; 8]));
        let sha = String::from_utf8_lossy(&header[24..88])
            .trim_end_matches('\0')
            .to_owned();
        let stamp = SnapshotStamp {
            len: word(8),
            modified_ns: word(16),
            sha256: sha,
        };
        if !wanted(&stamp) {
            return Ok(None);
        }
        let size = |n: u64, what: &str| {
            usize::try_from(n)
                .ok()
                .filter(|&n| n < (1 << 40))
                .ok_or_else(|| invalid(format!("implausible {what} count {n}")))
        };
        let terms = size(word(88), "term")?;
        let text_len = size(word(96), "text")?;
        let quads = size(word(104), "quad")?;
        let expected = (|| {
            (header.len() as u64)
                .checked_add((terms as u64).checked_mul(8)?)?
                .checked_add(text_len as u64)?
                .checked_add((quads as u64).checked_mul(64)?)?
                .checked_add(4)
        })();
        if expected != Some(len) {
            return Err(invalid(format!(
                "its header describes {expected:?} bytes, the file has {len}"
            )));
        }
        // Read through one small buffer straight into the arrays: no second copy of the
        // file in memory.
        let mut buffer = vec![0u8; 256 * 1024];
        let mut bounds = Vec::with_capacity(terms + 1);
        bounds.push(0);
        for_chunks(&mut input, &mut buffer, terms * 8, 8, |chunk| {
            let b = usize::try_from(u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8])))
                .map_err(|_| invalid("a term bound out of range"))?;
            if b < bounds.last().copied().unwrap_or(0) || b > text_len {
                return Err(invalid("term bounds out of order"));
            }
            bounds.push(b);
            Ok(())
        })?;
        let text = read_bytes(&mut input, text_len)?;
        let mut rows: [Vec<[u32; 4]>; 4] = Default::default();
        let limit = terms as u32;
        for order in &mut rows {
            order.reserve_exact(quads);
            for_chunks(&mut input, &mut buffer, quads * 16, 16, |chunk| {
                let id = |i: usize| u32::from_le_bytes(chunk[i * 4..i * 4 + 4].try_into().unwrap_or([0; 4]));
                let row = [id(0), id(1), id(2), id(3)];
                if row.iter().any(|&id| id > limit) {
                    return Err(invalid("a quad names a term out of range"));
                }
                order.push(row);
                Ok(())
            })?;
        }
        let Checked { inner, digest } = input;
        let crc = digest.finalize();
        let mut recorded = [0u8; 4];
        inner.read_exact(&mut recorded)?;
        if u32::from_le_bytes(recorded) != crc {
            return Err(invalid("checksum mismatch"));
        }
        Ok(Some((
            stamp,
            Index {
                text,
                bounds,
                rows,
                starts: Default::default(),
            },
        )))
    }
}

/// The quads of one graph (or any quads), numbered on their own: distinct terms in sorted
/// order and rows in SPOG order, ready for [`Index::merge`]. Made where the quads are made
/// (on an extraction worker), so the store holds sixteen bytes a quad and each term's text
/// once per graph, not a million `Quad`s.
#[derive(Debug, Default)]
pub struct Batch(Index);

/// Two batches of the same quads are the same numbers and texts: both are made canonical.
impl PartialEq for Batch {
    fn eq(&self, other: &Self) -> bool {
        self.0.rows[0] == other.0.rows[0] && self.0.bounds == other.0.bounds && self.0.text == other.0.text
    }
}

impl Batch {
    pub fn new<'a>(quads: impl IntoIterator<Item = QuadRef<'a>>) -> Self {
        let mut numbers: HashMap<TermRef<'a>, u32> = HashMap::default();
        let mut terms: Vec<TermRef<'a>> = Vec::new();
        let mut number = |term: TermRef<'a>| {
            *numbers.entry(term).or_insert_with(|| {
                terms.push(term);
                terms.len() as u32
            })
        };
        let rows: Vec<[u32; 4]> = quads
            .into_iter()
            .map(|quad| {
                let g = graph_term(quad.graph_name).map_or(DEFAULT_GRAPH, &mut number);
                [
                    number(quad.subject.into()),
                    number(quad.predicate.into()),
                    number(quad.object),
                    g,
                ]
            })
            .collect();
        let mut texts: Vec<(String, u32)> = terms
            .iter()
            .zip(1..)
            .map(|(term, local)| (term_text(*term), local))
            .collect();
        texts.sort_unstable();
        let mut ids = vec![DEFAULT_GRAPH; texts.len() + 1];
        let mut text = Vec::new();
        let mut bounds = vec![0];
        for (id, (term, local)) in (1..).zip(&texts) {
            text.extend_from_slice(term.as_bytes());
            bounds.push(text.len());
            ids[*local as usize] = id;
        }
        let mut spog: Vec<[u32; 4]> = rows.into_iter().map(|row| row.map(|n| ids[n as usize])).collect();
        sort_rows(&mut spog);
        spog.dedup();
        Batch(Index {
            text,
            bounds,
            rows: [spog, Vec::new(), Vec::new(), Vec::new()],
            starts: Default::default(),
        })
    }

    /// The number of distinct quads.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Writes the quads as sorted N-Quads lines.
    pub fn write_nquads(&self, out: &mut dyn Write) -> std::io::Result<()> {
        self.0.write_nquads(out)
    }

    /// The quads of one graph, in N-Quads line order (a batch keeps its rows in one order
    /// only, so they are filtered, not looked up).
    pub fn graph_quads(&self, graph: GraphNameRef<'_>) -> Result<Vec<Quad>, IndexError> {
        let Some(id) = self.0.graph_number(graph) else {
            return Ok(Vec::new());
        };
        self.0.rows[0]
            .iter()
            .filter(|row| row[3] == id)
            .map(|row| self.0.quad(*row))
            .collect()
    }
}

/// Where the rows whose first number is `n` start, for every `n` up to `terms + 1`.
fn starts_of(rows: &[[u32; 4]], terms: usize) -> Vec<u32> {
    let mut starts = Vec::with_capacity(terms + 2);
    for (i, row) in rows.iter().enumerate() {
        while starts.len() <= row[0] as usize {
            starts.push(i as u32);
        }
    }
    starts.resize(terms + 2, rows.len() as u32);
    starts
}

/// What the snapshot and the index file are written from: an index, or a merge not yet
/// carried out.
trait Rows {
    /// The number of terms (numbered from 1).
    fn terms(&self) -> usize;
    fn bytes_of(&self, id: u32) -> Option<&[u8]>;
    /// The rows of one order, sorted, as keys in that order's layout.
    fn rows_in(&self, order: Order) -> Box<dyn Iterator<Item = [u32; 4]> + '_>;
    /// The number of quads.
    fn quads(&self) -> usize;
}

impl Rows for Index {
    fn terms(&self) -> usize {
        Index::terms(self)
    }
    fn bytes_of(&self, id: u32) -> Option<&[u8]> {
        Index::bytes_of(self, id)
    }
    fn rows_in(&self, order: Order) -> Box<dyn Iterator<Item = [u32; 4]> + '_> {
        Box::new(self.rows[order as usize].iter().copied())
    }
    fn quads(&self) -> usize {
        self.len()
    }
}

/// Writes every quad as sorted N-Quads lines (the snapshot's body).
fn write_nquads_of(index: &dyn Rows, out: &mut dyn Write) -> std::io::Result<()> {
    let text = |id: u32| {
        index
            .bytes_of(id)
            .ok_or_else(|| std::io::Error::other(format!("term {id} is out of range")))
    };
    for row in index.rows_in(Order::Spog) {
        out.write_all(text(row[0])?)?;
        out.write_all(b" ")?;
        out.write_all(text(row[1])?)?;
        out.write_all(b" ")?;
        out.write_all(text(row[2])?)?;
        if row[3] != DEFAULT_GRAPH {
            out.write_all(b" ")?;
            out.write_all(text(row[3])?)?;
        }
        out.write_all(b" .\n")?;
    }
    Ok(())
}

/// Writes the index file: magic, stamp, counts, term bounds, term texts, the rows of each
/// order, and a CRC-32 of all of it.
fn write_index_of(index: &dyn Rows, stamp: &SnapshotStamp, out: &mut dyn Write) -> std::io::Result<()> {
    let mut out = Checked {
        inner: out,
        digest: crc32fast::Hasher::new(),
    };
    let term = |id: u32| {
        index
            .bytes_of(id)
            .ok_or_else(|| std::io::Error::other(format!("term {id} is out of range")))
    };
    let terms = index.terms() as u32;
    let mut text_len = 0u64;
    for id in 1..=terms {
        text_len += term(id)?.len() as u64;
    }
    out.write_all(MAGIC)?;
    out.write_all(&stamp.len.to_le_bytes())?;
    out.write_all(&stamp.modified_ns.to_le_bytes())?;
    let mut sha = [0u8; 64];
    let given = stamp.sha256.as_bytes();
    sha[..given.len().min(64)].copy_from_slice(&given[..given.len().min(64)]);
    out.write_all(&sha)?;
    out.write_all(&u64::from(terms).to_le_bytes())?;
    out.write_all(&text_len.to_le_bytes())?;
    out.write_all(&(index.quads() as u64).to_le_bytes())?;
    let mut bound = 0u64;
    let mut buffer = Vec::with_capacity(16 * 4096);
    for id in 1..=terms {
        bound += term(id)?.len() as u64;
        buffer.extend_from_slice(&bound.to_le_bytes());
        if buffer.len() >= 16 * 4096 {
            out.write_all(&buffer)?;
            buffer.clear();
        }
    }
    out.write_all(&buffer)?;
    for id in 1..=terms {
        out.write_all(term(id)?)?;
    }
    for order in Order::ALL {
        buffer.clear();
        for row in index.rows_in(order) {
            for id in row {
                buffer.extend_from_slice(&id.to_le_bytes());
            }
            if buffer.len() >= 16 * 4096 {
                out.write_all(&buffer)?;
                buffer.clear();
            }
        }
        out.write_all(&buffer)?;
    }
    let crc = out.digest.finalize();
    out.inner.write_all(&crc.to_le_bytes())
}

/// What a snapshot and its index file are written from: an index, or edits merged on the
/// way to disk.
pub enum Source<'a> {
    Index(&'a Index),
    Merge(Merge<'a>),
}

impl Source<'_> {
    fn rows(&self) -> &dyn Rows {
        match self {
            Source::Index(index) => *index,
            Source::Merge(merge) => merge,
        }
    }

    /// Writes every quad as sorted N-Quads lines (the snapshot's body).
    pub fn write_nquads(&self, out: &mut dyn Write) -> std::io::Result<()> {
        write_nquads_of(self.rows(), out)
    }

    /// Writes the index file.
    pub fn write(&self, stamp: &SnapshotStamp, out: &mut dyn Write) -> std::io::Result<()> {
        write_index_of(self.rows(), stamp, out)
    }
}

/// Sorts rows as `sort_unstable` does, comparing each as one 128-bit number: the same
/// order (the first column is the most significant), without four comparisons a row.
fn sort_rows(rows: &mut [[u32; 4]]) {
    rows.sort_unstable_by_key(|r| {
        (u128::from(r[0]) << 96) | (u128::from(r[1]) << 64) | (u128::from(r[2]) << 32) | u128::from(r[3])
    });
}

/// Sorts distinct items: each half on its own thread when there are many, then merged.
fn sort_on_two_threads<T: Ord + Copy + Send>(items: &mut [T]) {
    const ALONE: usize = 1 << 15;
    if items.len() < ALONE {
        items.sort_unstable();
        return;
    }
    let (low, high) = items.split_at_mut(items.len() / 2);
    std::thread::scope(|scope| {
        scope.spawn(|| low.sort_unstable());
        high.sort_unstable();
    });
    let (low, high) = items.split_at(items.len() / 2);
    let mut merged = Vec::with_capacity(items.len());
    let (mut i, mut j) = (0, 0);
    while i < low.len() && j < high.len() {
        if low[i] <= high[j] {
            merged.push(low[i]);
            i += 1;
        } else {
            merged.push(high[j]);
            j += 1;
        }
    }
    merged.extend_from_slice(&low[i..]);
    merged.extend_from_slice(&high[j..]);
    items.copy_from_slice(&merged);
}

/// A term of a merge's result: one of the base's, or a new one's text.
#[derive(Clone, Copy)]
enum MergedTerm<'a> {
    Base(u32),
    New(&'a [u8]),
}

/// A merge worked out but not carried out: which term each number of the result is, how
/// the base's numbers map to those, and the new rows. [`Merge::build`] makes the index; as
/// a [`Source`] it writes the snapshot and the index file straight from the base and the new
/// rows, so saving a change to a large store never holds a second copy of it.
pub struct Merge<'a> {
    base: &'a Index,
    /// The base's named graphs that are dropped, sorted.
    dropped: Vec<u32>,
    terms: Vec<MergedTerm<'a>>,
    old_to_new: Vec<u32>,
    /// The new rows, in the result's numbers (each order sorts them when it needs them, so
    /// the four sorted copies are never all held at once).
    added: Vec<[u32; 4]>,
    /// The number of quads of the result, counted once.
    quads: OnceLock<usize>,
}

impl<'a> Merge<'a> {
    /// `base` without the graphs `drop` names (by their N-Triples text), plus the quads of
    /// `batches`. Terms no quad uses any longer are left out.
    pub fn new(base: &'a Index, drop: impl Fn(&str) -> bool, batches: &[&'a Batch]) -> Self {
        // Which stored terms the kept rows still use.
        let mut dropped = base.graph_ids();
        dropped.retain(|&g| base.text_of(g).is_some_and(&drop));
        let mut used = vec![false; base.terms() + 1];
        for row in base.rows[0]
            .iter()
            .filter(|row| dropped.binary_search(&row[3]).is_err())
        {
            for &id in row {
                if let Some(u) = used.get_mut(id as usize) {
                    *u = true;
                }
            }
        }
        used[DEFAULT_GRAPH as usize] = false;
        // The batches' terms, distinct and sorted, then merged with the stored ones still used.
        let mut new_terms: Vec<&'a [u8]> = batches
            .iter()
            .flat_map(|b| (1..=b.0.terms() as u32).filter_map(|id| b.0.bytes_of(id)))
            .collect::<rustc_hash::FxHashSet<&[u8]>>()
            .into_iter()
            .collect();
        sort_on_two_threads(&mut new_terms);
        let mut terms = Vec::with_capacity(base.terms() + new_terms.len());
        let mut old_to_new = vec![0u32; base.terms() + 1];
        let mut new_ids: HashMap<&[u8], u32> = HashMap::default();
        new_ids.reserve(new_terms.len());
        let mut old = (1..=base.terms() as u32).filter(|&id| used[id as usize]).peekable();
        let mut new = new_terms.iter().peekable();
        loop {
            let old_text = old.peek().and_then(|&id| base.bytes_of(id));
            let new_text = new.peek().map(|t| **t);
            let (from_old, from_new) = match (old_text, new_text) {
                (None, None) => break,
                (Some(o), Some(n)) if o == n => (old.next(), new.next()),
                (Some(o), Some(n)) if o < n => (old.next(), None),
                (Some(_), None) => (old.next(), None),
                (_, Some(_)) => (None, new.next()),
            };
            // A term both hold is the base's; only the batches' own are new texts.
            terms.push(match (from_old, from_new) {
                (Some(o), _) => MergedTerm::Base(o),
                (None, Some(n)) => MergedTerm::New(n),
                (None, None) => break,
            });
            let id = terms.len() as u32;
            if let Some(o) = from_old {
                old_to_new[o as usize] = id;
            }
            if let Some(n) = from_new {
                new_ids.insert(n, id);
            }
        }
        let mut spog: Vec<[u32; 4]> = Vec::new();
        for batch in batches {
            let ids: Vec<u32> = (0..=batch.0.terms() as u32)
                .map(|local| match local {
                    DEFAULT_GRAPH => DEFAULT_GRAPH,
                    local => batch
                        .0
                        .bytes_of(local)
                        .and_then(|t| new_ids.get(t))
                        .copied()
                        .unwrap_or(0),
                })
                .collect();
            spog.extend(batch.0.rows[0].iter().map(|row| row.map(|local| ids[local as usize])));
        }
        Self {
            base,
            dropped,
            terms,
            old_to_new,
            added: spog,
            quads: OnceLock::new(),
        }
    }

    /// The merged rows of one order: the kept rows are still sorted in every order (the
    /// merged numbering keeps the stored terms' order), so each order is the kept rows
    /// merged with the new ones, sorted on their own: linear in the store whatever the size
    /// of the change.
    fn merged_rows(&self, order: Order) -> impl Iterator<Item = [u32; 4]> + '_ {
        let kept = self.base.rows[order as usize]
            .iter()
            .filter(move |row| self.dropped.binary_search(&order.spog(**row)[3]).is_err())
            .map(|row| row.map(|id| self.old_to_new[id as usize]));
        let mut new: Vec<[u32; 4]> = self.added.iter().map(|&row| order.key(row)).collect();
        sort_rows(&mut new);
        MergeRows {
            kept: kept.peekable(),
            new: new.into_iter().peekable(),
            last: None,
        }
    }

    /// The merged index.
    pub fn build(self) -> Index {
        let mut text = Vec::new();
        let mut bounds = Vec::with_capacity(self.terms.len() + 1);
        bounds.push(0);
        for id in 1..=self.terms.len() as u32 {
            text.extend_from_slice(Rows::bytes_of(&self, id).unwrap_or_default());
            bounds.push(text.len());
        }
        let rows = std::thread::scope(|scope| {
            let this = &self;
            let half = scope
                .spawn(move || [Order::Ospg, Order::Gspo].map(|order| this.merged_rows(order).collect::<Vec<_>>()));
            let [spog, posg] = [Order::Spog, Order::Posg].map(|order| this.merged_rows(order).collect::<Vec<_>>());
            let [ospg, gspo] = half.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            [spog, posg, ospg, gspo]
        });
        Index {
            text,
            bounds,
            rows,
            starts: Default::default(),
        }
    }
}

impl Rows for Merge<'_> {
    fn terms(&self) -> usize {
        self.terms.len()
    }
    fn bytes_of(&self, id: u32) -> Option<&[u8]> {
        match *self.terms.get((id as usize).checked_sub(1)?)? {
            MergedTerm::Base(old) => self.base.bytes_of(old),
            MergedTerm::New(text) => Some(text),
        }
    }
    fn rows_in(&self, order: Order) -> Box<dyn Iterator<Item = [u32; 4]> + '_> {
        Box::new(self.merged_rows(order))
    }
    fn quads(&self) -> usize {
        *self.quads.get_or_init(|| self.merged_rows(Order::Spog).count())
    }
}

/// Two sorted runs of rows as one, without duplicates.
struct MergeRows<K: Iterator<Item = [u32; 4]>, N: Iterator<Item = [u32; 4]>> {
    kept: std::iter::Peekable<K>,
    new: std::iter::Peekable<N>,
    last: Option<[u32; 4]>,
}

impl<K: Iterator<Item = [u32; 4]>, N: Iterator<Item = [u32; 4]>> Iterator for MergeRows<K, N> {
    type Item = [u32; 4];

    fn next(&mut self) -> Option<[u32; 4]> {
        loop {
            let row = match (self.kept.peek(), self.new.peek()) {
                (None, None) => return None,
                (Some(k), Some(n)) if n < k => self.new.next(),
                (Some(_), _) => self.kept.next(),
                (None, Some(_)) => self.new.next(),
            }?;
            if self.last != Some(row) {
                self.last = Some(row);
                return Some(row);
            }
        }
    }
}

/// Reads `total` bytes through `buffer`, handing `f` one `size`-byte record at a time.
fn for_chunks(
    input: &mut dyn Read,
    buffer: &mut [u8],
    total: usize,
    size: usize,
    mut f: impl FnMut(&[u8]) -> Result<(), IndexError>,
) -> Result<(), IndexError> {
    let whole = buffer.len() / size * size;
    let mut left = total;
    while left > 0 {
        let n = left.min(whole);
        input
            .read_exact(&mut buffer[..n])
            .map_err(|_| invalid("the file ends early"))?;
        buffer[..n].chunks_exact(size).try_for_each(&mut f)?;
        left -= n;
    }
    Ok(())
}

fn read_bytes(input: &mut dyn Read, n: usize) -> Result<Vec<u8>, IndexError> {
    let mut bytes = Vec::with_capacity(n);
    input.take(n as u64).read_to_end(&mut bytes)?;
    if bytes.len() != n {
        return Err(invalid("the file ends early"));
    }
    Ok(bytes)
}

/// Parses the N-Triples text of one term, as Oxigraph writes it.
pub fn parse_term(text: &str) -> Option<Term> {
    if let Some(iri) = text.strip_prefix('<') {
        return Some(NamedNode::new_unchecked(iri.strip_suffix('>')?).into());
    }
    if let Some(id) = text.strip_prefix("_:") {
        return Some(BlankNode::new_unchecked(id).into());
    }
    let body = text.strip_prefix('"')?;
    let mut value = String::with_capacity(body.len());
    let mut chars = body.char_indices();
    let rest = loop {
        let (at, c) = chars.next()?;
        match c {
            '"' => break &body[at + 1..],
            '\\' => {
                let (_, e) = chars.next()?;
                value.push(match e {
                    'b' => '\u{8}',
                    't' => '\t',
                    'n' => '\n',
                    'f' => '\u{C}',
                    'r' => '\r',
                    '"' => '"',
                    '\'' => '\'',
                    '\\' => '\\',
                    'u' | 'U' => {
                        let digits = if e == 'u' { 4 } else { 8 };
                        let hex: String = (0..digits)
                            .map(|_| chars.next().map(|(_, c)| c))
                            .collect::<Option<_>>()?;
                        char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
                    }
                    _ => return None,
                });
            }
            c => value.push(c),
        }
    };
    Some(
        if rest.is_empty() {
            Literal::new_simple_literal(value)
        } else if let Some(language) = rest.strip_prefix('@') {
            Literal::new_language_tagged_literal_unchecked(value, language)
        } else {
            let datatype = rest.strip_prefix("^^<")?.strip_suffix('>')?;
            Literal::new_typed_literal(value, NamedNode::new_unchecked(datatype))
        }
        .into(),
    )
}

/// A term during query evaluation: the number of a stored term, or a term the store does
/// not hold (a constant of the query, a computed value).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum IndexTerm {
    Stored(u32),
    /// Boxed: evaluation copies whole rows of these, so the common case stays small.
    Other(Box<Term>),
}

/// Graphs replaced over an index, for queries, without merging them in (which rewrites
/// every row and term): the base's rows in the replaced graphs are skipped, and the new quads
/// come from a small index of their own. A term the base holds keeps the base's number; the
/// others are numbered on from the base's last, so each term has one number and joins
/// compare numbers as they do over a merged index.
pub struct Delta {
    /// The new quads, numbered on their own.
    extra: Arc<Index>,
    /// The view's number of each of `extra`'s terms, by `extra`'s number.
    to_view: Vec<u32>,
    /// `extra`'s number of each term it holds, by the view's number.
    from_view: HashMap<u32, u32>,
    /// The base's numbers of the replaced graphs, sorted.
    dropped: Vec<u32>,
    /// The base's number of terms: the view's numbers above it are `extra`'s own terms.
    base_terms: u32,
}

impl Delta {
    /// The graphs named `replaced` (IRIs) replaced over `base` by the quads of `batches`.
    pub fn new<'a>(base: &Index, replaced: impl IntoIterator<Item = &'a str>, batches: &[&Batch]) -> Self {
        let extra = Index::merge(&Index::default(), |_| false, batches);
        let base_terms = base.terms() as u32;
        let mut to_view = vec![DEFAULT_GRAPH; extra.terms() + 1];
        let mut from_view = HashMap::default();
        let mut next = base_terms;
        for id in 1..=extra.terms() as u32 {
            let view = match extra.text_of(id).and_then(|text| base.id_of_text(text)) {
                Some(stored) => stored,
                None => {
                    next += 1;
                    next
                }
            };
            to_view[id as usize] = view;
            from_view.insert(view, id);
        }
        let mut dropped: Vec<u32> = replaced
            .into_iter()
            .filter_map(|g| base.id_of(TermRef::NamedNode(NamedNodeRef::new_unchecked(g))))
            .collect();
        dropped.sort_unstable();
        Self {
            extra: Arc::new(extra),
            to_view,
            from_view,
            dropped,
            base_terms,
        }
    }

    fn drops(&self, graph: u32) -> bool {
        self.dropped.binary_search(&graph).is_ok()
    }

    /// The scan of `extra` for a pattern of the view's numbers; none when it names a term
    /// `extra` does not hold.
    fn scan(&self, pattern: [Option<u32>; 4], named_only: bool) -> Option<Scan> {
        let mut own = [None; 4];
        for (slot, id) in own.iter_mut().zip(pattern) {
            *slot = match id {
                None => None,
                Some(DEFAULT_GRAPH) => Some(DEFAULT_GRAPH),
                Some(id) => Some(*self.from_view.get(&id)?),
            };
        }
        let (order, range) = self.extra.scan(own);
        Some(Scan {
            index: self.extra.clone(),
            order,
            at: range.start,
            end: range.end,
            pattern: own,
            named_only,
            delta: None,
        })
    }
}

/// The rows of a [`Delta`]'s own index, in the view's numbers.
pub struct DeltaScan {
    scan: Option<(Scan, Arc<Delta>)>,
}

impl Iterator for DeltaScan {
    type Item = Result<InternalQuad<IndexTerm>, IndexError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (scan, delta) = self.scan.as_mut()?;
        let view = |term: IndexTerm| match term {
            IndexTerm::Stored(id) => IndexTerm::Stored(delta.to_view.get(id as usize).copied().unwrap_or(id)),
            other => other,
        };
        Some(scan.next()?.map(|quad| InternalQuad {
            subject: view(quad.subject),
            predicate: view(quad.predicate),
            object: view(quad.object),
            graph_name: quad.graph_name.map(view),
        }))
    }
}

/// An index shared with Oxigraph's SPARQL evaluator, for one query, with the graphs a
/// [`Delta`] replaces over it. The terms it decodes are kept: ORDER BY decodes both sides of
/// every comparison, FILTER every row's value.
pub struct IndexView {
    index: Arc<Index>,
    delta: Option<Arc<Delta>>,
    terms: RefCell<HashMap<u32, Term>>,
    values: RefCell<HashMap<u32, ExpressionTerm>>,
}

impl IndexView {
    pub fn new(index: Arc<Index>) -> Self {
        Self {
            index,
            delta: None,
            terms: RefCell::default(),
            values: RefCell::default(),
        }
    }

    /// `index` with the graphs `delta` replaces.
    pub fn with_delta(index: Arc<Index>, delta: Arc<Delta>) -> Self {
        Self {
            delta: Some(delta),
            ..Self::new(index)
        }
    }

    fn term(&self, id: u32) -> Result<Term, IndexError> {
        if let Some(term) = self.terms.borrow().get(&id) {
            return Ok(term.clone());
        }
        let term = match &self.delta {
            Some(delta) if id > delta.base_terms => {
                let own = delta
                    .from_view
                    .get(&id)
                    .ok_or_else(|| invalid(format!("term {id} is out of range")))?;
                delta.extra.term(*own)?
            }
            _ => self.index.term(id)?,
        };
        self.terms.borrow_mut().insert(id, term.clone());
        Ok(term)
    }
}

/// The rows of one scan, filtered on the positions its prefix does not fix.
pub struct Scan {
    index: Arc<Index>,
    order: Order,
    at: usize,
    end: usize,
    pattern: [Option<u32>; 4],
    named_only: bool,
    /// The graphs replaced over this index, whose rows are skipped.
    delta: Option<Arc<Delta>>,
}

impl Iterator for Scan {
    type Item = Result<InternalQuad<IndexTerm>, IndexError>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.at < self.end {
            let row = self.index.rows[self.order as usize][self.at];
            self.at += 1;
            let spog = self.order.spog(row);
            if (self.named_only && spog[3] == DEFAULT_GRAPH)
                || spog
                    .iter()
                    .zip(&self.pattern)
                    .any(|(id, want)| want.is_some_and(|w| w != *id))
                || self.delta.as_ref().is_some_and(|d| d.drops(spog[3]))
            {
                continue;
            }
            return Some(Ok(InternalQuad {
                subject: IndexTerm::Stored(spog[0]),
                predicate: IndexTerm::Stored(spog[1]),
                object: IndexTerm::Stored(spog[2]),
                graph_name: (spog[3] != DEFAULT_GRAPH).then_some(IndexTerm::Stored(spog[3])),
            }));
        }
        None
    }
}

impl QueryableDataset<'static> for IndexView {
    type InternalTerm = IndexTerm;
    type Error = IndexError;

    fn internal_quads_for_pattern(
        &self,
        subject: Option<&IndexTerm>,
        predicate: Option<&IndexTerm>,
        object: Option<&IndexTerm>,
        graph_name: Option<Option<&IndexTerm>>,
    ) -> impl Iterator<Item = Result<InternalQuad<IndexTerm>, IndexError>> + use<> {
        let empty = Scan {
            index: self.index.clone(),
            order: Order::Spog,
            at: 0,
            end: 0,
            pattern: [None; 4],
            named_only: false,
            delta: None,
        }
        .chain(DeltaScan { scan: None });
        let mut pattern = [None; 4];
        for (slot, term) in pattern.iter_mut().zip([subject, predicate, object]) {
            match term {
                None => {}
                Some(IndexTerm::Stored(id)) => *slot = Some(*id),
                Some(IndexTerm::Other(_)) => return empty,
            }
        }
        match graph_name {
            None => {}
            Some(None) => pattern[3] = Some(DEFAULT_GRAPH),
            Some(Some(IndexTerm::Stored(id))) => pattern[3] = Some(*id),
            Some(Some(IndexTerm::Other(_))) => return empty,
        }
        let named_only = graph_name.is_none();
        let delta = self.delta.clone();
        // The base's rows, unless the pattern names a replaced graph (or a term only the
        // delta holds, which the base's numbers never reach).
        let (order, range) = match &delta {
            Some(d) if pattern[3].is_some_and(|g| d.drops(g)) => (Order::Spog, 0..0),
            _ => self.index.scan(pattern),
        };
        let base = Scan {
            index: self.index.clone(),
            order,
            at: range.start,
            end: range.end,
            pattern,
            named_only,
            delta: delta.clone(),
        };
        let own = DeltaScan {
            scan: delta.and_then(|d| Some((d.scan(pattern, named_only)?, d))),
        };
        base.chain(own)
    }

    fn internal_named_graphs(&self) -> impl Iterator<Item = Result<IndexTerm, IndexError>> + use<> {
        let mut ids = self.index.graph_ids();
        if let Some(delta) = &self.delta {
            ids.retain(|&g| !delta.drops(g));
            ids.extend(delta.extra.graph_ids().into_iter().map(|g| delta.to_view[g as usize]));
            ids.sort_unstable();
            ids.dedup();
        }
        ids.into_iter().map(|id| Ok(IndexTerm::Stored(id)))
    }

    fn contains_internal_graph_name(&self, graph_name: &IndexTerm) -> Result<bool, IndexError> {
        let IndexTerm::Stored(id) = graph_name else {
            return Ok(false);
        };
        let graph = [None, None, None, Some(*id)];
        Ok(match &self.delta {
            None => !self.index.scan(graph).1.is_empty(),
            Some(delta) => {
                (!delta.drops(*id) && !self.index.scan(graph).1.is_empty())
                    || delta.scan(graph, true).is_some_and(|scan| scan.at < scan.end)
            }
        })
    }

    fn internalize_term(&self, term: Term) -> Result<IndexTerm, IndexError> {
        if let Some(id) = self.index.id_of(term.as_ref()) {
            return Ok(IndexTerm::Stored(id));
        }
        let own = self
            .delta
            .as_ref()
            .and_then(|d| Some(d.to_view[d.extra.id_of(term.as_ref())? as usize]));
        Ok(match own {
            Some(id) => IndexTerm::Stored(id),
            None => IndexTerm::Other(Box::new(term)),
        })
    }

    fn externalize_term(&self, term: IndexTerm) -> Result<Term, IndexError> {
        match term {
            IndexTerm::Stored(id) => self.term(id),
            IndexTerm::Other(term) => Ok(*term),
        }
    }

    fn externalize_expression_term(&self, term: IndexTerm) -> Result<ExpressionTerm, IndexError> {
        let IndexTerm::Stored(id) = term else {
            return self.externalize_term(term).map(Into::into);
        };
        if let Some(value) = self.values.borrow().get(&id) {
            return Ok(value.clone());
        }
        let value = ExpressionTerm::from(self.term(id)?);
        self.values.borrow_mut().insert(id, value.clone());
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_text_escapes_as_oxigraph_does() {
        for value in [
            "",
            "a\u{8}b",
            "\"\\\n\r\t\u{C}",
            "\u{0}\u{1F}\u{7F}\u{FFFE}\u{FFFF}",
            "中文 text",
            "\u{1F600}",
        ] {
            for term in [
                Term::from(Literal::new_simple_literal(value)),
                Literal::new_language_tagged_literal_unchecked(value, "en").into(),
                Literal::new_typed_literal(value, NamedNode::new_unchecked("urn:t")).into(),
            ] {
                assert_eq!(term_text(term.as_ref()), term.to_string(), "{value:?}");
            }
        }
    }

    proptest::proptest! {
        /// The hand-written N-Triples text of a term is Oxigraph's, escapes included.
        #[test]
        fn term_text_is_the_display_text(
            value in "(\\PC|[\\x00-\\x1F\\x7F\\u{FFFE}\\u{FFFF}\"\\\\]){0,40}",
            kind in 0u8..4,
        ) {
            let term: Term = match kind {
                0 => Literal::new_simple_literal(value.as_str()).into(),
                1 => Literal::new_language_tagged_literal_unchecked(value.as_str(), "zh-hans").into(),
                2 => Literal::new_typed_literal(value.as_str(), NamedNode::new_unchecked("http://www.w3.org/2001/XMLSchema#gYear")).into(),
                _ => NamedNode::new_unchecked(format!("https://example.org/{}", value.len())).into(),
            };
            proptest::prop_assert_eq!(term_text(term.as_ref()), term.to_string());
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
        /// Rows compared as one number sort as arrays do; halves sorted apart and merged
        /// sort as one sort does (past the size where two threads are used, too).
        #[test]
        fn the_sorts_agree_with_the_standard_one(
            rows in proptest::collection::vec(proptest::array::uniform4(proptest::prelude::any::<u32>()), 0..200),
            extra in 0usize..70_000,
        ) {
            let mut ours = rows.clone();
            sort_rows(&mut ours);
            let mut standard = rows;
            standard.sort_unstable();
            proptest::prop_assert_eq!(ours, standard);
            let mut many: Vec<u64> = (0..extra as u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).collect();
            let mut expected = many.clone();
            expected.sort_unstable();
            sort_on_two_threads(&mut many);
            proptest::prop_assert_eq!(many, expected);
        }
    }

    fn quad(s: &str, p: &str, o: Term, g: Option<&str>) -> Quad {
        Quad::new(
            NamedNode::new_unchecked(s),
            NamedNode::new_unchecked(p),
            o,
            g.map_or(GraphName::DefaultGraph, |g| NamedNode::new_unchecked(g).into()),
        )
    }

    fn sample() -> Vec<Quad> {
        let lit = |v: &str| Term::from(Literal::new_simple_literal(v));
        vec![
            quad("urn:a", "urn:p", lit("x"), Some("urn:g1")),
            quad("urn:a", "urn:p", lit("x"), Some("urn:g2")),
            quad("urn:a", "urn:p", lit("x\"y\n\\"), None),
            quad(
                "urn:ab",
                "urn:p",
                Literal::new_language_tagged_literal_unchecked("x", "zh").into(),
                Some("urn:g1"),
            ),
            quad("urn:b", "urn:q", Literal::from(42).into(), Some("urn:g2")),
            quad("urn:b", "urn:q", BlankNode::new_unchecked("b0").into(), Some("urn:g2")),
        ]
    }

    /// A term that does not decode makes reading its graph an error, not a shorter graph
    /// (whoever reads a graph to write it back would drop the quad).
    #[test]
    fn a_graph_with_a_term_that_does_not_decode_is_an_error() {
        let quads = sample();
        let mut index = Index::build(quads.iter().map(Quad::as_ref));
        let g1 = GraphNameRef::NamedNode(NamedNodeRef::new_unchecked("urn:g1"));
        assert_eq!(index.graph_quads(g1).expect("whole").len(), 2);
        let zh = index.id_of(
            Literal::new_language_tagged_literal_unchecked("x", "zh")
                .as_ref()
                .into(),
        );
        let at = index.bounds[zh.expect("stored") as usize - 1];
        index.text[at + 1] = 0xFF;
        assert!(index.graph_quads(g1).is_err());
        let mut batch = Batch::new(quads.iter().map(Quad::as_ref));
        assert_eq!(batch.graph_quads(g1).expect("whole").len(), 2);
        batch.0.text[at + 1] = 0xFF;
        assert!(batch.graph_quads(g1).is_err());
    }

    #[test]
    fn the_snapshot_written_from_the_index_is_the_sorted_distinct_lines() {
        let quads = sample();
        let index = Index::build(quads.iter().chain(&quads).map(Quad::as_ref));
        let mut out = Vec::new();
        index.write_nquads(&mut out).expect("write");
        let mut lines: Vec<String> = quads.iter().map(|q| format!("{q} .\n")).collect();
        lines.sort();
        lines.dedup();
        assert_eq!(String::from_utf8(out).expect("utf-8"), lines.concat());
        assert_eq!(index.len(), quads.len());
    }

    #[test]
    fn merging_drops_graphs_and_unused_terms_like_a_fresh_build() {
        let quads = sample();
        let base = Index::build(quads.iter().map(Quad::as_ref));
        let extra = quad(
            "urn:c",
            "urn:p",
            Literal::new_simple_literal("new").into(),
            Some("urn:g3"),
        );
        let merged = Index::merge(&base, |g| g == "<urn:g2>", &[&Batch::new([extra.as_ref()])]);
        let expected: Vec<Quad> = quads
            .iter()
            .filter(|q| q.graph_name.to_string() != "<urn:g2>")
            .chain([&extra])
            .cloned()
            .collect();
        let fresh = Index::build(expected.iter().map(Quad::as_ref));
        assert_eq!(merged.text, fresh.text);
        assert_eq!(merged.rows, fresh.rows);
        assert!(merged
            .id_of_text("\"42\"^^<http://www.w3.org/2001/XMLSchema#integer>")
            .is_none());
    }

    #[test]
    fn every_pattern_finds_what_a_linear_filter_finds() {
        let quads = sample();
        let index = Arc::new(Index::build(quads.iter().map(Quad::as_ref)));
        let view = IndexView::new(index.clone());
        let all: Vec<[u32; 4]> = index.rows[0].clone();
        for mask in 0..16u32 {
            for row in &all {
                let pick = |i: usize| (mask >> i & 1 == 1).then_some(IndexTerm::Stored(row[i]));
                let (s, p, o) = (pick(0), pick(1), pick(2));
                let g = (mask >> 3 & 1 == 1).then(|| (row[3] != DEFAULT_GRAPH).then_some(IndexTerm::Stored(row[3])));
                let found: Vec<_> = view
                    .internal_quads_for_pattern(s.as_ref(), p.as_ref(), o.as_ref(), g.as_ref().map(Option::as_ref))
                    .collect::<Result<_, _>>()
                    .expect("scan");
                let expected = all
                    .iter()
                    .filter(|r| (0..3).all(|i| mask >> i & 1 == 0 || r[i] == row[i]))
                    .filter(|r| {
                        if mask >> 3 & 1 == 1 {
                            r[3] == row[3]
                        } else {
                            r[3] != DEFAULT_GRAPH
                        }
                    })
                    .count();
                assert_eq!(found.len(), expected, "mask {mask:04b} row {row:?}");
            }
        }
    }

    #[test]
    fn the_file_round_trips_and_refuses_damage() {
        let quads = sample();
        let index = Index::build(quads.iter().map(Quad::as_ref));
        let stamp = SnapshotStamp {
            len: 7,
            modified_ns: 9,
            sha256: "ab".repeat(32),
        };
        let mut bytes = Vec::new();
        index.write(&stamp, &mut bytes).expect("write");
        let (read_stamp, read) = Index::read(&mut bytes.as_slice(), bytes.len() as u64, |_| true)
            .expect("read")
            .expect("wanted");
        assert_eq!(read_stamp, stamp);
        assert_eq!(
            (&read.text, &read.bounds, &read.rows),
            (&index.text, &index.bounds, &index.rows)
        );
        assert!(Index::read(&mut bytes.as_slice(), bytes.len() as u64, |_| false)
            .expect("read")
            .is_none());
        for at in [0, 100, bytes.len() / 2, bytes.len() - 1] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x20;
            assert!(
                Index::read(&mut damaged.as_slice(), damaged.len() as u64, |_| true).is_err(),
                "byte {at}"
            );
        }
        assert!(Index::read(&mut &bytes[..bytes.len() - 3], bytes.len() as u64 - 3, |_| true).is_err());
        // A header that asks for more than the file holds is refused before anything is
        // allocated for it.
        let mut greedy = bytes.clone();
        greedy[104..112].copy_from_slice(&(1u64 << 39).to_le_bytes());
        assert!(Index::read(&mut greedy.as_slice(), greedy.len() as u64, |_| true).is_err());
        assert_eq!(index.graph_len(NamedNodeRef::new_unchecked("urn:g2")), 3);
    }

    proptest::proptest! {
        #[test]
        fn a_literal_s_text_parses_back_to_it(value in "\\PC*|[\\x00-\\x20\"\\\\\u{7f}\u{fffe}\u{ffff}]*", lang in "[a-z]{2}") {
            for literal in [
                Literal::new_simple_literal(value.clone()),
                Literal::new_language_tagged_literal_unchecked(value.clone(), lang.clone()),
                Literal::new_typed_literal(value.clone(), NamedNode::new_unchecked("urn:t")),
            ] {
                let term = Term::from(literal);
                proptest::prop_assert_eq!(parse_term(&term.to_string()), Some(term));
            }
        }
    }
}
