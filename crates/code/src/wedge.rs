//! A handheld scanner in keyboard-wedge mode types the code as keystrokes and then Enter.

use crate::{CaptureCode, CodeError, MAX_LEN};

/// What one keystroke made of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyEvent {
    /// Still collecting.
    Pending,
    /// Enter closed a valid code.
    Code(CaptureCode),
    /// Enter closed something that is not a code.
    Rejected(CodeError),
}

/// Collects scanner keystrokes until Enter. Input past [`MAX_LEN`] is dropped (a stuck key or a
/// flood), and reported as too long when Enter comes.
#[derive(Debug, Default)]
pub struct ScannerInput {
    buf: String,
    overflow: usize,
}

impl ScannerInput {
    /// A new, empty input.
    pub fn new() -> ScannerInput {
        ScannerInput::default()
    }

    /// Feed one character; `'\n'` or `'\r'` ends the code.
    pub fn key(&mut self, c: char) -> KeyEvent {
        if c == '\n' || c == '\r' {
            if self.buf.is_empty() && self.overflow == 0 && c == '\n' {
                // The '\n' of a "\r\n" pair after a code was already taken.
                return KeyEvent::Pending;
            }
            let overflow = std::mem::take(&mut self.overflow);
            let text = std::mem::take(&mut self.buf);
            if overflow > 0 {
                return KeyEvent::Rejected(CodeError::TooLong(text.len() + overflow));
            }
            return match CaptureCode::parse(&text) {
                Ok(code) => KeyEvent::Code(code),
                Err(e) => KeyEvent::Rejected(e),
            };
        }
        if self.buf.len() + c.len_utf8() > MAX_LEN {
            self.overflow += c.len_utf8();
        } else {
            self.buf.push(c);
        }
        KeyEvent::Pending
    }

    /// Feed a string (a paste, or a test), returning every completed code or rejection.
    pub fn feed(&mut self, s: &str) -> Vec<KeyEvent> {
        s.chars()
            .map(|c| self.key(c))
            .filter(|e| *e != KeyEvent::Pending)
            .collect()
    }

    /// Drop what was typed so far (Escape).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.overflow = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keystrokes_then_enter_give_a_code() {
        let mut s = ScannerInput::new();
        let ev = s.feed("CJ1|10001|张*丰|1234|2023010101\r\n");
        assert_eq!(ev.len(), 1, "CRLF counts once");
        assert!(matches!(&ev[0], KeyEvent::Code(c) if c.demo().is_some()));
    }

    #[test]
    fn an_empty_enter_and_a_flood_are_rejected() {
        let mut s = ScannerInput::new();
        assert_eq!(s.feed("\r"), vec![KeyEvent::Rejected(CodeError::Empty)]);
        let flood = "x".repeat(10 * 1024) + "\n";
        assert_eq!(
            s.feed(&flood),
            vec![KeyEvent::Rejected(CodeError::TooLong(10 * 1024))]
        );
        let ok = s.feed("ABCDEFGH12\n");
        assert!(
            matches!(&ok[0], KeyEvent::Code(_)),
            "the input recovers after a flood"
        );
    }
}
