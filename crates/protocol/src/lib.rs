//! The upload protocol between a station and a collector (`docs/upload-api.md`), in one place so
//! the worker and the server cannot drift apart: header names, size limits, the receipt a
//! collector answers with, and the checks on everything a client sends that is stored and shown
//! later.
//!
//! ```
//! use caiji_protocol::{Receipt, ReceiptStatus};
//! let r = Receipt::new("0123456789abcdef0123456789abcdef", "ab".repeat(32), ReceiptStatus::Stored, true);
//! let body = serde_json::to_vec(&r).unwrap();
//! // The worker counts an upload only when the body is this receipt, for this shot and these bytes.
//! assert!(Receipt::parse(&body).unwrap().proves("0123456789abcdef0123456789abcdef", &"ab".repeat(32)));
//! ```
#![deny(missing_docs)]

use serde::{Deserialize, Serialize};

/// The photo's SHA-256, lower-case hex, of the body as sent.
pub const SHA256: &str = "x-caiji-sha256";
/// The capture code's key (16 hex digits of its SHA-256; never the code).
pub const CODE_KEY: &str = "x-caiji-code-key";
/// When the photo was taken, unix milliseconds.
pub const TAKEN_AT: &str = "x-caiji-taken-at";
/// The shot this one replaces (a retake), when there is one.
pub const SUPERSEDES: &str = "x-caiji-supersedes";

/// The room the station stands in, percent-encoded UTF-8 (`体育馆` is not a header value).
pub const ROOM: &str = "x-caiji-room";

/// Where a station with the read scope asks what arrived from every room on a day:
/// `GET /v1/arrived?day=YYYY-MM-DD`, answered with [`Arrivals`].
pub const ARRIVED_PATH: &str = "/v1/arrived";

/// One photo at the collector, as the read API shows it: who by code key only, never a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arrival {
    /// Shot id.
    pub shot_id: String,
    /// The station that sent it.
    pub station: String,
    /// The room it was taken in (empty from stations older than the room header).
    pub room: String,
    /// The capture code's key.
    pub code_key: String,
    /// When it was taken, unix milliseconds.
    pub taken_at: i64,
    /// The student's current photo for the day.
    pub current: bool,
}

/// The read API's answer: every photo of a day, from every station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arrivals {
    /// The day asked for.
    pub day: String,
    /// Its photos, in the order they were taken.
    pub arrivals: Vec<Arrival>,
}

/// Percent-encode text for a header value (every byte outside `A-Za-z0-9-_.~`).
pub fn encode_header_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The text [`encode_header_text`] encoded; `None` for bad escapes or bytes that are not UTF-8.
pub fn decode_header_text(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The largest body a collector reads: the standard's largest legal photo (40 KB) plus room for
/// the markers a re-encoder may add. Anything larger is refused before it is read.
pub const MAX_PHOTO_BYTES: usize = 48 * 1024;
/// How much of a response body the worker reads: a receipt is a few hundred bytes; a login page
/// or an error page is not read further.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024;

/// Whether the photo was stored by this request or an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptStatus {
    /// Stored now.
    Stored,
    /// Stored before with the same bytes (a retry after a lost response).
    AlreadyStored,
}

/// The collector's proof that it holds a photo: the shot id and the SHA-256 of the bytes it
/// stored, and whether the photo is the student's current one for that day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Always `"caiji-receipt/1"`: a body from anything else is not a receipt.
    pub receipt: String,
    /// The shot id the photo was stored under.
    pub shot_id: String,
    /// SHA-256 of the stored bytes.
    pub sha256: String,
    /// Stored now or before.
    pub status: ReceiptStatus,
    /// The student's current photo for the day (a later retake makes an earlier one not current).
    pub current: bool,
}

/// The receipt format's tag.
pub const RECEIPT_TAG: &str = "caiji-receipt/1";

impl Receipt {
    /// A receipt for `shot_id` with `sha256`.
    pub fn new(
        shot_id: impl Into<String>,
        sha256: impl Into<String>,
        status: ReceiptStatus,
        current: bool,
    ) -> Receipt {
        Receipt {
            receipt: RECEIPT_TAG.into(),
            shot_id: shot_id.into(),
            sha256: sha256.into(),
            status,
            current,
        }
    }

    /// A response body read as a receipt; `None` when it is anything else (a login page, another
    /// server's JSON, an error).
    pub fn parse(body: &[u8]) -> Option<Receipt> {
        serde_json::from_slice::<Receipt>(body)
            .ok()
            .filter(|r| r.receipt == RECEIPT_TAG)
    }

    /// Whether this receipt is for `shot_id` and exactly the bytes whose hash is `sha256`.
    pub fn proves(&self, shot_id: &str, sha256: &str) -> bool {
        self.shot_id == shot_id && self.sha256.eq_ignore_ascii_case(sha256)
    }
}

/// A shot id: 8–64 characters of `[A-Za-z0-9-]`.
pub fn valid_shot_id(id: &str) -> bool {
    (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A capture code's key: exactly 16 lower-case hex digits.
pub fn valid_code_key(key: &str) -> bool {
    key.len() == 16 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A SHA-256 in lower-case hex.
pub fn valid_sha256(sha: &str) -> bool {
    sha.len() == 64 && sha.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// [`valid_station_name`], or the rule in words.
pub fn check_station_name(name: &str) -> Result<(), caiji_spec::Message> {
    if valid_station_name(name) {
        Ok(())
    } else {
        Err(caiji_spec::Message::new(
            "站点名称应为 1–64 个字母、数字、空格或 - _ . #",
            "a station name is 1–64 letters, digits, spaces or - _ . #",
        ))
    }
}

/// A station name as configured and shown to a supervisor: 1–64 characters, letters (any script,
/// so 体育馆-1 is fine), digits, space, `-`, `_`, `.`, `#`; nothing a page or a spreadsheet could
/// read as markup or a formula.
pub fn valid_station_name(name: &str) -> bool {
    let n = name.chars().count();
    (1..=64).contains(&n)
        && !name.starts_with([' ', '=', '+', '-', '@'])
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '#'))
}

/// A room as a school names it and a supervisor sees it: up to 64 characters of text (`体育馆 A`,
/// `演示 / demo`, `3#楼-201`), empty allowed; no control characters, nothing a page reads as
/// markup (`<>&"'`), no leading character a spreadsheet reads as a formula (`=+-@`).
pub fn valid_room_name(room: &str) -> bool {
    room.chars().count() <= 64
        && !room.starts_with(['=', '+', '-', '@'])
        && !room
            .chars()
            .any(|c| c.is_control() || matches!(c, '<' | '>' | '&' | '"' | '\''))
}

/// [`valid_room_name`] with its rule in words.
pub fn check_room_name(room: &str) -> Result<(), caiji_spec::Message> {
    if valid_room_name(room) {
        Ok(())
    } else {
        Err(caiji_spec::Message::new(
            "考场名称最多 64 个字符，不能含 < > & \" ' 或控制字符，也不能以 = + - @ 开头",
            "a room name is at most 64 characters, without < > & \" ' or control characters, \
             not starting with = + - @",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_names_are_text_but_never_markup_or_a_formula() {
        for ok in ["", "体育馆 A", "演示 / demo", "3#楼-201", "Hall (east)"] {
            assert!(valid_room_name(ok), "{ok}");
        }
        for bad in [
            "=HYPERLINK(1)",
            "-1",
            "<b>",
            "a&b",
            "tab\there",
            &"长".repeat(65),
        ] {
            assert!(!valid_room_name(bad), "{bad}");
        }
    }

    #[test]
    fn room_names_cross_headers_and_come_back() {
        for room in ["体育馆 A-1", "Hall #2", "", "50%"] {
            let e = encode_header_text(room);
            assert!(e.is_ascii(), "{e}");
            assert_eq!(decode_header_text(&e).as_deref(), Some(room));
        }
        assert_eq!(decode_header_text("%E4%BD"), None, "not UTF-8");
        assert_eq!(decode_header_text("%zz"), None);
        assert_eq!(decode_header_text("%4"), None);
    }

    #[test]
    fn a_receipt_proves_only_its_own_shot_and_bytes() {
        let sha = "ab".repeat(32);
        let r = Receipt::new("shot-0001", sha.clone(), ReceiptStatus::Stored, true);
        let body = serde_json::to_vec(&r).unwrap();
        let back = Receipt::parse(&body).unwrap();
        assert!(back.proves("shot-0001", &sha));
        assert!(!back.proves("shot-0002", &sha), "another shot");
        assert!(!back.proves("shot-0001", &"cd".repeat(32)), "other bytes");
        for foreign in [
            &b"<html><body>Please log in</body></html>"[..],
            br#"{"status":"stored"}"#,
            br#"{"receipt":"other/1","shot_id":"shot-0001","sha256":"x","status":"stored","current":true}"#,
            b"",
        ] {
            assert_eq!(Receipt::parse(foreign), None, "{:?}", String::from_utf8_lossy(foreign));
        }
    }

    #[test]
    fn what_a_client_sends_is_checked_before_it_is_stored() {
        assert!(valid_station_name("体育馆-1"));
        assert!(valid_station_name("room A.2"));
        for bad in [
            "",
            "<script>alert(1)</script>",
            "=HYPERLINK(\"x\")",
            "a\"b",
            &"x".repeat(65),
        ] {
            assert!(!valid_station_name(bad), "{bad}");
        }
        assert!(valid_code_key("0123456789abcdef"));
        for bad in [
            "0123456789ABCDEF",
            "0123",
            "<b>0123456789ab</b>",
            "0123456789abcdeg",
        ] {
            assert!(!valid_code_key(bad), "{bad}");
        }
        assert!(valid_shot_id("0123456789abcdef"));
        assert!(!valid_shot_id("../../etc/passwd"));
        assert!(valid_sha256(&"0f".repeat(32)));
        assert!(!valid_sha256("0f"));
    }
}
