//! Where framing time goes: each analysis stage on a 1080p scene, then the detector, mesh and
//! iris models per run and per operator kind, on tract's operators alone and with our kernels
//! (`caiji_vision::kernels`) in place of its depthwise convolutions, max pools and PReLUs.
//! `cargo run -p caiji-vision --example profile_models [runs]` (a measurement, not a test).

use std::collections::BTreeMap;
use std::time::Instant;
use tract_onnx::prelude::*;

fn profile(
    onnx: &tract_onnx::Onnx,
    name: &str,
    path: &std::path::Path,
    shape: &[usize],
    runs: usize,
    ours: bool,
) -> TractResult<()> {
    let mut model = onnx
        .model_for_path(path)?
        .with_input_fact(0, f32::fact(shape).into())?
        .into_typed()?
        .into_decluttered()?;
    if ours {
        caiji_vision::kernels::substitute(&mut model)?;
    }
    let plan = model.into_optimized()?.into_runnable()?;
    let name = format!("{name} ({})", if ours { "our kernels" } else { "tract's" });
    let input: Tensor = tract_ndarray::ArrayD::<f32>::from_elem(shape, 0.5).into();
    let mut state = tract_onnx::tract_core::plan::SimpleState::new(&plan)?;
    let mut by_op: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    let mut totals = Vec::new();
    for run in 0..runs + 3 {
        let t = Instant::now();
        let mut local: Vec<(String, f64)> = Vec::new();
        state.run_plan_with_eval(
            tvec!(input.clone().into_tvalue()),
            |ctx, st, node, inputs| {
                let t = Instant::now();
                let r = tract_onnx::tract_core::plan::eval(ctx, st, node, inputs);
                local.push((
                    node.op().name().to_string(),
                    t.elapsed().as_secs_f64() * 1e3,
                ));
                r
            },
        )?;
        if run >= 3 {
            totals.push(t.elapsed().as_secs_f64() * 1e3);
            for (k, v) in local {
                let e = by_op.entry(k).or_default();
                e.0 += v;
                e.1 += 1;
            }
        }
    }
    totals.sort_by(f64::total_cmp);
    println!(
        "{name}: median {:.2} ms over {runs} runs, {} nodes",
        totals[runs / 2],
        plan.model().nodes.len()
    );
    let mut rows: Vec<_> = by_op.into_iter().collect();
    rows.sort_by(|a, b| b.1.0.total_cmp(&a.1.0));
    for (op, (ms, n)) in rows.iter().take(8) {
        println!(
            "  {op:<28} {:>7.3} ms/run  ({} calls/run)",
            ms / runs as f64,
            n / runs
        );
    }
    Ok(())
}

fn main() -> TractResult<()> {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    stages(runs);
    let dir = caiji_vision::assets_dir();
    let (detector, onnx) = (caiji_vision::Detector::onnx(), tract_onnx::onnx());
    for (loader, name, file, shape) in [
        (
            &detector,
            "blazeface 128",
            caiji_vision::MODEL_FILE,
            [1, 128, 128, 3],
        ),
        (&onnx, "mesh 192", caiji_vision::MESH_FILE, [1, 3, 192, 192]),
        (&onnx, "iris 64", caiji_vision::IRIS_FILE, [1, 3, 64, 64]),
    ] {
        for ours in [false, true] {
            profile(loader, name, &dir.join(file), &shape, runs, ours)?;
        }
    }
    Ok(())
}

/// The analysis stages on a 1080p standard scene: what each costs per frame.
fn stages(runs: usize) {
    use caiji_scene::{Library, Scene, render, swaying_frames};
    use caiji_vision::{Analyzer, Detector, FaceMesh, IrisModel};
    let dir = caiji_vision::assets_dir();
    let lib = Library::open_default().expect("photos");
    let (frame, _) = render(&lib, &Scene::standard("glasses", "light_blue", 1920, 1080)).unwrap();
    let analyzer = Analyzer::load(&dir).unwrap();
    let det = Detector::load(&dir.join(caiji_vision::MODEL_FILE)).unwrap();
    let mesh = FaceMesh::load(&dir.join(caiji_vision::MESH_FILE)).unwrap();
    let iris = IrisModel::load(&dir.join(caiji_vision::IRIS_FILE)).unwrap();
    let time = |f: &mut dyn FnMut()| {
        let mut v: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        v.sort_by(f64::total_cmp);
        v[runs / 2]
    };
    let side = 1920.0;
    let d = det.detect_region(&frame, 0.0, -420.0, side, 0.5).unwrap()[0];
    let m = mesh
        .landmarks(
            &frame,
            d.center.x,
            d.center.y,
            d.size * caiji_vision::MESH_REGION_SCALE,
        )
        .unwrap();
    let l = m.corners_left();
    let stages: [(&str, &dyn Fn()); 4] = [
        ("detect frame  ", &|| {
            det.detect_region(&frame, 0.0, -420.0, side, 0.5).unwrap();
        }),
        ("detect close  ", &|| {
            let (x0, y0) = (d.center.x - d.size, d.center.y - d.size);
            det.detect_region(&frame, x0, y0, 2.0 * d.size, 0.5)
                .unwrap();
        }),
        ("mesh          ", &|| {
            let side = d.size * caiji_vision::MESH_REGION_SCALE;
            mesh.landmarks(&frame, d.center.x, d.center.y, side)
                .unwrap();
        }),
        ("iris (one eye)", &|| {
            iris.eye(&frame, l.0, l.1, false).unwrap();
        }),
    ];
    println!("1080p stages, median of {runs}:");
    let full = time(&mut || {
        analyzer.analyze(&frame).unwrap();
    });
    println!("  full analyze   {full:.2} ms");
    let frames = swaying_frames(&lib, "glasses", "light_blue", (1920, 1080), 20).unwrap();
    let (mut track, mut next) = (None, 0);
    let tracked = time(&mut || {
        analyzer.analyze_tracked(&frames[next], &mut track).unwrap();
        next = (next + 1) % frames.len();
    });
    println!(
        "  tracked        {tracked:.2} ms (a swaying student, the whole frame searched every {} frames)",
        caiji_vision::TRACK_SEARCH_EVERY
    );
    for (name, run) in &stages {
        println!("  {name} {:.2} ms", time(&mut || run()));
    }
    // Both eyes: the iris stage twice.
    let one_core = time(&mut || {
        for (_, run) in &stages {
            run();
        }
        stages[3].1();
    });
    println!("  sequential sum {one_core:.2} ms (what one core would spend)");
}
