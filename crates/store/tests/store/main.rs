//! The queue on real SQLite files: bad directories, corrupt files, a full disk, the append-only
//! audit log, and encryption at rest.

use caiji_store::{NewShot, Store, StoreError};

fn shot(tag: &str, bytes: usize) -> NewShot {
    NewShot {
        code_key: format!("key-{tag}"),
        display: "王*红".into(),
        station: "S1".into(),
        room: "R".into(),
        operator: "op".into(),
        verdict: "pass".into(),
        checks_json: "[]".into(),
        jpeg: vec![0xAB; bytes],
        ..Default::default()
    }
}

#[tokio::test]
async fn photos_are_encrypted_at_rest_and_need_the_station_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("q.db");
    let store = Store::open(&db, [9; 32]).await.unwrap();
    let marker = b"CJ1|10001|SECRET-CODE|1234|2023010101".to_vec();
    let mut s = shot("a", 0);
    s.jpeg = marker.repeat(50);
    let id = store.insert(s).await.unwrap().id;
    assert_eq!(store.photo(&id).await.unwrap(), marker.repeat(50));
    store.close().await;
    let raw = std::fs::read(&db).unwrap();
    let wal = std::fs::read(dir.path().join("q.db-wal")).unwrap_or_default();
    for bytes in [&raw, &wal] {
        assert!(
            !bytes.windows(11).any(|w| w == b"SECRET-CODE"),
            "no plaintext photo bytes on disk"
        );
    }
    let other = Store::open(&db, [8; 32]).await.unwrap();
    assert!(matches!(other.photo(&id).await, Err(StoreError::WrongKey)));
}

#[tokio::test]
async fn the_audit_log_is_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("q.db"), [1; 32])
        .await
        .unwrap();
    store.insert(shot("a", 10)).await.unwrap();
    let pool =
        sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.path().join("q.db").display()))
            .await
            .unwrap();
    let upd = sqlx::query("UPDATE audit SET detail = 'x'")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(upd.to_string().contains("append-only"), "{upd}");
    let del = sqlx::query("DELETE FROM audit")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(del.to_string().contains("append-only"), "{del}");
}

#[tokio::test]
async fn a_missing_data_directory_is_created_and_an_unusable_one_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("a/b/c/q.db");
    Store::open(&deep, [1; 32]).await.unwrap();
    assert!(deep.exists());
    // A file where the directory should be.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let e = Store::open(&blocker.join("q.db"), [1; 32])
        .await
        .err()
        .expect("cannot open under a file");
    let msg = e.to_string();
    assert!(
        msg.contains("数据目录不可用") && msg.contains("data directory unusable"),
        "{msg}"
    );
}

#[tokio::test]
async fn a_corrupt_database_file_is_named_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("q.db");
    std::fs::write(&db, vec![0x42; 8192]).unwrap();
    let e = Store::open(&db, [1; 32]).await.err().expect("corrupt");
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
    assert!(e.to_string().contains("keep the file"), "{e}");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        vec![0x42; 8192],
        "the file is not touched"
    );
}

#[tokio::test]
async fn a_full_disk_refuses_the_new_photo_and_keeps_the_queue() {
    // A real size-limited file system: a 2 MiB tmpfs. Needs root, as CI and scripts/test on
    // the project's machines have; without it the test fails rather than pass untested.
    let mnt = tempfile::tempdir().unwrap();
    let ok = std::process::Command::new("mount")
        .args([
            "-t",
            "tmpfs",
            "-o",
            "size=2m",
            "tmpfs",
            mnt.path().to_str().unwrap(),
        ])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "cannot mount a tmpfs: this test needs root (mount -t tmpfs)"
    );
    let db = mnt.path().join("q.db");
    let store = Store::open(&db, [5; 32]).await.unwrap();
    let mut kept = Vec::new();
    let mut full = None;
    for i in 0..200 {
        match store.insert(shot(&i.to_string(), 30_000)).await {
            Ok(s) => kept.push(s.id),
            Err(e) => {
                full = Some(e);
                break;
            }
        }
    }
    let e = full.expect("2 MiB fills up");
    assert!(matches!(e, StoreError::DiskFull), "{e}");
    assert!(e.to_string().contains("queued photos are intact"));
    for id in &kept {
        assert_eq!(
            store.photo(id).await.unwrap().len(),
            30_000,
            "every earlier photo still reads"
        );
    }
    store.close().await;
    let _ = std::process::Command::new("umount")
        .arg(mnt.path())
        .status();
}

#[tokio::test]
async fn a_read_only_data_directory_is_explained_and_the_queue_still_reads() {
    // A real read-only file system: a tmpfs remounted read-only. Needs root; fails without it.
    let mnt = tempfile::tempdir().unwrap();
    let mount = |args: &[&str]| {
        std::process::Command::new("mount")
            .args(args)
            .status()
            .is_ok_and(|s| s.success())
    };
    assert!(
        mount(&[
            "-t",
            "tmpfs",
            "-o",
            "size=4m",
            "tmpfs",
            mnt.path().to_str().unwrap(),
        ]),
        "cannot mount a tmpfs: this test needs root (mount -t tmpfs)"
    );
    let db = mnt.path().join("q.db");
    let store = Store::open(&db, [6; 32]).await.unwrap();
    let id = store.insert(shot("a", 1000)).await.unwrap().id;
    store.close().await;
    assert!(
        mount(&["-o", "remount,ro", mnt.path().to_str().unwrap()]),
        "remount read-only"
    );
    let result = Store::open(&db, [6; 32]).await;
    match result {
        // SQLite may open a WAL database read-only; then writes must fail with the reason.
        Ok(store) => {
            assert_eq!(
                store.photo(&id).await.unwrap().len(),
                1000,
                "queued photo still readable"
            );
            let e = store.insert(shot("b", 10)).await.unwrap_err();
            assert!(
                matches!(e, StoreError::ReadOnly | StoreError::DataDir { .. }),
                "{e}"
            );
        }
        Err(e) => {
            eprintln!("open on a read-only disk: {e}");
            assert!(matches!(e, StoreError::ReadOnly), "{e}");
            assert!(e.to_string().contains("只读") && e.to_string().contains("read-only"));
        }
    }
    let _ = std::process::Command::new("umount")
        .arg(mnt.path())
        .status();
}

/// Issue 12: the supervisor's records beside the queue.
mod issue_12 {
    use super::shot;
    use caiji_schedule::Slot;
    use caiji_store::{Fee, Store, UploadState, now_ms};

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("q.db"), [3; 32])
            .await
            .unwrap();
        (dir, s)
    }

    #[tokio::test]
    async fn a_timetable_import_replaces_the_last_one_and_is_audited() {
        let (_d, s) = store().await;
        let slot = |date: &str, start| Slot {
            date: date.into(),
            start,
            end: start + 40,
            group: "计算机学院".into(),
            room: "体育馆".into(),
            expected: 100,
            expected_derived: true,
            row: 3,
        };
        s.replace_slots(
            &[slot("2027-03-15", 480), slot("2027-03-16", 480)],
            "王老师",
            "a.xlsx",
        )
        .await
        .unwrap();
        s.replace_slots(&[slot("2027-03-15", 520)], "王老师", "b.xlsx")
            .await
            .unwrap();
        let all = s.slots(None).await.unwrap();
        assert_eq!(
            all,
            vec![slot("2027-03-15", 520)],
            "the second import replaced the first"
        );
        assert!(s.slots(Some("2027-03-16")).await.unwrap().is_empty());
        let log = s.audit_log("timetable", 10).await.unwrap();
        assert_eq!(log.len(), 2, "both imports audited");
        assert!(
            log[0].detail.contains("王老师") && log[0].detail.contains("b.xlsx"),
            "{:?}",
            log[0]
        );
    }

    #[tokio::test]
    async fn the_fee_key_cycles_and_is_remembered_per_student() {
        let (_d, s) = store().await;
        assert_eq!(s.fee("k1").await.unwrap(), None);
        let mut f = None;
        let mut seen = Vec::new();
        for _ in 0..4 {
            let next = Fee::next(f);
            s.set_fee("k1", next, "摄影师").await.unwrap();
            f = s.fee("k1").await.unwrap();
            seen.push(f.unwrap());
        }
        assert_eq!(seen, [Fee::Paid, Fee::Exempt, Fee::Unpaid, Fee::Paid]);
        assert_eq!(s.fees().await.unwrap().len(), 1);
        assert_eq!(
            s.audit_log("fee", 10).await.unwrap().len(),
            4,
            "every mark audited"
        );
    }

    #[tokio::test]
    async fn a_retake_mark_stays_until_the_next_accepted_photo() {
        let (_d, s) = store().await;
        let first = s.insert(shot("a", 10)).await.unwrap();
        s.mark_retake(&first.code_key, "眼镜反光", "王老师")
            .await
            .unwrap();
        let m = s
            .retake_mark(&first.code_key)
            .await
            .unwrap()
            .expect("marked");
        assert_eq!((m.reason.as_str(), m.who.as_str()), ("眼镜反光", "王老师"));
        assert!(s.retake_mark("key-other").await.unwrap().is_none());
        s.insert(shot("a", 11)).await.unwrap();
        assert!(
            s.retake_mark(&first.code_key).await.unwrap().is_none(),
            "cleared by the retake"
        );
        let events: Vec<String> = s
            .audit_of(&first.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.0)
            .collect();
        assert!(events.contains(&"retake_marked".to_string()), "{events:?}");
    }

    #[tokio::test]
    async fn a_voided_shot_is_never_uploaded_and_frees_the_student() {
        let (_d, s) = store().await;
        let a = s.insert(shot("v", 10)).await.unwrap();
        assert!(s.has_active_today(&a.code_key).await.unwrap());
        assert!(s.void(&a.id, "拍错人", "王老师").await.unwrap());
        assert!(
            !s.void(&a.id, "again", "王老师").await.unwrap(),
            "voided once"
        );
        assert!(
            s.claim(10, now_ms() + 1).await.unwrap().is_empty(),
            "not claimed for upload"
        );
        assert_eq!(s.outstanding().await.unwrap(), 0, "not waited for");
        assert!(
            !s.has_active_today(&a.code_key).await.unwrap(),
            "no retake question"
        );
        let v = s.shot(&a.id).await.unwrap();
        assert!(v.voided && v.void_reason.as_deref() == Some("拍错人"));
        assert_eq!(v.upload_state, UploadState::Pending);
    }

    #[tokio::test]
    async fn refused_presses_are_counted_per_day_and_room() {
        let (_d, s) = store().await;
        s.note_refused("体育馆").await.unwrap();
        s.note_refused("报告厅").await.unwrap();
        let today = caiji_store::day_of(now_ms());
        let r = s.refused(&today).await.unwrap();
        assert_eq!(
            r.iter().map(|r| r.room.as_str()).collect::<Vec<_>>(),
            ["体育馆", "报告厅"]
        );
        assert!(s.refused("2000-01-01").await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn the_code_s_fields_are_kept_with_the_shot() {
        let (_d, s) = store().await;
        let mut n = shot("f", 10);
        n.name_masked = Some("张*丰".into());
        n.id_tail = Some("123X".into());
        n.student_no = Some("2023010101".into());
        let got = s.insert(n).await.unwrap();
        assert_eq!(got.name_masked.as_deref(), Some("张*丰"));
        assert_eq!(got.id_tail.as_deref(), Some("123X"));
        assert_eq!(got.student_no.as_deref(), Some("2023010101"));
        let day = got.day.clone();
        assert_eq!(s.days(&day, &day).await.unwrap().len(), 1);
    }
}
