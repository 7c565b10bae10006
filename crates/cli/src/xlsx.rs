//! The validator's spreadsheet for the 教务处: one row per file, one column per rule.

use caiji_spec::{Check, CheckId, Verdict};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::path::Path;

pub fn write(path: &Path, rows: &[(String, Verdict, Vec<Check>)]) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("照片检查 Photo check")?;
    let bold = Format::new().set_bold();
    let bad = Format::new().set_font_color(rust_xlsxwriter::Color::Red);
    ws.write_string_with_format(0, 0, "文件 File", &bold)?;
    ws.write_string_with_format(0, 1, "结论 Verdict", &bold)?;
    for (i, id) in CheckId::ALL.iter().enumerate() {
        ws.write_string_with_format(
            0,
            2 + i as u16,
            format!("{} {}", id.title_zh(), id.as_str()),
            &bold,
        )?;
    }
    for (r, (file, verdict, checks)) in rows.iter().enumerate() {
        let row = 1 + r as u32;
        ws.write_string(row, 0, file)?;
        let v = if *verdict == Verdict::Pass {
            "合格 pass"
        } else {
            "不合格 fail"
        };
        if *verdict == Verdict::Pass {
            ws.write_string(row, 1, v)?;
        } else {
            ws.write_string_with_format(row, 1, v, &bad)?;
        }
        for (i, id) in CheckId::ALL.iter().enumerate() {
            if let Some(c) = checks.iter().find(|c| c.id == *id) {
                let col = 2 + i as u16;
                if c.pass {
                    ws.write_string(row, col, &c.message_zh)?;
                } else {
                    ws.write_string_with_format(row, col, format!("✗ {}", c.message_zh), &bad)?;
                }
            }
        }
    }
    ws.set_column_width(0, 40)?;
    ws.set_freeze_panes(1, 1)?;
    wb.save(path)
}
