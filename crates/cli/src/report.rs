//! The JSON and table shapes the commands print: one place, so `analyze`, `capture` and
//! `validate` agree field for field.

use caiji_spec::Check;
use caiji_vision::Analysis;
use serde::Serialize;
use serde_json::{Value, json};

/// A failure to read one input file, with a code a script can branch on.
#[derive(Debug, Clone, Serialize)]
pub struct FileError {
    /// Stable code: `not_found`, `unreadable`, `empty`, `not_an_image`, `corrupt`.
    pub code: &'static str,
    /// Chinese.
    pub message_zh: String,
    /// English.
    pub message_en: String,
}

/// The largest picture the commands decode: 100 megapixels (a 48 MP phone photo fits twice).
/// Beyond it a decode costs gigabytes; such a file is refused as too large before decoding.
pub const MAX_IMAGE_PIXELS: u64 = 100_000_000;

/// Decode an image file, whatever its extension says, into RGB.
pub fn load_rgb(path: &std::path::Path) -> Result<image::RgbImage, FileError> {
    let err = |code, zh: String, en: String| FileError {
        code,
        message_zh: zh,
        message_en: en,
    };
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            err("not_found", "文件不存在".into(), "file not found".into())
        }
        _ => err(
            "unreadable",
            format!("无法读取文件：{e}"),
            format!("cannot read the file: {e}"),
        ),
    })?;
    if meta.is_dir() {
        return Err(err(
            "not_a_file",
            "这是一个文件夹".into(),
            "this is a folder".into(),
        ));
    }
    if meta.len() == 0 {
        return Err(err(
            "empty",
            "文件为空（0 字节）".into(),
            "the file is empty (0 bytes)".into(),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        err(
            "unreadable",
            format!("无法读取文件：{e}"),
            format!("cannot read the file: {e}"),
        )
    })?;
    let reader = image::ImageReader::new(std::io::Cursor::new(&bytes))
        .with_guessed_format()
        .map_err(|e| {
            err(
                "unreadable",
                format!("无法读取文件：{e}"),
                format!("cannot read the file: {e}"),
            )
        })?;
    if reader.format().is_none() {
        return Err(err(
            "not_an_image",
            "不是 PNG 或 JPEG 图片".into(),
            "not a PNG or JPEG image".into(),
        ));
    }
    let too_large = |w: u32, h: u32| {
        let mp = |n: u64| n as f64 / 1e6;
        let limit = mp(MAX_IMAGE_PIXELS);
        let got = mp(w as u64 * h as u64);
        err(
            "too_large",
            format!("图片太大：{w}×{h} 像素（{got:.0} 百万像素），上限 {limit:.0} 百万像素"),
            format!("image too large: {w}×{h} pixels ({got:.0} MP), the limit is {limit:.0} MP"),
        )
    };
    // The header first: a huge picture is named as such, not decoded into gigabytes.
    let format = reader.format();
    if let Ok((w, h)) = reader.into_dimensions()
        && w as u64 * h as u64 > MAX_IMAGE_PIXELS
    {
        return Err(too_large(w, h));
    }
    let mut reader = image::ImageReader::new(std::io::Cursor::new(&bytes));
    reader.set_format(format.expect("format guessed above"));
    reader
        .decode()
        .map(|img| img.to_rgb8())
        .map_err(|e| match e {
            image::ImageError::Limits(_) => err(
                "too_large",
                format!("图片太大，解码所需内存超过上限：{e}"),
                format!("image too large: decoding it needs more memory than allowed: {e}"),
            ),
            e => err(
                "corrupt",
                format!("图片已损坏或被截断：{e}"),
                format!("image is damaged or truncated: {e}"),
            ),
        })
}

impl FileError {
    /// A file error from a message of the crate that made it.
    pub fn from_message(code: &'static str, m: caiji_spec::Message) -> FileError {
        FileError {
            code,
            message_zh: m.zh,
            message_en: m.en,
        }
    }
}

fn checks_json(checks: &[Check]) -> Value {
    serde_json::to_value(checks).expect("checks serialise")
}

fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The analysis of one file as the JSON object `caiji analyze --json` prints.
pub fn analysis_json(file: &str, a: &Analysis) -> Value {
    let mut obj = serde_json::Map::new();
    obj.insert("file".into(), json!(file));
    obj.extend(measurements(a));
    if let Some(c) = &a.crop {
        obj.insert(
            "crop".into(),
            json!({"x": r1(c.x), "y": r1(c.y), "width": r1(c.width), "height": r1(c.height)}),
        );
    }
    if let Some(g) = &a.output {
        obj.insert(
            "output".into(),
            json!({"head_top_y": r1(g.head_top_y), "eye_y": r1(g.eye_y), "face_width": r1(g.face_width), "face_center_x": r1(g.face_center_x)}),
        );
    }
    obj.insert("checks".into(), checks_json(&a.checks));
    obj.insert("verdict".into(), json!(a.verdict.as_str()));
    Value::Object(obj)
}

/// The measured values of an analysis, in source pixels: the `measurements` object of
/// `caiji validate --json` and the top-level fields of `caiji analyze --json`.
pub fn measurements(a: &Analysis) -> serde_json::Map<String, Value> {
    let mut obj = serde_json::Map::new();
    obj.insert("width".into(), json!(a.width));
    obj.insert("height".into(), json!(a.height));
    obj.insert("faces".into(), json!(a.faces));
    if let Some(m) = &a.measurements {
        obj.insert(
            "eye_left".into(),
            json!([r1(m.eye_left.x), r1(m.eye_left.y)]),
        );
        obj.insert(
            "eye_right".into(),
            json!([r1(m.eye_right.x), r1(m.eye_right.y)]),
        );
        obj.insert("eye_y".into(), json!(r1(m.eye_y)));
        obj.insert("head_top_y".into(), json!(r1(m.head_top_y)));
        obj.insert("face_width".into(), json!(r1(m.face_width)));
        obj.insert("face_center_x".into(), json!(r1(m.face_center_x)));
        obj.insert("roll_deg".into(), json!(r1(m.roll_deg)));
        let p = &m.pose;
        obj.insert("yaw_deg".into(), json!(r1(p.yaw_deg)));
        obj.insert("pitch_deg".into(), json!(r1(p.pitch_deg)));
        obj.insert(
            "eye_open".into(),
            json!((p.eye_open * 1000.0).round() / 1000.0),
        );
        obj.insert(
            "gaze".into(),
            json!([p.gaze.0, p.gaze.1].map(|v| (v * 1000.0).round() / 1000.0)),
        );
        obj.insert(
            "gaze_aside".into(),
            json!((p.gaze_aside() * 1000.0).round() / 1000.0),
        );
        obj.insert(
            "mouth_open".into(),
            json!((p.mouth_open * 1000.0).round() / 1000.0),
        );
        obj.insert("teeth".into(), json!((p.teeth * 1000.0).round() / 1000.0));
        if let Some(h) = m.headwear {
            obj.insert("headwear".into(), json!((h * 1000.0).round() / 1000.0));
        }
        if let Some(l) = m.lips {
            obj.insert("lips".into(), json!((l * 1000.0).round() / 1000.0));
        }
        if let Some(l) = m.lens_light {
            obj.insert("lens_light".into(), json!((l * 1000.0).round() / 1000.0));
        }
        obj.insert(
            "shoulder_tilt_deg".into(),
            json!(m.shoulder_tilt_deg.map(r1)),
        );
        if let Some(b) = &m.backdrop {
            obj.insert("backdrop_rgb".into(), json!(b.rgb.map(|c| c.round())));
        }
    }
    obj
}

/// A file that could not be analysed, as a JSON object with the same `file` and `verdict` keys.
pub fn error_json(file: &str, e: &FileError) -> Value {
    json!({"file": file, "verdict": "fail", "error": e})
}

/// Human-readable lines for a list of checks: a mark, the rule, the message in both languages.
pub fn checks_table(checks: &[Check]) -> String {
    let mut s = String::new();
    for c in checks {
        let mark = if c.pass { "✓" } else { "✗" };
        s.push_str(&format!(
            "  {mark} {:<20} {:<12} {} / {}\n",
            c.id.as_str(),
            c.limit,
            c.message_zh,
            c.message_en
        ));
    }
    s
}
