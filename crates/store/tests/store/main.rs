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
