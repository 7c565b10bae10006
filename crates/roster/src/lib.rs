//! Who was photographed and who is missing, without the station ever holding a roster.
//!
//! ```text
//!  station (no roster)
//!    the day's shots ─▶ [Photographed] ─▶ export_sheets ─▶ caiji_sheet::write ─▶ export.xlsx / .csv
//!                       masked name, ID tail, student no. (when the code has one),
//!                       slot, room, time, photo SHA-256, upload state, fee — nothing more personal
//!
//!  the school's own computer
//!    roster.xlsx / .csv ─▶ read_roster ─▶ Roster { rows, errors (row + column, 中文 + English) }
//!    export.xlsx / .csv ─▶ read_export ─▶ [Photographed]
//!    find_missing(roster, photographed) ─▶ Outcome { missing, ambiguous, not_on_roster, matched, errors }
//!    missing_sheets(outcome) ─▶ caiji_sheet::write ─▶ 补拍名单 | 重名待核 | 名单外 | 名单错误
//! ```
//!
//! How a roster row finds its photo ([`find_missing`]):
//!
//! 1. **By student number** when the export row and the roster row both have one: equal numbers
//!    match, whatever the names say; different numbers never match (two people).
//! 2. **By key** otherwise: the roster name masked the way capture codes mask it
//!    ([`caiji_code::mask_name`]) plus the ID number's last four, against the export's masked
//!    name and ID tail, among the roster rows step 1 left over. One roster row with the key: a
//!    match. Two or more (the same surname, last character and tail — common names make this
//!    happen in every year): an [`Ambiguity`], never a guess. When as many were photographed as
//!    the group has, the group counts as photographed but is still listed; when fewer, its rows go
//!    to the ambiguous list for a person to check, not to the missing list.
//! 3. Roster rows left over are **missing** (the 补拍 list); export rows no roster row accounts for
//!    are **not on the roster**.
//!
//! Personal data stays where it belongs: the export carries only masks (and [`export_sheets`]
//! masks again whatever a caller forgot to), every output writes an ID number as its last four
//! behind stars, row errors never quote an ID number, and [`RosterRow`]'s `Debug` prints only its
//! row and class.
//!
//! ```
//! use caiji_roster::{Photographed, find_missing, missing_sheets, parse_roster};
//! use caiji_sheet::{Cell, Row, Table};
//! let row = |n, c: &[&str]| Row { number: n, cells: c.iter().map(|s| s.to_string()).collect() };
//! let roster = parse_roster(&Table { rows: vec![
//!     row(1, &["2027届毕业生名单"]),
//!     row(2, &["班级", "学号", "姓名", "身份证号"]),
//!     row(3, &["软件2201", "2022010101", "张三丰", "11010120000101123X"]),
//!     row(4, &["软件2201", "2022010102", "李四", "110101200002021234"]),
//! ]})?;
//! let shot = Photographed {
//!     name_masked: "张*丰".into(),
//!     id_tail: "123X".into(),
//!     ..Photographed::default()
//! };
//! let outcome = find_missing(&roster, &[shot]);
//! assert_eq!(outcome.matched, 1, "张三丰 by masked name and ID tail");
//! assert_eq!(outcome.missing.len(), 1);
//! assert_eq!(outcome.missing[0].student_no, "2022010102");
//! let retake = &missing_sheets(&outcome)[0];
//! assert_eq!(retake.rows[0][3], Cell::text("**************1234"), "only the last four of the ID");
//! # Ok::<(), caiji_roster::RosterError>(())
//! ```
#![deny(missing_docs)]

mod export;
mod matching;
mod report;
mod roster;

pub use caiji_sheet::RowError;
pub use export::{EXPORT_COLUMNS, Photographed, export_sheets, parse_export, read_export};
pub use matching::{Ambiguity, Outcome, find_missing};
pub use report::{mask_id, missing_sheets};
pub use roster::{Roster, RosterRow, parse_roster, read_roster};

use caiji_sheet::{SheetError, Table};
use caiji_spec::Message;

/// A column a file must have, as [`RosterError`] names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Column {
    /// The roster's 班级 / class.
    Class,
    /// The roster's 学号 / student_no.
    StudentNo,
    /// The roster's 姓名 / name.
    Name,
    /// The roster's 身份证号 / id_number.
    IdNumber,
    /// The export's 姓名（脱敏） / name (masked).
    NameMasked,
    /// The export's 证件号后四位 / ID tail.
    IdTail,
}

impl Column {
    /// The column's Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Column::Class => "班级",
            Column::StudentNo => "学号",
            Column::Name => "姓名",
            Column::IdNumber => "身份证号",
            Column::NameMasked => "姓名（脱敏）",
            Column::IdTail => "证件号后四位",
        }
    }
    /// The column's English name.
    pub fn en(self) -> &'static str {
        match self {
            Column::Class => "class",
            Column::StudentNo => "student_no",
            Column::Name => "name",
            Column::IdNumber => "id_number",
            Column::NameMasked => "name (masked)",
            Column::IdTail => "ID tail",
        }
    }
}

/// Why a roster or an export could not be used at all. Problems with single roster rows are not
/// errors of this kind: they are [`RowError`]s in [`Roster::errors`], and the other rows go on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RosterError {
    /// The file could not be read.
    #[error(transparent)]
    Sheet(#[from] SheetError),
    /// No row names the four roster columns.
    #[error("{}", self.message())]
    NoRosterHeader {
        /// The row that came closest, if any row named one of the columns.
        row: Option<u32>,
        /// The columns that row lacks (all four when no row came close).
        lacking: Vec<Column>,
    },
    /// No row names the export's masked name and ID tail columns: not a station export.
    #[error("{}", self.message())]
    NoExportHeader {
        /// The row that came closest, if any.
        row: Option<u32>,
        /// The columns that row lacks.
        lacking: Vec<Column>,
    },
    /// The roster has its header but no student below it.
    #[error("{}", self.message())]
    EmptyRoster,
}

impl RosterError {
    /// What failed and what to do, in Chinese and English.
    pub fn message(&self) -> Message {
        let missing = |row: &Option<u32>, lacking: &[Column]| {
            let zh: Vec<String> = lacking.iter().map(|c| format!("“{}”", c.zh())).collect();
            let en: Vec<&str> = lacking.iter().map(|c| c.en()).collect();
            match row {
                Some(r) => (
                    format!("（最接近的是第 {r} 行，缺少{}）", zh.join("")),
                    format!(" (row {r} comes closest; it lacks {})", en.join(", ")),
                ),
                None => (String::new(), String::new()),
            }
        };
        match self {
            RosterError::Sheet(e) => e.message(),
            RosterError::NoRosterHeader { row, lacking } => {
                let (zh, en) = missing(row, lacking);
                Message::new(
                    format!("名单中找不到表头：需要“班级”“学号”“姓名”“身份证号”四列，顺序不限{zh}"),
                    format!(
                        "no header row in the roster: the columns 班级/class, 学号/student_no, \
                         姓名/name and 身份证号/id_number are needed, in any order{en}"
                    ),
                )
            }
            RosterError::NoExportHeader { row, lacking } => {
                let (zh, en) = missing(row, lacking);
                Message::new(
                    format!(
                        "这不是采集站导出的已拍摄名单：找不到“姓名（脱敏）”“证件号后四位”列{zh}"
                    ),
                    format!(
                        "not a station's export of the photographed: no columns \
                         'name (masked)' and 'ID tail'{en}"
                    ),
                )
            }
            RosterError::EmptyRoster => Message::new(
                "名单表头下面没有学生",
                "the roster has no student below its header",
            ),
        }
    }
}

/// Find the header row: the first row (below any title rows) in which a cell names each
/// `required` column of `count`. `names(k, h)` says whether the normalised cell `h` names column
/// `k`; the first such cell wins. On failure, the closest row and the required columns it lacks.
fn find_header(
    table: &Table,
    count: usize,
    names: impl Fn(usize, &str) -> bool,
    required: &[usize],
) -> Result<Header, HeaderGap> {
    let mut best: Option<(usize, u32, Vec<usize>)> = None;
    for (at, row) in table.rows.iter().enumerate() {
        let mut cols = vec![None; count];
        for (i, cell) in row.cells.iter().enumerate() {
            let h = header_norm(cell);
            if let Some(k) = (0..count).find(|&k| cols[k].is_none() && names(k, &h)) {
                cols[k] = Some(i);
            }
        }
        let lacking: Vec<usize> = required
            .iter()
            .copied()
            .filter(|&k| cols[k].is_none())
            .collect();
        if lacking.is_empty() {
            return Ok(Header { at, cols });
        }
        let found = required.len() - lacking.len();
        if found > 0 && best.as_ref().is_none_or(|b| found > b.0) {
            best = Some((found, row.number, lacking));
        }
    }
    Err(match best {
        Some((_, row, lacking)) => HeaderGap {
            row: Some(row),
            lacking,
        },
        None => HeaderGap {
            row: None,
            lacking: required.to_vec(),
        },
    })
}

/// Where the header row is (its index in the table) and each column's index in it.
struct Header {
    at: usize,
    cols: Vec<Option<usize>>,
}

/// The row closest to a header, and the required columns it lacks.
struct HeaderGap {
    row: Option<u32>,
    lacking: Vec<usize>,
}

/// A header cell as compared: lower case, without spaces and the punctuation people put between
/// the two languages (`班级/class`, `姓名（脱敏） name (masked)`, `student_no`).
fn header_norm(s: &str) -> String {
    s.chars()
        .map(fold)
        .filter(|c| !c.is_whitespace() && !"()（）[]【】._-:：/／、·".contains(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a normalised header cell is one of the Chinese names, one of the English names, or a
/// Chinese name followed by an English one (`班级 class`).
fn named(h: &str, zh: &[&str], en: &[&str]) -> bool {
    zh.contains(&h)
        || en.contains(&h)
        || zh
            .iter()
            .any(|z| h.strip_prefix(z).is_some_and(|rest| en.contains(&rest)))
}

/// Full-width ASCII forms (what Word and Chinese input methods produce: `１２３`, `Ｘ`, `＊`) as
/// ASCII.
fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// A student number as compared: folded, without spaces, upper case, and — when it is all digits
/// — without leading zeros, because a spreadsheet that took the column for numbers dropped them
/// (`0210101` in the code, `210101` in the roster).
fn number_key(s: &str) -> String {
    let s: String = s
        .chars()
        .map(fold)
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let t = s.trim_start_matches('0');
        return if t.is_empty() { "0".into() } else { t.into() };
    }
    s
}

/// Text compared as written but folded, without spaces, upper case: ID numbers, tails, masks.
fn compact_upper(s: &str) -> String {
    s.chars()
        .map(fold)
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The last four characters.
fn last4(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    c[c.len().saturating_sub(4)..].iter().collect()
}

/// Compare as people sort class names and student numbers: runs of digits by their value
/// (`软件2209` before `软件2210`, `99` before `100`).
fn natural(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let run = |it: &mut std::iter::Peekable<std::str::Chars>| {
                    let mut s = String::new();
                    while let Some(c) = it.next_if(char::is_ascii_digit) {
                        s.push(c);
                    }
                    s.trim_start_matches('0').to_string()
                };
                let (n, m) = (run(&mut x), run(&mut y));
                let o = n.len().cmp(&m.len()).then_with(|| n.cmp(&m));
                if o != Ordering::Equal {
                    return o;
                }
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(&d);
                }
                x.next();
                y.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_in_either_language_or_both() {
        let class = |s: &str| named(&header_norm(s), &["班级"], &["class"]);
        assert!(class("班级"));
        assert!(class(" Class "));
        assert!(class("班级 class"));
        assert!(class("班级/class"));
        assert!(!class("班级人数"), "a longer name is another column");
        assert!(!class("classroom"));
    }

    #[test]
    fn student_numbers_compare_past_lost_leading_zeros_and_full_width_digits() {
        assert_eq!(number_key("0210101"), number_key("210101"));
        assert_eq!(number_key("２０２２ ０１"), "202201");
        assert_eq!(number_key("000"), "0");
        assert_eq!(number_key("s01"), "S01", "letters keep their zeros");
    }

    #[test]
    fn natural_order_reads_digits_as_numbers() {
        use std::cmp::Ordering::*;
        assert_eq!(natural("软件2209", "软件2210"), Less);
        assert_eq!(natural("99", "100"), Less);
        assert_eq!(natural("a", "a1"), Less);
        assert_eq!(natural("英语2201", "软件2201"), "英".cmp("软"));
        assert_eq!(natural("007", "7"), "007".cmp("7"), "total order");
    }

    #[test]
    fn last_four_counts_characters() {
        assert_eq!(last4("11010120000101123X"), "123X");
        assert_eq!(last4("12"), "12");
    }
}
