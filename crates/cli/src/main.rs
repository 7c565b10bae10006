//! `caiji`: the capture station's command line.
#![deny(missing_docs)]

mod analyze;
mod photo_cmd;
mod report;
mod station_cmd;
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
        /// 站点密钥（解密标识）/ station key, to open the seals
        #[arg(long)]
        key: Option<PathBuf>,
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
        /// 监听地址 / listen address
        #[arg(long, default_value = "127.0.0.1:8640")]
        listen: String,
        /// 照片保存目录 / where photos are stored
        #[arg(long)]
        dir: PathBuf,
        /// 站点令牌（或 CAIJI_TOKEN）/ station token (or CAIJI_TOKEN)
        #[arg(long, env = "CAIJI_TOKEN")]
        token: String,
    },
    /// 核对接收端收到的照片（逐个校验文件）/ what reached a collector, each file checked against its index
    Arrived {
        /// 接收端目录 / the collector's folder
        #[arg(long)]
        dir: PathBuf,
        /// 每张照片一行 JSON / one JSON object per photo
        #[arg(long)]
        json: bool,
        /// 同时写出 Excel 报表 / also write an Excel report
        #[arg(long)]
        report: Option<PathBuf>,
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
        /// 人物 / subject: astronaut, glasses, curly, short_hair
        #[arg(long, default_value = "astronaut")]
        subject: String,
        /// 背景 / backdrop: light_blue, white, light_grey or rgb:R,G,B
        #[arg(long, default_value = "light_blue")]
        backdrop: String,
        /// 画面尺寸，至多 7680x4320 / frame size WxH, at most 7680x4320
        #[arg(long, default_value = "1920x1080", value_parser = parse_size)]
        size: (u32, u32),
        /// 输出 PNG / output PNG
        out: PathBuf,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze {
            json,
            timing,
            images,
        } => analyze::run(&images, json, timing),
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
            report,
            paths,
        } => photo_cmd::validate(&paths, json, key.as_deref(), report.as_deref()),
        Command::Keygen { path } => photo_cmd::keygen(&path),
        Command::Code { timing, images } => station_cmd::code_cmd(&images, timing),
        Command::Demo {
            students,
            data_dir,
            camera,
            size,
        } => station_cmd::demo(station_cmd::DemoArgs {
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
        Command::Collector { listen, dir, token } => {
            station_cmd::collector_cmd(&listen, &dir, &token)
        }
        Command::Arrived { dir, json, report } => {
            station_cmd::arrived_cmd(&dir, json, report.as_deref())
        }
        Command::Queue {
            json,
            data_dir,
            demo,
        } => station_cmd::queue_cmd(data_dir, demo, json),
        Command::Scene {
            subject,
            backdrop,
            size,
            out,
        } => analyze::scene(&subject, &backdrop, size, &out),
    }
}
