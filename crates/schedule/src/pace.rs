//! Each slot's pace: what was planned by now against what the room has done.
//!
//! A shot belongs to the slot of its room whose time holds the moment it was taken. The plan
//! runs evenly through a slot (`expected` students in its minutes); a room is ahead or behind
//! by the students it is over or under that line, with [`PACE_TOLERANCE`] either side counted
//! as on plan.

use crate::{MINUTES_PER_30, Slot, same_room};
use serde::Serialize;
use std::collections::HashSet;

/// Students either side of the plan still counted as on plan (about 50 seconds of work).
pub const PACE_TOLERANCE: i64 = 2;

/// One shot, as pace needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShotFact {
    /// Unix milliseconds.
    pub taken_at: i64,
    /// The room the station was in.
    pub room: String,
    /// Who (the code key).
    pub student: String,
    /// Voided shots do not count.
    pub voided: bool,
}

/// A press of the shutter the station refused (the photo would not have met the standard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedFrame {
    /// Unix milliseconds.
    pub at: i64,
    /// The room.
    pub room: String,
}

/// Where a slot stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PaceState {
    /// It has not begun.
    Upcoming,
    /// More students than planned by now.
    Ahead,
    /// Within the tolerance of the plan.
    OnPlan,
    /// Fewer students than planned by now (or the slot ended short).
    Behind,
    /// Everyone expected is photographed.
    Done,
}

/// A slot and how it went.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SlotPace {
    /// The slot.
    pub slot: Slot,
    /// Students with at least one (not voided) shot in it.
    pub photographed: u32,
    /// Shots beyond each student's first.
    pub retakes: u32,
    /// Shutter presses refused.
    pub refused: u32,
    /// Minutes until the slot ends (0 once it has).
    pub minutes_left: u32,
    /// Students photographed per hour so far.
    pub per_hour: u32,
    /// Students the plan expects by now.
    pub planned_by_now: u32,
    /// `photographed - planned_by_now`: ahead when positive.
    pub lead: i32,
    /// The lead in minutes of work at the planned rate.
    pub lead_minutes: f64,
    /// Ahead, behind, …
    pub state: PaceState,
}

/// Minutes after midnight, China Standard Time, and the day, of unix milliseconds.
pub fn minute_of_day(ms: i64) -> (String, u16) {
    let m = (ms + 8 * 3_600_000).div_euclid(60_000).rem_euclid(1440);
    (day_of(ms), m as u16)
}

/// The civil date of unix milliseconds in China Standard Time (UTC+8, no daylight saving), as
/// `YYYY-MM-DD`: the day a shot, a slot and a queue belong to.
pub fn day_of(ms: i64) -> String {
    let days = (ms + 8 * 3_600_000).div_euclid(86_400_000);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn holds(slot: &Slot, at: i64, room: &str) -> bool {
    let (day, m) = minute_of_day(at);
    day == slot.date && same_room(room, &slot.room) && slot.start <= m && m < slot.end
}

/// The slot of `room` that `at` falls in.
pub fn slot_at<'a>(slots: &'a [Slot], room: &str, at: i64) -> Option<&'a Slot> {
    slots.iter().find(|s| holds(s, at, room))
}

/// Shots that fall in no slot (taken outside the timetable, or in a room it does not name).
pub fn unscheduled(slots: &[Slot], shots: &[ShotFact]) -> usize {
    shots
        .iter()
        .filter(|s| !s.voided && slot_at(slots, &s.room, s.taken_at).is_none())
        .count()
}

/// Each slot's pace at `now` (unix milliseconds).
pub fn pace(
    slots: &[Slot],
    shots: &[ShotFact],
    refused: &[RefusedFrame],
    now: i64,
) -> Vec<SlotPace> {
    let (today, now_min) = minute_of_day(now);
    slots
        .iter()
        .map(|slot| {
            let mine: Vec<&ShotFact> = shots
                .iter()
                .filter(|s| !s.voided && holds(slot, s.taken_at, &s.room))
                .collect();
            let students: HashSet<&str> = mine.iter().map(|s| s.student.as_str()).collect();
            let photographed = students.len() as u32;
            let retakes = (mine.len() - students.len()) as u32;
            let refused = refused
                .iter()
                .filter(|r| holds(slot, r.at, &r.room))
                .count() as u32;
            // Minutes of the slot gone by: none before its day, all of it after.
            let elapsed = match slot.date.as_str().cmp(today.as_str()) {
                std::cmp::Ordering::Less => slot.minutes(),
                std::cmp::Ordering::Greater => 0,
                std::cmp::Ordering::Equal => {
                    u32::from(now_min.clamp(slot.start, slot.end) - slot.start)
                }
            };
            let minutes_left = slot.minutes() - elapsed;
            let planned_by_now = (u64::from(slot.expected) * u64::from(elapsed)
                / u64::from(slot.minutes().max(1))) as u32;
            let lead = photographed as i32 - planned_by_now as i32;
            let per_hour = (photographed * 60).checked_div(elapsed).unwrap_or(0);
            let state = if photographed >= slot.expected {
                PaceState::Done
            } else if elapsed == 0 && photographed == 0 {
                PaceState::Upcoming
            } else if minutes_left == 0 || i64::from(lead) < -PACE_TOLERANCE {
                PaceState::Behind
            } else if i64::from(lead) > PACE_TOLERANCE {
                PaceState::Ahead
            } else {
                PaceState::OnPlan
            };
            SlotPace {
                slot: slot.clone(),
                photographed,
                retakes,
                refused,
                minutes_left,
                per_hour,
                planned_by_now,
                lead,
                lead_minutes: f64::from(lead) * f64::from(MINUTES_PER_30) / 30.0,
                state,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2027-03-15 at hh:mm China Standard Time, unix milliseconds.
    fn at(h: i64, m: i64) -> i64 {
        // 2027-03-15 00:00 CST = 2027-03-14 16:00 UTC.
        let midnight_cst = 1_805_068_800_000 - 8 * 3_600_000;
        midnight_cst + (h * 60 + m) * 60_000
    }

    fn slot(start: u16, end: u16, room: &str, expected: u32) -> Slot {
        Slot {
            date: "2027-03-15".into(),
            start,
            end,
            group: "计算机学院".into(),
            room: room.into(),
            expected,
            expected_derived: false,
            row: 2,
        }
    }

    fn shot(h: i64, m: i64, room: &str, who: &str) -> ShotFact {
        ShotFact {
            taken_at: at(h, m),
            room: room.into(),
            student: who.into(),
            voided: false,
        }
    }

    #[test]
    fn the_test_clock_is_the_day_it_says() {
        assert_eq!(minute_of_day(at(8, 30)), ("2027-03-15".into(), 510));
    }

    #[test]
    fn a_room_behind_and_a_room_ahead_at_the_same_moment() {
        let slots = [slot(480, 520, "A", 100), slot(480, 520, "B", 100)];
        // 08:20, half the slot: 50 planned. Room A has 40 students, B has 56, with one retake.
        let mut shots: Vec<ShotFact> = (0..40).map(|i| shot(8, 1, "A", &format!("a{i}"))).collect();
        shots.extend((0..56).map(|i| shot(8, 2, "b", &format!("b{i}"))));
        shots.push(shot(8, 3, "B", "b0"));
        let p = pace(&slots, &shots, &[], at(8, 20));
        assert_eq!(p[0].planned_by_now, 50);
        assert_eq!(
            (p[0].photographed, p[0].lead, p[0].state),
            (40, -10, PaceState::Behind)
        );
        assert_eq!(p[0].lead_minutes, -4.0, "10 students at 30 per 12 minutes");
        assert_eq!(
            (p[1].photographed, p[1].retakes),
            (56, 1),
            "room names match loosely"
        );
        assert_eq!(p[1].state, PaceState::Ahead);
        assert_eq!(p[0].minutes_left, 20);
        assert_eq!(p[0].per_hour, 120, "40 students in 20 minutes");
    }

    #[test]
    fn the_tolerance_has_a_test_on_each_side() {
        let slots = [slot(480, 520, "A", 100)];
        let n = |k: usize| -> Vec<ShotFact> {
            (0..k).map(|i| shot(8, 0, "A", &format!("s{i}"))).collect()
        };
        let state = |k| pace(&slots, &n(k), &[], at(8, 20))[0].state;
        assert_eq!(state(48), PaceState::OnPlan, "2 behind");
        assert_eq!(state(47), PaceState::Behind, "3 behind");
        assert_eq!(state(52), PaceState::OnPlan, "2 ahead");
        assert_eq!(state(53), PaceState::Ahead, "3 ahead");
        assert_eq!(state(100), PaceState::Done);
    }

    #[test]
    fn shots_outside_the_slot_voided_or_in_another_room_do_not_count() {
        let slots = [slot(480, 520, "A", 100)];
        let mut voided = shot(8, 5, "A", "v");
        voided.voided = true;
        let shots = [
            shot(7, 59, "A", "early"),
            shot(8, 40, "A", "at the end"),
            shot(8, 10, "C", "elsewhere"),
            voided,
            shot(8, 10, "A", "in"),
        ];
        let refused = [
            RefusedFrame {
                at: at(8, 11),
                room: "A".into(),
            },
            RefusedFrame {
                at: at(9, 0),
                room: "A".into(),
            },
        ];
        let p = pace(&slots, &shots, &refused, at(9, 0));
        assert_eq!(p[0].photographed, 1);
        assert_eq!(p[0].refused, 1);
        assert_eq!(p[0].state, PaceState::Behind, "ended short");
        assert_eq!(unscheduled(&slots, &shots), 3);
    }

    #[test]
    fn a_slot_not_yet_begun_is_upcoming_and_a_past_day_is_over() {
        let slots = [slot(600, 640, "A", 100)];
        let p = pace(&slots, &[], &[], at(8, 0));
        assert_eq!(
            (p[0].state, p[0].minutes_left, p[0].planned_by_now),
            (PaceState::Upcoming, 40, 0)
        );
        let p = pace(&slots, &[], &[], at(8, 0) + 86_400_000);
        assert_eq!(
            (p[0].state, p[0].minutes_left, p[0].planned_by_now),
            (PaceState::Behind, 0, 100)
        );
    }
}
