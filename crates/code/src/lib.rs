//! Capture codes (采集码): the token a student shows as a QR code from 学信网, scanned from a camera
//! frame or typed by a handheld scanner.
//!
//! The official payload is encrypted and its format is not public, so a [`CaptureCode`] keeps the
//! scanned text as an opaque token after checking its length and characters, derives a stable
//! [`CaptureCode::key`] for de-duplication (the text itself is personal data and never logged), and
//! parses the fields where the format is known: the demo format below.
//!
//! Demo format, version 1 (what `caiji demo` and the test fixtures use):
//!
//! ```text
//! CJ1|<school code: 5 digits>|<name masked: first char, '*'s, last char>|<ID last 4>|<student number: 6–20 digits>
//! CJ1|10001|张*丰|1234|2023010101
//! ```
//!
//! ```
//! use caiji_code::CaptureCode;
//! let code = CaptureCode::parse("CJ1|10001|张*丰|1234|2023010101")?;
//! let demo = code.demo().expect("demo format");
//! assert_eq!(demo.name_masked, "张*丰");
//! assert_eq!(code.key().len(), 16);
//! # Ok::<(), caiji_code::CodeError>(())
//! ```
#![deny(missing_docs)]

mod scan;
mod wedge;

pub use scan::{QrScanner, render_qr};
pub use wedge::{KeyEvent, ScannerInput};

use caiji_spec::Message;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Shortest accepted code, characters.
pub const MIN_LEN: usize = 8;
/// Longest accepted code, bytes: an encrypted payload with room to spare, far below a 10 KB flood.
pub const MAX_LEN: usize = 512;

/// Why a scan is not a capture code. Every variant explains itself in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeError {
    /// Nothing was scanned.
    #[error("{}", self.message())]
    Empty,
    /// Too short to be a code.
    #[error("{}", self.message())]
    TooShort(usize),
    /// Too long to be a code.
    #[error("{}", self.message())]
    TooLong(usize),
    /// Control characters (a scanner misconfigured, or binary garbage).
    #[error("{}", self.message())]
    ControlCharacter(usize),
    /// A demo-format code with a malformed field: what is wrong, in Chinese and in English.
    #[error("{}", self.message())]
    BadField(&'static str, &'static str),
}

impl CodeError {
    /// Why the scan was refused and what to do, in Chinese and English.
    pub fn message(&self) -> Message {
        match self {
            CodeError::Empty => Message::new("扫描内容为空，请重新扫码", "empty scan, scan again"),
            CodeError::TooShort(n) => Message::new(
                format!("采集码太短（{n} 个字符），可能只扫到了一部分"),
                format!("code too short ({n} characters): partly scanned?"),
            ),
            CodeError::TooLong(n) => Message::new(
                format!("采集码过长（{n} 字节），不是学信网采集码"),
                format!("code too long ({n} bytes): not a capture code"),
            ),
            CodeError::ControlCharacter(at) => Message::new(
                format!("采集码含有控制字符（位置 {at}），请检查扫码枪设置"),
                format!("control character in the code (at {at}): check the scanner settings"),
            ),
            CodeError::BadField(zh, en) => Message::new(
                format!("示例采集码字段错误：{zh}"),
                format!("demo code field invalid: {en}"),
            ),
        }
    }
}

/// The fields of a demo-format code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoFields {
    /// School code, 5 digits.
    pub school: String,
    /// Name with only the first and last character shown.
    pub name_masked: String,
    /// Last four characters of the ID number.
    pub id_last4: String,
    /// Student number.
    pub student_no: String,
}

/// A validated capture code.
#[derive(Clone, PartialEq, Eq)]
pub struct CaptureCode {
    text: String,
    demo: Option<DemoFields>,
}

impl std::fmt::Debug for CaptureCode {
    // Never print the full code: it is personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CaptureCode({})", self.key())
    }
}

impl CaptureCode {
    /// Validate scanned or typed text. Surrounding white space (a scanner's trailing newline) is
    /// dropped; anything else unusual is refused with its reason.
    pub fn parse(raw: &str) -> Result<CaptureCode, CodeError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(CodeError::Empty);
        }
        if text.len() > MAX_LEN {
            return Err(CodeError::TooLong(text.len()));
        }
        if let Some((i, _)) = text.char_indices().find(|(_, c)| c.is_control()) {
            return Err(CodeError::ControlCharacter(i));
        }
        let chars = text.chars().count();
        if chars < MIN_LEN {
            return Err(CodeError::TooShort(chars));
        }
        let demo = if text.starts_with("CJ1|") {
            Some(parse_demo(text)?)
        } else {
            None
        };
        Ok(CaptureCode {
            text: text.to_string(),
            demo,
        })
    }

    /// The full text. Personal data: seal it, never log it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Stable de-duplication key: 16 hex digits of SHA-256 of the text.
    pub fn key(&self) -> String {
        hex::encode(&Sha256::digest(self.text.as_bytes())[..8])
    }

    /// The parsed fields when the code is in the demo format.
    pub fn demo(&self) -> Option<&DemoFields> {
        self.demo.as_ref()
    }

    /// What the photographer may be shown: the masked name and ID tail when known, else the key.
    pub fn display(&self) -> String {
        match &self.demo {
            Some(d) => format!(
                "{} · ****{} · {}",
                d.name_masked,
                d.id_last4,
                mask_number(&d.student_no)
            ),
            None => format!("#{}", &self.key()[..8]),
        }
    }
}

fn mask_number(s: &str) -> String {
    let n = s.chars().count();
    if n <= 4 {
        return s.to_string();
    }
    format!("{}{}", "*".repeat(n - 4), &s[s.len() - 4..])
}

fn parse_demo(text: &str) -> Result<DemoFields, CodeError> {
    let parts: Vec<&str> = text.split('|').collect();
    if parts.len() != 5 {
        return Err(CodeError::BadField("需要 5 段", "needs 5 fields"));
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if parts[1].len() != 5 || !digits(parts[1]) {
        return Err(CodeError::BadField("学校代码", "school code"));
    }
    let name: Vec<char> = parts[2].chars().collect();
    let masked_ok = name.len() >= 2
        && name[0] != '*'
        && name[1..name.len() - 1].iter().all(|&c| c == '*')
        && (name.len() == 2 && name[1] == '*' || name.len() >= 3 && name[name.len() - 1] != '*');
    if !masked_ok {
        return Err(CodeError::BadField(
            "姓名应只显示首尾字",
            "name must show only its first and last character",
        ));
    }
    let id4 = parts[3];
    if id4.len() != 4
        || !id4
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'X' || b == b'x')
    {
        return Err(CodeError::BadField("证件号后四位", "ID last four"));
    }
    if !(6..=20).contains(&parts[4].len()) || !digits(parts[4]) {
        return Err(CodeError::BadField("学号", "student number"));
    }
    Ok(DemoFields {
        school: parts[1].to_string(),
        name_masked: parts[2].to_string(),
        id_last4: id4.to_uppercase(),
        student_no: parts[4].to_string(),
    })
}

/// Mask a full name the way capture codes do: first and last character kept.
pub fn mask_name(name: &str) -> String {
    let c: Vec<char> = name.chars().collect();
    match c.len() {
        0 => String::new(),
        1 => c[0].to_string(),
        2 => format!("{}*", c[0]),
        n => format!("{}{}{}", c[0], "*".repeat(n - 2), c[n - 1]),
    }
}

/// A demo-format code for a student.
pub fn demo_code(school: &str, full_name: &str, id_last4: &str, student_no: &str) -> String {
    format!(
        "CJ1|{school}|{}|{id_last4}|{student_no}",
        mask_name(full_name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_refused_with_its_reason() {
        assert_eq!(CaptureCode::parse("   \n"), Err(CodeError::Empty));
        assert_eq!(CaptureCode::parse("abc"), Err(CodeError::TooShort(3)));
        assert!(matches!(
            CaptureCode::parse(&"A".repeat(10 * 1024)),
            Err(CodeError::TooLong(10240))
        ));
        assert_eq!(
            CaptureCode::parse("ABCD\u{7}EFGH"),
            Err(CodeError::ControlCharacter(4))
        );
        assert!(matches!(
            CaptureCode::parse("CJ1|1000|张*丰|1234|2023010101"),
            Err(CodeError::BadField(..))
        ));
        assert!(matches!(
            CaptureCode::parse("CJ1|10001|张三丰|1234|2023010101"),
            Err(CodeError::BadField(..))
        ));
        let msg = CodeError::TooShort(3).to_string();
        assert!(msg.contains("太短") && msg.contains("too short"));
    }

    #[test]
    fn a_bad_field_is_named_once_in_each_language() {
        let err = CaptureCode::parse("CJ1|10001|张*丰|1234").unwrap_err();
        let m = err.message();
        assert_eq!(m.zh, "示例采集码字段错误：需要 5 段");
        assert_eq!(m.en, "demo code field invalid: needs 5 fields");
        let err = CaptureCode::parse("CJ1|10001|张三丰|1234|2023010101").unwrap_err();
        let m = err.message();
        assert!(!m.zh.contains("name") && m.en.contains("first and last character"));
        assert!(!m.en.contains('姓'), "{}", m.en);
    }

    #[test]
    fn opaque_codes_are_kept_and_keyed_stably() {
        let a = CaptureCode::parse("  XK29dkQ0aPz-88291 \r\n").unwrap();
        assert_eq!(a.text(), "XK29dkQ0aPz-88291");
        assert_eq!(
            a.key(),
            CaptureCode::parse("XK29dkQ0aPz-88291").unwrap().key()
        );
        assert!(a.demo().is_none());
        assert!(
            !format!("{a:?}").contains("XK29"),
            "Debug never shows the code"
        );
    }

    #[test]
    fn demo_codes_round_trip() {
        let text = demo_code("10001", "欧阳娜娜", "123x", "2023010101");
        let c = CaptureCode::parse(&text).unwrap();
        let d = c.demo().unwrap();
        assert_eq!(
            (d.name_masked.as_str(), d.id_last4.as_str()),
            ("欧**娜", "123X")
        );
        assert_eq!(c.display(), "欧**娜 · ****123X · ******0101");
        assert_eq!(mask_name("李明"), "李*");
    }
}
