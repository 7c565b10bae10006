//! Whole-frame analysis (detect, mesh, iris, measure, plan) per frame size, models loaded once.

use caiji_scene::{Library, Scene, render};
use caiji_vision::Analyzer;
use criterion::{Criterion, criterion_group, criterion_main};

fn analyze(c: &mut Criterion) {
    let analyzer = Analyzer::load_default().expect("face model (run scripts/fetch-assets.sh)");
    let lib = Library::open_default().expect("photos");
    let mut group = c.benchmark_group("analyze");
    group.sample_size(30);
    for (name, w, h) in [
        ("720p", 1280, 720),
        ("1080p", 1920, 1080),
        ("4k", 3840, 2160),
    ] {
        let (frame, _) = render(&lib, &Scene::standard("glasses", "light_blue", w, h)).unwrap();
        group.bench_function(name, |b| b.iter(|| analyzer.analyze(&frame).unwrap()));
    }
    group.finish();
}

criterion_group!(benches, analyze);
criterion_main!(benches);
