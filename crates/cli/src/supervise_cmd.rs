//! `caiji timetable`, `caiji export` and `caiji missing`: the supervisor's day from the command
//! line. `missing` runs on the school's own computer: it reads the school's roster and the
//! station's export, and never touches a station's queue.

use caiji_photo::seal::purpose;
use caiji_station::supervise::{self, Naming};
use caiji_store::{Store, default_data_dir};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::station_cmd::{fail, runtime, station_key};

/// The station's queue, read-only: an export never changes the queue it describes.
async fn open_read_only(data: &Path) -> Result<Store, String> {
    let db = data.join("caiji.db");
    if !db.exists() {
        return Err(format!("这里没有采集队列 / no queue in {}", data.display()));
    }
    let key = station_key(data)?;
    Store::open_read_only(&db, *key.derive(purpose::STORE))
        .await
        .map_err(|e| e.message().to_string())
}

/// The station's queue, made when there is none yet (a timetable may come before any shot).
async fn open_or_create(data: &Path) -> Result<Store, String> {
    let key = station_key(data)?;
    Store::open(&data.join("caiji.db"), *key.derive(purpose::STORE))
        .await
        .map_err(|e| e.message().to_string())
}

/// `caiji timetable FILE`: check a timetable and, with no error in it, make it the station's.
pub fn timetable_cmd(data_dir: Option<PathBuf>, file: &Path, check: bool, who: &str) -> ExitCode {
    let slots = match caiji_schedule::import(file) {
        Ok(s) => s,
        Err(caiji_schedule::ScheduleError::Rows(errors)) => {
            for e in &errors {
                eprintln!("{e}");
            }
            let m = caiji_schedule::ScheduleError::Rows(errors).message();
            return fail(m);
        }
        Err(e) => return fail(e.message()),
    };
    for s in &slots {
        println!(
            "{} {} {} · {} · {} 人{}",
            s.date,
            s.time_range(),
            s.group,
            s.room,
            s.expected,
            if s.expected_derived {
                "（按每 12 分钟 30 人 / 30 per 12 min）"
            } else {
                ""
            }
        );
    }
    if check {
        println!(
            "{} 个场次，检查通过，未导入 / {} slots, checked, not imported",
            slots.len(),
            slots.len()
        );
        return ExitCode::SUCCESS;
    }
    let data = data_dir.unwrap_or_else(default_data_dir);
    runtime().block_on(async {
        let store = match open_or_create(&data).await {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        if let Err(e) = store
            .replace_slots(&slots, who, &file.display().to_string())
            .await
        {
            return fail(e.message());
        }
        println!(
            "已导入 {} 个场次 / {} slots imported into {}",
            slots.len(),
            slots.len(),
            data.display()
        );
        store.close().await;
        ExitCode::SUCCESS
    })
}

/// What `caiji export` writes.
pub struct ExportArgs {
    pub data_dir: Option<PathBuf>,
    pub day: String,
    pub to: Option<String>,
    pub out: Option<PathBuf>,
    pub photos: Option<PathBuf>,
    pub naming: Naming,
    pub summary: Option<PathBuf>,
}

/// `caiji export`: the photographed students of a day (or a range) as xlsx or csv, the photos
/// with a manifest, a printable summary per slot.
pub fn export_cmd(a: ExportArgs) -> ExitCode {
    if a.out.is_none() && a.photos.is_none() && a.summary.is_none() {
        return fail("请给出 --out、--photos 或 --summary / give --out, --photos or --summary");
    }
    let data = a.data_dir.clone().unwrap_or_else(default_data_dir);
    let to = a.to.clone().unwrap_or_else(|| a.day.clone());
    for d in [&a.day, &to] {
        if caiji_schedule::parse_date(d).as_deref() != Some(d.as_str()) {
            return fail(format!(
                "日期应为 YYYY-MM-DD：{d} / the day must be YYYY-MM-DD: {d}"
            ));
        }
    }
    runtime().block_on(async {
        let store = match open_read_only(&data).await {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        if let Some(out) = &a.out {
            let rows = match supervise::photographed(&store, &a.day, &to).await {
                Ok(r) => r,
                Err(e) => return fail(e.message()),
            };
            match caiji_sheet::write(out, &caiji_roster::export_sheets(&rows)) {
                Ok(files) => {
                    for f in files {
                        println!(
                            "{} 名学生 / {} students → {}",
                            rows.len(),
                            rows.len(),
                            f.display()
                        );
                    }
                }
                Err(e) => return fail(e.message()),
            }
        }
        if let Some(dir) = &a.photos {
            match supervise::export_photos(&store, &a.day, &[], dir, a.naming).await {
                Ok(n) => println!("{n} 张照片 / photos → {} (manifest.csv)", dir.display()),
                Err(e) => return fail(e.message),
            }
        }
        if let Some(path) = &a.summary {
            let station = caiji_station::Settings::load(&data)
                .map(|s| s.station)
                .unwrap_or_default();
            let html = match supervise::summary_of(&store, &a.day, &station).await {
                Ok(h) => h,
                Err(e) => return fail(e.message),
            };
            if let Err(e) = caiji_sheet::write_atomic(path, html.as_bytes()) {
                return fail(e.message());
            }
            println!("场次小结 / slot summary → {}", path.display());
        }
        ExitCode::SUCCESS
    })
}

/// `caiji missing`: the 补拍 list, on the school's own computer.
pub fn missing_cmd(roster: &Path, photographed: &Path, out: &Path) -> ExitCode {
    let r = match caiji_roster::read_roster(roster) {
        Ok(r) => r,
        Err(e) => return fail(e.message()),
    };
    for e in &r.errors {
        eprintln!("名单 roster {e}");
    }
    let p = match caiji_roster::read_export(photographed) {
        Ok(p) => p,
        Err(e) => return fail(e.message()),
    };
    let o = caiji_roster::find_missing(&r, &p);
    let files = match caiji_sheet::write(out, &caiji_roster::missing_sheets(&o)) {
        Ok(f) => f,
        Err(e) => return fail(e.message()),
    };
    let unsure: usize = o
        .ambiguous
        .iter()
        .filter(|a| !a.all_photographed())
        .map(|a| a.roster_rows.len())
        .sum();
    let (roster_n, matched, missing, ambiguous) =
        (r.rows.len(), o.matched, o.missing.len(), o.ambiguous.len());
    let (off_roster, errors) = (o.not_on_roster.len(), o.errors.len());
    println!(
        "名单 {roster_n} 人：已拍 {matched}，补拍 {missing}，重名待核 {ambiguous} 组（其中 {unsure} 人无法确定），\
         名单外照片 {off_roster}，名单错误 {errors} 行\n\
         roster {roster_n}: photographed {matched}, missing {missing}, ambiguous {ambiguous} group(s) \
         ({unsure} students uncertain), photos not on the roster {off_roster}, roster errors {errors}"
    );
    for f in files {
        println!("→ {}", f.display());
    }
    ExitCode::SUCCESS
}
