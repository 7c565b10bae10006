//! QR scan per frame: a 1080p frame with a phone-sized code, and one without.

use caiji_code::{QrScanner, render_qr};
use criterion::{Criterion, criterion_group, criterion_main};
use image::{Rgb, RgbImage};

fn frame_with_code(w: u32, h: u32) -> RgbImage {
    let qr = render_qr("CJ1|10001|张*丰|1234|2023010101", 7).unwrap();
    let mut f = RgbImage::from_pixel(w, h, Rgb([100, 197, 255]));
    for (x, y, p) in qr.enumerate_pixels() {
        f.put_pixel(w / 2 - qr.width() / 2 + x, h / 3 + y, Rgb([p.0[0]; 3]));
    }
    f
}

fn scan(c: &mut Criterion) {
    let mut scanner = QrScanner::default();
    let with = frame_with_code(1920, 1080);
    let without = RgbImage::from_pixel(1920, 1080, Rgb([240, 240, 240]));
    assert!(scanner.scan(&with).is_some());
    let mut g = c.benchmark_group("qr_scan_1080p");
    g.bench_function("with_code", |b| b.iter(|| scanner.scan(&with)));
    g.bench_function("without_code", |b| b.iter(|| scanner.scan(&without)));
    g.finish();
}

criterion_group!(benches, scan);
criterion_main!(benches);
