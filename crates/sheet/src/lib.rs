//! Tables in and out of files, the way a school office hands them over: `.xlsx` (read with
//! calamine, written with rust_xlsxwriter) and `.csv`, picked by the file's extension.
//!
//! ```text
//!  read(path)  ─▶ Table { rows: [Row { number (as the spreadsheet shows it), cells: [text] }] }
//!  write(path, [Sheet]) ─▶ one workbook with a sheet each (.xlsx), or one file a sheet (.csv)
//! ```
//!
//! Reading turns every cell into the text a person sees: dates as `YYYY-MM-DD`, times as `HH:MM`,
//! whole numbers without `.0`. A merged cell (a date spanning the rows of its day) gives its value
//! to every row it covers. CSV files may be UTF-8 (with or without the BOM Excel writes) or GBK,
//! which Excel on a Chinese Windows saves by default. Writing goes through a temporary file beside
//! the target and a rename, so a full disk never leaves half a list behind; CSV is written with a
//! BOM so Excel opens the Chinese columns as Chinese.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("list.xlsx");
//! let sheet = caiji_sheet::Sheet::new("名单 list", ["班级 class", "人数 count"])
//!     .row([caiji_sheet::Cell::text("软件2201"), caiji_sheet::Cell::Number(30.0)]);
//! caiji_sheet::write(&path, &[sheet]).unwrap();
//! let table = caiji_sheet::read(&path).unwrap();
//! assert_eq!(table.rows[1].cells, ["软件2201", "30"]);
//! assert_eq!(table.rows[1].number, 2);
//! ```
#![deny(missing_docs)]

use caiji_spec::Message;
use calamine::{Data, Reader};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a table could not be read or written. Each variant explains itself in both languages.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SheetError {
    /// The extension is neither `.xlsx` nor `.csv`.
    #[error("{}", self.message())]
    Format(PathBuf),
    /// The file cannot be opened or is not what its extension says.
    #[error("{}", self.message())]
    Read(PathBuf, String),
    /// The workbook has no sheet.
    #[error("{}", self.message())]
    NoSheet(PathBuf),
    /// The file cannot be written.
    #[error("{}", self.message())]
    Write(PathBuf, String),
}

impl SheetError {
    /// What failed and what to do.
    pub fn message(&self) -> Message {
        match self {
            SheetError::Format(p) => Message::new(
                format!("{}：只支持 .xlsx 或 .csv 文件", p.display()),
                format!("{}: only .xlsx and .csv files are supported", p.display()),
            ),
            SheetError::Read(p, e) => Message::new(
                format!("无法读取表格 {}：{e}", p.display()),
                format!("cannot read the table {}: {e}", p.display()),
            ),
            SheetError::NoSheet(p) => Message::new(
                format!("{} 中没有工作表", p.display()),
                format!("{} has no worksheet", p.display()),
            ),
            SheetError::Write(p, e) => Message::new(
                format!("无法写入 {}：{e}（磁盘已满或目录不可写？）", p.display()),
                format!(
                    "cannot write {}: {e} (disk full or folder not writable?)",
                    p.display()
                ),
            ),
        }
    }
}

/// What is wrong with one row (or one cell) of a file a person made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RowError {
    /// The spreadsheet's row number.
    pub row: u32,
    /// The column's letters, when one cell is at fault.
    pub column: Option<String>,
    /// Why, and what to write instead.
    #[serde(flatten)]
    pub message: Message,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cell = self.column.as_deref().unwrap_or("");
        write!(
            f,
            "第 {} 行{cell}：{} / row {}{}: {}",
            self.row,
            self.message.zh,
            self.row,
            if cell.is_empty() {
                String::new()
            } else {
                format!(" column {cell}")
            },
            self.message.en
        )
    }
}

impl RowError {
    /// An error in row `row`, in column `column` (0-based) when one cell is at fault.
    pub fn new(row: u32, column: Option<usize>, message: Message) -> RowError {
        RowError {
            row,
            column: column.map(column_name),
            message,
        }
    }
}

/// The two formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Office Open XML workbook.
    Xlsx,
    /// Comma-separated values.
    Csv,
}

impl Format {
    /// The format a path's extension names.
    pub fn of(path: &Path) -> Result<Format, SheetError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref()
        {
            Some("xlsx") => Ok(Format::Xlsx),
            Some("csv") => Ok(Format::Csv),
            _ => Err(SheetError::Format(path.to_path_buf())),
        }
    }
}

/// One row as read, with the number a person sees in the spreadsheet (1 is the first row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The spreadsheet's row number.
    pub number: u32,
    /// Each cell's text, trimmed.
    pub cells: Vec<String>,
}

impl Row {
    /// The cell in column `i`, or "" past the row's end.
    pub fn cell(&self, i: usize) -> &str {
        self.cells.get(i).map(String::as_str).unwrap_or("")
    }
    /// Whether every cell is empty.
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.is_empty())
    }
}

/// The first sheet of a file: its rows, blank ones included so numbers stay true.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The rows, top to bottom.
    pub rows: Vec<Row>,
}

/// A spreadsheet column's letters: 0 → A, 25 → Z, 26 → AA.
pub fn column_name(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Read the first sheet of an `.xlsx` or `.csv` file.
pub fn read(path: &Path) -> Result<Table, SheetError> {
    match Format::of(path)? {
        Format::Xlsx => read_xlsx(path),
        Format::Csv => read_csv(path),
    }
}

fn read_xlsx(path: &Path) -> Result<Table, SheetError> {
    let fail = |e: &dyn std::fmt::Display| SheetError::Read(path.to_path_buf(), e.to_string());
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path).map_err(|e| fail(&e))?;
    let name = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| SheetError::NoSheet(path.to_path_buf()))?;
    let range = wb.worksheet_range(&name).map_err(|e| fail(&e))?;
    let merged = match wb.worksheet_merge_cells(&name) {
        Some(Ok(m)) => m,
        Some(Err(e)) => return Err(fail(&e)),
        None => Vec::new(),
    };
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let width = range.width();
    let mut grid: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect();
    // Leading empty rows and columns are not in the range: put them back so numbers are true.
    for row in &mut grid {
        let mut full = vec![String::new(); c0 as usize];
        full.append(row);
        *row = full;
    }
    let mut all = vec![vec![String::new(); c0 as usize + width]; r0 as usize];
    all.append(&mut grid);
    for m in merged {
        let (sr, sc) = (m.start.0 as usize, m.start.1 as usize);
        let Some(value) = all.get(sr).and_then(|r| r.get(sc)).cloned() else {
            continue;
        };
        for r in sr..=(m.end.0 as usize) {
            for c in sc..=(m.end.1 as usize) {
                if let Some(cell) = all.get_mut(r).and_then(|row| row.get_mut(c)) {
                    *cell = value.clone();
                }
            }
        }
    }
    Ok(Table {
        rows: all
            .into_iter()
            .enumerate()
            .map(|(i, cells)| Row {
                number: i as u32 + 1,
                cells,
            })
            .collect(),
    })
}

/// The text a person sees in a cell.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, _, _) = dt.to_ymd_hms_milli();
            let v = dt.as_f64();
            if v < 1.0 {
                format!("{h:02}:{mi:02}")
            } else if v.fract() == 0.0 {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}")
            }
        }
        Data::Error(e) => format!("#{e}"),
    }
}

fn read_csv(path: &Path) -> Result<Table, SheetError> {
    let bytes =
        std::fs::read(path).map_err(|e| SheetError::Read(path.to_path_buf(), e.to_string()))?;
    let text = decode(&bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // Newlines counted so far, up to byte `seen`: the count moves forward with the records.
    let (b, mut seen, mut newlines) = (text.as_bytes(), 0usize, 0u32);
    for rec in rdr.records() {
        let rec = rec.map_err(|e| SheetError::Read(path.to_path_buf(), e.to_string()))?;
        // A record's position is where csv began looking for it, before the blank lines it
        // skips: step over those to the record's own line.
        let mut at = rec.position().map_or(seen, |p| p.byte() as usize);
        while at < b.len() && (b[at] == b'\n' || b[at] == b'\r') {
            at += 1;
        }
        let at = at.max(seen);
        newlines += b[seen..at].iter().filter(|&&c| c == b'\n').count() as u32;
        seen = at;
        rows.push(Row {
            number: newlines + 1,
            cells: rec.iter().map(|c| c.trim().to_string()).collect(),
        });
    }
    Ok(Table { rows })
}

/// UTF-8 (BOM or not), else GBK/GB18030 as Excel on a Chinese Windows saves CSV.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// A cell to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (student numbers too, so a spreadsheet never rounds them).
    Text(String),
    /// A number.
    Number(f64),
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
}

/// A sheet to write: a name, a header row, rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The sheet's tab name (xlsx), or the suffix of its file (csv, after the first sheet).
    pub name: String,
    /// The header row.
    pub header: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    /// A sheet with its header.
    pub fn new<S: Into<String>>(name: &str, header: impl IntoIterator<Item = S>) -> Sheet {
        Sheet {
            name: name.to_string(),
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }
    /// Add a row.
    pub fn row(mut self, cells: impl IntoIterator<Item = Cell>) -> Sheet {
        self.push(cells);
        self
    }
    /// Add a row in place.
    pub fn push(&mut self, cells: impl IntoIterator<Item = Cell>) {
        self.rows.push(cells.into_iter().collect());
    }
}

/// Where the CSV file of sheet `i` of `sheets` goes: the path itself for the first, then
/// `<stem>-<ascii part of the sheet's name>.csv` beside it.
pub fn csv_paths(path: &Path, sheets: &[Sheet]) -> Vec<PathBuf> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    sheets
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if i == 0 {
                return path.to_path_buf();
            }
            let slug: String = s
                .name
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
                .collect::<String>()
                .trim()
                .replace(' ', "-")
                .to_ascii_lowercase();
            let slug = if slug.is_empty() {
                format!("{}", i + 1)
            } else {
                slug
            };
            path.with_file_name(format!("{stem}-{slug}.csv"))
        })
        .collect()
}

/// Write the sheets to `path`: one workbook (`.xlsx`), or one CSV file each ([`csv_paths`]).
/// Returns the files written.
pub fn write(path: &Path, sheets: &[Sheet]) -> Result<Vec<PathBuf>, SheetError> {
    match Format::of(path)? {
        Format::Xlsx => {
            let bytes = xlsx_bytes(sheets).map_err(|e| SheetError::Write(path.into(), e))?;
            write_atomic(path, &bytes)?;
            Ok(vec![path.to_path_buf()])
        }
        Format::Csv => {
            let paths = csv_paths(path, sheets);
            for (p, s) in paths.iter().zip(sheets) {
                write_atomic(
                    p,
                    &csv_bytes(s).map_err(|e| SheetError::Write(p.clone(), e))?,
                )?;
            }
            Ok(paths)
        }
    }
}

fn xlsx_bytes(sheets: &[Sheet]) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut wb = Workbook::new();
    let bold = XFormat::new().set_bold();
    for s in sheets {
        let ws = wb.add_worksheet();
        // Excel limits a tab name to 31 characters and refuses a few symbols.
        let name: String = s
            .name
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        ws.set_name(name).map_err(e)?;
        for (c, h) in s.header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(e)?;
            ws.set_column_width(c as u16, 16).map_err(e)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    Cell::Text(t) => ws.write_string(r, c, t).map_err(e)?,
                    Cell::Number(n) => ws.write_number(r, c, *n).map_err(e)?,
                };
            }
        }
        ws.set_freeze_panes(1, 0).map_err(e)?;
    }
    wb.save_to_buffer().map_err(e)
}

fn csv_bytes(s: &Sheet) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(&s.header).map_err(|e| e.to_string())?;
    for row in &s.rows {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(t) => t.clone(),
            Cell::Number(n) if n.fract() == 0.0 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
        }))
        .map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

/// Write through a temporary file beside `path`, fsync, rename: never half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SheetError> {
    let fail = |e: std::io::Error| SheetError::Write(path.to_path_buf(), e.to_string());
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_run_past_z() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn gbk_csv_from_a_chinese_excel_is_read_as_chinese() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("gbk.csv");
        let (bytes, _, _) = encoding_rs::GBK.encode("班级,姓名\n软件2201,张三\n");
        std::fs::write(&p, &bytes).unwrap();
        let t = read(&p).unwrap();
        assert_eq!(t.rows[1].cells, ["软件2201", "张三"], "GBK decoded");
        assert_eq!(t.rows[1].number, 2, "line numbers count from 1");
    }

    #[test]
    fn csv_round_trips_with_a_bom_and_extra_sheets_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        let a = Sheet::new("补拍 retake", ["a", "b"]).row([Cell::text("x,y"), Cell::Number(3.0)]);
        let b = Sheet::new("重名 ambiguous", ["c"]).row([Cell::text("z")]);
        let files = write(&p, &[a, b]).unwrap();
        assert_eq!(files[1], dir.path().join("out-ambiguous.csv"));
        assert!(
            std::fs::read(&p).unwrap().starts_with(b"\xEF\xBB\xBF"),
            "BOM"
        );
        let t = read(&p).unwrap();
        assert_eq!(t.rows[1].cells, ["x,y", "3"], "quoted comma kept");
        assert_eq!(read(&files[1]).unwrap().rows[1].cells, ["z"]);
    }

    #[test]
    fn other_extensions_are_refused_by_name() {
        let e = read(Path::new("roster.xls")).unwrap_err();
        assert!(matches!(e, SheetError::Format(_)));
        assert!(e.message().zh.contains(".xlsx"), "{}", e.message().zh);
    }

    #[test]
    fn a_corrupt_workbook_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.xlsx");
        std::fs::write(&p, b"not a zip").unwrap();
        assert!(matches!(read(&p), Err(SheetError::Read(..))));
    }
}
