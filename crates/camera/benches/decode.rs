//! Frame decoding per 1080p frame, as a USB camera delivers it: MJPEG with its Huffman tables,
//! MJPEG without them (most webcams), and YUYV. The inputs are written to
//! `target/bench-inputs/` so `benches/compare/decode_vs_opencv.py` decodes the same bytes.

use caiji_camera::PixelFormat;
use caiji_camera::decode::decode_frame;
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "../tests/support/mod.rs"]
mod support;
use support::{jpeg, portrait, to_yuyv, without_dht};

fn decode(c: &mut Criterion) {
    let img = portrait("curly", 1920, 1080);
    let mjpeg = jpeg(&img, 85);
    let bare = without_dht(&mjpeg);
    let raw = to_yuyv(&img);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-inputs");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("frame_1080p.jpg"), &mjpeg).unwrap();
    std::fs::write(dir.join("frame_1080p.yuyv"), &raw).unwrap();

    let mut g = c.benchmark_group("frame_decode_1080p");
    g.bench_function("mjpeg", |b| {
        b.iter(|| decode_frame(PixelFormat::Mjpeg, 1920, 1080, &mjpeg).unwrap())
    });
    g.bench_function("mjpeg_without_tables", |b| {
        b.iter(|| decode_frame(PixelFormat::Mjpeg, 1920, 1080, &bare).unwrap())
    });
    g.bench_function("yuyv", |b| {
        b.iter(|| decode_frame(PixelFormat::Yuyv, 1920, 1080, &raw).unwrap())
    });
    g.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
