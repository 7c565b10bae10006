//! The crop plan: which 3:4 rectangle of the frame, scaled to 480×640, meets the standard with the
//! most margin.

use caiji_spec::{Range, STANDARD, TOLERANCES};

/// A rectangle in source pixels (sub-pixel origin and size).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Crop {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width; always `height * 3 / 4`.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Crop {
    /// Output pixels per source pixel.
    pub fn scale(&self) -> f64 {
        STANDARD.height as f64 / self.height
    }
    /// The whole of an image that already has the output size.
    pub fn identity(width: u32, height: u32) -> Crop {
        Crop {
            x: 0.0,
            y: 0.0,
            width: width as f64,
            height: height as f64,
        }
    }
}

/// Where the head lies in the output picture of a crop.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct OutputGeometry {
    /// Head top, output pixels from the top edge.
    pub head_top_y: f64,
    /// Eye line, output pixels from the top edge.
    pub eye_y: f64,
    /// Face width, output pixels.
    pub face_width: f64,
    /// Face centre, output pixels from the left edge.
    pub face_center_x: f64,
}

/// The head as measured in the source: what the plan must place.
#[derive(Debug, Clone, Copy)]
pub struct HeadInSource {
    /// Head top y.
    pub head_top_y: f64,
    /// Eye line y.
    pub eye_y: f64,
    /// Face width.
    pub face_width: f64,
    /// Face centre x.
    pub face_center_x: f64,
    /// How far the face width may be off, as a fraction of itself: the error budget of what it
    /// was measured on ([`caiji_spec::Budget`]).
    pub width_budget: f64,
}

impl HeadInSource {
    /// Map into the output of `crop`.
    pub fn in_output(&self, crop: &Crop) -> OutputGeometry {
        let s = crop.scale();
        OutputGeometry {
            head_top_y: (self.head_top_y - crop.y) * s,
            eye_y: (self.eye_y - crop.y) * s,
            face_width: self.face_width * s,
            face_center_x: (self.face_center_x - crop.x) * s,
        }
    }
}

/// How well an output geometry sits inside the standard: the smallest margin of the placement
/// rules, each as a fraction of its half-range (1 = dead centre, 0 = on the limit, < 0 = outside).
pub fn placement_margin(g: &OutputGeometry) -> f64 {
    let norm = |r: Range, v: f64| r.margin(v) / (r.span() / 2.0);
    let center_limit = TOLERANCES.center_offset * STANDARD.width as f64;
    let centered =
        (center_limit - (g.face_center_x - STANDARD.width as f64 / 2.0).abs()) / center_limit;
    norm(STANDARD.head_top, g.head_top_y)
        .min(norm(STANDARD.eye_y, g.eye_y))
        .min(norm(STANDARD.face_width, g.face_width))
        .min(centered)
}

/// Like [`placement_margin`], with each band narrowed by the measurement's error budget
/// ([`caiji_spec::Budget`]; the face width's is `width_budget`, a fraction of itself): at 0 or
/// above every quantity is inside its band even if the measurement is off by its whole budget.
/// What the crop planner maximises.
pub fn safe_margin(g: &OutputGeometry, width_budget: f64) -> f64 {
    let b = TOLERANCES.budget;
    // A budget as wide as half the band leaves no safe place in it: kept from flipping the
    // sign, the margin stays negative.
    let norm =
        |r: Range, v: f64, err: f64| (r.margin(v) - err) / (r.span() / 2.0 - err).max(f64::EPSILON);
    let center_limit = TOLERANCES.center_offset * STANDARD.width as f64;
    let centered =
        (center_limit - (g.face_center_x - STANDARD.width as f64 / 2.0).abs()) / center_limit;
    norm(STANDARD.head_top, g.head_top_y, b.head_top_px)
        .min(norm(STANDARD.eye_y, g.eye_y, b.eye_y_px))
        .min(norm(
            STANDARD.face_width,
            g.face_width,
            width_budget * g.face_width,
        ))
        .min(centered)
}

/// The best crop of a `width × height` frame: the 3:4 rectangle inside the frame, centred on the
/// face as far as the frame allows, whose output places head top, eyes and face width with the
/// largest smallest margin inside the bands narrowed by the error budget ([`safe_margin`]). Never upscales past `max_scale` output pixels per source pixel.
/// Returns the crop and its margin (negative when no compliant crop exists: then this is the
/// nearest miss, whose failing rules say what to change), or `None` when the frame is smaller
/// than one output picture at `max_scale`.
pub fn plan(head: &HeadInSource, width: u32, height: u32, max_scale: f64) -> Option<(Crop, f64)> {
    let (w, h) = (width as f64, height as f64);
    let out_w = STANDARD.width as f64;
    let out_h = STANDARD.height as f64;
    // Smallest scale: the crop as large as the frame allows.
    let s_min = (out_h / h).max(out_w / w);
    if s_min > max_scale {
        return None;
    }
    let eval = |s: f64, y: f64| -> (Crop, f64) {
        let cw = out_w / s;
        let ch = out_h / s;
        let x = (head.face_center_x - cw / 2.0).clamp(0.0, w - cw);
        let y = y.clamp(0.0, h - ch);
        let crop = Crop {
            x,
            y,
            width: cw,
            height: ch,
        };
        (crop, safe_margin(&head.in_output(&crop), head.width_budget))
    };
    // The aim for a scale: eyes and head top each want the middle of their range; take the crop
    // top halfway between the two wishes, then search around it.
    let aim = |s: f64| {
        let from_eyes = head.eye_y - STANDARD.eye_y.mid() / s;
        let from_top = head.head_top_y - STANDARD.head_top.mid() / s;
        (from_eyes + from_top) / 2.0
    };
    let mut best: Option<(Crop, f64)> = None;
    let steps = 160;
    for i in 0..=steps {
        let s = s_min + (max_scale - s_min) * i as f64 / steps as f64;
        let centre = aim(s);
        for j in -20..=20 {
            let y = centre + j as f64 * 4.0 / s;
            let cand = eval(s, y);
            if best.as_ref().is_none_or(|b| cand.1 > b.1) {
                best = Some(cand);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head() -> HeadInSource {
        HeadInSource {
            head_top_y: 200.0,
            eye_y: 480.0,
            face_width: 420.0,
            face_center_x: 960.0,
            width_budget: caiji_spec::TOLERANCES.budget.face_width_frac,
        }
    }

    #[test]
    fn a_well_framed_1080p_head_gets_a_compliant_centred_crop() {
        let (crop, margin) = plan(&head(), 1920, 1080, 1.0).expect("frame is large enough");
        assert!(margin > 0.2, "margin {margin}");
        let g = head().in_output(&crop);
        assert!(STANDARD.head_top.contains(g.head_top_y), "{g:?}");
        assert!(STANDARD.eye_y.contains(g.eye_y), "{g:?}");
        assert!(STANDARD.face_width.contains(g.face_width), "{g:?}");
        assert!((g.face_center_x - 240.0).abs() < 1.0, "centred: {g:?}");
        assert!((crop.width / crop.height - 0.75).abs() < 1e-9, "3:4");
        assert!(crop.x >= 0.0 && crop.y >= 0.0 && crop.y + crop.height <= 1080.0);
    }

    #[test]
    fn a_crop_inside_a_band_by_less_than_the_error_budget_is_not_accepted() {
        // A 480×640 frame leaves the planner no choice: the head top lands at 108 px, inside
        // 50–110 by 2 px, less than the 4 px the head-top measurement may be off.
        let head = HeadInSource {
            head_top_y: 108.0,
            eye_y: 250.0,
            face_width: 240.0,
            face_center_x: 240.0,
            width_budget: caiji_spec::TOLERANCES.budget.face_width_frac,
        };
        let (crop, margin) = plan(&head, 480, 640, 1.0).unwrap();
        let g = head.in_output(&crop);
        assert!(placement_margin(&g) > 0.0, "inside the raw bands: {g:?}");
        assert!(margin < 0.0, "but not by the budget: {margin}");
        // 6 px inside is enough.
        let head = HeadInSource {
            head_top_y: 104.0,
            ..head
        };
        let (_, margin) = plan(&head, 480, 640, 1.0).unwrap();
        assert!(margin > 0.0, "{margin}");
    }

    #[test]
    fn a_face_width_measured_on_the_cheeks_may_come_nearer_its_limit_than_one_from_the_ears() {
        // A 480×640 frame leaves no choice: the face is 280 px wide, 20 px inside the 300 px
        // limit. The ears' width may be 9.5 % off (26.6 px): not accepted. The cheeks' 5 %
        // (14 px): accepted. At 290 px (10 px inside, 14.5 px of budget) neither is.
        let b = caiji_spec::TOLERANCES.budget;
        let head = |face_width: f64, width_budget: f64| HeadInSource {
            head_top_y: 80.0,
            eye_y: 250.0,
            face_width,
            face_center_x: 240.0,
            width_budget,
        };
        let margin = |h: HeadInSource| plan(&h, 480, 640, 1.0).unwrap().1;
        assert!(margin(head(280.0, b.face_width_frac)) < 0.0);
        assert!(margin(head(280.0, b.cheeks_width_frac)) > 0.0);
        assert!(margin(head(290.0, b.cheeks_width_frac)) < 0.0);
    }

    #[test]
    fn a_budget_wider_than_half_the_band_leaves_no_safe_place_in_it() {
        // 9.5 % of a 700 px face is 66.5 px, more than the width band's half (60 px): a face
        // far outside the band must not read as safely inside it.
        let g = OutputGeometry {
            head_top_y: 80.0,
            eye_y: 250.0,
            face_width: 700.0,
            face_center_x: 240.0,
        };
        assert!(placement_margin(&g) < 0.0);
        assert!(safe_margin(&g, caiji_spec::TOLERANCES.budget.face_width_frac) < 0.0);
    }

    #[test]
    fn a_tiny_face_has_no_compliant_crop_and_the_miss_is_face_width() {
        let small = HeadInSource {
            face_width: 60.0,
            head_top_y: 400.0,
            eye_y: 470.0,
            ..head()
        };
        let (crop, margin) = plan(&small, 1920, 1080, 1.0).unwrap();
        assert!(margin < 0.0);
        assert!(small.in_output(&crop).face_width < STANDARD.face_width.min);
    }

    #[test]
    fn a_frame_smaller_than_the_output_has_no_plan() {
        assert!(plan(&head(), 320, 240, 1.0).is_none());
    }

    #[test]
    fn a_head_at_the_frame_edge_gives_an_off_centre_crop() {
        let edge = HeadInSource {
            face_center_x: 150.0,
            ..head()
        };
        let (crop, margin) = plan(&edge, 1920, 1080, 1.0).unwrap();
        assert_eq!(crop.x, 0.0, "clamped to the frame");
        assert!(margin < 0.0, "cannot be centred");
    }
}
