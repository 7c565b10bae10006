//! Timetables as schools write them: real xlsx files made by a spreadsheet library (merged date
//! cells, a title row, times with stray spaces) and CSV, with every kind of bad row.

use caiji_schedule::{ScheduleError, import};
use rust_xlsxwriter::{Format, Workbook};
use std::path::{Path, PathBuf};

/// The seeds' 附件1 shape: a title row, then 日期 | 时间 | 学院 | 班级 | 人数 | 采集地点, the date merged
/// over the rows of its day. `rows` are (time, college, class, expected, room) under each date.
fn seeds_workbook(dir: &Path, days: &[(&str, &[[&str; 5]])]) -> PathBuf {
    let path = dir.join("附件1 采集时间安排.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let title = Format::new().set_bold();
    ws.merge_range(0, 0, 0, 5, "2027届毕业生图像信息采集时间安排表", &title)
        .unwrap();
    for (c, h) in ["日期", "时间", "学院", "班级", "人数", "采集地点"]
        .iter()
        .enumerate()
    {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    let mut r = 2u32;
    for (date, rows) in days {
        let first = r;
        for row in rows.iter() {
            for (c, v) in row.iter().enumerate() {
                let col = c as u16 + 1;
                if col == 4 && v.parse::<f64>().is_ok() {
                    ws.write_number(r, col, v.parse::<f64>().unwrap()).unwrap();
                } else {
                    ws.write_string(r, col, *v).unwrap();
                }
            }
            r += 1;
        }
        if r - first > 1 {
            ws.merge_range(first, 0, r - 1, 0, date, &Format::new())
                .unwrap();
        } else {
            ws.write_string(first, 0, *date).unwrap();
        }
    }
    wb.save(&path).unwrap();
    path
}

fn rows(e: ScheduleError) -> Vec<(u32, Option<String>, String)> {
    match e {
        ScheduleError::Rows(r) => r
            .into_iter()
            .map(|e| (e.row, e.column, e.message.en))
            .collect(),
        other => panic!("expected row errors, got {other}"),
    }
}

#[test]
fn the_seeds_timetable_with_merged_dates_and_a_stray_space_imports() {
    let dir = tempfile::tempdir().unwrap();
    let path = seeds_workbook(
        dir.path(),
        &[
            (
                "2027-03-15",
                &[
                    ["8:00-8:40", "计算机学院", "软件2201", "", "体育馆"],
                    ["8:40-9:04", "计算机学院", "软件2202", "", "体育馆"],
                    ["13: 00-13:40", "外国语学院", "英语2201", "31", "体育馆"],
                    ["8:00-8:40", "外国语学院", "英语2202", "28", "图书馆报告厅"],
                ],
            ),
            (
                "2027年3月16日",
                &[["08：00～08：40", "理学院", "数学2201", "", "体育馆"]],
            ),
        ],
    );
    let slots = import(&path).unwrap();
    assert_eq!(slots.len(), 5);
    let by_row = |r: u32| slots.iter().find(|s| s.row == r).unwrap();
    // Row 3 is the first slot (row 1 the title, row 2 the header).
    assert_eq!(by_row(3).date, "2027-03-15");
    assert_eq!((by_row(3).start, by_row(3).end), (480, 520));
    assert_eq!(by_row(3).group, "计算机学院 软件2201");
    assert_eq!(
        (by_row(3).expected, by_row(3).expected_derived),
        (100, true)
    );
    assert_eq!(
        by_row(4).date,
        "2027-03-15",
        "the merged date reaches every row of its day"
    );
    assert_eq!(by_row(4).expected, 60, "24 minutes: 60 students");
    assert_eq!(
        (by_row(5).start, by_row(5).expected),
        (780, 31),
        "13: 00 with a stray space"
    );
    assert_eq!(
        by_row(6).room,
        "图书馆报告厅",
        "another room at the same time is no overlap"
    );
    assert_eq!(by_row(7).date, "2027-03-16");
}

#[test]
fn every_bad_row_is_named_with_its_cell_and_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let path = seeds_workbook(
        dir.path(),
        &[(
            "2027-03-15",
            &[
                ["8:00-8:40", "计算机学院", "软件2201", "", "体育馆"],
                ["8:20-9:00", "计算机学院", "软件2202", "", "体育馆"],
                ["9:00-9:40", "计算机学院", "软件2203", "", ""],
                ["9:40-9:20", "计算机学院", "软件2204", "", "体育馆"],
                ["九点", "计算机学院", "软件2205", "", "体育馆"],
                ["10:00-10:40", "计算机学院", "软件2206", "三十", "体育馆"],
            ],
        )],
    );
    let errors = rows(import(&path).unwrap_err());
    let at = |r: u32| {
        errors
            .iter()
            .find(|e| e.0 == r)
            .unwrap_or_else(|| panic!("row {r}: {errors:?}"))
    };
    assert!(at(4).2.contains("overlaps row 3"), "{:?}", at(4));
    assert_eq!(at(5).1.as_deref(), Some("F"), "the missing room's cell");
    assert!(at(5).2.contains("room is missing"));
    assert!(at(6).2.contains("not after the start"), "{:?}", at(6));
    assert_eq!(at(7).1.as_deref(), Some("B"));
    assert!(at(7).2.contains("九点"), "the bad text is quoted");
    assert_eq!(at(8).1.as_deref(), Some("E"));
    assert_eq!(errors.len(), 5, "one error per bad row: {errors:?}");
}

#[test]
fn csv_with_english_headers_in_another_order_and_blank_dates_below_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("timetable.csv");
    std::fs::write(
        &p,
        "room,class,date,start,end,students\n\
         Gym,CS2201,2027-03-15,8:00,8:40,\n\
         Gym,CS2202,,8:40,9:20,35\n\
         \n\
         Hall,EN2201,2027-03-16,13: 00,13:40,\n",
    )
    .unwrap();
    let slots = import(&p).unwrap();
    assert_eq!(slots.len(), 3);
    assert_eq!(slots[1].date, "2027-03-15", "a blank date is the day above");
    assert_eq!(slots[1].expected, 35);
    assert_eq!(
        (slots[2].start, slots[2].row),
        (780, 5),
        "blank lines keep row numbers true"
    );
}

#[test]
fn a_file_without_the_columns_says_which_are_needed() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("names.csv");
    std::fs::write(&p, "姓名,学号\n张三,1\n").unwrap();
    let e = import(&p).unwrap_err();
    assert!(matches!(e, ScheduleError::NoHeader));
    assert!(e.message().zh.contains("日期"));
    let p = dir.path().join("header-only.csv");
    std::fs::write(&p, "日期,时间,班级,地点\n").unwrap();
    assert!(matches!(import(&p).unwrap_err(), ScheduleError::Empty));
}
