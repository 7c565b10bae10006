//! A one-line progress bar for batch work, drawn on the terminal only: photos done of all,
//! photos per second and the running fail count. Silent when stdout is piped or JSON is asked
//! for, so scripts read exactly the lines they read before.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// How often the bar is redrawn at most.
const REDRAW: Duration = Duration::from_millis(100);
/// The bar's width in cells.
const WIDTH: usize = 24;

pub struct Progress {
    total: usize,
    done: usize,
    failed: usize,
    started: Instant,
    drawn: Option<Instant>,
    on: bool,
}

impl Progress {
    /// A bar over `total` items, drawn only when `wanted` and stdout is a terminal.
    pub fn new(total: usize, wanted: bool) -> Progress {
        Progress {
            total,
            done: 0,
            failed: 0,
            started: Instant::now(),
            drawn: None,
            on: wanted && std::io::stdout().is_terminal(),
        }
    }

    /// Print a report line above the bar.
    pub fn println(&mut self, line: &str) {
        let mut out = std::io::stdout().lock();
        if self.on && self.drawn.is_some() {
            let _ = write!(out, "\r\x1b[2K");
        }
        let _ = writeln!(out, "{line}");
        if self.on && self.drawn.is_some() {
            let _ = write!(out, "{}", self.line());
            let _ = out.flush();
        }
    }

    /// One item finished.
    pub fn tick(&mut self, failed: bool) {
        self.done += 1;
        self.failed += usize::from(failed);
        if !self.on {
            return;
        }
        let due = self.drawn.is_none_or(|t| t.elapsed() >= REDRAW);
        if due || self.done == self.total {
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "\r\x1b[2K{}", self.line());
            let _ = out.flush();
            self.drawn = Some(Instant::now());
        }
    }

    /// Take the bar off the screen before the summary.
    pub fn finish(&mut self) {
        if self.on && self.drawn.take().is_some() {
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "\r\x1b[2K");
            let _ = out.flush();
        }
    }

    fn line(&self) -> String {
        let filled = (self.done * WIDTH).checked_div(self.total).unwrap_or(WIDTH);
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        format!(
            "[{}{}] {}/{}  {:.1} 张/秒 photos/s  不合格 {} failed",
            "█".repeat(filled),
            "·".repeat(WIDTH - filled),
            self.done,
            self.total,
            self.done as f64 / secs,
            self.failed
        )
    }
}
