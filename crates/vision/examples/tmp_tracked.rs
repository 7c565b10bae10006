//! temp
fn main() {
    use caiji_scene::{Library, swaying_frames};
    use caiji_vision::Analyzer;
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(20);
    let lib = Library::open_default().expect("photos");
    let analyzer = Analyzer::load(&caiji_vision::assets_dir()).unwrap();
    let frames = swaying_frames(&lib, "glasses", "light_blue", (1920, 1080), 20).unwrap();
    let mut track = None;
    for i in 0..n {
        let t = std::time::Instant::now();
        analyzer.analyze_tracked(&frames[i % frames.len()], &mut track).unwrap();
        eprintln!("{i} {:.2}", t.elapsed().as_secs_f64() * 1e3);
    }
}
