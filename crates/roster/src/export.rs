//! The station's export of the photographed: what it writes and how it is read back.

use crate::{
    Column, Header, HeaderGap, RosterError, compact_upper, find_header, header_norm, last4,
};
use caiji_sheet::{Cell, Row, Sheet, Table};
use std::path::Path;

/// One photographed student, as the station's export lists them. Nothing here identifies a
/// student on its own: the name is masked to its first and last character, the ID number cut to
/// its last four.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Photographed {
    /// The name as capture codes mask it: `张*丰`, `李*`.
    pub name_masked: String,
    /// The ID number's last four characters.
    pub id_tail: String,
    /// The student number, when the code carries one.
    pub student_no: Option<String>,
    /// The session (场次) the photo was taken in.
    pub slot: String,
    /// Where it was taken.
    pub room: String,
    /// When it was taken.
    pub time: String,
    /// The SHA-256 of the photo file, hex.
    pub sha256: String,
    /// Whether it has reached the school's collector.
    pub upload_state: String,
    /// The fee state, as the station knows it.
    pub fee: String,
}

/// The export's columns, Chinese and English; a header cell is written `"{zh} {en}"` and read by
/// either part or both. Column order in a file does not matter.
pub const EXPORT_COLUMNS: [(&str, &str); 9] = [
    ("姓名（脱敏）", "name (masked)"),
    ("证件号后四位", "ID tail"),
    ("学号", "student no."),
    ("场次", "slot"),
    ("采集地点", "room"),
    ("时间", "time"),
    ("照片 SHA-256", "photo SHA-256"),
    ("上传状态", "upload"),
    ("缴费", "fee"),
];

/// The export's header row.
pub(crate) fn export_header() -> Vec<String> {
    EXPORT_COLUMNS
        .iter()
        .map(|(zh, en)| format!("{zh} {en}"))
        .collect()
}

/// One export row's cells, every one text (a student number stays as written).
pub(crate) fn export_cells(p: &Photographed) -> Vec<Cell> {
    [
        ensure_masked(&p.name_masked),
        last4(p.id_tail.trim()),
        p.student_no.clone().unwrap_or_default(),
        p.slot.clone(),
        p.room.clone(),
        p.time.clone(),
        p.sha256.clone(),
        p.upload_state.clone(),
        p.fee.clone(),
    ]
    .into_iter()
    .map(Cell::Text)
    .collect()
}

/// The sheet of the station's export: one row per photographed student. Whatever is not already
/// a mask is masked here and an ID tail longer than four is cut, so a caller's slip cannot put a
/// full name or ID number into a file that leaves the station.
pub fn export_sheets(rows: &[Photographed]) -> Vec<Sheet> {
    let mut sheet = Sheet::new("已拍摄 photographed", export_header());
    for p in rows {
        sheet.push(export_cells(p));
    }
    vec![sheet]
}

/// `张*丰` and `李*` are masks (first character, stars, last character; two-character names end
/// in the star); anything else is masked now.
fn ensure_masked(name: &str) -> String {
    let name = name.trim();
    let c: Vec<char> = name.chars().collect();
    let n = c.len();
    let masked = n <= 1
        || c[0] != '*'
            && c[1..n - 1].iter().all(|&x| x == '*')
            && (n == 2 && c[1] == '*' || n >= 3 && c[n - 1] != '*');
    if masked {
        name.to_string()
    } else {
        caiji_code::mask_name(name)
    }
}

/// Read a station's export (`.xlsx` or `.csv`), columns in any order below any title rows.
pub fn read_export(path: &Path) -> Result<Vec<Photographed>, RosterError> {
    parse_export(&caiji_sheet::read(path)?)
}

/// The photographed listed in a table read from an export. The masked name and ID tail columns
/// must be there; the others are read when present. Rows may have empty fields (a code that
/// carries no name cannot be matched and will be listed as not on the roster).
pub fn parse_export(table: &Table) -> Result<Vec<Photographed>, RosterError> {
    let norms: Vec<[String; 2]> = EXPORT_COLUMNS
        .iter()
        .map(|(zh, en)| [header_norm(zh), header_norm(en)])
        .collect();
    let names = |k: usize, h: &str| {
        let [zh, en] = &norms[k];
        h == zh || h == en || h.strip_prefix(zh.as_str()) == Some(en.as_str())
    };
    let Header { at, cols } =
        find_header(table, norms.len(), names, &[0, 1]).map_err(|HeaderGap { row, lacking }| {
            RosterError::NoExportHeader {
                row,
                lacking: lacking
                    .into_iter()
                    .map(|k| [Column::NameMasked, Column::IdTail][k])
                    .collect(),
            }
        })?;
    fn field<'a>(cols: &[Option<usize>], row: &'a Row, k: usize) -> &'a str {
        cols[k].map(|c| row.cell(c).trim()).unwrap_or("")
    }
    let get = |row, k| field(&cols, row, k);
    Ok(table.rows[at + 1..]
        .iter()
        .filter(|r| (0..cols.len()).any(|k| !get(r, k).is_empty()))
        .map(|r| Photographed {
            name_masked: get(r, 0).to_string(),
            id_tail: compact_upper(get(r, 1)),
            student_no: Some(get(r, 2).to_string()).filter(|s| !s.is_empty()),
            slot: get(r, 3).to_string(),
            room: get(r, 4).to_string(),
            time: get(r, 5).to_string(),
            sha256: get(r, 6).to_string(),
            upload_state: get(r, 7).to_string(),
            fee: get(r, 8).to_string(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_stay_and_full_names_are_masked() {
        assert_eq!(ensure_masked("张*丰"), "张*丰");
        assert_eq!(ensure_masked("李*"), "李*");
        assert_eq!(ensure_masked("欧**锋"), "欧**锋");
        assert_eq!(ensure_masked("张三丰"), "张*丰");
        assert_eq!(ensure_masked("李四"), "李*");
        assert_eq!(ensure_masked("*四"), "**");
        assert_eq!(ensure_masked(""), "");
    }
}
