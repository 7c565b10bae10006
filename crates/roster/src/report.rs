//! The school's lists: 补拍名单, 重名待核, 名单外, 名单错误.

use crate::export::{export_cells, export_header};
use crate::{Outcome, RosterRow};
use caiji_sheet::{Cell, Sheet};

/// An ID number as the lists show it: stars for all but its last four characters
/// (`**************123X`).
pub fn mask_id(id: &str) -> String {
    let c: Vec<char> = id.trim().chars().collect();
    let keep = c.len().saturating_sub(4);
    "*".repeat(keep) + &c[keep..].iter().collect::<String>()
}

/// The columns of a roster student in the lists.
const STUDENT: [&str; 4] = [
    "班级 class",
    "学号 student no.",
    "姓名 name",
    "身份证号 ID number",
];

fn student(r: &RosterRow) -> [Cell; 4] {
    [
        Cell::text(&r.class),
        Cell::text(&r.student_no),
        Cell::text(&r.name),
        Cell::text(mask_id(&r.id_number)),
    ]
}

/// The school's lists, in this order: 补拍名单 retake list (the missing, by class), 重名待核
/// ambiguous (one line per roster student of each group, with the group's key and state),
/// 名单外 not on roster (the export's rows as the station wrote them), 名单错误 roster errors.
/// No ID number is written whole.
pub fn missing_sheets(o: &Outcome) -> Vec<Sheet> {
    let mut retake = Sheet::new("补拍名单 retake list", STUDENT);
    for r in &o.missing {
        retake.push(student(r));
    }
    let mut ambiguous = Sheet::new(
        "重名待核 ambiguous",
        ["姓名（脱敏）+证件号后四位 key", "状态", "status"]
            .into_iter()
            .chain(STUDENT),
    );
    for a in &o.ambiguous {
        let status = a.status();
        for r in &a.roster_rows {
            ambiguous.push(
                [
                    Cell::text(&a.key),
                    Cell::text(&status.zh),
                    Cell::text(&status.en),
                ]
                .into_iter()
                .chain(student(r)),
            );
        }
    }
    let mut outside = Sheet::new("名单外 not on roster", export_header());
    for p in &o.not_on_roster {
        outside.push(export_cells(p));
    }
    let mut errors = Sheet::new(
        "名单错误 roster errors",
        ["行 row", "列 column", "说明", "message"],
    );
    for e in &o.errors {
        errors.push([
            Cell::Number(f64::from(e.row)),
            Cell::text(e.column.clone().unwrap_or_default()),
            Cell::text(&e.message.zh),
            Cell::text(&e.message.en),
        ]);
    }
    vec![retake, ambiguous, outside, errors]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_only_their_last_four() {
        assert_eq!(mask_id("11010120000101123X"), "**************123X");
        assert_eq!(mask_id("110101000101123"), "***********1123");
        assert_eq!(mask_id("12"), "12");
    }
}
