//! The roster against the export: matched, missing, ambiguous, not on the roster.

use crate::{Photographed, Roster, RosterRow, RowError, compact_upper, last4, natural, number_key};
use caiji_spec::Message;
use std::collections::{BTreeMap, HashMap};

/// Roster students that the export cannot tell apart: the same masked name and ID tail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ambiguity {
    /// The masked name and ID tail they share: `张*丰 123X`.
    pub key: String,
    /// The roster students sharing it, by class and student number.
    pub roster_rows: Vec<RosterRow>,
    /// How many export rows carry that key.
    pub photographed: usize,
}

impl Ambiguity {
    /// Whether as many were photographed as the group has students: then the group counts as
    /// photographed, though who is who is not certain.
    pub fn all_photographed(&self) -> bool {
        self.photographed >= self.roster_rows.len()
    }

    /// The group's state for a person to read.
    pub fn status(&self) -> Message {
        let (k, n) = (self.photographed, self.roster_rows.len());
        if k > n {
            Message::new(
                format!("{n}/{n} 已拍摄（{k} 条拍摄记录），身份无法确定"),
                format!("{n}/{n} photographed ({k} photo records), identities not certain"),
            )
        } else if k == n {
            Message::new(
                format!("{n}/{n} 已拍摄，身份无法确定"),
                format!("{n}/{n} photographed, identities not certain"),
            )
        } else {
            Message::new(
                format!("{k}/{n} 已拍摄：请人工核对谁未拍摄"),
                format!("{k} of {n} photographed: check by hand who is missing"),
            )
        }
    }
}

/// What the match found. Every roster row of [`Roster::rows`] is in exactly one place: counted
/// in `matched`, listed in `missing`, or in one `ambiguous` group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The 补拍 list: roster students with no photo, by class and student number.
    pub missing: Vec<RosterRow>,
    /// Roster students sharing a masked name and ID tail that at least one photo carries.
    pub ambiguous: Vec<Ambiguity>,
    /// Export rows that no roster row accounts for, in the export's order.
    pub not_on_roster: Vec<Photographed>,
    /// Roster students matched to a photo with certainty (by number, or by a key only they have).
    pub matched: usize,
    /// The roster's row errors: those rows took no part in the match.
    pub errors: Vec<RowError>,
}

/// The key a roster row is known by in the export.
fn roster_key(r: &RosterRow) -> (String, String) {
    (
        compact_upper(&caiji_code::mask_name(&r.name)),
        last4(&compact_upper(&r.id_number)),
    )
}

fn has_number(p: &Photographed) -> bool {
    p.student_no
        .as_deref()
        .is_some_and(|n| !n.trim().is_empty())
}

/// Match a roster against the station's export (see the crate's documentation for the rules).
pub fn find_missing(roster: &Roster, photographed: &[Photographed]) -> Outcome {
    let rows = &roster.rows;
    let mut matched = vec![false; rows.len()];
    let mut ambiguous_row = vec![false; rows.len()];
    let mut placed = vec![false; photographed.len()];

    // 1. Student numbers, where both sides have one. (A second photo with the same number is the
    //    same student again.)
    let mut by_number: HashMap<String, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let n = number_key(&r.student_no);
        if !n.is_empty() {
            by_number.entry(n).or_insert(i);
        }
    }
    for (e, p) in photographed.iter().enumerate() {
        let n = number_key(p.student_no.as_deref().unwrap_or(""));
        if let Some(&i) = by_number.get(&n).filter(|_| !n.is_empty()) {
            matched[i] = true;
            placed[e] = true;
        }
    }

    // 2. Masked name + ID tail, among the roster rows step 1 left.
    struct Group {
        rows: Vec<usize>,
        photos: Vec<usize>,
    }
    let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate().filter(|(i, _)| !matched[*i]) {
        groups
            .entry(roster_key(r))
            .or_insert_with(|| Group {
                rows: Vec::new(),
                photos: Vec::new(),
            })
            .rows
            .push(i);
    }
    for (e, p) in photographed.iter().enumerate().filter(|(e, _)| !placed[*e]) {
        let key = (compact_upper(&p.name_masked), compact_upper(&p.id_tail));
        if key.0.is_empty() || key.1.is_empty() {
            continue;
        }
        let Some(g) = groups.get_mut(&key) else {
            continue;
        };
        // A photo whose number is not on the roster is not a roster student who has another
        // number; it can only be one who has none.
        if has_number(p)
            && g.rows
                .iter()
                .all(|&i| !rows[i].student_no.trim().is_empty())
        {
            continue;
        }
        g.photos.push(e);
    }
    let by_class = |a: &usize, b: &usize| {
        let (a, b) = (&rows[*a], &rows[*b]);
        natural(&a.class, &b.class)
            .then_with(|| natural(&a.student_no, &b.student_no))
            .then(a.row.cmp(&b.row))
    };
    let mut ambiguous = Vec::new();
    for ((mask, tail), mut g) in groups {
        match (g.rows.len(), g.photos.len()) {
            (_, 0) => {}
            (1, _) => {
                matched[g.rows[0]] = true;
                // Prefer a photo without a number; any others are not this student's.
                g.photos.sort_by_key(|&e| has_number(&photographed[e]));
                placed[g.photos[0]] = true;
            }
            (_, k) => {
                g.rows.sort_by(by_class);
                for &i in &g.rows {
                    ambiguous_row[i] = true;
                }
                for &e in &g.photos {
                    placed[e] = true;
                }
                ambiguous.push(Ambiguity {
                    key: format!("{mask} {tail}"),
                    roster_rows: g.rows.iter().map(|&i| rows[i].clone()).collect(),
                    photographed: k,
                });
            }
        }
    }
    ambiguous.sort_by(|a, b| {
        let (x, y) = (&a.roster_rows[0], &b.roster_rows[0]);
        natural(&x.class, &y.class)
            .then_with(|| natural(&x.student_no, &y.student_no))
            .then(x.row.cmp(&y.row))
    });

    // 3. What is left.
    let mut missing: Vec<usize> = (0..rows.len())
        .filter(|&i| !matched[i] && !ambiguous_row[i])
        .collect();
    missing.sort_by(by_class);
    Outcome {
        missing: missing.into_iter().map(|i| rows[i].clone()).collect(),
        ambiguous,
        not_on_roster: photographed
            .iter()
            .zip(&placed)
            .filter(|(_, placed)| !**placed)
            .map(|(p, _)| p.clone())
            .collect(),
        matched: matched.iter().filter(|&&m| m).count(),
        errors: roster.errors.clone(),
    }
}
