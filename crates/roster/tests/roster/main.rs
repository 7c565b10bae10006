//! The roster against the station's export: a synthetic school of 3 382 students whose common
//! names make masks collide, through real xlsx and csv files; and small hand-made cases, each
//! rule and each kind of roster error on its own.

mod cases;
mod synthetic;

use caiji_sheet::{Row, Table};
use std::collections::HashSet;
use std::path::Path;

/// A table as a file would give it, rows numbered from 1.
pub fn table(rows: &[&[&str]]) -> Table {
    Table {
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, r)| Row {
                number: i as u32 + 1,
                cells: r.iter().map(|s| s.to_string()).collect(),
            })
            .collect(),
    }
}

/// Everything a person could read in an output file: every cell of every sheet of a workbook
/// (the file itself is compressed), or a CSV file's raw text.
pub fn readable_text(path: &Path) -> String {
    use calamine::Reader;
    match path.extension().and_then(|e| e.to_str()) {
        Some("xlsx") => {
            let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path).expect("open workbook");
            let mut out = String::new();
            for name in wb.sheet_names().to_vec() {
                out.push_str(&name);
                out.push('\n');
                let range = wb.worksheet_range(&name).expect("read sheet");
                for row in range.rows() {
                    for cell in row {
                        out.push_str(&cell.to_string());
                        out.push('\n');
                    }
                }
            }
            out
        }
        _ => String::from_utf8(std::fs::read(path).expect("read csv")).expect("UTF-8 csv"),
    }
}

/// Finds any of a set of strings in a text, case-insensitively for ASCII (a final `x` of an ID
/// number): every window of each length is looked up, so thousands of needles cost one pass.
pub struct Finder {
    needles: HashSet<String>,
    lengths: Vec<usize>,
}

impl Finder {
    /// A finder for these strings.
    pub fn new<'a>(needles: impl IntoIterator<Item = &'a str>) -> Finder {
        let needles: HashSet<String> = needles.into_iter().map(str::to_uppercase).collect();
        let mut lengths: Vec<usize> = needles.iter().map(|n| n.chars().count()).collect();
        lengths.sort_unstable();
        lengths.dedup();
        Finder { needles, lengths }
    }

    /// The needles that occur in `text`.
    pub fn hits(&self, text: &str) -> Vec<String> {
        let chars: Vec<char> = text.to_uppercase().chars().collect();
        let mut found = HashSet::new();
        for &n in &self.lengths {
            for w in chars.windows(n) {
                let s: String = w.iter().collect();
                if self.needles.contains(&s) {
                    found.insert(s);
                }
            }
        }
        let mut found: Vec<String> = found.into_iter().collect();
        found.sort();
        found
    }
}

#[test]
fn the_finder_finds_what_is_there() {
    let f = Finder::new(["11010120000101123X", "王伟"]);
    assert_eq!(
        f.hits("a,11010120000101123x,b"),
        ["11010120000101123X"],
        "an ID number with a lower-case x is found"
    );
    assert_eq!(
        f.hits("王伟军"),
        ["王伟"],
        "a name inside a longer text is found"
    );
    assert!(
        f.hits("**************123X 王*伟").is_empty(),
        "masks are not hits"
    );
}
