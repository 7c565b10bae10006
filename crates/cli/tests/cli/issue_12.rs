//! Issue 12: the supervisor's day from the command line, on a real station queue: the timetable
//! import, the export of the photographed (xlsx and csv), the photos with their manifest, the
//! printable summary, and `caiji missing` on the school's roster.

use super::caiji_at;
use caiji_photo::seal::{StationKey, purpose};
use caiji_sheet::{Cell, Sheet};
use caiji_store::{NewShot, Store};
use std::path::Path;

/// Students on the school's roster: (class, number, full name, full ID).
const ROSTER: [(&str, &str, &str, &str); 5] = [
    ("软件2201", "2023010101", "张三丰", "11010119900307123X"),
    ("软件2201", "2023010102", "李小龙", "110101199003072345"),
    ("软件2201", "2023010103", "王五", "110101199003073456"),
    ("英语2201", "2023020101", "赵六一", "110101199003074567"),
    ("英语2201", "2023020102", "钱七", "110101199003075678"),
];

/// A queue holding the first three roster students (the third one's code has no number, and
/// the first was photographed twice), and the station key to open it.
fn station(data: &Path) {
    let key = StationKey::generate();
    key.save(&data.join("station.key")).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = Store::open(&data.join("caiji.db"), *key.derive(purpose::STORE))
            .await
            .unwrap();
        for (i, (_, no, name, id)) in ROSTER[..3].iter().chain(&ROSTER[..1]).enumerate() {
            let student_no = (i != 2).then(|| no.to_string());
            store
                .insert(NewShot {
                    code_key: format!("{:016x}", no.parse::<u64>().unwrap()),
                    display: format!("{} · ****{}", caiji_code::mask_name(name), &id[14..]),
                    station: "体育馆-1".into(),
                    room: "体育馆".into(),
                    operator: String::new(),
                    verdict: "pass".into(),
                    checks_json: "[]".into(),
                    jpeg: vec![0xFF, 0xD8, i as u8, 0xFF, 0xD9],
                    name_masked: Some(caiji_code::mask_name(name)),
                    id_tail: Some(id[14..].to_string()),
                    student_no,
                })
                .await
                .unwrap();
        }
        store.close().await;
    });
}

fn text_of(path: &Path) -> String {
    match caiji_sheet::Format::of(path).unwrap() {
        caiji_sheet::Format::Csv => std::fs::read_to_string(path).unwrap(),
        caiji_sheet::Format::Xlsx => caiji_sheet::read(path)
            .unwrap()
            .rows
            .iter()
            .flat_map(|r| r.cells.clone())
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn issue_12_timetable_export_photos_summary_and_the_missing_list_from_a_real_queue() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("station");
    std::fs::create_dir_all(&data).unwrap();
    station(&data);
    let d = |name: &str| dir.path().join(name);
    let path = |name: &str| d(name).display().to_string();
    let today = caiji_store::day_of(caiji_store::now_ms());

    // A timetable with a bad row is refused whole, naming the row and the cell.
    std::fs::write(
        d("bad.csv"),
        format!("日期,时间,班级,地点\n{today},00:00-23:59,软件2201,体育馆\n{today},9:00-8:00,英语2201,\n"),
    )
    .unwrap();
    let o = caiji_at(&data, &["timetable", &path("bad.csv")]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "refused: {err}");
    assert!(
        err.contains("第 3 行D") && err.contains("room is missing"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    // The whole day in one slot, so every shot of the test falls in it.
    std::fs::write(
        d("ok.csv"),
        format!("日期,时间,班级,地点,人数\n{today},00:00-23:59,软件2201,体育馆,5\n"),
    )
    .unwrap();
    let o = caiji_at(&data, &["timetable", "--who", "王老师", &path("ok.csv")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("1 slots imported"));

    // The export: one row per photographed student (the retake once), nothing more personal.
    for ext in ["xlsx", "csv"] {
        let out = path(&format!("export.{ext}"));
        let o = caiji_at(&data, &["export", "--out", &out]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let rows = caiji_roster::read_export(Path::new(&out)).unwrap();
        assert_eq!(
            rows.len(),
            3,
            "{ext}: three students, the retake counted once"
        );
        assert!(
            rows.iter().all(|r| r.slot == "00:00–23:59 软件2201"),
            "the slot it was taken in"
        );
        let li = rows
            .iter()
            .find(|r| r.name_masked == "李*龙")
            .expect("李*龙 exported");
        assert_eq!(
            (li.student_no.as_deref(), li.id_tail.as_str()),
            (Some("2023010102"), "2345")
        );
        let wang = rows
            .iter()
            .find(|r| r.name_masked == "王*")
            .expect("王* exported");
        assert_eq!(
            wang.student_no, None,
            "a code without a number exports none"
        );
        let text = text_of(Path::new(&out));
        for (_, _, name, id) in ROSTER {
            assert!(
                !text.contains(name),
                "{ext}: no full name {name} in the station's export"
            );
            assert!(!text.contains(id), "{ext}: no full ID number");
        }
    }

    // The photos with a manifest, named by student number (the shot id where there is none).
    let o = caiji_at(
        &data,
        &[
            "export",
            "--photos",
            &path("photos"),
            "--naming",
            "student-no",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut names: Vec<String> = std::fs::read_dir(d("photos"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 4, "three photos and the manifest: {names:?}");
    assert!(
        names.contains(&"2023010101.jpg".to_string())
            && names.contains(&"manifest.csv".to_string())
    );
    let manifest = std::fs::read_to_string(d("photos").join("manifest.csv")).unwrap();
    assert_eq!(manifest.lines().count(), 4, "{manifest}");

    // The printable summary names the slot and its counts.
    let o = caiji_at(&data, &["export", "--summary", &path("summary.html")]);
    assert!(o.status.success());
    let html = std::fs::read_to_string(d("summary.html")).unwrap();
    assert!(
        html.contains("00:00–23:59") && html.contains("<td>5</td>") && html.contains("<td>3</td>"),
        "{html}"
    );

    // On the school's computer: the roster against the export, the two not photographed listed.
    let mut roster = Sheet::new("花名册", ["班级", "学号", "姓名", "身份证号"]);
    for (class, no, name, id) in ROSTER {
        roster.push([class, no, name, id].map(Cell::text));
    }
    caiji_sheet::write(&d("roster.xlsx"), &[roster]).unwrap();
    let o = caiji_at(
        &data,
        &[
            "missing",
            "--roster",
            &path("roster.xlsx"),
            "--photographed",
            &path("export.xlsx"),
            "--out",
            &path("补拍.csv"),
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("missing 2"), "{out}");
    let list = std::fs::read_to_string(d("补拍.csv")).unwrap();
    assert!(
        list.contains("赵六一") && list.contains("钱七"),
        "the missing, with the school's own names: {list}"
    );
    assert!(!list.contains("张三丰"), "{list}");
    assert!(
        list.contains("**************4567"),
        "the ID masked to its last 4: {list}"
    );
    for (_, _, _, id) in ROSTER {
        assert!(!list.contains(id), "no full ID in the 补拍 list");
    }
}
