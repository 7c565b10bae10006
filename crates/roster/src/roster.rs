//! The school's roster: read on the school's own computer, checked row by row.

use crate::{
    Column, Header, HeaderGap, RosterError, compact_upper, find_header, named, number_key,
};
use caiji_sheet::{Row, RowError, Table};
use caiji_spec::Message;
use std::collections::HashMap;
use std::path::Path;

/// One student of the school's roster. Personal data: its `Debug` prints the row and class only.
#[derive(Clone, PartialEq, Eq)]
pub struct RosterRow {
    /// The spreadsheet's row number.
    pub row: u32,
    /// 班级.
    pub class: String,
    /// 学号, as written (may be empty).
    pub student_no: String,
    /// 姓名, without the spaces people pad two-character names with (`张  三`); a name in Latin
    /// letters keeps one space between its words.
    pub name: String,
    /// 身份证号, without spaces, a final `x` upper case.
    pub id_number: String,
}

impl std::fmt::Debug for RosterRow {
    // Never the name or the ID number: a test failure or a log line must not leak them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RosterRow")
            .field("row", &self.row)
            .field("class", &self.class)
            .finish_non_exhaustive()
    }
}

/// A roster as read: the rows fit for matching, and what is wrong with the others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    /// The rows without errors, top to bottom.
    pub rows: Vec<RosterRow>,
    /// Each problem with its row and column; those rows are not in `rows`.
    pub errors: Vec<RowError>,
}

/// Read and check a roster file (`.xlsx` or `.csv`).
pub fn read_roster(path: &Path) -> Result<Roster, RosterError> {
    parse_roster(&caiji_sheet::read(path)?)
}

const CLASS: usize = 0;
const NUMBER: usize = 1;
const NAME: usize = 2;
const ID: usize = 3;

/// Whether a normalised header cell names roster column `k`.
fn roster_column(k: usize, h: &str) -> bool {
    match k {
        CLASS => named(
            h,
            &["班级", "班级名称", "行政班", "行政班级"],
            &["class", "classname"],
        ),
        NUMBER => named(h, &["学号"], &["studentno", "studentnumber", "studentid"]),
        NAME => named(
            h,
            &["姓名", "学生姓名"],
            &["name", "studentname", "fullname"],
        ),
        ID => named(
            h,
            &["身份证号", "身份证号码", "身份证", "证件号", "证件号码"],
            &["idnumber", "idno", "idcard", "idcardnumber"],
        ),
        _ => false,
    }
}

/// Check a table read from a roster file. The header row is found by its column names (Chinese
/// or English, in any order, below any title rows). Every row below it that has something in one
/// of the four columns is a student: checked, and either kept or reported with its row and
/// column. Of two rows with the same student number or ID number, the first is kept and the
/// second reported, naming the first.
pub fn parse_roster(table: &Table) -> Result<Roster, RosterError> {
    let Header { at, cols } = find_header(table, 4, roster_column, &[CLASS, NUMBER, NAME, ID])
        .map_err(|HeaderGap { row, lacking }| RosterError::NoRosterHeader {
            row,
            lacking: lacking
                .into_iter()
                .map(|k| {
                    [
                        Column::Class,
                        Column::StudentNo,
                        Column::Name,
                        Column::IdNumber,
                    ][k]
                })
                .collect(),
        })?;
    let col = |k: usize| cols[k].unwrap_or_default();
    let mut roster = Roster::default();
    let mut numbers: HashMap<String, u32> = HashMap::new();
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut students = 0;
    for row in &table.rows[at + 1..] {
        let cell = |k: usize| row.cell(col(k)).trim();
        if [CLASS, NUMBER, NAME, ID]
            .iter()
            .all(|&k| cell(k).is_empty())
        {
            continue;
        }
        students += 1;
        let mut errors = Vec::new();
        let err = |k: usize, zh: String, en: String| {
            RowError::new(row.number, Some(col(k)), Message::new(zh, en))
        };
        let class = cell(CLASS).to_string();
        if class.is_empty() {
            errors.push(err(CLASS, "缺少班级".into(), "the class is missing".into()));
        }
        let name = name_as_compared(cell(NAME));
        if name.is_empty() {
            errors.push(err(NAME, "缺少姓名".into(), "the name is missing".into()));
        }
        let id_number = compact_upper(cell(ID));
        if let Some(m) = id_problem(&id_number) {
            errors.push(RowError::new(row.number, Some(col(ID)), m));
        }
        let student_no = cell(NUMBER).to_string();
        if errors.is_empty() {
            errors.extend(duplicates(
                row,
                &student_no,
                &id_number,
                &mut numbers,
                &mut ids,
                col(NUMBER),
                col(ID),
            ));
        }
        if errors.is_empty() {
            roster.rows.push(RosterRow {
                row: row.number,
                class,
                student_no,
                name,
                id_number,
            });
        } else {
            roster.errors.extend(errors);
        }
    }
    if students == 0 {
        return Err(RosterError::EmptyRoster);
    }
    Ok(roster)
}

/// A name without the padding people align Chinese names with (`张  三`, `王　五`): masks count
/// characters, and the code's mask of 张三 is `张*`. Names in Latin letters keep one space between
/// words, as a code would mask them.
fn name_as_compared(raw: &str) -> String {
    if raw.chars().any(|c| c.is_ascii_alphabetic()) {
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        raw.chars().filter(|c| !c.is_whitespace()).collect()
    }
}

/// A row whose student number or ID number an earlier kept row already has; otherwise the row's
/// numbers are remembered.
fn duplicates(
    row: &Row,
    student_no: &str,
    id_number: &str,
    numbers: &mut HashMap<String, u32>,
    ids: &mut HashMap<String, u32>,
    number_col: usize,
    id_col: usize,
) -> Vec<RowError> {
    let mut out = Vec::new();
    let number = number_key(student_no);
    if let Some(&first) = numbers.get(&number).filter(|_| !number.is_empty()) {
        out.push(RowError::new(
            row.number,
            Some(number_col),
            Message::new(
                format!("学号 {student_no} 与第 {first} 行重复"),
                format!("the student number {student_no} is also on row {first}"),
            ),
        ));
    }
    // The ID number is never quoted: this message ends up in a file.
    if let Some(&first) = ids.get(id_number) {
        out.push(RowError::new(
            row.number,
            Some(id_col),
            Message::new(
                format!("身份证号与第 {first} 行相同"),
                format!("the same ID number as row {first}"),
            ),
        ));
    }
    if out.is_empty() {
        if !number.is_empty() {
            numbers.insert(number, row.number);
        }
        ids.insert(id_number.to_string(), row.number);
    }
    out
}

/// What is wrong with an ID number (already without spaces, upper case), if anything. The
/// number itself is never quoted.
fn id_problem(id: &str) -> Option<Message> {
    let n = id.chars().count();
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if id.is_empty() {
        return Some(Message::new("缺少身份证号", "the ID number is missing"));
    }
    if id.contains("E+") && id.contains('.') {
        return Some(Message::new(
            "身份证号被表格写成了科学计数法（如 1.10101E+17），末几位已经丢失：\
             请把这一列设为“文本”后重新填写",
            "the spreadsheet wrote the ID number in scientific notation (like 1.10101E+17) and \
             its last digits are lost: format the column as text and enter the numbers again",
        ));
    }
    let ok = match n {
        18 => digits(&id[..17]) && (digits(&id[17..]) || &id[17..] == "X"),
        15 => digits(id),
        _ => false,
    };
    if !ok {
        return Some(Message::new(
            format!("身份证号应为 18 位（末位可为 X）或 15 位数字，这里是 {n} 个字符或含其他字符"),
            format!(
                "the ID number must be 18 characters (digits, the last may be X) or 15 digits; \
                 this one has {n} characters or other characters"
            ),
        ));
    }
    // A spreadsheet keeps 15 significant digits of a number: an 18-digit ID typed into a number
    // cell comes back ending in 000, and its tail can then match nobody. A real ID ending in 000
    // has the check digit 0.
    if n == 18 && id.ends_with("000") && check_digit(&id[..17]) != '0' {
        return Some(Message::new(
            "身份证号末三位为 000 且校验位不符：表格可能把它存成了数字并丢掉了末几位，\
             请把这一列设为“文本”后重新填写",
            "the ID number ends in 000 and its check digit is wrong: the spreadsheet probably \
             stored it as a number and lost its last digits; format the column as text and \
             enter the numbers again",
        ));
    }
    None
}

/// The GB 11643 check character of an ID number's first 17 digits.
fn check_digit(first17: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize] as char
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_of_both_lengths_pass_and_bad_ones_say_why_without_quoting_them() {
        assert_eq!(id_problem("11010120000101123X"), None);
        assert_eq!(id_problem("110101200001011234"), None);
        assert_eq!(id_problem("110101000101123"), None, "15 digits, old format");
        for bad in [
            "1101012000010112",
            "11010120000101123Y",
            "1101012000010112X4",
            "11010100010112X",
        ] {
            let m = id_problem(bad).expect(bad);
            assert!(!m.zh.contains(bad) && !m.en.contains(bad), "not quoted");
        }
        assert!(id_problem("1.10101E+17").unwrap().en.contains("scientific"));
    }

    #[test]
    fn check_digit_follows_gb_11643() {
        // The standard's own example.
        assert_eq!(check_digit("11010519491231002"), 'X');
        assert_eq!(
            id_problem("110105194912310000").map(|m| m.en.contains("000")),
            Some(true)
        );
        // An ID whose check digit really is 0 and ends in 000 is fine.
        let first17 = (0..10_000)
            .map(|i| format!("11010520000{i:04}00"))
            .find(|f| check_digit(f) == '0')
            .expect("one in eleven has the check digit 0");
        assert_eq!(id_problem(&format!("{first17}0")), None);
    }
}
