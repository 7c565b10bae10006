//! A synthetic school: 3 382 students in 125 classes with the commonest surnames and given-name
//! characters, so that masked names and ID tails collide as they do in a real year; 3 300 of
//! them photographed, half with codes that carry a student number. The expected result is
//! worked out here from what the generator knows (who was photographed, whose code had a
//! number), not by running the library's rules again.

use crate::{Finder, readable_text};
use caiji_roster::{
    Photographed, export_sheets, find_missing, missing_sheets, read_export, read_roster,
};
use caiji_sheet::{Cell, Sheet};
use std::collections::{BTreeMap, BTreeSet, HashSet};

const STUDENTS: usize = 3_382;
const CLASSES: usize = 125;
const PHOTOGRAPHED: usize = 3_300;
const MISSING: usize = STUDENTS - PHOTOGRAPHED;

const SURNAMES: [char; 10] = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];
const GIVEN: [char; 20] = [
    '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明',
    '超', '秀', '霞', '平',
];
const MAJORS: [&str; 25] = [
    "软件",
    "计科",
    "网络",
    "电子",
    "通信",
    "自动化",
    "机械",
    "土木",
    "建筑",
    "化工",
    "材料",
    "环境",
    "数学",
    "物理",
    "化学",
    "生物",
    "英语",
    "日语",
    "法学",
    "会计",
    "金融",
    "经济",
    "管理",
    "新闻",
    "美术",
];
const REGIONS: [&str; 8] = [
    "110101", "310104", "440305", "420111", "510107", "330106", "320102", "370202",
];

/// xorshift64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
}

struct Student {
    class: String,
    number: String,
    name: String,
    id: String,
    /// Whether this student's capture code carries the student number.
    code_has_number: bool,
}

/// The GB 11643 check character, so the IDs look like real ones (an X about one time in 11).
fn check(first17: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let s: u32 = first17
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    b"10X98765432"[(s % 11) as usize] as char
}

/// Region and birth date: the ID's first 14 characters.
fn id_head(rng: &mut Rng) -> String {
    format!(
        "{}{}{:02}{:02}",
        REGIONS[rng.below(REGIONS.len())],
        2000 + rng.below(5),
        1 + rng.below(12),
        1 + rng.below(28)
    )
}

fn random_id(rng: &mut Rng) -> String {
    let first17 = format!("{}{:03}", id_head(rng), rng.below(1000));
    let c = check(&first17);
    format!("{first17}{c}")
}

/// Another person's ID with the same last four: a new head whose check digit comes out equal.
fn same_tail_id(rng: &mut Rng, of: &str) -> String {
    loop {
        let first17 = format!("{}{}", id_head(rng), &of[14..17]);
        if check(&first17) == of[17..].chars().next().unwrap() {
            return format!("{first17}{}", &of[17..]);
        }
    }
}

/// The mask as capture codes write it, spelled out here on its own: first and last character.
fn mask(name: &str) -> String {
    let c: Vec<char> = name.chars().collect();
    match c.len() {
        2 => format!("{}*", c[0]),
        n => format!("{}{}{}", c[0], "*".repeat(n - 2), c[n - 1]),
    }
}

fn key(s: &Student) -> (String, String) {
    (mask(&s.name), s.id[14..].to_uppercase())
}

fn school(rng: &mut Rng) -> Vec<Student> {
    let mut students: Vec<Student> = Vec::with_capacity(STUDENTS);
    let mut ids = HashSet::new();
    for c in 0..CLASSES {
        // 7 classes of 28 and 118 of 27: 3 382.
        let size = if c < 7 { 28 } else { 27 };
        let class = format!("{}{}", MAJORS[c / 5], 2201 + c % 5);
        for s in 0..size {
            let given = |rng: &mut Rng| GIVEN[rng.below(GIVEN.len())];
            let (name, id) = loop {
                // One student in twelve shares an earlier student's mask and ID tail on purpose;
                // the common names make more such pairs by chance.
                let (name, id) = if !students.is_empty() && rng.below(12) == 0 {
                    let of = &students[rng.below(students.len())];
                    let c: Vec<char> = of.name.chars().collect();
                    let name: String = if c.len() == 2 {
                        [c[0], given(rng)].iter().collect()
                    } else {
                        [c[0], given(rng), c[2]].iter().collect()
                    };
                    let of_id = of.id.clone();
                    (name, same_tail_id(rng, &of_id))
                } else {
                    let mut name = SURNAMES[rng.below(SURNAMES.len())].to_string();
                    name.push(given(rng));
                    if rng.below(10) >= 3 {
                        name.push(given(rng));
                    }
                    (name, random_id(rng))
                };
                if ids.insert(id.clone()) {
                    break (name, id);
                }
            };
            students.push(Student {
                class: class.clone(),
                number: format!("2022{:03}{:02}", c + 1, s + 1),
                name,
                id,
                code_has_number: rng.below(2) == 0,
            });
        }
    }
    assert_eq!(students.len(), STUDENTS, "the generator's head count");
    students
}

/// Who is not photographed. A missing student may share a key only with students who are missing
/// too or whose codes carry a number (the number places them): then the export has no photo
/// with that key, and the 82 are certain. Among them: both students of a colliding pair, and
/// students whose key a photographed, numbered student shares.
fn choose_missing(
    rng: &mut Rng,
    students: &[Student],
    groups: &BTreeMap<(String, String), Vec<usize>>,
) -> BTreeSet<usize> {
    let mut missing = BTreeSet::new();
    let pair = groups
        .values()
        .find(|g| g.len() == 2)
        .expect("the generator made a colliding pair");
    missing.extend(pair.iter().copied());
    let mut order: Vec<usize> = (0..students.len()).collect();
    rng.shuffle(&mut order);
    for i in order {
        if missing.len() == MISSING {
            break;
        }
        let eligible = groups[&key(&students[i])]
            .iter()
            .all(|&o| o == i || students[o].code_has_number || missing.contains(&o));
        if eligible {
            missing.insert(i);
        }
    }
    assert_eq!(
        missing.len(),
        MISSING,
        "the generator found 82 certain absentees"
    );
    missing
}

fn roster_sheet(students: &[Student]) -> Sheet {
    // A title row above the header (the header is the sheet's first data row), and the columns
    // in another order than the issue lists them.
    let mut s = Sheet::new("2027届毕业生名单", ["2027届毕业生图像采集名单", "", "", ""]);
    s.push(["学号", "姓名", "班级", "身份证号"].map(Cell::text));
    for st in students {
        s.push([&st.number, &st.name, &st.class, &st.id].map(|t| Cell::text(t.as_str())));
    }
    s
}

#[test]
fn missing_students_of_a_3382_student_school_with_colliding_masks() {
    let mut rng = Rng(0x2027_0315_9E37_79B9);
    let students = school(&mut rng);
    let mut groups: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, s) in students.iter().enumerate() {
        groups.entry(key(s)).or_default().push(i);
    }
    let missing = choose_missing(&mut rng, &students, &groups);

    // The export: every photographed student once, in the order they came.
    let mut order: Vec<usize> = (0..STUDENTS).filter(|i| !missing.contains(i)).collect();
    rng.shuffle(&mut order);
    assert_eq!(order.len(), PHOTOGRAPHED);
    let export: Vec<Photographed> = order
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let s = &students[i];
            let minute = 8 * 60 + k / 4;
            Photographed {
                name_masked: mask(&s.name),
                id_tail: s.id[14..].to_string(),
                student_no: s.code_has_number.then(|| s.number.clone()),
                slot: format!("2027-03-{:02} 第{}场", 15 + k / 1100, 1 + k % 1100 / 100),
                room: ["体育馆", "图书馆报告厅"][k % 2].to_string(),
                time: format!("{:02}:{:02}", minute / 60 % 24, minute % 60),
                sha256: (0..4).map(|_| format!("{:016x}", rng.next())).collect(),
                upload_state: ["已上传 uploaded", "待上传 queued"][usize::from(k % 7 == 0)].into(),
                fee: "已缴费 paid".into(),
            }
        })
        .collect();

    // What must come out, from what the generator knows: a key group is ambiguous when two or
    // more of its photographed students' codes carry no number (nothing tells them apart).
    let mut expected_ambiguous: BTreeMap<String, (BTreeSet<String>, usize)> = BTreeMap::new();
    let mut colliding = 0;
    let mut number_decided = 0;
    for ((m, tail), g) in &groups {
        if g.len() < 2 {
            continue;
        }
        colliding += 1;
        let unnumbered: Vec<usize> = g
            .iter()
            .copied()
            .filter(|i| !missing.contains(i) && !students[*i].code_has_number)
            .collect();
        if g.iter().any(|i| missing.contains(i)) {
            assert!(
                unnumbered.is_empty(),
                "generator: a missing student never shares a key with an unnumbered photo"
            );
            if g.iter().any(|i| !missing.contains(i)) {
                number_decided += 1;
            }
        }
        if unnumbered.len() >= 2 {
            expected_ambiguous.insert(
                format!("{m} {tail}"),
                (
                    unnumbered
                        .iter()
                        .map(|&i| students[i].number.clone())
                        .collect(),
                    unnumbered.len(),
                ),
            );
        }
    }
    let in_ambiguity: usize = expected_ambiguous.values().map(|(s, _)| s.len()).sum();
    assert!(
        colliding >= 100,
        "generator: common names make many keys collide ({colliding} groups)"
    );
    assert!(
        expected_ambiguous.len() >= 30,
        "generator: many colliding groups photographed without numbers ({})",
        expected_ambiguous.len()
    );
    assert!(
        expected_ambiguous.values().any(|(s, _)| s.len() >= 3),
        "generator: at least one group of three"
    );
    assert!(
        number_decided >= 1,
        "generator: a missing student shares a key with a photographed, numbered one"
    );
    let with_number = export.iter().filter(|p| p.student_no.is_some()).count();
    assert!(
        (1_400..=1_900).contains(&with_number),
        "roughly half the codes carry a student number ({with_number})"
    );

    // Real files: the roster as the school keeps it, the export as the station writes it.
    let dir = tempfile::tempdir().unwrap();
    let roster_xlsx = dir.path().join("花名册.xlsx");
    let roster_csv = dir.path().join("花名册.csv");
    caiji_sheet::write(&roster_xlsx, &[roster_sheet(&students)]).unwrap();
    caiji_sheet::write(&roster_csv, &[roster_sheet(&students)]).unwrap();
    let roster = read_roster(&roster_xlsx).unwrap();
    assert!(
        roster.errors.is_empty(),
        "the synthetic roster has no row errors: {:?}",
        roster.errors.first()
    );
    assert_eq!(roster.rows.len(), STUDENTS, "every student read");
    assert_eq!(roster.rows[0].row, 3, "below the title row and the header");
    assert_eq!(
        read_roster(&roster_csv).unwrap(),
        roster,
        "the roster reads the same from csv"
    );

    let export_xlsx = dir.path().join("export-2027-03-15.xlsx");
    let export_csv = dir.path().join("export-2027-03-15.csv");
    let mut export_files = caiji_sheet::write(&export_xlsx, &export_sheets(&export)).unwrap();
    export_files.extend(caiji_sheet::write(&export_csv, &export_sheets(&export)).unwrap());
    let from_xlsx = read_export(&export_xlsx).unwrap();
    let from_csv = read_export(&export_csv).unwrap();
    assert_eq!(
        from_xlsx, export,
        "the export reads back from xlsx as written"
    );
    assert_eq!(
        from_csv, export,
        "the export reads back from csv as written"
    );

    let outcome = find_missing(&roster, &from_xlsx);
    assert_eq!(
        find_missing(&roster, &from_csv),
        outcome,
        "the same outcome from either export file"
    );

    // Exactly the 82, by class then student number.
    let mut expected_missing: Vec<&Student> = missing.iter().map(|&i| &students[i]).collect();
    expected_missing.sort_by(|a, b| (&a.class, &a.number).cmp(&(&b.class, &b.number)));
    // No major's name is the start of another's and every number has four digits: plain order
    // is the natural order the lists use.
    let got: Vec<(&str, &str)> = outcome
        .missing
        .iter()
        .map(|r| (r.class.as_str(), r.student_no.as_str()))
        .collect();
    let want: Vec<(&str, &str)> = expected_missing
        .iter()
        .map(|s| (s.class.as_str(), s.number.as_str()))
        .collect();
    assert_eq!(got.len(), MISSING, "exactly 82 missing listed");
    assert_eq!(
        got, want,
        "exactly the 82 not photographed, by class and number"
    );
    for (r, s) in outcome.missing.iter().zip(&expected_missing) {
        assert!(
            r.name == s.name && r.id_number == s.id,
            "missing row {} carries its student's name and ID for the school",
            r.row
        );
    }

    // Every colliding group that photos without numbers cannot tell apart, and no other.
    let got_ambiguous: BTreeMap<String, (BTreeSet<String>, usize)> = outcome
        .ambiguous
        .iter()
        .map(|a| {
            (
                a.key.clone(),
                (
                    a.roster_rows.iter().map(|r| r.student_no.clone()).collect(),
                    a.photographed,
                ),
            )
        })
        .collect();
    assert_eq!(
        got_ambiguous.len(),
        outcome.ambiguous.len(),
        "one entry per key"
    );
    assert_eq!(
        got_ambiguous, expected_ambiguous,
        "every colliding group flagged, with its students and photo count"
    );
    assert!(
        outcome.ambiguous.iter().all(|a| a.all_photographed()),
        "no missing student hides in an ambiguous group here"
    );
    assert_eq!(
        outcome.matched,
        PHOTOGRAPHED - in_ambiguity,
        "every other photographed student matched with certainty"
    );
    assert!(
        outcome.not_on_roster.is_empty(),
        "everyone photographed is on the roster"
    );
    assert!(outcome.errors.is_empty());

    // The school's lists.
    let lists_xlsx = dir.path().join("补拍.xlsx");
    let lists_csv = dir.path().join("补拍.csv");
    let sheets = missing_sheets(&outcome);
    let mut list_files = caiji_sheet::write(&lists_xlsx, &sheets).unwrap();
    list_files.extend(caiji_sheet::write(&lists_csv, &sheets).unwrap());
    assert_eq!(list_files.len(), 5, "one workbook and four csv files");
    let retake = caiji_sheet::read(&lists_xlsx).unwrap();
    assert_eq!(
        retake.rows.len(),
        1 + MISSING,
        "the retake sheet: header and the 82"
    );
    for (row, s) in retake.rows[1..].iter().zip(&expected_missing) {
        assert_eq!(
            row.cells,
            [
                s.class.clone(),
                s.number.clone(),
                s.name.clone(),
                format!("{}{}", "*".repeat(14), &s.id[14..])
            ],
            "retake row {}: class, number, name, ID masked to its last four",
            row.number
        );
    }

    // No full ID number in any file that came out; no full name in the station's export.
    let ids = Finder::new(students.iter().map(|s| s.id.as_str()));
    let names = Finder::new(students.iter().map(|s| s.name.as_str()));
    assert!(
        !ids.hits(&readable_text(&roster_csv)).is_empty(),
        "the search does find ID numbers in a file that has them (the roster)"
    );
    for f in export_files.iter().chain(&list_files) {
        let text = readable_text(f);
        assert!(
            text.contains("class") || text.contains("name (masked)") || text.contains("row"),
            "{} was read, its header at least",
            f.display()
        );
        let hits = ids.hits(&text);
        assert!(
            hits.is_empty(),
            "no full ID number in {} ({} found)",
            f.display(),
            hits.len()
        );
    }
    for f in &export_files {
        let hits = names.hits(&readable_text(f));
        assert!(
            hits.is_empty(),
            "no full name in the station's export {} ({} found)",
            f.display(),
            hits.len()
        );
    }
}
