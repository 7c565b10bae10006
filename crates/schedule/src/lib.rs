//! The timetable of a week of sessions and each slot's pace against it.
//!
//! ```text
//!  附件1.xlsx / .csv ─▶ caiji_sheet::read ─▶ parse ─▶ [Slot] (or every bad row, nothing imported)
//!  [Slot] + the day's shots and refused frames + now ─▶ pace ─▶ [SlotPace]: ahead / behind
//! ```
//!
//! A timetable row is a date, a start–end time, the college or class, the room and the number of
//! students expected; no personal data. The header row is found by its column names (Chinese or
//! English, in any order, below any title rows). An empty expected count is derived from the
//! seeds' rule, [`MINUTES_PER_30`] minutes for 30 students. A date cell merged over the rows of
//! its day (or left empty below the first row of the day, as a merged cell becomes in CSV) is
//! that day. Times are read as a person writes them: `8:00-8:40`, `13: 00～13：40`, `08.00至08.40`.
//!
//! ```
//! use caiji_sheet::{Row, Table};
//! let row = |n, c: &[&str]| Row { number: n, cells: c.iter().map(|s| s.to_string()).collect() };
//! let table = Table { rows: vec![
//!     row(1, &["日期", "时间", "学院", "地点", "人数"]),
//!     row(2, &["2027-03-15", "8:00-8:40", "计算机学院", "体育馆", ""]),
//! ]};
//! let slots = caiji_schedule::parse(&table).unwrap();
//! assert_eq!(slots[0].expected, 100, "40 minutes at 30 students per 12 minutes");
//! assert!(slots[0].expected_derived);
//! ```
#![deny(missing_docs)]

mod pace;
pub use pace::{
    PACE_TOLERANCE, PaceState, RefusedFrame, ShotFact, SlotPace, day_of, minute_of_day, pace,
    slot_at, unscheduled,
};

pub use caiji_sheet::RowError;
use caiji_sheet::{Row, SheetError, Table, column_name};
use caiji_spec::Message;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The seeds' plan: 30 students every 12 minutes.
pub const MINUTES_PER_30: u32 = 12;

/// One session of the timetable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Slot {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Start, minutes after midnight (China Standard Time).
    pub start: u16,
    /// End, minutes after midnight.
    pub end: u16,
    /// The college or class (both, when the file has both columns).
    pub group: String,
    /// The room, as the station's setting names it.
    pub room: String,
    /// Students expected.
    pub expected: u32,
    /// Whether `expected` came from the 12-minutes-per-30 rule (the file left it empty).
    pub expected_derived: bool,
    /// The file's row it came from.
    pub row: u32,
}

impl Slot {
    /// `08:00–08:40`.
    pub fn time_range(&self) -> String {
        format!("{}–{}", hhmm(self.start), hhmm(self.end))
    }
    /// Minutes long.
    pub fn minutes(&self) -> u32 {
        u32::from(self.end - self.start)
    }
}

/// Minutes after midnight as `HH:MM`.
pub fn hhmm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Two rooms are the same room when they differ only in case and white space.
pub fn same_room(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    norm(a) == norm(b)
}

/// Why a timetable was not imported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleError {
    /// The file could not be read.
    #[error(transparent)]
    Sheet(#[from] SheetError),
    /// No row names the columns the timetable needs.
    #[error("{}", self.message())]
    NoHeader,
    /// The header is there but no slot below it.
    #[error("{}", self.message())]
    Empty,
    /// Rows with errors: nothing was imported.
    #[error("{}", self.message())]
    Rows(Vec<RowError>),
}

impl ScheduleError {
    /// What failed and what to do (for `Rows`, a count; the rows themselves say the rest).
    pub fn message(&self) -> Message {
        match self {
            ScheduleError::Sheet(e) => e.message(),
            ScheduleError::NoHeader => Message::new(
                "找不到表头：需要“日期”“时间”（或“开始”“结束”）“学院”或“班级”“地点”列",
                "no header row: the columns 日期/date, 时间/time (or start and end), \
                 学院/college or 班级/class, and 地点/room are needed",
            ),
            ScheduleError::Empty => Message::new("时间表中没有场次", "the timetable has no slot"),
            ScheduleError::Rows(rows) => Message::new(
                format!("时间表有 {} 处错误，未导入任何场次", rows.len()),
                format!(
                    "the timetable has {} error(s); nothing was imported",
                    rows.len()
                ),
            ),
        }
    }
}

/// Read and check a timetable file (`.xlsx` or `.csv`).
pub fn import(path: &Path) -> Result<Vec<Slot>, ScheduleError> {
    parse(&caiji_sheet::read(path)?)
}

#[derive(Default)]
struct Columns {
    date: Option<usize>,
    time: Option<usize>,
    start: Option<usize>,
    end: Option<usize>,
    college: Option<usize>,
    class: Option<usize>,
    room: Option<usize>,
    expected: Option<usize>,
}

impl Columns {
    fn of(row: &Row) -> Columns {
        let mut c = Columns::default();
        for (i, raw) in row.cells.iter().enumerate() {
            let h: String = raw
                .chars()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_lowercase)
                .collect();
            let is = |names: &[&str]| names.iter().any(|n| h == *n || h.starts_with(n));
            let slot = if is(&["日期", "date", "采集日期"]) {
                &mut c.date
            } else if is(&["开始", "start", "起始"]) {
                &mut c.start
            } else if is(&["结束", "end", "截止"]) {
                &mut c.end
            } else if is(&["时间", "time", "时段", "采集时间"]) {
                &mut c.time
            } else if is(&["学院", "college", "院系", "单位"]) {
                &mut c.college
            } else if is(&["班级", "class", "专业"]) {
                &mut c.class
            } else if is(&["地点", "room", "教室", "考场", "场地", "采集地点"]) {
                &mut c.room
            } else if is(&["人数", "expected", "students", "预计人数", "学生数"]) {
                &mut c.expected
            } else {
                continue;
            };
            slot.get_or_insert(i);
        }
        c
    }
    fn complete(&self) -> bool {
        self.date.is_some()
            && (self.time.is_some() || self.start.is_some() && self.end.is_some())
            && (self.college.is_some() || self.class.is_some())
            && self.room.is_some()
    }
}

/// Check a table read from a timetable file: every slot, or every error.
pub fn parse(table: &Table) -> Result<Vec<Slot>, ScheduleError> {
    let (at, cols) = table
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (i, Columns::of(r)))
        .find(|(_, c)| c.complete())
        .ok_or(ScheduleError::NoHeader)?;
    let mut slots = Vec::new();
    let mut errors = Vec::new();
    let mut last_date: Option<String> = None;
    for row in table.rows[at + 1..].iter().filter(|r| !r.is_blank()) {
        let err = |col: Option<usize>, zh: String, en: String| RowError {
            row: row.number,
            column: col.map(column_name),
            message: Message::new(zh, en),
        };
        let mut row_errors = Vec::new();
        let get = |c: Option<usize>| c.map(|c| row.cell(c)).unwrap_or("");
        let date_text = get(cols.date);
        let date = if date_text.is_empty() {
            // A date merged over its day's rows, as CSV keeps it: the rows below are blank.
            match &last_date {
                Some(d) => Some(d.clone()),
                None => {
                    row_errors.push(err(
                        cols.date,
                        "缺少日期".into(),
                        "the date is missing".into(),
                    ));
                    None
                }
            }
        } else {
            match parse_date(date_text) {
                Some(d) => {
                    last_date = Some(d.clone());
                    Some(d)
                }
                None => {
                    row_errors.push(err(
                        cols.date,
                        format!("日期“{date_text}”无法识别，请写成 2027-03-15"),
                        format!("cannot read the date '{date_text}': write it as 2027-03-15"),
                    ));
                    None
                }
            }
        };
        let times = match cols.time {
            Some(c) if cols.start.is_none() => {
                let t = row.cell(c);
                parse_range(t).ok_or_else(|| {
                    err(
                        Some(c),
                        format!("时间“{t}”无法识别，请写成 08:00-08:40"),
                        format!("cannot read the time '{t}': write it as 08:00-08:40"),
                    )
                })
            }
            _ => {
                let (s, e) = (get(cols.start), get(cols.end));
                match (parse_time(s), parse_time(e)) {
                    (Some(s), Some(e)) => Ok((s, e)),
                    (None, _) => Err(err(
                        cols.start,
                        format!("开始时间“{s}”无法识别，请写成 08:00"),
                        format!("cannot read the start time '{s}': write it as 08:00"),
                    )),
                    (_, None) => Err(err(
                        cols.end,
                        format!("结束时间“{e}”无法识别，请写成 08:40"),
                        format!("cannot read the end time '{e}': write it as 08:40"),
                    )),
                }
            }
        };
        let times = match times {
            Ok((s, e)) if e <= s => {
                row_errors.push(err(
                    cols.time.or(cols.end),
                    format!("结束时间 {} 不晚于开始时间 {}", hhmm(e), hhmm(s)),
                    format!("the end {} is not after the start {}", hhmm(e), hhmm(s)),
                ));
                None
            }
            Ok(t) => Some(t),
            Err(e) => {
                row_errors.push(e);
                None
            }
        };
        let group = [get(cols.college), get(cols.class)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if group.is_empty() {
            row_errors.push(err(
                cols.college.or(cols.class),
                "缺少学院或班级".into(),
                "the college or class is missing".into(),
            ));
        }
        let room = get(cols.room).to_string();
        if room.is_empty() {
            row_errors.push(err(
                cols.room,
                "缺少采集地点".into(),
                "the room is missing".into(),
            ));
        }
        let expected_text = get(cols.expected);
        let expected = if expected_text.is_empty() {
            None
        } else {
            match expected_text.parse::<u32>() {
                Ok(n) if (1..=10_000).contains(&n) => Some(n),
                _ => {
                    row_errors.push(err(
                        cols.expected,
                        format!("人数“{expected_text}”应为 1 到 10000 的整数，或留空按每 12 分钟 30 人计算"),
                        format!(
                            "the number of students '{expected_text}' must be a whole number \
                             from 1 to 10000, or empty for 30 students per 12 minutes"
                        ),
                    ));
                    None
                }
            }
        };
        match (date, times) {
            (Some(date), Some((start, end))) if row_errors.is_empty() => {
                let minutes = u32::from(end - start);
                slots.push(Slot {
                    date,
                    start,
                    end,
                    group,
                    room,
                    expected: expected.unwrap_or((minutes * 30 / MINUTES_PER_30).max(1)),
                    expected_derived: expected.is_none(),
                    row: row.number,
                });
            }
            _ => errors.extend(row_errors),
        }
    }
    errors.extend(overlaps(&slots));
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(ScheduleError::Rows(errors));
    }
    if slots.is_empty() {
        return Err(ScheduleError::Empty);
    }
    slots.sort_by(|a, b| (&a.date, a.start, &a.room).cmp(&(&b.date, b.start, &b.room)));
    Ok(slots)
}

/// Two slots in the same room whose times overlap on the same day: one error, on the later row.
fn overlaps(slots: &[Slot]) -> Vec<RowError> {
    let mut out = Vec::new();
    for (i, a) in slots.iter().enumerate() {
        for b in &slots[..i] {
            if a.date == b.date && same_room(&a.room, &b.room) && a.start < b.end && b.start < a.end
            {
                out.push(RowError {
                    row: a.row,
                    column: None,
                    message: Message::new(
                        format!(
                            "{} {} 在“{}”与第 {} 行（{}）时间重叠",
                            a.date,
                            a.time_range(),
                            a.room,
                            b.row,
                            b.time_range()
                        ),
                        format!(
                            "{} {} in '{}' overlaps row {} ({})",
                            a.date,
                            a.time_range(),
                            a.room,
                            b.row,
                            b.time_range()
                        ),
                    ),
                });
            }
        }
    }
    out
}

/// Full-width digits and punctuation as ASCII, white space dropped.
fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '：' => ':',
            '－' | '—' | '–' | '~' | '～' | '至' | '到' | '〜' => '-',
            '／' => '/',
            '．' => '.',
            _ => c,
        })
        .collect()
}

/// `2027-03-15`, `2027/3/15`, `2027.3.15`, `2027年3月15日`, or a cell with a time after the date.
pub fn parse_date(s: &str) -> Option<String> {
    let first = s.split_whitespace().next()?;
    let s = normalize(first)
        .replace(['年', '月', '/', '.'], "-")
        .replace('日', "");
    let mut parts = s
        .trim_end_matches('-')
        .split('-')
        .map(|p| p.parse::<u32>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    if parts.next().is_some() || !(2000..=2100).contains(&y) || !(1..=12).contains(&m) {
        return None;
    }
    let days = match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (1..=days)
        .contains(&d)
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// `8:00`, `08:00`, `13: 00`, `8.30`, `8时30分`: minutes after midnight.
pub fn parse_time(s: &str) -> Option<u16> {
    let s = normalize(s).replace(['时', '点'], ":").replace('分', "");
    let (h, m) = s.split_once([':', '.'])?;
    let digits =
        |t: &str, n: usize| (1..=n).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(h, 2) || !digits(m, 2) {
        return None;
    }
    let (h, m) = (h.parse::<u16>().ok()?, m.parse::<u16>().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// `08:00-08:40` in any of the ways people write it.
pub fn parse_range(s: &str) -> Option<(u16, u16)> {
    let s = normalize(s);
    let (a, b) = s.split_once('-')?;
    Some((parse_time(a)?, parse_time(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_as_people_write_them() {
        assert_eq!(parse_time("8:00"), Some(480));
        assert_eq!(parse_time("13: 00"), Some(780), "stray space");
        assert_eq!(parse_time("13：05"), Some(785), "full-width colon");
        assert_eq!(parse_time("8.30"), Some(510));
        assert_eq!(parse_time("8时30分"), Some(510));
        assert_eq!(parse_time("24:00"), None);
        assert_eq!(parse_time("8:60"), None);
        assert_eq!(parse_time("800"), None);
        assert_eq!(parse_range("13: 00～13：40"), Some((780, 820)));
        assert_eq!(parse_range("08:00—08:40"), Some((480, 520)));
        assert_eq!(parse_range("8:00至8:40"), Some((480, 520)));
        assert_eq!(parse_range("8:00"), None);
    }

    #[test]
    fn dates_as_people_write_them() {
        assert_eq!(parse_date("2027-03-15").as_deref(), Some("2027-03-15"));
        assert_eq!(parse_date("2027/3/5").as_deref(), Some("2027-03-05"));
        assert_eq!(parse_date("2027年3月15日").as_deref(), Some("2027-03-15"));
        assert_eq!(
            parse_date("2027-03-15 00:00").as_deref(),
            Some("2027-03-15")
        );
        assert_eq!(parse_date("2027/3/5 8:00").as_deref(), Some("2027-03-05"));
        assert_eq!(parse_date("2027-02-29"), None, "not a leap year");
        assert_eq!(parse_date("2028-02-29").as_deref(), Some("2028-02-29"));
        assert_eq!(parse_date("3月15日"), None, "a year is needed");
        assert_eq!(parse_date("周一"), None);
    }

    #[test]
    fn rooms_match_across_case_and_spaces() {
        assert!(same_room("体育馆 A", "体育馆a"));
        assert!(!same_room("体育馆A", "体育馆B"));
    }
}
