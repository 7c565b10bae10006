#!/usr/bin/env python3
"""Camera frame decoding per 1080p frame, Caiji (MJPEG through the image crate's zune-jpeg, YUYV
in Rust) vs OpenCV 4 (cv2.imdecode with libjpeg-turbo, cv2.cvtColor YUV2RGB_YUYV), on the same
bytes: the criterion bench `caiji-camera/decode` writes its inputs to target/bench-inputs/ and
its medians to target/criterion/."""
import sys, pathlib
sys.path.insert(0, str(pathlib.Path(__file__).parent))
from _venv import ensure_peer, ROOT
ensure_peer("opencv-python-headless==4.10.0.84", "numpy<2.1")

import json, re, statistics, subprocess, time
import cv2
import numpy as np

REPS = 60


def criterion_median_ms(group, name):
    est = ROOT / "target" / "criterion" / group / name / "new" / "estimates.json"
    return json.loads(est.read_text())["median"]["point_estimate"] / 1e6


def main():
    # The bench in the test suite's build (dev profile, dependencies optimised).
    out = subprocess.run(["cargo", "test", "--workspace", "--benches", "--no-run"],
                         cwd=ROOT, check=True, capture_output=True, text=True)
    exe = re.search(r"\((target/[^)]*decode-[0-9a-f]+)\)", out.stderr).group(1)
    subprocess.run([str(ROOT / exe), "--bench"], cwd=ROOT, check=True, capture_output=True)
    inputs = ROOT / "target" / "bench-inputs"
    jpg = np.frombuffer((inputs / "frame_1080p.jpg").read_bytes(), np.uint8)
    yuyv = np.frombuffer((inputs / "frame_1080p.yuyv").read_bytes(), np.uint8).reshape(1080, 1920, 2)

    def median_ms(f):
        f()
        t = []
        for _ in range(REPS):
            s = time.perf_counter()
            f()
            t.append((time.perf_counter() - s) * 1000)
        return statistics.median(t)

    cv2.setNumThreads(1)
    rows = [
        ("MJPEG", criterion_median_ms("frame_decode_1080p", "mjpeg"),
         median_ms(lambda: cv2.cvtColor(cv2.imdecode(jpg, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB))),
        ("YUYV", criterion_median_ms("frame_decode_1080p", "yuyv"),
         median_ms(lambda: cv2.cvtColor(yuyv, cv2.COLOR_YUV2RGB_YUYV))),
    ]
    print(f"{'1080p':8} {'caiji ms':>10} {'opencv ms':>10} {'opencv/caiji':>13}")
    for name, ours, peer in rows:
        print(f"{name:8} {ours:10.2f} {peer:10.2f} {peer / ours:13.2f}")


if __name__ == "__main__":
    main()
