//! The supervisor's lists at a school's size (the seeds: 3 382 students in 125 classes): the
//! station's export of all of them written as xlsx and csv, read back, and `find_missing` of the full roster
//! against 3 300 photographed. `cargo bench -p caiji-roster --bench lists`.

use caiji_roster::{Photographed, Roster, RosterRow, export_sheets, find_missing, read_export};
use criterion::{Criterion, criterion_group, criterion_main};

const STUDENTS: u32 = 3_382;
const PHOTOGRAPHED: usize = 3_300;

/// A school: names from few characters so that masks collide, IDs with every tail.
fn school() -> (Roster, Vec<Photographed>) {
    let family = ['王', '李', '张', '刘', '陈', '杨'];
    let given = ['伟', '芳', '娜', '敏', '静', '强', '磊', '洋'];
    let rows: Vec<RosterRow> = (0..STUDENTS)
        .map(|i| {
            let name: String = [family[i as usize % 6], '小', given[i as usize / 6 % 8]]
                .iter()
                .collect();
            RosterRow {
                row: i + 2,
                class: format!("班级{:03}", i % 125),
                student_no: format!("2023{:06}", i),
                name,
                id_number: format!("11010119990101{:04}", (i * 7919) % 10_000),
            }
        })
        .collect();
    let photographed = rows
        .iter()
        .enumerate()
        .map(|(i, r)| Photographed {
            name_masked: caiji_code::mask_name(&r.name),
            id_tail: r.id_number[14..].to_string(),
            student_no: (i % 2 == 0).then(|| r.student_no.clone()),
            slot: "08:00–08:40 计算机学院".into(),
            room: "体育馆".into(),
            time: "2027-03-15 08:01:02".into(),
            sha256: "ab".repeat(32),
            upload_state: "uploaded".into(),
            fee: "已缴 paid".into(),
        })
        .collect();
    (
        Roster {
            rows,
            errors: Vec::new(),
        },
        photographed,
    )
}

fn lists(c: &mut Criterion) {
    // Everyone photographed for the export (3 382 rows); 3 300 of them for the missing list.
    let (roster, everyone) = school();
    let photographed = &everyone[..PHOTOGRAPHED];
    let dir = tempfile::tempdir().unwrap();
    let mut g = c.benchmark_group("supervisor lists");
    g.sample_size(10);
    for ext in ["xlsx", "csv"] {
        let path = dir.path().join(format!("export.{ext}"));
        g.bench_function(format!("export 3382 rows to {ext}"), |b| {
            b.iter(|| caiji_sheet::write(&path, &export_sheets(&everyone)).unwrap())
        });
        g.bench_function(format!("read a 3382-row {ext} export"), |b| {
            b.iter(|| read_export(&path).unwrap().len())
        });
    }
    g.bench_function("find_missing 3382 roster vs 3300 photographed", |b| {
        b.iter(|| find_missing(&roster, photographed).missing.len())
    });
    g.finish();
}

criterion_group!(benches, lists);
criterion_main!(benches);
