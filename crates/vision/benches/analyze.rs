//! Whole-frame analysis (detect, mesh, iris, measure, plan) per frame size, models loaded once;
//! the live overlay's path, a stream of frames analysed with tracking, alone and beside the hat
//! probe's network run on one core; the probe's run; and the judgement of the frame that becomes
//! the photo (the full analysis and the headwear network).

use caiji_scene::{Library, Scene, render, swaying_frames};
use caiji_vision::{Analyzer, Framing, TRACK_SEARCH_EVERY};
use criterion::{Criterion, criterion_group, criterion_main};

const SIZES: [(&str, u32, u32); 3] = [
    ("720p", 1280, 720),
    ("1080p", 1920, 1080),
    ("4k", 3840, 2160),
];

fn analyze(c: &mut Criterion) {
    let analyzer = Analyzer::load_default().expect("face model (run scripts/fetch-assets.sh)");
    let lib = Library::open_default().expect("photos");
    let mut group = c.benchmark_group("analyze");
    group.sample_size(30);
    for (name, w, h) in SIZES {
        let (frame, _) = render(&lib, &Scene::standard("glasses", "light_blue", w, h)).unwrap();
        group.bench_function(name, |b| b.iter(|| analyzer.analyze(&frame).unwrap()));
    }
    group.finish();

    // A stream of a student swaying a few pixels a frame, each frame analysed once in turn
    // with the track carried over: the average over the stream includes the whole-frame
    // search every `TRACK_SEARCH_EVERY` frames.
    let mut group = c.benchmark_group("analyze_tracked");
    group.sample_size(30);
    for (name, w, h) in SIZES {
        let frames = swaying_frames(
            &lib,
            "glasses",
            "light_blue",
            (w, h),
            2 * TRACK_SEARCH_EVERY as usize,
        )
        .unwrap();
        let (mut track, mut next) = (None, 0);
        group.bench_function(name, |b| {
            b.iter(|| {
                let a = analyzer.analyze_tracked(&frames[next], &mut track).unwrap();
                next = (next + 1) % frames.len();
                a
            })
        });
    }
    group.finish();

    // The live overlay's frame while the station's hat probe runs the face-parsing network on
    // one core beside it (the worst case: the probe runs at most a quarter of the time, every
    // two seconds for about half a second), and that probe run alone.
    let frames = swaying_frames(
        &lib,
        "glasses",
        "light_blue",
        (1920, 1080),
        2 * TRACK_SEARCH_EVERY as usize,
    )
    .unwrap();
    let measured = analyzer
        .analyze(&frames[0])
        .unwrap()
        .measurements
        .expect("a face");
    let mut group = c.benchmark_group("hat_probe");
    group.sample_size(10);
    group.bench_function("one_core", |b| {
        b.iter(|| {
            analyzer
                .head_cover_on_this_thread(&frames[0], &measured)
                .unwrap()
        })
    });
    group.finish();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                analyzer
                    .head_cover_on_this_thread(&frames[0], &measured)
                    .unwrap();
            }
        });
        let mut group = c.benchmark_group("analyze_tracked_beside_probe");
        group.sample_size(30);
        let (mut track, mut next) = (None, 0);
        group.bench_function("1080p", |b| {
            b.iter(|| {
                let a = analyzer.analyze_tracked(&frames[next], &mut track).unwrap();
                next = (next + 1) % frames.len();
                a
            })
        });
        group.finish();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });

    // Once per photo: the face-parsing network costs the same at every frame size (it looks at
    // a fixed 512 square around the head), so one size is enough.
    let mut group = c.benchmark_group("judge");
    group.sample_size(10);
    let (frame, _) = render(&lib, &Scene::standard("glasses", "light_blue", 1920, 1080)).unwrap();
    group.bench_function("1080p", |b| {
        b.iter(|| analyzer.judge(&frame, Framing::Plan).unwrap())
    });
    group.finish();
}

criterion_group!(benches, analyze);
criterion_main!(benches);
