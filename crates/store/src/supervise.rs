//! What the supervisor's day keeps beside the queue: the timetable, refused shutter presses, the
//! fee record, retake marks, voided shots and the audit log's review entries. Every change is
//! written with its audit row in one transaction, naming who and why.

use crate::{Store, StoreError, audit_row, now_ms};
use caiji_schedule::{RefusedFrame, Slot};
use serde::Serialize;
use sqlx::Row;

/// The audit event of a shutter press the station refused (its detail is the room).
const SHOT_REFUSED: &str = "shot_refused";

/// A student's fee as the photographer marked it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Fee {
    /// Paid on site.
    Paid,
    /// Exempt (减免).
    Exempt,
    /// Not paid.
    Unpaid,
}

impl Fee {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Fee::Paid => "paid",
            Fee::Exempt => "exempt",
            Fee::Unpaid => "unpaid",
        }
    }
    fn parse(s: &str) -> Option<Fee> {
        match s {
            "paid" => Some(Fee::Paid),
            "exempt" => Some(Fee::Exempt),
            "unpaid" => Some(Fee::Unpaid),
            _ => None,
        }
    }
    /// The next state of the photographer's one key: paid → exempt → unpaid → paid; a student
    /// with no mark yet becomes paid.
    pub fn next(current: Option<Fee>) -> Fee {
        match current {
            None | Some(Fee::Unpaid) => Fee::Paid,
            Some(Fee::Paid) => Fee::Exempt,
            Some(Fee::Exempt) => Fee::Unpaid,
        }
    }
    /// 已缴 paid, for lists.
    pub fn label(self) -> &'static str {
        match self {
            Fee::Paid => "已缴 paid",
            Fee::Exempt => "免缴 exempt",
            Fee::Unpaid => "未缴 unpaid",
        }
    }
}

/// An open request for a student to be photographed again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetakeMark {
    /// The student (code key).
    pub code_key: String,
    /// Why.
    pub reason: String,
    /// Who asked.
    pub who: String,
    /// When, unix milliseconds.
    pub at: i64,
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Unix milliseconds.
    pub at: i64,
    /// The shot it is about, if any.
    pub shot_id: Option<String>,
    /// What happened.
    pub event: String,
    /// Detail (for review actions: `who: why`).
    pub detail: String,
}

fn audit_entry(r: &sqlx::sqlite::SqliteRow) -> AuditEntry {
    AuditEntry {
        at: r.get("at"),
        shot_id: r.get("shot_id"),
        event: r.get("event"),
        detail: r.get("detail"),
    }
}

fn retake_mark(r: &sqlx::sqlite::SqliteRow) -> RetakeMark {
    RetakeMark {
        code_key: r.get("code_key"),
        reason: r.get("reason"),
        who: r.get("who"),
        at: r.get("at"),
    }
}

/// Unix milliseconds of the first and the last moment of a day (China Standard Time).
fn day_bounds(day: &str) -> Option<(i64, i64)> {
    let mut p = day.split('-').map(|x| x.parse::<i64>().ok());
    let (y, m, d) = (p.next()??, p.next()??, p.next()??);
    // days_from_civil (Howard Hinnant).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let start = days * 86_400_000 - 8 * 3_600_000;
    Some((start, start + 86_400_000 - 1))
}

impl Store {
    /// Replace the timetable with `slots` (one transaction, audited with who and the file).
    pub async fn replace_slots(
        &self,
        slots: &[Slot],
        who: &str,
        source: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM slots").execute(&mut *tx).await?;
        for s in slots {
            sqlx::query(
                "INSERT INTO slots (date, start_min, end_min, grp, room, expected, expected_derived, source_row) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&s.date)
            .bind(i64::from(s.start))
            .bind(i64::from(s.end))
            .bind(&s.group)
            .bind(&s.room)
            .bind(i64::from(s.expected))
            .bind(i64::from(s.expected_derived))
            .bind(i64::from(s.row))
            .execute(&mut *tx)
            .await?;
        }
        let detail = format!("{who}: {} slots from {source}", slots.len());
        audit_row(&mut *tx, now_ms(), None, "timetable_imported", &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The timetable, by date, start and room; `day` limits it to one day.
    pub async fn slots(&self, day: Option<&str>) -> Result<Vec<Slot>, StoreError> {
        let rows = sqlx::query(
            "SELECT date, start_min, end_min, grp, room, expected, expected_derived, source_row \
             FROM slots WHERE ?1 IS NULL OR date = ?1 ORDER BY date, start_min, room",
        )
        .bind(day)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| Slot {
                date: r.get("date"),
                start: r.get::<i64, _>("start_min") as u16,
                end: r.get::<i64, _>("end_min") as u16,
                group: r.get("grp"),
                room: r.get("room"),
                expected: r.get::<i64, _>("expected") as u32,
                expected_derived: r.get::<i64, _>("expected_derived") == 1,
                row: r.get::<i64, _>("source_row") as u32,
            })
            .collect())
    }

    /// Record a shutter press the station refused, in `room`.
    pub async fn note_refused(&self, room: &str) -> Result<(), StoreError> {
        self.note(SHOT_REFUSED, room).await
    }

    /// The refused shutter presses of a day.
    pub async fn refused(&self, day: &str) -> Result<Vec<RefusedFrame>, StoreError> {
        let Some((from, to)) = day_bounds(day) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "SELECT at, detail FROM audit WHERE event = ? AND at BETWEEN ? AND ? ORDER BY seq",
        )
        .bind(SHOT_REFUSED)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| RefusedFrame {
                at: r.get("at"),
                room: r.get("detail"),
            })
            .collect())
    }

    /// Set a student's fee (audited).
    pub async fn set_fee(&self, code_key: &str, fee: Fee, who: &str) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO fees (code_key, status, at) VALUES (?, ?, ?) \
             ON CONFLICT (code_key) DO UPDATE SET status = excluded.status, at = excluded.at",
        )
        .bind(code_key)
        .bind(fee.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let detail = format!(
            "{who}: {} {}",
            &code_key[..code_key.len().min(8)],
            fee.as_str()
        );
        audit_row(&mut *tx, now, None, "fee", &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A student's fee, if marked.
    pub async fn fee(&self, code_key: &str) -> Result<Option<Fee>, StoreError> {
        let row = sqlx::query("SELECT status FROM fees WHERE code_key = ?")
            .bind(code_key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.and_then(|r| Fee::parse(r.get::<&str, _>("status"))))
    }

    /// Every marked fee, by code key.
    pub async fn fees(&self) -> Result<std::collections::HashMap<String, Fee>, StoreError> {
        let rows = sqlx::query("SELECT code_key, status FROM fees")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .filter_map(|r| Some((r.get("code_key"), Fee::parse(r.get::<&str, _>("status"))?)))
            .collect())
    }

    /// Ask for a student to be photographed again (replaces an open mark; audited). The next
    /// accepted photo of the student clears it.
    pub async fn mark_retake(
        &self,
        code_key: &str,
        reason: &str,
        who: &str,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE retake_marks SET cleared_at = ? WHERE code_key = ? AND cleared_at IS NULL",
        )
        .bind(now)
        .bind(code_key)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO retake_marks (code_key, reason, who, at) VALUES (?, ?, ?, ?)")
            .bind(code_key)
            .bind(reason)
            .bind(who)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        // The shot the mark is about: the student's current one, if any.
        let shot: Option<String> =
            sqlx::query("SELECT id FROM shots WHERE code_key = ? ORDER BY taken_at DESC LIMIT 1")
                .bind(code_key)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.get("id"));
        audit_row(
            &mut *tx,
            now,
            shot.as_deref(),
            "retake_marked",
            &format!("{who}: {reason}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The student's open retake mark.
    pub async fn retake_mark(&self, code_key: &str) -> Result<Option<RetakeMark>, StoreError> {
        // Asked at every scan: the one row, not every open mark.
        let row = sqlx::query(
            "SELECT code_key, reason, who, at FROM retake_marks WHERE code_key = ? AND cleared_at IS NULL",
        )
        .bind(code_key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(retake_mark))
    }

    /// Every open retake mark.
    pub async fn retake_marks(&self) -> Result<Vec<RetakeMark>, StoreError> {
        let rows = sqlx::query(
            "SELECT code_key, reason, who, at FROM retake_marks WHERE cleared_at IS NULL ORDER BY at",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(retake_mark).collect())
    }

    /// Void a shot: it is no photo of the student any more, is never uploaded after this, and
    /// the student may be photographed again without the retake question. Returns whether it
    /// was not voided already.
    pub async fn void(&self, id: &str, reason: &str, who: &str) -> Result<bool, StoreError> {
        let q = sqlx::query(
            "UPDATE shots SET voided_at = ?, void_reason = ?, active = 0 WHERE id = ? AND voided_at IS NULL",
        )
        .bind(now_ms())
        .bind(reason)
        .bind(id);
        self.transition(id, q, "voided", &format!("{who}: {reason}"))
            .await
    }

    /// Write a review action or a sign-in to the audit log: `who: detail`.
    pub async fn audit_review(
        &self,
        shot: Option<&str>,
        event: &str,
        who: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        audit_row(
            &self.pool,
            now_ms(),
            shot,
            event,
            &format!("{who}: {detail}"),
        )
        .await
    }

    /// The audit log's newest `limit` rows whose event starts with `prefix`, newest first.
    pub async fn audit_log(&self, prefix: &str, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, shot_id, event, detail FROM audit WHERE substr(event, 1, length(?1)) = ?1 \
             ORDER BY seq DESC LIMIT ?2",
        )
        .bind(prefix)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(audit_entry).collect())
    }

    /// The checks a shot was judged by, as JSON.
    pub async fn checks_json(&self, id: &str) -> Result<String, StoreError> {
        sqlx::query("SELECT checks_json FROM shots WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.get("checks_json"))
            .ok_or_else(|| StoreError::NoSuchShot(id.to_string()))
    }

    /// A shot's audit trail, oldest first.
    pub async fn audit_entries(&self, id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, shot_id, event, detail FROM audit WHERE shot_id = ? ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(audit_entry).collect())
    }

    /// Shots of the days from `from` to `to` (inclusive), oldest first.
    pub async fn days(&self, from: &str, to: &str) -> Result<Vec<crate::Shot>, StoreError> {
        self.shots(
            sqlx::query(concat!(
                "SELECT ",
                shot_columns!(),
                " FROM shots WHERE day BETWEEN ? AND ? ORDER BY taken_at, id"
            ))
            .bind(from)
            .bind(to),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_its_china_standard_time_bounds() {
        let (from, to) = day_bounds("2026-11-22").unwrap();
        assert_eq!(from, 1_795_276_800_000, "midnight in Beijing");
        assert_eq!(crate::day_of(from), "2026-11-22");
        assert_eq!(crate::day_of(to), "2026-11-22");
        assert_eq!(crate::day_of(to + 1), "2026-11-23");
        assert_eq!(day_bounds("soon"), None);
    }
}
