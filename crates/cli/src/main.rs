//! `caiji`: the capture station's command line.
#![deny(missing_docs)]

mod analyze;
mod photo_cmd;
mod progress;
mod report;
mod station_cmd;
mod supervise_cmd;
mod xlsx;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "caiji",
    version,
    about = "采集 Caiji — 学历证书电子注册照片采集站 / diploma photo capture station"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 分析照片或相机画面 / analyse photos or camera frames against the standard
    Analyze {
        /// 每个文件输出一行 JSON / one JSON object per line
        #[arg(long)]
        json: bool,
        /// 重复分析 N 次并报告中位耗时（不含解码）/ repeat the analysis N times and report the median time (decode excluded)
        #[arg(long, value_name = "N")]
        timing: Option<u32>,
        /// 只做实时画面的逐帧分析（不含每张照片一次的免冠、露耳、露眉、口罩、有色眼镜、口内检查与脸颊脸宽）/ only the per-frame analysis of the live overlay (without the once-per-photo face-parsing judgement: headwear, ears, eyebrows, mask, tinted glasses, inner mouth, cheek width)
        #[arg(long)]
        live: bool,
        /// PNG 或 JPEG 文件 / PNG or JPEG files
        #[arg(required = true)]
        images: Vec<PathBuf>,
    },
    /// 拍摄一张（离线）：分析画面，合格则写出加密照片 / one offline shot: analyse, and if compliant write the sealed photo
    Capture {
        /// 采集码 / capture code text
        #[arg(long)]
        code: String,
        /// 站点密钥文件 / station key file
        #[arg(long)]
        key: PathBuf,
        /// 输出照片 / output photo (.jpg)
        #[arg(long)]
        out: PathBuf,
        /// 重复“快门到文件”N 次并报告中位耗时 / repeat shutter-to-file N times and report the median
        #[arg(long, value_name = "N")]
        timing: Option<u32>,
        /// 相机画面 / camera frame (PNG or JPEG)
        frame: PathBuf,
    },
    /// 检查照片文件是否符合标准 / check photo files against every rule
    Validate {
        /// 每个文件输出一行 JSON / one JSON object per line
        #[arg(long)]
        json: bool,
        /// 站点密钥（核验标识；给出即只认本站封存）/ station key, to verify the seals (given, only this station's seal passes)
        #[arg(long)]
        key: Option<PathBuf>,
        /// 必须有可核验的本站封存（需 --key）/ require a seal verified with the key (needs --key)
        #[arg(long, requires = "key")]
        require_seal: bool,
        /// 同时写出 Excel 报表 / also write an Excel report
        #[arg(long)]
        report: Option<PathBuf>,
        /// 文件或文件夹 / files or folders
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// 无界面运行整个流程：扫码、取景、拍摄、确认、入队、上传 / the whole loop headless: scan, frame, shoot, confirm, queue, upload
    Demo {
        /// 学生人数 1–5000（拍满即停）/ number of students, 1–5000 (stops when all are photographed)
        #[arg(long, default_value_t = 8, value_parser = parse_students, allow_negative_numbers = true)]
        students: usize,
        /// 数据目录（默认为数据目录下的 demo，与站点队列分开；`caiji queue --demo` 查看）/
        /// data directory (default: `demo` inside the data directory, apart from the station's queue; see `caiji queue --demo`)
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// 相机：auto（有 USB 相机用之，否则演示相机）、demo、usb 或 usb:N、video:文件.mjpeg、folder:目录 /
        /// camera: auto (a USB camera if attached, else the demo camera), demo, usb or usb:N, video:FILE.mjpeg, folder:DIR
        #[arg(long, default_value = "auto", value_parser = station_cmd::parse_source)]
        camera: caiji_station::Source,
        /// 画面尺寸：演示相机的尺寸，USB 相机取不小于它的最近模式（默认 1280x720 / 1920x1080）/
        /// frame size: the demo camera's, or the smallest USB mode at least this large (default 1280x720 / 1920x1080)
        #[arg(long, value_parser = parse_frame_size)]
        size: Option<(u32, u32)>,
        /// 上传到此接收端（默认在本机另起一个）/ upload to this intake server (default: one of its own on loopback)
        #[arg(long, requires = "token")]
        intake: Option<String>,
        /// 该接收端的站点令牌 / the station token for that intake server
        #[arg(long, requires = "intake")]
        token: Option<String>,
    },
    /// 把相机画面录成 MJPEG 文件，供 --camera video:文件 回放 / record a camera to an MJPEG file, to replay with --camera video:FILE
    Record {
        /// 相机（同 demo）/ camera (as for demo)
        #[arg(long, default_value = "auto", value_parser = station_cmd::parse_source)]
        camera: caiji_station::Source,
        /// 演示相机的学生人数 1–5000 / students in the demo camera's queue, 1–5000
        #[arg(long, default_value_t = 2, value_parser = parse_students, allow_negative_numbers = true)]
        students: usize,
        /// 画面尺寸 / frame size WxH
        #[arg(long, value_parser = parse_frame_size)]
        size: Option<(u32, u32)>,
        /// 最多录制帧数（USB 相机默认 200）/ frames at most (default 200 for a USB camera)
        #[arg(long)]
        frames: Option<usize>,
        /// 输出文件 / output file (.mjpeg)
        #[arg(long)]
        out: PathBuf,
    },
    /// 列出 USB 相机及其模式 / list USB cameras and their modes
    Cameras {
        /// 输出一个 JSON 数组（无相机时为 []）/ one JSON array of cameras (`[]` when there is none)
        #[arg(long)]
        json: bool,
    },
    /// 运行接收端 / run the intake server
    Collector {
        /// 配置文件（站点列表、目录、TLS）/ configuration file (stations, folder, TLS)
        #[arg(long, conflicts_with_all = ["dir", "token"])]
        config: Option<PathBuf>,
        /// 监听地址（默认 127.0.0.1:8640）/ listen address (default 127.0.0.1:8640)
        #[arg(long)]
        listen: Option<String>,
        /// 照片保存目录（单站点）/ where photos are stored (one station)
        #[arg(long, requires = "token")]
        dir: Option<PathBuf>,
        /// 站点令牌（单站点，或 CAIJI_TOKEN）/ the station's token (one station, or CAIJI_TOKEN)
        #[arg(long, env = "CAIJI_TOKEN")]
        token: Option<String>,
        /// 站点名称（单站点）/ the station's name (one station)
        #[arg(long, default_value = "station-1")]
        station: String,
        /// 用该站点密钥验证照片加密标识（单站点）/ verify the photos' seals with this station key (one station)
        #[arg(long)]
        seal_key_of: Option<PathBuf>,
        /// TLS 证书（PEM）/ TLS certificate (PEM)
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// TLS 私钥（PEM）/ TLS private key (PEM)
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// 允许在非回环地址上使用不加密的 HTTP / allow unencrypted HTTP on a non-loopback address
        #[arg(long)]
        insecure_http: bool,
    },
    /// 为接收端配置生成站点条目（含新令牌）/ a collector configuration entry for a station, with a new token
    Enroll {
        /// 站点名称 / station name
        #[arg(long)]
        name: String,
        /// 站点密钥（让接收端验证照片标识）/ the station key (so the collector verifies seals)
        #[arg(long)]
        key: Option<PathBuf>,
        /// 指定令牌（默认随机生成）/ the token (default: a new random one)
        #[arg(long)]
        token: Option<String>,
        /// 允许该站查看各考场的到达情况（主管用）/ let this station read what arrived from every room (a supervisor's station)
        #[arg(long)]
        read: bool,
    },
    /// 失败的照片重新排队上传（记入审计）/ put failed shots back in the upload queue (audited)
    Requeue {
        /// 照片编号（或其开头）/ shot ids (or their first characters)
        shots: Vec<String>,
        /// 所有失败的照片 / every failed shot
        #[arg(long)]
        failed: bool,
        /// 原因（记入审计）/ why (written to the audit log)
        #[arg(long)]
        why: String,
        /// 数据目录（或 CAIJI_DATA_DIR）/ data directory (or CAIJI_DATA_DIR)
        #[arg(long, env = "CAIJI_DATA_DIR")]
        data_dir: Option<PathBuf>,
    },
    /// 核对接收端收到的照片（逐个校验文件）/ what reached a collector, each file checked against its index
    Arrived {
        /// 接收端目录 / the collector's folder
        #[arg(long)]
        dir: PathBuf,
        /// 每张照片一行 JSON / one JSON object per photo
        #[arg(long)]
        json: bool,
        /// 包括被重拍替代的照片 / superseded photos too
        #[arg(long)]
        all: bool,
        /// 同时写出 Excel 报表 / also write an Excel report
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// 导入时间表（xlsx 或 csv；有错误则一行也不导入）/ import the timetable (xlsx or csv; nothing is imported from a file with errors)
    Timetable {
        /// 只检查，不导入 / check only, do not import
        #[arg(long)]
        check: bool,
        /// 导入人（写入审计日志）/ who imports it (for the audit log)
        #[arg(long, default_value = "cli")]
        who: String,
        /// 数据目录 / data directory
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// 时间表文件 / the timetable file
        file: PathBuf,
    },
    /// 导出已拍学生（脱敏）、照片或场次小结 / export the photographed students (masked), the photos or the slot summary
    Export {
        /// 日期 YYYY-MM-DD（默认今天）/ the day, YYYY-MM-DD (default today)
        #[arg(long)]
        day: Option<String>,
        /// 导出到此日期（含）/ through this day (inclusive)
        #[arg(long)]
        to: Option<String>,
        /// 名单文件 .xlsx 或 .csv / the list, .xlsx or .csv
        #[arg(long)]
        out: Option<PathBuf>,
        /// 把照片复制到此文件夹（附 manifest.csv）/ copy the photos to this folder (with manifest.csv)
        #[arg(long)]
        photos: Option<PathBuf>,
        /// 照片文件名：shot-id、code-key、student-no / photo file names
        #[arg(long, default_value = "shot-id", value_parser = parse_naming)]
        naming: caiji_station::supervise::Naming,
        /// 可打印的场次小结 .html / a printable summary per slot (.html)
        #[arg(long)]
        summary: Option<PathBuf>,
        /// 数据目录 / data directory
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// 在学校电脑上：按花名册找出未拍学生（补拍名单）/ on the school's computer: the students of the roster not photographed (the 补拍 list)
    Missing {
        /// 花名册（班级、学号、姓名、身份证号）.xlsx 或 .csv / the roster (class, student_no, name, id_number)
        #[arg(long)]
        roster: PathBuf,
        /// 采集站导出的已拍名单 / the station's export of the photographed
        #[arg(long)]
        photographed: PathBuf,
        /// 补拍名单 .xlsx 或 .csv / the 补拍 list, .xlsx or .csv
        #[arg(long)]
        out: PathBuf,
    },
    /// 今日队列 / today's queue
    Queue {
        /// 每张照片一行 JSON / one JSON object per shot
        #[arg(long)]
        json: bool,
        /// 数据目录（或 CAIJI_DATA_DIR）/ data directory (or CAIJI_DATA_DIR)
        #[arg(long, env = "CAIJI_DATA_DIR")]
        data_dir: Option<PathBuf>,
        /// `caiji demo` 的队列（数据目录下的 demo）/ the queue `caiji demo` writes (`demo` inside the data directory)
        #[arg(long)]
        demo: bool,
        /// 某一天（YYYY-MM-DD）/ one day (YYYY-MM-DD)
        #[arg(long, conflicts_with = "all")]
        day: Option<String>,
        /// 所有日期 / every day
        #[arg(long)]
        all: bool,
    },
    /// 从图片中读取采集码（二维码）/ read capture codes (QR) from images
    Code {
        /// 重复 N 次并报告中位耗时（不含解码）/ repeat N times and report the median time (decode excluded)
        #[arg(long, value_name = "N")]
        timing: Option<u32>,
        /// 图片 / images
        #[arg(required = true)]
        images: Vec<PathBuf>,
    },
    /// 生成站点密钥 / generate a station key file
    Keygen {
        /// 密钥文件 / key file to create
        path: PathBuf,
    },
    /// 生成示例画面（真实人像合成到标准背景上）/ render a demo frame: a real portrait on a standard backdrop
    Scene {
        /// 人物 / subject: astronaut, glasses, curly, short_hair, marc, ayo, mike, hopper
        #[arg(long, default_value = "short_hair")]
        subject: String,
        /// 背景 / backdrop: light_blue, white, light_grey or rgb:R,G,B
        #[arg(long, default_value = "light_blue")]
        backdrop: String,
        /// 画面尺寸，至多 7680x4320 / frame size WxH, at most 7680x4320
        #[arg(long, default_value = "1920x1080", value_parser = parse_size)]
        size: (u32, u32),
        /// 肩膀绕颈部转动的角度，±45° 以内（正：画面右肩更低），头部保持端正 / turn the shoulders about the neck by this many degrees, within ±45° (positive: the image-right shoulder lower); the head stays upright
        #[arg(long, default_value_t = 0.0, value_parser = parse_shoulder_tilt, allow_negative_numbers = true)]
        shoulder_tilt: f64,
        /// 输出 PNG / output PNG
        out: PathBuf,
    },
    /// 标准的数值与本站的判定阈值 / the standard's numbers and the station's thresholds
    Spec {
        /// 输出一个 JSON 对象 / one JSON object
        #[arg(long)]
        json: bool,
    },
}

/// The largest frame a command makes or asks a camera for: 8K. Beyond it a frame costs seconds
/// and gigabytes and no camera at a station delivers it.
const MAX_FRAME: (u32, u32) = (7680, 4320);

/// `WxH`, as in `1920x1080`, at most [`MAX_FRAME`] (either way round).
fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .filter(|&(w, h): &(u32, u32)| w > 0 && h > 0)
        .ok_or_else(|| {
            "尺寸格式应为 宽x高，如 1920x1080 / size must be WxH, e.g. 1920x1080".to_string()
        })?;
    let (mw, mh) = MAX_FRAME;
    if w.max(h) > mw || w.min(h) > mh {
        return Err(format!(
            "画面尺寸 {w}×{h} 过大，上限 {mw}×{mh} / frame size {w}×{h} too large: the limit is {mw}×{mh}"
        ));
    }
    Ok((w, h))
}

/// A camera frame size: [`parse_size`], and large enough to crop a 480×640 photo from.
fn parse_frame_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = parse_size(s)?;
    let (pw, ph) = (caiji_spec::STANDARD.width, caiji_spec::STANDARD.height);
    if w < pw || h < ph {
        return Err(format!(
            "画面尺寸 {w}×{h} 小于一张 {pw}×{ph} 照片所需：请设为 1280x720 或更高 / \
             frame size {w}×{h} is below what a {pw}×{ph} photo needs: use 1280x720 or larger"
        ));
    }
    Ok((w, h))
}

/// A number of demo students: 1 to [`caiji_scene::MAX_DEMO_STUDENTS`].
fn parse_students(s: &str) -> Result<usize, String> {
    let max = caiji_scene::MAX_DEMO_STUDENTS;
    s.parse::<usize>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| {
            format!(
                "学生人数应为 1–{max}（收到 {s}）/ the number of students must be 1–{max} (got {s})"
            )
        })
}

fn parse_shoulder_tilt(s: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .ok()
        .filter(|t| t.abs() <= 45.0)
        .ok_or_else(|| {
            format!(
                "肩膀转动角度应在 ±45° 以内（收到 {s}）/ the shoulder tilt must be within ±45° (got {s})"
            )
        })
}

fn parse_naming(s: &str) -> Result<caiji_station::supervise::Naming, String> {
    use caiji_station::supervise::Naming;
    match s {
        "shot-id" => Ok(Naming::ShotId),
        "code-key" => Ok(Naming::CodeKey),
        "student-no" => Ok(Naming::StudentNo),
        _ => Err("shot-id、code-key 或 student-no / shot-id, code-key or student-no".into()),
    }
}

fn main() -> ExitCode {
    // Logs on stderr, `CAIJI_LOG` as a filter (default: warnings). They carry shot ids and
    // station names, never a capture code, a name or an ID tail.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CAIJI_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze {
            json,
            timing,
            live,
            images,
        } => analyze::run(&images, json, timing, live),
        Command::Capture {
            code,
            key,
            out,
            timing,
            frame,
        } => photo_cmd::capture(&code, &key, &out, &frame, timing),
        Command::Validate {
            json,
            key,
            require_seal,
            report,
            paths,
        } => photo_cmd::validate(
            &paths,
            json,
            key.as_deref(),
            require_seal,
            report.as_deref(),
        ),
        Command::Keygen { path } => photo_cmd::keygen(&path),
        Command::Code { timing, images } => station_cmd::code_cmd(&images, timing),
        Command::Demo {
            students,
            data_dir,
            camera,
            size,
            intake,
            token,
        } => station_cmd::demo(station_cmd::DemoArgs {
            intake: intake.zip(token),
            students,
            data_dir,
            camera,
            size,
        }),
        Command::Record {
            camera,
            students,
            size,
            frames,
            out,
        } => station_cmd::record_cmd(camera, students, size, &out, frames),
        Command::Cameras { json } => station_cmd::cameras_cmd(json),
        Command::Collector {
            config,
            listen,
            dir,
            token,
            station,
            seal_key_of,
            tls_cert,
            tls_key,
            insecure_http,
        } => station_cmd::collector_cmd(station_cmd::CollectorArgs {
            config,
            listen,
            dir,
            token,
            station,
            seal_key_of,
            tls: tls_cert.zip(tls_key),
            insecure_http,
        }),
        Command::Enroll {
            name,
            key,
            token,
            read,
        } => station_cmd::enroll_cmd(&name, key.as_deref(), token, read),
        Command::Requeue {
            shots,
            failed,
            why,
            data_dir,
        } => station_cmd::requeue_cmd(data_dir, &shots, failed, &why),
        Command::Arrived {
            dir,
            json,
            all,
            report,
        } => station_cmd::arrived_cmd(&dir, json, all, report.as_deref()),
        Command::Timetable {
            check,
            who,
            data_dir,
            file,
        } => supervise_cmd::timetable_cmd(data_dir, &file, check, &who),
        Command::Export {
            day,
            to,
            out,
            photos,
            naming,
            summary,
            data_dir,
        } => supervise_cmd::export_cmd(supervise_cmd::ExportArgs {
            data_dir,
            day: day.unwrap_or_else(|| caiji_store::day_of(caiji_store::now_ms())),
            to,
            out,
            photos,
            naming,
            summary,
        }),
        Command::Missing {
            roster,
            photographed,
            out,
        } => supervise_cmd::missing_cmd(&roster, &photographed, &out),
        Command::Queue {
            json,
            data_dir,
            demo,
            day,
            all,
        } => {
            let which = match (day, all) {
                (Some(d), _) => station_cmd::Which::Day(d),
                (None, true) => station_cmd::Which::All,
                (None, false) => station_cmd::Which::Today,
            };
            station_cmd::queue_cmd(data_dir, demo, which, json)
        }
        Command::Scene {
            subject,
            backdrop,
            size,
            shoulder_tilt,
            out,
        } => analyze::scene(&subject, &backdrop, size, shoulder_tilt, &out),
        Command::Spec { json } => analyze::spec(json),
    }
}
