//! The demo camera: a queue of students made from the real portraits on the standard backdrops,
//! each first holding up a phone with their capture code (a QR the station reads), then standing
//! framed. It stands in for a USB camera in the demo, the tests and on a machine without one; it
//! lives here, beside the scenes it renders, so the camera crate carries no fixture renderer.

use caiji_camera::{CameraError, FrameSource};
use image::{Rgb, RgbImage};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// One student of the demo queue.
#[derive(Debug, Clone)]
pub struct DemoStudent {
    /// The capture code on their phone.
    pub code: String,
    /// The portrait subject.
    pub subject: &'static str,
    /// The backdrop.
    pub backdrop: &'static str,
}

/// The longest demo queue: a school's whole week of sessions (the seeds plan 3 382 students)
/// fits; a number beyond it is a typing mistake, refused before anything is made.
pub const MAX_DEMO_STUDENTS: usize = 5000;

/// Demo student `i` (from 0): a real portrait, a demo capture code with a made-up name and
/// number. Students are made one at a time, as the queue reaches them.
pub fn demo_student(i: usize) -> DemoStudent {
    const NAMES: [&str; 8] = [
        "张三丰",
        "李明",
        "王小红",
        "赵子龙",
        "陈静",
        "欧阳娜娜",
        "刘洋",
        "周杰",
    ];
    // Demo students are photographed: only the people whose photo can pass (the astronaut's
    // smile shows her teeth) pose for it.
    let posing: Vec<&str> = crate::SUBJECTS
        .iter()
        .filter(|s| s.compliant)
        .map(|s| s.name)
        .collect();
    let subject = posing[i % posing.len()];
    let backdrop = caiji_spec_backdrop(i / posing.len());
    let code = caiji_code::demo_code(
        "10001",
        NAMES[i % NAMES.len()],
        &format!("{:04}", 1000 + i * 37 % 9000),
        &format!("20230{:05}", 10001 + i),
    );
    DemoStudent {
        code,
        subject,
        backdrop,
    }
}

fn caiji_spec_backdrop(i: usize) -> &'static str {
    ["light_blue", "white", "light_grey"][i % 3]
}

/// The demo camera: for each student, a few frames of a phone showing the capture code, then the
/// student framed on the backdrop. Frames are made once per student and replayed with fresh
/// sensor noise, at `fps` (20 by default, like a USB camera at 720p).
pub struct DemoCamera {
    lib: crate::Library,
    students: usize,
    width: u32,
    height: u32,
    index: usize,
    phase: usize,
    current: Option<(RgbImage, RgbImage)>,
    /// Frames showing the phone, then frames of the student, per student.
    pub frames_per_phase: (usize, usize),
    /// Frames per second, as a USB camera delivers them.
    pub fps: u32,
    noise: u64,
    /// Held mode: each student stays in front of the camera until told to go ([`DemoNext`]),
    /// and the queue starts over after the last student.
    hold: Option<Arc<AtomicBool>>,
}

/// Sends the demo camera's current student away (held mode): the next one steps up with their
/// phone. A photographer's station calls it when a photo is accepted.
#[derive(Debug, Clone)]
pub struct DemoNext(Arc<AtomicBool>);

impl DemoNext {
    /// The next student, please.
    pub fn next(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl DemoCamera {
    /// A demo queue of `students` (at most [`MAX_DEMO_STUDENTS`]) at `width × height`.
    pub fn new(students: usize, width: u32, height: u32) -> Result<DemoCamera, CameraError> {
        if students > MAX_DEMO_STUDENTS {
            return Err(CameraError::Unreadable(caiji_spec::Message::new(
                format!("演示队列最多 {MAX_DEMO_STUDENTS} 名学生（收到 {students}）"),
                format!(
                    "the demo queue holds at most {MAX_DEMO_STUDENTS} students (got {students})"
                ),
            )));
        }
        let lib =
            crate::Library::open_default().map_err(|e| CameraError::Unreadable(e.message()))?;
        Ok(DemoCamera {
            lib,
            students,
            width,
            height,
            index: 0,
            phase: 0,
            current: None,
            // Half a second of phone, two seconds framed: the shutter's judgement (a third of
            // a second for the headwear network, more on a loaded machine) and the photo's
            // encoding fit while the student is still there.
            frames_per_phase: (10, 40),
            fps: 20,
            noise: 0x9E37_79B9,
            hold: None,
        })
    }

    /// Held mode, for a person at the station: each student shows the phone, then stays framed
    /// until [`DemoNext::next`]; after the last student the queue starts over.
    pub fn held(mut self) -> (DemoCamera, DemoNext) {
        let flag = Arc::new(AtomicBool::new(false));
        self.hold = Some(flag.clone());
        (self, DemoNext(flag))
    }

    /// The students, in order, made as they are read.
    pub fn students(&self) -> impl Iterator<Item = DemoStudent> + use<> {
        (0..self.students).map(demo_student)
    }

    fn prepare(&mut self) -> Result<(), CameraError> {
        let s = &demo_student(self.index);
        // Each student stands so the face is 0.32 of the frame's height: at 720p the crop can
        // hold no more than 720 rows, so a face of 0.30 leaves ayo's measured width (his
        // cheeks read 8 % narrower than marked) 198 px, within the face-width budget of the
        // band's 180 px floor; at 0.32 every student measures 209-237 px.
        let mut scene = crate::Scene::standard(s.subject, s.backdrop, self.width, self.height);
        scene.people[0].face = 0.32;
        let (portrait, _) =
            crate::render(&self.lib, &scene).map_err(|e| CameraError::Unreadable(e.message()))?;
        // The phone: a dark handset with the code on a white screen, held in front of the face.
        let mut phone = portrait.clone();
        let module = (self.height / 150).max(3);
        let qr =
            caiji_code::render_qr(&s.code, module).ok_or_else(|| CameraError::unreadable("QR"))?;
        let (qw, qh) = qr.dimensions();
        let (pw, ph) = (qw + 2 * module * 3, qh * 2);
        let (px, py) = (
            (self.width.saturating_sub(pw)) / 2,
            (self.height.saturating_sub(ph)) / 2,
        );
        for y in py..(py + ph).min(self.height) {
            for x in px..(px + pw).min(self.width) {
                phone.put_pixel(x, y, Rgb([25, 25, 30]));
            }
        }
        let (qx, qy) = (px + module * 3, py + (ph - qh) / 2);
        for (x, y, p) in qr.enumerate_pixels() {
            if qx + x < self.width && qy + y < self.height {
                phone.put_pixel(qx + x, qy + y, Rgb([p.0[0]; 3]));
            }
        }
        self.current = Some((phone, portrait));
        Ok(())
    }
}

impl FrameSource for DemoCamera {
    fn name(&self) -> String {
        "演示相机 / demo camera".into()
    }

    fn next_frame(&mut self) -> Result<RgbImage, CameraError> {
        if let Some(flag) = &self.hold {
            if flag.swap(false, Ordering::Relaxed) {
                self.next_student();
            }
            if self.index >= self.students {
                self.index = 0;
            }
        }
        if self.index >= self.students {
            return Err(CameraError::Ended);
        }
        if self.current.is_none() {
            self.prepare()?;
        }
        let (phone_n, student_n) = self.frames_per_phase;
        let (phone, portrait) = self.current.as_ref().expect("prepared");
        let mut frame = if self.phase < phone_n {
            phone.clone()
        } else {
            portrait.clone()
        };
        // Fresh noise on a sparse grid: cheap, and no two frames are identical.
        for (i, p) in frame.pixels_mut().enumerate().step_by(97) {
            self.noise ^= self.noise << 13;
            self.noise ^= self.noise >> 7;
            self.noise ^= self.noise << 17;
            let d = (self.noise % 5) as i16 - 2;
            p.0[i % 3] = (p.0[i % 3] as i16 + d).clamp(0, 255) as u8;
        }
        self.phase += 1;
        if self.hold.is_some() {
            self.phase = self.phase.min(phone_n); // stays framed until told to go
        } else if self.phase >= phone_n + student_n {
            self.phase = 0;
            self.index += 1;
            self.current = None;
        }
        Ok(frame)
    }

    fn interval(&self) -> Duration {
        Duration::from_secs(1) / self.fps.max(1)
    }
}

impl DemoCamera {
    /// Skip the rest of the current student's frames (the station moved on to the next student).
    pub fn next_student(&mut self) {
        self.phase = 0;
        self.index += 1;
        self.current = None;
    }
}
