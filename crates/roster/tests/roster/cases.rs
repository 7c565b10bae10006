//! Small hand-made rosters and exports, one rule or one kind of roster error at a time.

use crate::{Finder, readable_text, table};
use caiji_roster::{
    Column, Outcome, Photographed, Roster, RosterError, export_sheets, find_missing,
    missing_sheets, parse_export, parse_roster, read_export, read_roster,
};
use caiji_sheet::Cell;

/// Two students of one class whose masks and ID tails are the same: 张*丰 123X.
const ZHANG_A: [&str; 4] = ["软件2201", "2022010101", "张三丰", "11010120000101123X"];
const ZHANG_B: [&str; 4] = ["软件2201", "2022010102", "张小丰", "31010420010202123X"];
const LI: [&str; 4] = ["软件2201", "2022010103", "李四", "440305200203031234"];
const WANG: [&str; 4] = ["英语2201", "2022020101", "王五", "420111200304045678"];

fn roster(rows: &[[&str; 4]]) -> Roster {
    let mut t: Vec<&[&str]> = vec![&["班级", "学号", "姓名", "身份证号"]];
    t.extend(rows.iter().map(|r| &r[..]));
    parse_roster(&table(&t)).expect("a roster")
}

fn shot(mask: &str, tail: &str, number: Option<&str>) -> Photographed {
    Photographed {
        name_masked: mask.into(),
        id_tail: tail.into(),
        student_no: number.map(Into::into),
        slot: "2027-03-15 第1场".into(),
        room: "体育馆".into(),
        time: "08:01".into(),
        sha256: "ab".repeat(32),
        upload_state: "已上传 uploaded".into(),
        fee: "已缴费 paid".into(),
    }
}

fn numbers(rows: &[caiji_roster::RosterRow]) -> Vec<&str> {
    rows.iter().map(|r| r.student_no.as_str()).collect()
}

/// Each roster row is in exactly one place.
fn accounted(roster: &Roster, o: &Outcome) -> bool {
    let ambiguous: usize = o.ambiguous.iter().map(|a| a.roster_rows.len()).sum();
    o.matched + o.missing.len() + ambiguous == roster.rows.len()
}

#[test]
fn a_k_of_n_ambiguous_group_stays_out_of_missing() {
    let r = roster(&[ZHANG_A, ZHANG_B, LI]);
    let o = find_missing(&r, &[shot("张*丰", "123x", None)]);
    assert_eq!(numbers(&o.missing), ["2022010103"], "only 李四 is missing");
    assert_eq!(o.ambiguous.len(), 1, "the 张*丰 pair is flagged");
    let a = &o.ambiguous[0];
    assert_eq!(a.key, "张*丰 123X", "the key: mask and tail, upper case");
    assert_eq!(
        numbers(&a.roster_rows),
        ["2022010101", "2022010102"],
        "both students of the pair, by number"
    );
    assert_eq!(a.photographed, 1, "one photo carries the key");
    assert!(!a.all_photographed(), "one of two is not all");
    assert_eq!(
        a.status().en,
        "1 of 2 photographed: check by hand who is missing",
        "the state says to check by hand"
    );
    assert!(a.status().zh.contains("1/2"), "and in Chinese");
    assert_eq!(o.matched, 0, "nobody matched with certainty");
    assert!(o.not_on_roster.is_empty(), "the photo belongs to the group");
    assert!(accounted(&r, &o), "every roster row in one place");

    let o = find_missing(
        &r,
        &[shot("张*丰", "123X", None), shot("张*丰", "123X", None)],
    );
    assert_eq!(
        numbers(&o.missing),
        ["2022010103"],
        "still only 李四 missing"
    );
    assert!(
        o.ambiguous[0].all_photographed(),
        "two photos for two students"
    );
    assert_eq!(
        o.ambiguous[0].status().en,
        "2/2 photographed, identities not certain",
        "the n/n state"
    );
    assert!(accounted(&r, &o), "every roster row in one place");

    let o = find_missing(&r, &[shot("李*", "1234", None)]);
    assert_eq!(
        numbers(&o.missing),
        ["2022010101", "2022010102"],
        "a pair nobody photographed is simply missing"
    );
    assert!(
        o.ambiguous.is_empty(),
        "no photo carries its key: nothing to flag"
    );
}

#[test]
fn a_student_number_match_wins_over_the_mask() {
    let r = roster(&[ZHANG_A, ZHANG_B]);
    let o = find_missing(&r, &[shot("张*丰", "123X", Some("2022010102"))]);
    assert_eq!(
        numbers(&o.missing),
        ["2022010101"],
        "the number says which 张*丰 was photographed"
    );
    assert!(
        o.ambiguous.is_empty(),
        "the number leaves nothing ambiguous"
    );
    assert_eq!(o.matched, 1);

    let o = find_missing(
        &r,
        &[
            shot("李*", "0000", Some("2022010101")),
            shot("张*丰", "123X", None),
        ],
    );
    assert!(
        o.missing.is_empty(),
        "number match despite another mask; the other 张*丰 by its key"
    );
    assert!(o.ambiguous.is_empty(), "one candidate left for the key");
    assert_eq!(o.matched, 2);

    let r = roster(&[["软件2201", "210101", "张三丰", "11010120000101123X"]]);
    let o = find_missing(&r, &[shot("李*", "0000", Some("0210101"))]);
    assert_eq!(
        o.matched, 1,
        "a number whose leading zero a spreadsheet dropped still matches"
    );
}

#[test]
fn export_rows_not_on_the_roster_are_listed_and_match_nobody() {
    let r = roster(&[LI, WANG]);
    let o = find_missing(
        &r,
        &[
            shot("赵*", "9999", None),
            shot("李*", "1234", Some("2099999999")),
            shot("", "", None),
            shot("王*", "5678", None),
            shot("王*", "5678", None),
        ],
    );
    let outside: Vec<(&str, Option<&str>)> = o
        .not_on_roster
        .iter()
        .map(|p| (p.name_masked.as_str(), p.student_no.as_deref()))
        .collect();
    assert_eq!(
        outside,
        [
            ("赵*", None),
            ("李*", Some("2099999999")),
            ("", None),
            ("王*", None)
        ],
        "an unknown key; a number not on the roster (李四 has another); a code without fields; \
         a second photo for a key only one student has"
    );
    assert_eq!(
        numbers(&o.missing),
        ["2022010103"],
        "李四 is missing: the photo with that key has another student number"
    );
    assert_eq!(o.matched, 1, "王五 by key");
}

#[test]
fn each_roster_row_error_names_its_row_and_column() {
    let ids = [
        "11010120000101123X",
        "1101012000010112",
        "11010120000101123Y",
        "1.10101E+17",
        "110105194912310000",
    ];
    let t = table(&[
        &["班级", "学号", "姓名", "身份证号"],
        &["软件2201", "2022010101", "张三丰", ids[0]],
        &["软件2201", "2022010102", "", "31010420010202123X"],
        &["", "2022010103", "李四", "440305200203031234"],
        &["软件2201", "2022010104", "王五", ""],
        &["软件2201", "2022010105", "赵六", ids[1]],
        &["软件2201", "2022010106", "钱七", ids[2]],
        &["软件2201", "2022010107", "孙八", ids[3]],
        &["软件2201", "2022010108", "周九", ids[4]],
        &["软件2201", "2022010101", "吴十", "510107200305051111"],
        &["软件2201", "2022010110", "郑一", ids[0]],
        &["", "", "", ""],
        &["软件2202", "2022010112", "王　 二", "51010720030505222x"],
        &["", "2022010113", "", "123"],
    ]);
    let r = parse_roster(&t).unwrap();
    let got: Vec<(u32, &str, &str)> = r
        .errors
        .iter()
        .map(|e| {
            (
                e.row,
                e.column.as_deref().unwrap_or(""),
                e.message.en.as_str(),
            )
        })
        .collect();
    let want: &[(u32, &str, &str)] = &[
        (3, "C", "name is missing"),
        (4, "A", "class is missing"),
        (5, "D", "ID number is missing"),
        (6, "D", "this one has 16 characters"),
        (7, "D", "must be 18 characters"),
        (8, "D", "scientific notation"),
        (9, "D", "ends in 000"),
        (10, "B", "also on row 2"),
        (11, "D", "same ID number as row 2"),
        (14, "A", "class is missing"),
        (14, "C", "name is missing"),
        (14, "D", "this one has 3 characters"),
    ];
    assert_eq!(got.len(), want.len(), "one error per fault: {got:?}");
    for ((row, col, en), (wrow, wcol, wen)) in got.iter().zip(want) {
        assert_eq!(
            (row, col),
            (wrow, wcol),
            "the error on {en:?} names its cell"
        );
        assert!(en.contains(wen), "row {row}: {en:?} says {wen:?}");
    }
    assert!(
        r.errors.iter().all(|e| !e.message.zh.is_empty()),
        "every error also in Chinese"
    );
    let rows: Vec<u32> = r.rows.iter().map(|r| r.row).collect();
    assert_eq!(rows, [2, 13], "only the sound rows take part in the match");
    assert_eq!(
        r.rows[1].name, "王二",
        "padding spaces, full-width too, dropped"
    );
    assert_eq!(r.rows[1].id_number, "51010720030505222X", "x upper case");

    let o = find_missing(&r, &[shot("孙*", "1111", None)]);
    assert_eq!(
        o.errors, r.errors,
        "the outcome carries the roster's errors"
    );
    assert_eq!(
        numbers(&o.missing),
        ["2022010101", "2022010112"],
        "rows with errors are reported, not listed as missing"
    );
    let sheets = missing_sheets(&o);
    let errors = &sheets[3];
    assert_eq!(
        errors.rows.len(),
        want.len(),
        "the errors sheet lists every error"
    );
    assert_eq!(
        errors.rows[0],
        [
            Cell::Number(3.0),
            Cell::text("C"),
            Cell::text("缺少姓名"),
            Cell::text("the name is missing")
        ],
        "row, column, Chinese, English"
    );
    let finder = Finder::new(ids.iter().copied().filter(|i| i.len() >= 15));
    for e in &r.errors {
        assert!(
            finder
                .hits(&format!("{} {}", e.message.zh, e.message.en))
                .is_empty(),
            "row {}: no error quotes an ID number",
            e.row
        );
    }
}

#[test]
fn english_headers_in_another_order_below_a_title_row() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("roster.csv");
    std::fs::write(
        &csv,
        "Graduates 2027,,,\n\
         Name,ID number,Student Number,Class\n\
         张三丰,11010120000101123x,2022010101,Software 2201\n\
         \n\
         李四,440305200203031234,2022010103,Software 2201\n\
         Anna  Lee,931156200105050018,2022010104,Software 2201\n",
    )
    .unwrap();
    let r = read_roster(&csv).unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let got: Vec<(u32, &str, &str, &str)> = r
        .rows
        .iter()
        .map(|r| {
            (
                r.row,
                r.class.as_str(),
                r.student_no.as_str(),
                r.id_number.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (3, "Software 2201", "2022010101", "11010120000101123X"),
            (5, "Software 2201", "2022010103", "440305200203031234"),
            (6, "Software 2201", "2022010104", "931156200105050018")
        ],
        "columns found by their English names; rows keep their line numbers"
    );
    assert_eq!(
        r.rows[2].name, "Anna Lee",
        "a Latin name keeps one space between words"
    );

    // Both languages in one cell, and the other names schools use.
    let t = table(&[
        &["", "学生名单"],
        &["证件号码", "姓名 name", "student_no", "班级/class"],
        &["11010120000101123X", "张三丰", "2022010101", "软件2201"],
    ]);
    let r = parse_roster(&t).unwrap();
    assert_eq!(
        r.rows[0].name, "张三丰",
        "姓名 name, 证件号码, student_no, 班级/class"
    );
}

#[test]
fn a_roster_without_its_columns_says_which_are_needed() {
    let e = parse_roster(&table(&[
        &["班级", "姓名", "备注"],
        &["软件2201", "张三丰", ""],
    ]))
    .unwrap_err();
    assert!(
        matches!(
            &e,
            RosterError::NoRosterHeader { row: Some(1), lacking }
                if lacking == &[Column::StudentNo, Column::IdNumber]
        ),
        "the closest row and what it lacks: {e:?}"
    );
    let m = e.message();
    assert!(
        m.zh.contains("学号") && m.zh.contains("身份证号") && m.zh.contains("第 1 行"),
        "Chinese names the columns: {}",
        m.zh
    );
    assert!(
        m.en.contains("student_no") && m.en.contains("id_number") && m.en.contains("row 1"),
        "English names the columns: {}",
        m.en
    );

    let e = parse_roster(&table(&[&["序号", "备注"]])).unwrap_err();
    assert!(
        matches!(&e, RosterError::NoRosterHeader { row: None, lacking } if lacking.len() == 4),
        "no row came close: all four are needed ({e:?})"
    );

    let e = parse_roster(&table(&[&["班级", "学号", "姓名", "身份证号"], &[""]])).unwrap_err();
    assert!(
        matches!(e, RosterError::EmptyRoster),
        "a header with nobody below"
    );

    let e = parse_export(&table(&[&["班级", "学号", "姓名", "身份证号"]])).unwrap_err();
    assert!(
        matches!(e, RosterError::NoExportHeader { .. }),
        "a roster is not an export"
    );
    assert!(
        e.message().en.contains("name (masked)"),
        "{}",
        e.message().en
    );
}

#[test]
fn the_export_is_read_in_any_column_order_and_never_carries_a_full_name_or_id() {
    let t = table(&[
        &["采集站导出"],
        &["ID tail", "upload", "name (masked)", "student no."],
        &["123x", "已上传 uploaded", "张*丰", "2022010101"],
        &["1234", "", "李*", ""],
    ]);
    let e = parse_export(&t).unwrap();
    assert_eq!(
        e,
        [
            Photographed {
                name_masked: "张*丰".into(),
                id_tail: "123X".into(),
                student_no: Some("2022010101".into()),
                upload_state: "已上传 uploaded".into(),
                ..Photographed::default()
            },
            Photographed {
                name_masked: "李*".into(),
                id_tail: "1234".into(),
                ..Photographed::default()
            }
        ],
        "English headers in another order below a title; absent columns empty"
    );

    let careless = Photographed {
        name_masked: "张三丰".into(),
        id_tail: "11010120000101123X".into(),
        student_no: Some("0210101".into()),
        ..Photographed::default()
    };
    let sheets = export_sheets(&[careless]);
    assert_eq!(sheets.len(), 1);
    assert_eq!(
        sheets[0].header[..3],
        [
            "姓名（脱敏） name (masked)",
            "证件号后四位 ID tail",
            "学号 student no."
        ],
        "bilingual headers"
    );
    assert_eq!(
        sheets[0].rows[0][..3],
        [
            Cell::text("张*丰"),
            Cell::text("123X"),
            Cell::text("0210101")
        ],
        "a full name is masked, an ID cut to its tail, a student number kept as text"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.xlsx");
    caiji_sheet::write(&path, &sheets).unwrap();
    assert_eq!(
        read_export(&path).unwrap()[0].student_no.as_deref(),
        Some("0210101"),
        "the leading zero survives the workbook"
    );
    let text = readable_text(&path);
    assert!(
        Finder::new(["张三丰", "11010120000101123X"])
            .hits(&text)
            .is_empty(),
        "the file holds neither"
    );
}

#[test]
fn the_lists_mask_every_id_and_give_each_ambiguous_student_a_line() {
    let r = roster(&[ZHANG_A, ZHANG_B, LI, WANG]);
    let o = find_missing(
        &r,
        &[
            shot("张*丰", "123X", None),
            shot("王*", "5678", None),
            shot("钱*", "0001", None),
        ],
    );
    let s = missing_sheets(&o);
    let names: Vec<&str> = s.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "补拍名单 retake list",
            "重名待核 ambiguous",
            "名单外 not on roster",
            "名单错误 roster errors"
        ],
        "the four lists, in order"
    );
    assert_eq!(
        s[0].rows,
        [[
            Cell::text("软件2201"),
            Cell::text("2022010103"),
            Cell::text("李四"),
            Cell::text("**************1234")
        ]],
        "the retake list: class, number, name, ID masked to its last four"
    );
    assert_eq!(
        s[1].rows.len(),
        2,
        "one line per roster student of the pair"
    );
    for (line, no) in s[1].rows.iter().zip(["2022010101", "2022010102"]) {
        assert_eq!(line[0], Cell::text("张*丰 123X"), "the key on each line");
        assert_eq!(
            line[2],
            Cell::text("1 of 2 photographed: check by hand who is missing")
        );
        assert_eq!(line[4], Cell::text(no), "each student's number");
        assert_eq!(
            line[6],
            Cell::text("**************123X"),
            "each ID masked to its last four"
        );
    }
    assert_eq!(s[2].rows.len(), 1, "the stranger is listed");
    assert_eq!(s[2].rows[0][0], Cell::text("钱*"));
    assert!(s[3].rows.is_empty(), "no roster errors");
}

#[test]
fn roster_rows_print_no_personal_data() {
    let r = roster(&[ZHANG_A]);
    let o = find_missing(&r, &[]);
    let printed = format!("{:?} {:?}", r, o);
    assert!(
        printed.contains("row: 2") && printed.contains("软件2201"),
        "{printed}"
    );
    assert!(
        !printed.contains("张三丰") && !printed.contains("11010120000101123X"),
        "Debug prints neither name nor ID number: {printed}"
    );
}
