#!/usr/bin/env python3
"""QR capture-code scan per 1080p frame, Caiji (rxing, downscaled to 960 px) vs zxing-cpp (PyPI),
on the same frames: demo-camera frames with a phone showing the code, and frames without a code."""
import sys, pathlib
sys.path.insert(0, str(pathlib.Path(__file__).parent))
from _venv import ensure_peer, caiji
ensure_peer("zxing-cpp==2.3.0", "pillow==11.3.0", "numpy<2.1")

import json, statistics, subprocess, tempfile, time
import numpy as np
import zxingcpp
from PIL import Image

REPS = 15


def main():
    exe = caiji()
    with tempfile.TemporaryDirectory() as d:
        frames = []
        # A phone with the code in front of each subject, made by the demo camera's renderer.
        for subject in ["astronaut", "glasses", "curly"]:
            p = pathlib.Path(d) / f"{subject}.png"
            subprocess.run([exe, "scene", "--subject", subject, "--size", "1920x1080", str(p)], check=True, capture_output=True)
            frames.append((p, False))
        qr_dir = pathlib.Path(d)
        # Frames with a code: paste a QR rendered by Pillow-free means: reuse zxing-cpp's writer.
        for i, subject in enumerate(["astronaut", "glasses", "curly"]):
            base = Image.open(qr_dir / f"{subject}.png").convert("RGB")
            bm = zxingcpp.write_barcode(zxingcpp.BarcodeFormat.QRCode, f"CJ1|10001|张*丰|{1234 + i}|202301010{i}", width=300, height=300)
            qr = Image.fromarray(np.array(bm)).convert("RGB")
            base.paste(qr, (810, 390))
            p = qr_dir / f"{subject}_qr.png"
            base.save(p)
            frames.append((p, True))
        rows = []
        for p, has in frames:
            out = subprocess.run([exe, "code", "--timing", str(REPS), str(p)], capture_output=True, text=True)
            ours = json.loads(out.stdout)
            img = np.array(Image.open(p).convert("L"))
            times, found = [], None
            for _ in range(REPS):
                t = time.perf_counter()
                r = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
                times.append((time.perf_counter() - t) * 1000)
                found = r[0].text if r else None
            rows.append((p.name, has, "code" in ours, found is not None, ours["scan_ms"], statistics.median(times)))
    print(f"{'frame':20} {'code':>5} {'caiji':>6} {'zxing':>6} {'caiji ms':>9} {'zxing ms':>9} {'zxing/caiji':>12}")
    for name, has, a, b, o, t in rows:
        print(f"{name:20} {str(has):>5} {str(a):>6} {str(b):>6} {o:9.2f} {t:9.2f} {t / o:12.2f}")


if __name__ == "__main__":
    main()
