//! Queue insert + commit per shot, and worker throughput to the local collector (photos/s).

use caiji_store::{NewShot, Store};
use caiji_upload::{Worker, WorkerConfig};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::time::{Duration, Instant};

fn shot(i: u64) -> NewShot {
    let mut jpeg = vec![0xFF, 0xD8];
    jpeg.extend(std::iter::repeat_n((i % 251) as u8, 32_000));
    NewShot {
        code_key: format!("{i:016x}"),
        display: "学生".into(),
        station: "S1".into(),
        room: "R".into(),
        operator: "op".into(),
        verdict: "pass".into(),
        checks_json: "[]".into(),
        jpeg,
        ..Default::default()
    }
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = rt
        .block_on(Store::open(&dir.path().join("q.db"), [1; 32]))
        .unwrap();
    let mut n = 0u64;
    c.bench_function("queue_insert_commit_32kb", |b| {
        b.iter(|| {
            n += 1;
            rt.block_on(store.insert(shot(n))).unwrap()
        })
    });

    let mut g = c.benchmark_group("upload");
    g.sample_size(10);
    g.throughput(Throughput::Elements(100));
    g.bench_function("100_photos_to_local_collector", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let d = tempfile::tempdir().unwrap();
                total += rt.block_on(async {
                    let store = Store::open(&d.path().join("q.db"), [2; 32]).await.unwrap();
                    for i in 0..100 {
                        store.insert(shot(i)).await.unwrap();
                    }
                    let coll = caiji_collector::start(
                        "127.0.0.1:0",
                        caiji_collector::Config::single(
                            d.path().join("intake"),
                            "S1",
                            "bench-station-token",
                            None,
                        )
                        .unwrap(),
                    )
                    .await
                    .unwrap();
                    let mut cfg = WorkerConfig::new(&coll.url(), "t", "S1");
                    cfg.poll = Duration::from_millis(5);
                    let t = Instant::now();
                    let w = Worker::spawn(store.clone(), cfg, |_| {});
                    while store.outstanding().await.unwrap() > 0 {
                        tokio::time::sleep(Duration::from_millis(2)).await;
                    }
                    let took = t.elapsed();
                    w.stop().await;
                    coll.stop().await;
                    took
                });
            }
            total
        })
    });
    g.finish();
}

criterion_group!(all, benches);
criterion_main!(all);
