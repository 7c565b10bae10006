//! Integration tests of the photo output and the validator on real portraits.

mod rules;
mod shots;

use caiji_scene::{Library, Scene, render};
use caiji_vision::Analyzer;
use std::sync::OnceLock;

/// The model and photos, loaded once for the whole test binary.
pub fn fixtures() -> &'static (Analyzer, Library) {
    static F: OnceLock<(Analyzer, Library)> = OnceLock::new();
    F.get_or_init(|| {
        (
            Analyzer::load_default().expect("face model (run scripts/fetch-assets.sh)"),
            Library::open_default().expect("demo photos (run scripts/fetch-assets.sh)"),
        )
    })
}

/// A frame of a scene and its analysis.
pub fn frame(scene: &Scene) -> (image::RgbImage, caiji_vision::Analysis) {
    let (analyzer, lib) = fixtures();
    let (img, _) = render(lib, scene).expect("scene renders");
    let a = analyzer.analyze(&img).expect("analysis runs");
    (img, a)
}
