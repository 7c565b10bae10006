//! Frame decoding per 1080p frame, as a USB camera delivers it: MJPEG with its Huffman tables,
//! MJPEG without them (most webcams), and YUYV. The inputs are written to
//! `target/bench-inputs/` so `benches/compare/decode_vs_opencv.py` decodes the same bytes.

use caiji_camera::PixelFormat;
use caiji_camera::decode::decode_frame;
use criterion::{Criterion, criterion_group, criterion_main};
use image::RgbImage;

fn frame() -> RgbImage {
    let lib = caiji_scene::Library::open_default().expect("photos: run scripts/fetch-assets.sh");
    let scene = caiji_scene::Scene::standard("curly", "light_blue", 1920, 1080);
    caiji_scene::render(&lib, &scene).unwrap().0
}

fn strip_dht(j: &[u8]) -> Vec<u8> {
    let mut out = j[..2].to_vec();
    let mut i = 2;
    while j[i + 1] != 0xDA {
        let len = 2 + u16::from_be_bytes([j[i + 2], j[i + 3]]) as usize;
        if j[i + 1] != 0xC4 {
            out.extend_from_slice(&j[i..i + len]);
        }
        i += len;
    }
    out.extend_from_slice(&j[i..]);
    out
}

fn yuyv(img: &RgbImage) -> Vec<u8> {
    let y = |p: &image::Rgb<u8>| {
        let [r, g, b] = p.0.map(|c| c as f32);
        (16.0 + (65.481 * r + 128.553 * g + 24.966 * b) / 255.0) as u8
    };
    let mut out = Vec::with_capacity(img.len() / 3 * 2);
    for row in img.rows() {
        let px: Vec<_> = row.collect();
        for pair in px.chunks(2) {
            let [r, g, b] = pair[0].0.map(|c| c as f32);
            let u = (128.0 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255.0) as u8;
            let v = (128.0 + (112.0 * r - 93.786 * g - 18.214 * b) / 255.0) as u8;
            out.extend_from_slice(&[y(pair[0]), u, y(pair[1]), v]);
        }
    }
    out
}

fn decode(c: &mut Criterion) {
    let img = frame();
    let mut mjpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut mjpeg, 85)
        .encode_image(&img)
        .unwrap();
    let bare = strip_dht(&mjpeg);
    let raw = yuyv(&img);
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
