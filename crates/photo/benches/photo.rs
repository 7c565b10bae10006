//! Shutter to sealed file (analysis excluded: it ran on the preview already) and validator throughput.

use caiji_photo::seal::{AesGcmSealer, Sealer, StationKey};
use caiji_photo::{output, validate};
use caiji_scene::{Library, Scene, render};
use caiji_vision::Analyzer;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const CODE: &str = "CJ1|10001|张*丰|1234|2023010101";

fn shutter(c: &mut Criterion) {
    let analyzer = Analyzer::load_default().expect("face model");
    let lib = Library::open_default().expect("photos");
    let sealer = AesGcmSealer::new(&StationKey::generate());
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("shutter_to_sealed_file");
    group.sample_size(30);
    for (name, w, h) in [("1080p", 1920, 1080), ("4k", 3840, 2160)] {
        let (frame, _) = render(&lib, &Scene::standard("short_hair", "light_blue", w, h)).unwrap();
        let analysis = analyzer.analyze(&frame).unwrap();
        let out = dir.path().join(format!("{name}.jpg"));
        group.bench_function(name, |b| {
            b.iter(|| {
                let enc = caiji_photo::make_photo(&frame, &analysis, &sealer, CODE).unwrap();
                output::write_atomic(&out, &enc.bytes).unwrap();
                output::read_back(&out, &sealer, CODE).unwrap();
            })
        });
    }
    group.finish();
}

fn validator(c: &mut Criterion) {
    let analyzer = Analyzer::load_default().expect("face model");
    let lib = Library::open_default().expect("photos");
    let sealer = AesGcmSealer::new(&StationKey::generate());
    // 200 photos: the subjects who pass, on the three backdrops, repeated (a photo is made only
    // of a passing frame).
    let mut files = Vec::new();
    for s in caiji_scene::SUBJECTS.iter().filter(|s| s.compliant) {
        for b in caiji_spec::STANDARD.backdrops {
            let (frame, _) = render(&lib, &Scene::standard(s.name, b.name, 1280, 720)).unwrap();
            let a = analyzer.analyze(&frame).unwrap();
            files.push(
                caiji_photo::make_photo(&frame, &a, &sealer, CODE)
                    .unwrap()
                    .bytes,
            );
        }
    }
    let photos: Vec<&Vec<u8>> = files.iter().cycle().take(200).collect();
    let mut group = c.benchmark_group("validator");
    group.sample_size(10);
    group.throughput(Throughput::Elements(photos.len() as u64));
    let path = std::path::Path::new("p.jpg");
    group.bench_function("200_photos_2_threads", |b| {
        b.iter(|| {
            std::thread::scope(|s| {
                for half in photos.chunks(photos.len() / 2) {
                    let (analyzer, sealer) = (&analyzer, &sealer);
                    s.spawn(move || {
                        for bytes in half {
                            let r = validate::validate_bytes(
                                path,
                                bytes,
                                analyzer,
                                Some(sealer as &dyn Sealer),
                                validate::SealPolicy::ByKey,
                            );
                            assert_eq!(r.verdict, caiji_spec::Verdict::Pass);
                        }
                    });
                }
            })
        })
    });
    group.finish();
}

criterion_group!(benches, shutter, validator);
criterion_main!(benches);
