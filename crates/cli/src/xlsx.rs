//! The validator's spreadsheet for the 教务处: one row per file, one column per rule.

use caiji_spec::{Check, CheckId, Verdict};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::path::Path;

/// One file: its name, verdict, the rules judged and the rules that could not be.
pub type Row = (String, Verdict, Vec<Check>, Vec<CheckId>);

pub fn write(path: &Path, rows: &[Row]) -> Result<(), XlsxError> {
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
    for (r, (file, verdict, checks, not_checked)) in rows.iter().enumerate() {
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
            let col = 2 + i as u16;
            if not_checked.contains(id) {
                ws.write_string(row, col, "— 未检查 not checked")?;
            }
            if let Some(c) = checks.iter().find(|c| c.id == *id) {
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

/// The supervisor's list of what reached a collector: one row per photo, with its file's state.
pub fn write_arrived(path: &Path, audit: &caiji_collector::Audit) -> Result<(), XlsxError> {
    use caiji_collector::FileState;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("已接收 Received")?;
    let bold = Format::new().set_bold();
    let bad = Format::new().set_font_color(rust_xlsxwriter::Color::Red);
    let heads = [
        "照片编号 Shot id",
        "站点 Station",
        "采集码键 Code key",
        "接收时间 Received (UTC+8)",
        "字节 Bytes",
        "SHA-256",
        "文件 File",
    ];
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, (r, state)) in audit.received.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string(row, 0, &r.shot_id)?;
        ws.write_string(row, 1, &r.station)?;
        ws.write_string(row, 2, &r.code_key)?;
        ws.write_string(row, 3, caiji_store::time_of(r.received_at))?;
        ws.write_number(row, 4, r.bytes as f64)?;
        ws.write_string(row, 5, &r.sha256)?;
        match state {
            FileState::Intact => ws.write_string(row, 6, "完好 intact")?,
            FileState::Missing => ws.write_string_with_format(row, 6, "✗ 缺失 missing", &bad)?,
            FileState::Changed => ws.write_string_with_format(row, 6, "✗ 已改变 changed", &bad)?,
        };
    }
    let after = 1 + audit.received.len() as u32;
    for (i, name) in audit.unindexed.iter().enumerate() {
        let row = after + i as u32;
        ws.write_string(row, 0, name)?;
        ws.write_string_with_format(row, 6, "✗ 未登记 not in the index", &bad)?;
    }
    ws.set_column_width(0, 38)?;
    ws.set_column_width(3, 20)?;
    ws.set_freeze_panes(1, 1)?;
    wb.save(path)
}
