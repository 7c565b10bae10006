//! Integration tests of the analysis core on real face photos composited onto the backdrops.

mod golden;
mod inputs;
mod issue_9;
mod landmarks;
mod tracking;

use caiji_scene::Library;
use caiji_vision::Analyzer;
use std::sync::OnceLock;

/// The model and photos, loaded once for the whole test binary.
pub fn fixtures() -> &'static (Analyzer, Library) {
    static F: OnceLock<(Analyzer, Library)> = OnceLock::new();
    F.get_or_init(|| {
        let analyzer = Analyzer::load_default().expect("face model (run scripts/fetch-assets.sh)");
        let lib = Library::open_default().expect("demo photos (run scripts/fetch-assets.sh)");
        (analyzer, lib)
    })
}

/// The ids of the rules an analysis fails, in order.
pub fn failing(a: &caiji_vision::Analysis) -> Vec<&'static str> {
    a.failures().map(|c| c.id.as_str()).collect()
}

/// A photo from the assets folder (`real/marc.jpg`, `astronaut.png`), or a panic that says how
/// to fetch it.
pub fn vendor_photo(rel: &str) -> image::RgbImage {
    let file = caiji_vision::assets_dir().join(rel);
    image::open(&file)
        .unwrap_or_else(|e| panic!("{} (run scripts/fetch-assets.sh): {e}", file.display()))
        .to_rgb8()
}
