//! Judge any photo file against every rule of the standard: the file rules read from its bytes
//! and markers, the photo rules measured on its pixels by the analysis core.

use crate::jpeg::{self, JpegInfo};
use crate::seal::{self, Sealer};
use caiji_spec::{Check, CheckId, CheckKind, STANDARD, Verdict};
use caiji_vision::{Analysis, Analyzer, Framing};
use std::path::Path;

/// The file rules of one file.
#[derive(Debug, Clone)]
pub struct FileChecks {
    /// Every file rule that could be judged, in report order.
    pub checks: Vec<Check>,
    /// The file rules that could not be judged (the file is no JPEG at all).
    pub not_checked: Vec<CheckId>,
    /// The markers, when the file is a JPEG at all.
    pub info: Option<JpegInfo>,
    /// The identifier the seal opened to (only with a key).
    pub opened: Option<String>,
    /// What the comment segment holds, when the file is a JPEG at all.
    pub seal: Option<SealState>,
}

/// What a photo's comment segment holds, as far as this validator can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealState {
    /// No comment segment: no identifier is embedded. Always a failure.
    Missing,
    /// Our seal, opened with the key, bound to this picture.
    Verified,
    /// Our seal's shape, not opened: no key was given.
    Unverified,
    /// A comment segment in another format (another service's seal, e.g. the official
    /// algorithm). Present, not verifiable here: a pass unless the check is strict.
    Foreign,
    /// Our prefix, but malformed, sealed under another key, or not bound to this picture.
    Broken,
}

impl SealState {
    /// The word the JSON report uses.
    pub fn as_str(self) -> &'static str {
        match self {
            SealState::Missing => "missing",
            SealState::Verified => "verified",
            SealState::Unverified => "unverified",
            SealState::Foreign => "foreign",
            SealState::Broken => "broken",
        }
    }

    /// Whether `comment_seal` passes: strict (a key given, or the seal required) accepts only a
    /// verified seal; otherwise a seal we cannot check passes as present.
    pub fn passes(self, strict: bool) -> bool {
        match self {
            SealState::Verified => true,
            SealState::Unverified | SealState::Foreign => !strict,
            SealState::Missing | SealState::Broken => false,
        }
    }
}

/// How hard the seal is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SealPolicy {
    /// Strict when a key is given: a key says "these are our station's photos".
    #[default]
    ByKey,
    /// Always strict (`--require-seal`): only a seal opened with the key passes.
    Require,
}

impl SealPolicy {
    fn strict(self, have_key: bool) -> bool {
        self == SealPolicy::Require || have_key
    }
}

/// The eight file rules. `sealer` opens the seal when the station key is known. Without a key
/// and without [`SealPolicy::Require`], a comment we cannot open (ours unverified, or another
/// service's) passes as present; see [`SealState::passes`].
pub fn file_checks(
    path: &Path,
    bytes: &[u8],
    sealer: Option<&dyn Sealer>,
    policy: SealPolicy,
) -> FileChecks {
    let mut checks = Vec::with_capacity(8);
    let mut not_checked = Vec::new();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext_ok = STANDARD.extensions.contains(&ext.as_str());
    let want_ext = STANDARD.extensions.join(", .");
    let info = jpeg::read_markers(bytes);
    let (format_ok, zh, en) = match &info {
        Err(jpeg::MarkerError::NotJpeg) => {
            let what = sniff(bytes);
            (
                false,
                format!("不是 JPEG 文件（{}）", what.0),
                format!("not a JPEG file ({})", what.1),
            )
        }
        Err(e) => {
            let m = e.message();
            (false, m.zh, m.en)
        }
        Ok(i) if i.progressive() => (
            false,
            "渐进式 JPEG，需要基线 JPEG".into(),
            "progressive JPEG: baseline required".into(),
        ),
        Ok(i) if !matches!(i.sof, Some(0 | 1)) => (
            false,
            format!("不支持的 JPEG 编码（SOF{:?}）", i.sof),
            format!("unsupported JPEG coding (SOF{:?})", i.sof),
        ),
        Ok(i) if !i.has_eoi => (
            false,
            "JPEG 文件不完整（缺少结束标记）".into(),
            "JPEG incomplete (no end marker)".into(),
        ),
        Ok(i) if i.exif_orientation.is_some_and(|o| o != 1) => (
            false,
            format!(
                "EXIF 方向标记 {} 会使照片被旋转显示",
                i.exif_orientation.unwrap_or(0)
            ),
            format!(
                "EXIF orientation {} makes viewers rotate the photo",
                i.exif_orientation.unwrap_or(0)
            ),
        ),
        Ok(_) => (true, "基线 JPEG".into(), "baseline JPEG".into()),
    };
    checks.push(Check::with_message(
        CheckId::Format,
        format_ok,
        None,
        "baseline JPEG",
        zh,
        en,
    ));
    let info = info.ok();
    match &info {
        Some(i) => {
            let (w, h) = (i.width, i.height);
            let ok = w as u32 == STANDARD.width && h as u32 == STANDARD.height;
            checks.push(Check::with_message(
                CheckId::Dimensions,
                ok,
                Some(w as f64),
                format!("{}×{}", STANDARD.width, STANDARD.height),
                format!("尺寸 {w}×{h}"),
                format!("size {w}×{h}"),
            ));
            let dpi = i.dpi();
            let want = STANDARD.dpi as f64;
            let dpi_ok = dpi.is_some_and(|(x, y)| (x - want).abs() < 1.0 && (y - want).abs() < 1.0);
            let (zh, en) = match dpi {
                Some((x, y)) => (
                    format!("分辨率 {x:.0}×{y:.0} dpi"),
                    format!("resolution {x:.0}×{y:.0} dpi"),
                ),
                None => (
                    "文件未标明分辨率（JFIF 密度）".into(),
                    "no resolution in the file (JFIF density)".into(),
                ),
            };
            checks.push(Check::with_message(
                CheckId::Dpi,
                dpi_ok,
                dpi.map(|d| d.0),
                format!("{}", STANDARD.dpi),
                zh,
                en,
            ));
            let depth = i.precision as u32 * i.components as u32;
            let color_ok = i.components == 3 && i.precision == 8 && !i.adobe_cmyk();
            let (zh, en) = match i.components {
                1 => (
                    "灰度图，需要彩色".to_string(),
                    "greyscale: colour required".to_string(),
                ),
                4 => (
                    "CMYK 印刷色，需要 RGB".to_string(),
                    "CMYK: RGB required".to_string(),
                ),
                _ => (format!("{depth} 位色"), format!("{depth}-bit colour")),
            };
            checks.push(Check::with_message(
                CheckId::ColorDepth,
                color_ok,
                Some(depth as f64),
                format!("{}", STANDARD.color_depth),
                zh,
                en,
            ));
            let q = i.estimated_quality();
            let q_ok = q.is_some_and(|q| q + 0.5 >= STANDARD.quality_min as f64);
            let (zh, en) = match q {
                Some(q) => (
                    format!("压缩质量约 {q:.0}"),
                    format!("quality about {q:.0}"),
                ),
                None => (
                    "无法估计压缩质量（缺少量化表）".into(),
                    "quality unknown (no quantisation table)".into(),
                ),
            };
            checks.push(Check::with_message(
                CheckId::Quality,
                q_ok,
                q,
                format!("≥ {}", STANDARD.quality_min),
                zh,
                en,
            ));
        }
        // Not a JPEG: these rules read its markers, so they cannot be judged (the format rule
        // has failed and says why).
        None => not_checked.extend([
            CheckId::Dimensions,
            CheckId::Dpi,
            CheckId::ColorDepth,
            CheckId::Quality,
        ]),
    }
    let n = bytes.len() as f64;
    let kb = |v: f64| v / 1000.0;
    checks.push(Check::with_message(
        CheckId::FileSize,
        STANDARD.file_size.contains(n),
        Some(n),
        format!(
            "{:.0}–{:.0} KB",
            kb(STANDARD.file_size.min),
            kb(STANDARD.file_size.max)
        ),
        format!("文件大小 {:.1} KB", kb(n)),
        format!("file size {:.1} KB", kb(n)),
    ));
    checks.push(Check::with_message(
        CheckId::Extension,
        ext_ok,
        None,
        format!(".{want_ext}"),
        format!("扩展名 .{ext}"),
        format!("extension .{ext}"),
    ));
    let mut opened = None;
    let comments: &[Vec<u8>] = info.as_ref().map(|i| i.comments.as_slice()).unwrap_or(&[]);
    let strict = policy.strict(sealer.is_some());
    let ours = comments
        .iter()
        .find(|c| c.starts_with(seal::PREFIX.as_bytes()));
    let (seal_state, zh, en) = match (ours, sealer) {
        (None, _) if comments.is_empty() => (
            SealState::Missing,
            "缺少注释段（未嵌入学生标识）".to_string(),
            "no comment segment (student id not embedded)".to_string(),
        ),
        (None, _) => (
            SealState::Foreign,
            if strict {
                "注释段不是本站的加密标识，无法核验".to_string()
            } else {
                "含注释段（非本站格式，此处无法核验）".to_string()
            },
            if strict {
                "the comment is not this station's seal and cannot be verified".to_string()
            } else {
                "a comment segment is present, not verifiable here".to_string()
            },
        ),
        (Some(c), None) => match seal::looks_sealed(c) {
            Some(key_id) => (
                SealState::Unverified,
                format!("含加密标识（密钥 {key_id}，未提供密钥，未核验）"),
                format!("sealed id present (key {key_id}; no key given, unverified)"),
            ),
            None => (
                SealState::Broken,
                "加密标识格式损坏".to_string(),
                "the seal is malformed".to_string(),
            ),
        },
        (Some(c), Some(s)) => match jpeg::image_digest(bytes)
            .map_err(|_| seal::SealError::NoSeal)
            .and_then(|image| s.open(c, &image))
        {
            Ok(id) => {
                let shown = seal::mask(&id);
                opened = Some(id);
                (
                    SealState::Verified,
                    format!("标识已核验：{shown}"),
                    format!("seal verified: {shown}"),
                )
            }
            Err(e) => {
                let m = e.message();
                (SealState::Broken, m.zh, m.en)
            }
        },
    };
    let seal_check = Check::with_message(
        CheckId::CommentSeal,
        seal_state.passes(strict),
        None,
        seal::PREFIX,
        zh,
        en,
    );
    if info.is_some() {
        checks.push(seal_check);
    } else {
        not_checked.push(CheckId::CommentSeal); // a COM segment is a JPEG's
    }
    FileChecks {
        checks,
        not_checked,
        seal: info.is_some().then_some(seal_state),
        info,
        opened,
    }
}

impl JpegInfo {
    /// An Adobe marker on a 4-component frame means CMYK/YCCK.
    fn adobe_cmyk(&self) -> bool {
        self.adobe && self.components == 4
    }
}

/// What a non-JPEG file looks like, for the message.
fn sniff(bytes: &[u8]) -> (&'static str, &'static str) {
    match bytes {
        [] => ("空文件", "empty file"),
        [0x89, b'P', b'N', b'G', ..] => ("实为 PNG 图片", "actually a PNG image"),
        [b'G', b'I', b'F', ..] => ("实为 GIF 图片", "actually a GIF image"),
        [b'B', b'M', ..] => ("实为 BMP 图片", "actually a BMP image"),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => ("实为 WebP 图片", "actually a WebP image"),
        [b'%', b'P', b'D', b'F', ..] => ("实为 PDF 文件", "actually a PDF"),
        _ => ("无法识别的格式", "unknown format"),
    }
}

/// The whole verdict on one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// File rules then photo rules: every rule that could be judged.
    pub checks: Vec<Check>,
    /// The rules that could not be judged: the photo rules when the pixels do not decode, the
    /// marker rules when the file is no JPEG. The summary counts only what was judged.
    pub not_checked: Vec<CheckId>,
    /// The analysis of the pixels, when they decode.
    pub analysis: Option<Analysis>,
    /// Pass when every rule passes.
    pub verdict: Verdict,
    /// The opened identifier, masked.
    pub id_masked: Option<String>,
    /// What the comment segment holds (none when the file is no JPEG).
    pub seal: Option<SealState>,
}

/// Judge one file's bytes: every file rule, and every photo rule when the pixels decode.
pub fn validate_bytes(
    path: &Path,
    bytes: &[u8],
    analyzer: &Analyzer,
    sealer: Option<&dyn Sealer>,
    policy: SealPolicy,
) -> FileReport {
    let fc = file_checks(path, bytes, sealer, policy);
    let mut checks = fc.checks;
    let mut not_checked = fc.not_checked;
    let decodable = fc
        .info
        .as_ref()
        .is_some_and(|i| i.components == 3 || i.components == 1);
    let pixels = decodable
        .then(|| image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg).ok())
        .flatten();
    let undecodable = decodable && pixels.is_none();
    let analysis = pixels.and_then(|img| analyzer.judge(&img.to_rgb8(), Framing::AsIs).ok());
    match &analysis {
        Some(a) => checks.extend(a.checks.iter().cloned()),
        None => {
            not_checked.extend(
                CheckId::ALL
                    .iter()
                    .filter(|id| id.kind() == CheckKind::Photo),
            );
            // Markers that read well around data that does not decode: the format is what fails.
            if (undecodable || checks.iter().all(|c| c.pass))
                && let Some(format) = checks
                    .iter_mut()
                    .find(|c| c.id == CheckId::Format && c.pass)
            {
                *format = Check::with_message(
                    CheckId::Format,
                    false,
                    None,
                    "baseline JPEG",
                    "JPEG 图像数据无法解码",
                    "the JPEG's image data does not decode",
                );
            }
        }
    }
    let verdict = Verdict::of(&checks);
    FileReport {
        checks,
        not_checked,
        analysis,
        verdict,
        id_masked: fc.opened.as_deref().map(seal::mask),
        seal: fc.seal,
    }
}
