//! The supervisor's day, behind a PIN: the review of every shot, the timetable and each slot's
//! pace, every room's pace from the collector, and the exports.
//!
//! ```text
//!  PIN (argon2id, supervisor.pin, 0600) ─unlock(who)─▶ review_day / review_shot / thumbnail
//!                                                     retry_upload / mark_retake / void_shot
//!                                                     import_timetable / export_* / all_rooms
//!  every action ─▶ the queue's audit log: "who: why"
//! ```
//!
//! The PIN hash lives in its own file beside the settings, not in `settings.toml`: the settings
//! page reads and writes that file whole, and must neither show the hash nor be able to clear it.
//! Wrong PINs make the next try wait ([`pin_delay`]); the review locks itself after
//! [`IDLE_LOCK`] without use. Thumbnails are decrypted and scaled in memory on demand.

use crate::{App, AppError};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use caiji_roster::Photographed;
use caiji_schedule::{ShotFact, Slot, SlotPace};
use caiji_spec::{Check, Message};
use caiji_store::{Fee, Shot, Store};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The PIN hash's file in the data directory.
pub const PIN_FILE: &str = "supervisor.pin";
/// The review locks itself after this long without a review command.
pub const IDLE_LOCK: Duration = Duration::from_secs(10 * 60);
/// Digits a PIN has at least.
pub const MIN_PIN_LEN: usize = 6;

/// How long the next PIN must wait after `failures` wrong ones in a row: none for the first
/// two (a typo), then 2, 4, 8 … seconds, at most a minute.
pub fn pin_delay(failures: u32) -> Duration {
    match failures {
        0..=2 => Duration::ZERO,
        n => Duration::from_secs((1u64 << (n - 2).min(6)).min(60)),
    }
}

/// The review's lock, in memory.
#[derive(Default)]
pub(crate) struct Lock {
    failures: u32,
    wait_until: Option<Instant>,
    unlocked: Option<(String, Instant)>,
}

/// How many shots' judgements the review keeps in memory.
const JUDGED_KEPT: usize = 64;

/// Judgements of queued files made since the app started, by the photo's SHA-256 and the
/// station key's id. A queued file never changes, so its checks do not either: reading the
/// detail again (an upload that lands while it is open, an action, Refresh) costs a database
/// read instead of judging the file again, which takes about a second (longer on a busy
/// machine) and which several readings in a row made the detail lag behind the table.
#[derive(Default)]
pub(crate) struct Judged {
    order: std::collections::VecDeque<String>,
    checks: HashMap<String, Arc<[CheckRecord]>>,
}

impl Judged {
    fn get(&self, key: &str) -> Option<Arc<[CheckRecord]>> {
        self.checks.get(key).cloned()
    }

    /// Keep `checks` under `key`, forgetting the oldest beyond [`JUDGED_KEPT`].
    fn keep(&mut self, key: String, checks: Arc<[CheckRecord]>) {
        if self.checks.insert(key.clone(), checks).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > JUDGED_KEPT {
            if let Some(old) = self.order.pop_front() {
                self.checks.remove(&old);
            }
        }
    }
}

/// Whether the review is open, and to whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewStatus {
    /// A PIN was set (else the first use sets one).
    pub pin_set: bool,
    /// Who opened the review, while it is open.
    pub who: Option<String>,
    /// Seconds until the next PIN is taken (after wrong ones).
    pub wait_seconds: u32,
}

/// One shot as the review lists it: who (masked), when, where, and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewShot {
    /// Shot id.
    pub id: String,
    /// The student (code key): shots of one student share it.
    pub student: String,
    /// Masked name · ID tail · masked student number, as the code shows them.
    pub display: String,
    /// `HH:MM:SS`.
    pub time: String,
    /// The room.
    pub room: String,
    /// The slot it fell in (`08:00–08:40 计算机学院`), or empty.
    pub slot: String,
    /// `pass` or `fail`.
    pub verdict: String,
    /// `pending`, `uploading`, `uploaded`, `failed`.
    pub upload: String,
    /// Why the last upload failed.
    pub upload_error: Option<String>,
    /// The student's current photo (not replaced by a retake, not voided).
    pub current: bool,
    /// Replaced by a later shot of the same student.
    pub superseded: bool,
    /// Voided by a supervisor, and why.
    pub voided: Option<String>,
    /// The fee mark.
    pub fee: Option<Fee>,
    /// An open retake mark on the student: why.
    pub retake_mark: Option<String>,
}

/// Shots per hour of the day, by state, for the small chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HourCount {
    /// The hour (0–23).
    pub hour: u8,
    /// Shots uploaded.
    pub uploaded: u32,
    /// Waiting or uploading.
    pub waiting: u32,
    /// Refused by the collector.
    pub failed: u32,
    /// Voided.
    pub voided: u32,
}

/// A day in the review.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewDay {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Every shot of the day, oldest first.
    pub shots: Vec<ReviewShot>,
    /// Every slot of the day in the timetable, with its pace (this station's shots).
    pub pace: Vec<SlotPace>,
    /// Shots taken outside every slot.
    pub unscheduled: u32,
    /// Shots per hour by state.
    pub hours: Vec<HourCount>,
}

/// One shot in full: the listing's row, all the checks, and its audit trail.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ShotDetail {
    /// The row.
    pub shot: ReviewShot,
    /// Every rule of the standard, judged on the queued file (all 33 when it decodes).
    pub checks: Vec<CheckRecord>,
    /// Bytes of the JPEG.
    pub bytes: u32,
    /// SHA-256 of the JPEG.
    pub sha256: String,
    /// The audit trail: (time, event, detail).
    pub audit: Vec<(String, String, String)>,
}

/// A check as the queue keeps it (the JSON of a [`Check`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckRecord {
    /// Which rule.
    pub id: caiji_spec::CheckId,
    /// Whether it held.
    pub pass: bool,
    /// The measured value.
    pub value: Option<f64>,
    /// The limit.
    pub limit: String,
    /// Chinese message.
    pub message_zh: String,
    /// English message.
    pub message_en: String,
    /// What to do, in Chinese.
    pub fix_zh: Option<String>,
    /// What to do, in English.
    pub fix_en: Option<String>,
}

impl From<&Check> for CheckRecord {
    fn from(c: &Check) -> CheckRecord {
        CheckRecord {
            id: c.id,
            pass: c.pass,
            value: c.value,
            limit: c.limit.clone(),
            message_zh: c.message_zh.clone(),
            message_en: c.message_en.clone(),
            fix_zh: c.fix_zh.map(str::to_string),
            fix_en: c.fix_en.map(str::to_string),
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TimetableImport {
    /// Slots now in the timetable (0 when the file had errors: nothing was imported).
    pub imported: u32,
    /// Every bad row.
    pub errors: Vec<caiji_sheet::RowError>,
}

/// How exported photo files are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Naming {
    /// `<shot id>.jpg`.
    ShotId,
    /// `<code key>.jpg`.
    CodeKey,
    /// `<student number>.jpg`, the shot id where the code carries none.
    StudentNo,
}

/// One room's pace, from the collector.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RoomPace {
    /// The room.
    pub room: String,
    /// The stations that sent its photos.
    pub stations: Vec<String>,
    /// Students with a current photo at the collector.
    pub students: u32,
    /// Photos received.
    pub photos: u32,
    /// Its slots today, paced by what arrived.
    pub pace: Vec<SlotPace>,
}

fn locked() -> AppError {
    AppError::new(
        "locked",
        Message::new(
            "审核已锁定，请输入主管 PIN",
            "the review is locked: enter the supervisor PIN",
        ),
    )
}

fn store_err(e: caiji_store::StoreError) -> AppError {
    AppError::new("store", e.message())
}

fn why_needed() -> AppError {
    AppError::new("reason", Message::new("请填写原因", "give a reason"))
}

/// The pace facts of a station's shots.
pub(crate) fn facts(shots: &[Shot]) -> Vec<ShotFact> {
    shots
        .iter()
        .map(|s| ShotFact {
            taken_at: s.taken_at,
            room: s.room.clone(),
            student: s.code_key.clone(),
            voided: s.voided,
        })
        .collect()
}

fn slot_label(slots: &[Slot], s: &Shot) -> String {
    caiji_schedule::slot_at(slots, &s.room, s.taken_at)
        .map(|sl| format!("{} {}", sl.time_range(), sl.group))
        .unwrap_or_default()
}

fn review_rows(
    shots: &[Shot],
    slots: &[Slot],
    fees: &HashMap<String, Fee>,
    marks: &HashMap<String, String>,
) -> Vec<ReviewShot> {
    shots
        .iter()
        .map(|s| ReviewShot {
            id: s.id.clone(),
            student: s.code_key.clone(),
            display: s.display.clone(),
            time: caiji_store::time_of(s.taken_at)[11..].to_string(),
            room: s.room.clone(),
            slot: slot_label(slots, s),
            verdict: s.verdict.clone(),
            upload: s.upload_state.as_str().to_string(),
            upload_error: s.upload_error.clone(),
            current: s.active && !s.voided,
            superseded: !s.active && !s.voided,
            voided: s.void_reason.clone().filter(|_| s.voided),
            fee: fees.get(&s.code_key).copied(),
            retake_mark: marks.get(&s.code_key).cloned(),
        })
        .collect()
}

/// The station's export rows: each photographed student's current photo, nothing more personal
/// than the code shows.
pub async fn photographed(
    store: &Store,
    from: &str,
    to: &str,
) -> Result<Vec<Photographed>, caiji_store::StoreError> {
    let shots = store.days(from, to).await?;
    let slots = store.slots(None).await?;
    let fees = store.fees().await?;
    Ok(shots
        .iter()
        .filter(|s| s.active && !s.voided)
        .map(|s| {
            // Shots from before the fields were kept: the display still has them, unless the
            // code was opaque (`#1a2b3c4d`), which shows neither.
            let mut parts = s.display.split(" · ");
            let (name, tail) = match (parts.next(), parts.next()) {
                (Some(n), Some(t)) => (n, t),
                _ => ("", ""),
            };
            Photographed {
                name_masked: s.name_masked.clone().unwrap_or_else(|| name.to_string()),
                id_tail: s
                    .id_tail
                    .clone()
                    .unwrap_or_else(|| tail.trim_start_matches('*').to_string()),
                student_no: s.student_no.clone(),
                slot: slot_label(&slots, s),
                room: s.room.clone(),
                time: caiji_store::time_of(s.taken_at),
                sha256: s.photo_sha256.clone(),
                upload_state: s.upload_state.as_str().to_string(),
                fee: fees
                    .get(&s.code_key)
                    .map(|f| f.label())
                    .unwrap_or("")
                    .to_string(),
            }
        })
        .collect())
}

/// A printable one-page summary per slot of a day (HTML with print styles): counts, retakes,
/// refused presses, upload failures, voided shots.
pub fn summary_html(day: &str, pace: &[SlotPace], shots: &[Shot], station: &str) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut html = format!(
        "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>采集小结 {day}</title>\
         <style>@page {{ size: A4; margin: 15mm }} body {{ font-family: sans-serif }} \
         section {{ page-break-after: always }} table {{ border-collapse: collapse; width: 100% }} \
         td, th {{ border: 1px solid #444; padding: 6px 10px; text-align: left }}</style>"
    );
    for p in pace {
        let s = &p.slot;
        let in_slot: Vec<&Shot> = shots
            .iter()
            .filter(|x| {
                caiji_schedule::slot_at(std::slice::from_ref(s), &x.room, x.taken_at).is_some()
            })
            .collect();
        let failed = in_slot
            .iter()
            .filter(|x| x.upload_state == caiji_store::UploadState::Failed)
            .count();
        let voided = in_slot.iter().filter(|x| x.voided).count();
        html.push_str(&format!(
            "<section><h1>采集小结 Slot summary</h1><p>{day} {} · {} · {} · 站点 station {}</p><table>\
             <tr><th>应到 expected</th><td>{}</td></tr>\
             <tr><th>已拍 photographed</th><td>{}</td></tr>\
             <tr><th>未拍 not yet</th><td>{}</td></tr>\
             <tr><th>重拍 retakes</th><td>{}</td></tr>\
             <tr><th>拒拍 refused presses</th><td>{}</td></tr>\
             <tr><th>上传失败 upload failures</th><td>{}</td></tr>\
             <tr><th>作废 voided</th><td>{}</td></tr>\
             </table><p>主管签字 Supervisor: ______________</p></section>",
            s.time_range(),
            esc(&s.group),
            esc(&s.room),
            esc(station),
            s.expected,
            p.photographed,
            s.expected.saturating_sub(p.photographed),
            p.retakes,
            p.refused,
            failed,
            voided,
        ));
    }
    if pace.is_empty() {
        html.push_str("<p>这一天没有时间表场次 / no timetable slot on this day</p>");
    }
    html.push_str("</html>\n");
    html
}

/// Hash a new PIN (argon2id, random salt) as a PHC string: what [`PIN_FILE`] holds.
pub fn hash_pin(pin: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    argon2::Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::new("pin", Message::untranslated(e.to_string())))
}

fn verify_pin(hash: &str, pin: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(pin.as_bytes(), &h)
            .is_ok()
    })
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    o.mode(0o600);
    let mut f = o.open(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

impl App {
    fn pin_path(&self) -> PathBuf {
        self.data_dir().join(PIN_FILE)
    }

    fn pin_hash(&self) -> Option<String> {
        std::fs::read_to_string(self.pin_path())
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }

    fn station_key(&self) -> Option<caiji_photo::seal::StationKey> {
        caiji_photo::seal::StationKey::load(&self.settings().key_path(self.data_dir())).ok()
    }

    fn judged(&self) -> std::sync::MutexGuard<'_, Judged> {
        self.judged.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_state(&self) -> std::sync::MutexGuard<'_, Lock> {
        self.review.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the review is open, and to whom.
    pub fn review_status(&self) -> ReviewStatus {
        let mut l = self.lock_state();
        if l.unlocked
            .as_ref()
            .is_some_and(|(_, at)| at.elapsed() > IDLE_LOCK)
        {
            l.unlocked = None;
        }
        ReviewStatus {
            pin_set: self.pin_hash().is_some(),
            who: l.unlocked.as_ref().map(|(w, _)| w.clone()),
            wait_seconds: l
                .wait_until
                .map(|t| {
                    t.saturating_duration_since(Instant::now())
                        .as_secs_f64()
                        .ceil() as u32
                })
                .unwrap_or(0),
        }
    }

    /// Who has the review open (and the idle clock restarted), or `locked`.
    fn supervisor(&self) -> Result<String, AppError> {
        let mut l = self.lock_state();
        match &mut l.unlocked {
            Some((who, at)) if at.elapsed() <= IDLE_LOCK => {
                *at = Instant::now();
                Ok(who.clone())
            }
            _ => {
                l.unlocked = None;
                Err(locked())
            }
        }
    }

    async fn store(&self) -> Result<Store, AppError> {
        let running = self.running.read().await;
        running
            .as_ref()
            .map(|r| r.store.clone())
            .ok_or_else(crate::app::not_running)
    }

    /// The first use: set the PIN (at least [`MIN_PIN_LEN`] digits) and open the review.
    pub async fn set_pin(&self, who: &str, pin: &str) -> Result<ReviewStatus, AppError> {
        let who = who.trim();
        if who.is_empty() {
            return Err(AppError::new(
                "who",
                Message::new("请填写主管姓名", "give the supervisor's name"),
            ));
        }
        if self.pin_hash().is_some() {
            return Err(AppError::new(
                "pin_set",
                Message::new(
                    "PIN 已设置，请用它登录",
                    "a PIN is set already: sign in with it",
                ),
            ));
        }
        if pin.len() < MIN_PIN_LEN || !pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AppError::new(
                "pin_weak",
                Message::new(
                    format!("PIN 应为至少 {MIN_PIN_LEN} 位数字"),
                    format!("the PIN must be at least {MIN_PIN_LEN} digits"),
                ),
            ));
        }
        let pin = pin.to_string();
        let hash = tokio::task::spawn_blocking(move || hash_pin(&pin))
            .await
            .map_err(|e| AppError::internal("pin", e))??;
        write_private(&self.pin_path(), &hash).map_err(|e| {
            AppError::new(
                "settings",
                Message::new(
                    format!("无法保存 PIN：{e}"),
                    format!("cannot save the PIN: {e}"),
                ),
            )
        })?;
        let store = self.store().await?;
        store
            .audit_review(None, "review_pin_set", who, "first use")
            .await
            .map_err(store_err)?;
        self.lock_state().unlocked = Some((who.to_string(), Instant::now()));
        Ok(self.review_status())
    }

    /// Open the review with the PIN. A wrong PIN is audited and makes the next wait.
    pub async fn unlock(&self, who: &str, pin: &str) -> Result<ReviewStatus, AppError> {
        let who = who.trim().to_string();
        let wait = self.review_status().wait_seconds;
        if wait > 0 {
            return Err(AppError::new(
                "pin_wait",
                Message::new(
                    format!("PIN 错误次数过多，请 {wait} 秒后再试"),
                    format!("too many wrong PINs: try again in {wait} s"),
                ),
            ));
        }
        let Some(hash) = self.pin_hash() else {
            return Err(AppError::new(
                "pin_unset",
                Message::new("尚未设置 PIN", "no PIN is set yet"),
            ));
        };
        let pin = pin.to_string();
        let ok = tokio::task::spawn_blocking(move || verify_pin(&hash, &pin))
            .await
            .map_err(|e| AppError::internal("pin", e))?;
        let store = self.store().await?;
        let name = if who.is_empty() { "?" } else { who.as_str() };
        if !ok {
            let failures = {
                let mut l = self.lock_state();
                l.failures += 1;
                let d = pin_delay(l.failures);
                l.wait_until = (!d.is_zero()).then(|| Instant::now() + d);
                l.failures
            };
            store
                .audit_review(
                    None,
                    "review_pin_refused",
                    name,
                    &format!("wrong PIN #{failures}"),
                )
                .await
                .map_err(store_err)?;
            return Err(AppError::new(
                "pin_wrong",
                Message::new("PIN 错误", "wrong PIN"),
            ));
        }
        if who.is_empty() {
            return Err(AppError::new(
                "who",
                Message::new("请填写主管姓名", "give the supervisor's name"),
            ));
        }
        store
            .audit_review(None, "review_unlocked", &who, "")
            .await
            .map_err(store_err)?;
        let mut l = self.lock_state();
        l.failures = 0;
        l.wait_until = None;
        l.unlocked = Some((who, Instant::now()));
        drop(l);
        Ok(self.review_status())
    }

    /// Close the review.
    pub async fn lock_review(&self) -> ReviewStatus {
        let who = self.lock_state().unlocked.take().map(|(w, _)| w);
        if let (Some(who), Ok(store)) = (who, self.store().await) {
            let _ = store.audit_review(None, "review_locked", &who, "").await;
        }
        self.review_status()
    }

    /// A day's shots, pace and chart (`None`: today).
    pub async fn review_day(&self, day: Option<String>) -> Result<ReviewDay, AppError> {
        self.supervisor()?;
        let store = self.store().await?;
        let day = day
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| caiji_store::day_of(caiji_store::now_ms()));
        let shots = store.day(&day).await.map_err(store_err)?;
        let slots = store.slots(Some(&day)).await.map_err(store_err)?;
        let refused = store.refused(&day).await.map_err(store_err)?;
        let fees = store.fees().await.map_err(store_err)?;
        let marks: HashMap<String, String> = store
            .retake_marks()
            .await
            .map_err(store_err)?
            .into_iter()
            .map(|m| (m.code_key, format!("{}（{}）", m.reason, m.who)))
            .collect();
        let f = facts(&shots);
        let pace = caiji_schedule::pace(&slots, &f, &refused, caiji_store::now_ms());
        // One bucket per hour of the day; the chart gets the hours that have shots.
        let mut hours: Vec<HourCount> = (0..24)
            .map(|hour| HourCount {
                hour,
                ..HourCount::default()
            })
            .collect();
        for s in &shots {
            let h = &mut hours[usize::from(caiji_schedule::minute_of_day(s.taken_at).1 / 60)];
            use caiji_store::UploadState as U;
            match (s.voided, s.upload_state) {
                (true, _) => h.voided += 1,
                (_, U::Uploaded) => h.uploaded += 1,
                (_, U::Failed) => h.failed += 1,
                _ => h.waiting += 1,
            }
        }
        hours.retain(|h| h.uploaded + h.waiting + h.failed + h.voided > 0);
        Ok(ReviewDay {
            unscheduled: caiji_schedule::unscheduled(&slots, &f) as u32,
            shots: review_rows(&shots, &slots, &fees, &marks),
            pace,
            hours,
            day,
        })
    }

    /// One shot in full.
    pub async fn review_shot(&self, id: &str) -> Result<ShotDetail, AppError> {
        self.supervisor()?;
        let store = self.store().await?;
        let shot = store.shot(id).await.map_err(store_err)?;
        let checks_json: String = store.checks_json(id).await.map_err(store_err)?;
        let slots = store.slots(Some(&shot.day)).await.map_err(store_err)?;
        let fees = store.fees().await.map_err(store_err)?;
        let marks: HashMap<String, String> = store
            .retake_mark(&shot.code_key)
            .await
            .map_err(store_err)?
            .map(|m| (m.code_key, format!("{}（{}）", m.reason, m.who)))
            .into_iter()
            .collect();
        let audit = store
            .audit_entries(id)
            .await
            .map_err(store_err)?
            .into_iter()
            .map(|e| (caiji_store::time_of(e.at), e.event, e.detail))
            .collect();
        // Every rule of the standard, judged now on the queued file as the national check
        // would (the 8 file rules and the 25 photo rules, the seal opened with this station's
        // key); the checks recorded at the shutter if the file cannot be judged.
        let judged = self.judge_queued(&store, &shot).await;
        Ok(ShotDetail {
            checks: judged.map_or_else(
                || serde_json::from_str(&checks_json).unwrap_or_default(),
                |c| c.to_vec(),
            ),
            bytes: shot.photo_bytes as u32,
            sha256: shot.photo_sha256.clone(),
            shot: review_rows(std::slice::from_ref(&shot), &slots, &fees, &marks)
                .pop()
                .expect("one row"),
            audit,
        })
    }

    /// Every rule judged on the queued file of `shot`, with this station's key: kept from an
    /// earlier reading ([`Judged`]) or judged now and kept. `None` without a key, or when the
    /// file cannot be read.
    async fn judge_queued(&self, store: &Store, shot: &Shot) -> Option<Arc<[CheckRecord]>> {
        let key = self.station_key()?;
        let memo = format!("{}:{}", shot.photo_sha256, key.id());
        let kept = self.judged().get(&memo);
        if kept.is_some() {
            return kept;
        }
        let jpeg = store.photo(&shot.id).await.ok()?;
        let analyzer = self.analyzer.clone();
        let checks = tokio::task::spawn_blocking(move || {
            let sealer = caiji_photo::seal::AesGcmSealer::new(&key);
            caiji_photo::validate::validate_bytes(
                Path::new("photo.jpg"),
                &jpeg,
                &analyzer,
                Some(&sealer),
                caiji_photo::validate::SealPolicy::Require,
            )
            .checks
            .iter()
            .map(CheckRecord::from)
            .collect::<Arc<[_]>>()
        })
        .await
        .ok()?;
        self.judged().keep(memo, checks.clone());
        Some(checks)
    }

    /// A shot's photo, decrypted in memory: scaled to `max_width` (a thumbnail) or whole (0).
    /// Nothing is written to disk. `None` when the review is locked or the shot is unknown.
    pub async fn review_photo_of(&self, id: &str, max_width: u32) -> Option<Vec<u8>> {
        self.supervisor().ok()?;
        let jpeg = self.store().await.ok()?.photo(id).await.ok()?;
        if max_width == 0 {
            return Some(jpeg);
        }
        tokio::task::spawn_blocking(move || {
            let img = image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg)
                .ok()?
                .to_rgb8();
            crate::preview::scale_jpeg(&img, max_width, 80)
        })
        .await
        .ok()?
    }

    /// Put a failed upload back in the queue.
    pub async fn retry_upload(&self, id: &str, why: &str) -> Result<bool, AppError> {
        let who = self.supervisor()?;
        let store = self.store().await?;
        let done = store
            .requeue(id, &format!("{who}: {}", why.trim()))
            .await
            .map_err(store_err)?;
        if done {
            self.wake_upload().await;
        }
        Ok(done)
    }

    /// Ask for the student of shot `id` to be photographed again: the station says so when the
    /// code is scanned next.
    pub async fn mark_retake(&self, id: &str, why: &str) -> Result<(), AppError> {
        let who = self.supervisor()?;
        if why.trim().is_empty() {
            return Err(why_needed());
        }
        let store = self.store().await?;
        let shot = store.shot(id).await.map_err(store_err)?;
        store
            .mark_retake(&shot.code_key, why.trim(), &who)
            .await
            .map_err(store_err)
    }

    /// Void a shot with a reason.
    pub async fn void_shot(&self, id: &str, why: &str) -> Result<bool, AppError> {
        let who = self.supervisor()?;
        if why.trim().is_empty() {
            return Err(why_needed());
        }
        let store = self.store().await?;
        store.void(id, why.trim(), &who).await.map_err(store_err)
    }

    /// Import a timetable file: every slot, or every bad row and nothing imported.
    pub async fn import_timetable(&self, path: &str) -> Result<TimetableImport, AppError> {
        let who = self.supervisor()?;
        let store = self.store().await?;
        let p = PathBuf::from(path);
        let parsed = tokio::task::spawn_blocking(move || caiji_schedule::import(&p))
            .await
            .map_err(|e| AppError::internal("timetable", e))?;
        match parsed {
            Ok(slots) => {
                store
                    .replace_slots(&slots, &who, path)
                    .await
                    .map_err(store_err)?;
                Ok(TimetableImport {
                    imported: slots.len() as u32,
                    errors: Vec::new(),
                })
            }
            Err(caiji_schedule::ScheduleError::Rows(errors)) => Ok(TimetableImport {
                imported: 0,
                errors,
            }),
            Err(e) => Err(AppError::new("timetable", e.message())),
        }
    }

    /// Write the days `from`–`to` as `.xlsx` or `.csv` (by the extension); the files written.
    pub async fn export_days(
        &self,
        from: &str,
        to: &str,
        out: &str,
    ) -> Result<Vec<String>, AppError> {
        let who = self.supervisor()?;
        let store = self.store().await?;
        let rows = photographed(&store, from, to).await.map_err(store_err)?;
        let out_path = PathBuf::from(out);
        let files = tokio::task::spawn_blocking(move || {
            caiji_sheet::write(&out_path, &caiji_roster::export_sheets(&rows))
        })
        .await
        .map_err(|e| AppError::internal("export", e))?
        .map_err(|e| AppError::new("export", e.message()))?;
        store
            .audit_review(
                None,
                "review_export",
                &who,
                &format!("{from}..{to} -> {out}"),
            )
            .await
            .map_err(store_err)?;
        Ok(files.iter().map(|p| p.display().to_string()).collect())
    }

    /// Copy photos (`ids`, or every current photo of `day` when empty) to `dir`, named as
    /// chosen, with `manifest.csv` beside them. Returns how many were written.
    pub async fn export_photos(
        &self,
        day: &str,
        ids: Vec<String>,
        dir: &str,
        naming: Naming,
    ) -> Result<u32, AppError> {
        let who = self.supervisor()?;
        let store = self.store().await?;
        let n = export_photos(&store, day, &ids, Path::new(dir), naming).await?;
        store
            .audit_review(
                None,
                "review_export_photos",
                &who,
                &format!("{n} photos -> {dir}"),
            )
            .await
            .map_err(store_err)?;
        Ok(n)
    }

    /// The printable one-page-per-slot summary of `day`, written to `out` (HTML).
    pub async fn export_summary(&self, day: &str, out: &str) -> Result<(), AppError> {
        let who = self.supervisor()?;
        let store = self.store().await?;
        let html = summary_of(&store, day, &self.settings().station).await?;
        caiji_sheet::write_atomic(Path::new(out), html.as_bytes())
            .map_err(|e| AppError::new("export", e.message()))?;
        store
            .audit_review(
                None,
                "review_export_summary",
                &who,
                &format!("{day} -> {out}"),
            )
            .await
            .map_err(store_err)
    }

    /// Every room's pace today, from what arrived at the collector (read scope).
    pub async fn all_rooms(&self, day: Option<String>) -> Result<Vec<RoomPace>, AppError> {
        self.supervisor()?;
        let store = self.store().await?;
        let day = day
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| caiji_store::day_of(caiji_store::now_ms()));
        let (url, token, ca) = self.intake().await?;
        let arrivals = fetch_arrivals(&url, &token, ca, &day).await?;
        let slots = store.slots(Some(&day)).await.map_err(store_err)?;
        Ok(rooms_of(&arrivals, &slots))
    }
}

/// The printable summary of a day from the queue.
pub async fn summary_of(store: &Store, day: &str, station: &str) -> Result<String, AppError> {
    let shots = store.day(day).await.map_err(store_err)?;
    let slots = store.slots(Some(day)).await.map_err(store_err)?;
    let refused = store.refused(day).await.map_err(store_err)?;
    let pace = caiji_schedule::pace(&slots, &facts(&shots), &refused, caiji_store::now_ms());
    Ok(summary_html(day, &pace, &shots, station))
}

/// Copy photos out of the encrypted queue (see [`App::export_photos`]).
pub async fn export_photos(
    store: &Store,
    day: &str,
    ids: &[String],
    dir: &Path,
    naming: Naming,
) -> Result<u32, AppError> {
    let io = |e: std::io::Error| {
        AppError::new(
            "export",
            Message::new(
                format!("无法写入 {}：{e}", dir.display()),
                format!("cannot write to {}: {e}", dir.display()),
            ),
        )
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let shots: Vec<Shot> = store
        .day(day)
        .await
        .map_err(store_err)?
        .into_iter()
        .filter(|s| {
            if ids.is_empty() {
                s.active && !s.voided
            } else {
                ids.contains(&s.id)
            }
        })
        .collect();
    let mut manifest = caiji_sheet::Sheet::new(
        "manifest",
        [
            "文件 file",
            "照片编号 shot id",
            "学生 student",
            "照片 SHA-256",
            "采集地点 room",
            "时间 time",
        ],
    );
    let mut used = std::collections::HashSet::new();
    for s in &shots {
        let base = match naming {
            Naming::ShotId => s.id.clone(),
            Naming::CodeKey => s.code_key.clone(),
            Naming::StudentNo => s.student_no.clone().unwrap_or_else(|| s.id.clone()),
        };
        // Two shots of one student named by code key or number: the later gets its shot id.
        let name = if used.insert(base.clone()) {
            format!("{base}.jpg")
        } else {
            format!("{base}-{}.jpg", s.id)
        };
        let jpeg = store.photo(&s.id).await.map_err(store_err)?;
        caiji_sheet::write_atomic(&dir.join(&name), &jpeg)
            .map_err(|e| AppError::new("export", e.message()))?;
        manifest.push(
            [
                name,
                s.id.clone(),
                s.display.clone(),
                s.photo_sha256.clone(),
                s.room.clone(),
                caiji_store::time_of(s.taken_at),
            ]
            .map(caiji_sheet::Cell::Text),
        );
    }
    caiji_sheet::write(&dir.join("manifest.csv"), &[manifest])
        .map_err(|e| AppError::new("export", e.message()))?;
    Ok(shots.len() as u32)
}

/// What arrived at the collector on `day`, by the read API.
pub async fn fetch_arrivals(
    url: &str,
    token: &str,
    ca: Option<Vec<u8>>,
    day: &str,
) -> Result<caiji_protocol::Arrivals, AppError> {
    let unreachable = |e: &dyn std::fmt::Display| {
        AppError::new(
            "collector",
            Message::new(
                format!("无法从接收端读取各考场数据：{e}"),
                format!("cannot read every room's data from the collector: {e}"),
            ),
        )
    };
    let client = caiji_upload::http_client(ca.as_deref()).map_err(|e| unreachable(&e))?;
    let resp = client
        .get(format!(
            "{}{}?day={day}",
            url.trim_end_matches('/'),
            caiji_protocol::ARRIVED_PATH
        ))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| unreachable(&e))?;
    let status = resp.status();
    let body = resp.bytes().await.map_err(|e| unreachable(&e))?;
    if status == 403 {
        return Err(AppError::new(
            "no_read_scope",
            Message::new(
                "本站令牌没有查看各考场的权限：请在接收端配置中为本站设置 read = true",
                "this station's token may not read every room: set read = true for it in the collector's configuration",
            ),
        ));
    }
    if !status.is_success() {
        return Err(unreachable(&format!("HTTP {status}")));
    }
    serde_json::from_slice(&body).map_err(|e| unreachable(&e))
}

/// Each room's pace from the collector's arrivals and the timetable.
pub fn rooms_of(a: &caiji_protocol::Arrivals, slots: &[Slot]) -> Vec<RoomPace> {
    // The timetable's rooms first, then any other room photos came from; one name per room.
    let mut rooms: Vec<String> = Vec::new();
    for room in slots
        .iter()
        .map(|s| &s.room)
        .chain(a.arrivals.iter().map(|x| &x.room))
    {
        if !rooms.iter().any(|r| caiji_schedule::same_room(r, room)) {
            rooms.push(room.clone());
        }
    }
    rooms
        .into_iter()
        .map(|room| {
            let mine: Vec<&caiji_protocol::Arrival> = a
                .arrivals
                .iter()
                .filter(|x| caiji_schedule::same_room(&x.room, &room))
                .collect();
            let mut stations: Vec<String> = mine.iter().map(|x| x.station.clone()).collect();
            stations.sort();
            stations.dedup();
            let facts: Vec<ShotFact> = mine
                .iter()
                .map(|x| ShotFact {
                    taken_at: x.taken_at,
                    room: x.room.clone(),
                    student: x.code_key.clone(),
                    voided: false,
                })
                .collect();
            let room_slots: Vec<Slot> = slots
                .iter()
                .filter(|s| caiji_schedule::same_room(&s.room, &room))
                .cloned()
                .collect();
            RoomPace {
                students: mine.iter().filter(|x| x.current).count() as u32,
                photos: mine.len() as u32,
                pace: caiji_schedule::pace(&room_slots, &facts, &[], caiji_store::now_ms()),
                stations,
                room,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judgements_are_kept_by_key_and_the_oldest_forgotten_beyond_the_limit() {
        let checks = |v: f64| -> Arc<[CheckRecord]> {
            vec![CheckRecord::from(&Check::at_most(
                caiji_spec::CheckId::HeadTop,
                v,
                110.0,
            ))]
            .into()
        };
        let mut j = Judged::default();
        j.keep("a".into(), checks(1.0));
        j.keep("a".into(), checks(2.0));
        assert_eq!(j.order.len(), 1, "a key kept twice is one entry");
        assert_eq!(j.get("a").unwrap()[0].value, Some(2.0));
        for i in 0..JUDGED_KEPT {
            j.keep(format!("k{i}"), checks(i as f64));
        }
        assert!(j.get("a").is_none(), "the oldest went first");
        assert_eq!(j.get("k0").unwrap()[0].value, Some(0.0));
        assert_eq!(j.checks.len(), JUDGED_KEPT);
        assert_eq!(j.order.len(), JUDGED_KEPT);
    }

    #[test]
    fn every_room_is_paced_from_what_arrived_loose_names_and_rooms_off_the_timetable_included() {
        let now = caiji_store::now_ms();
        let (day, minute) = caiji_schedule::minute_of_day(now);
        let start = minute.saturating_sub(10);
        let slot = |room: &str| Slot {
            date: day.clone(),
            start,
            end: (start + 40).min(1439),
            group: "计算机学院".into(),
            room: room.into(),
            expected: 100,
            expected_derived: true,
            row: 2,
        };
        let arrival =
            |station: &str, room: &str, key: &str, current: bool| caiji_protocol::Arrival {
                shot_id: format!("{key}{station}"),
                station: station.into(),
                room: room.into(),
                code_key: key.into(),
                taken_at: now - 1000,
                current,
            };
        let a = caiji_protocol::Arrivals {
            day: day.clone(),
            arrivals: vec![
                arrival("s1", "体育馆 A", "k1", false),
                arrival("s1", "体育馆A", "k1", true),
                arrival("s2", "体育馆 a", "k2", true),
                arrival("s3", "图书馆", "k3", true),
            ],
        };
        let rooms = rooms_of(&a, &[slot("体育馆 A"), slot("报告厅")]);
        let names: Vec<&str> = rooms.iter().map(|r| r.room.as_str()).collect();
        assert_eq!(
            names,
            ["体育馆 A", "报告厅", "图书馆"],
            "timetable rooms first, then others"
        );
        let gym = &rooms[0];
        assert_eq!(
            (gym.photos, gym.students),
            (3, 2),
            "one retake, two students"
        );
        assert_eq!(gym.stations, ["s1", "s2"]);
        assert_eq!(gym.pace[0].photographed, 2);
        assert_eq!(gym.pace[0].retakes, 1);
        assert_eq!(
            rooms[1].photos, 0,
            "a room of the timetable nobody sent from"
        );
        assert!(
            rooms[2].pace.is_empty(),
            "a room off the timetable has no plan"
        );
    }

    #[test]
    fn wrong_pins_wait_longer_each_time_up_to_a_minute() {
        let d: Vec<u64> = (0..12).map(|n| pin_delay(n).as_secs()).collect();
        assert_eq!(d, [0, 0, 0, 2, 4, 8, 16, 32, 60, 60, 60, 60]);
    }

    #[test]
    fn a_pin_hash_is_argon2id_and_verifies_only_its_pin() {
        let h = hash_pin("246810").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_pin(&h, "246810"));
        assert!(!verify_pin(&h, "246811"));
        assert!(!verify_pin("garbage", "246810"));
    }
}
