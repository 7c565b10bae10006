#!/usr/bin/env python3
"""Shutter to sealed file, Caiji vs Pillow: crop + resize to 480x640 + quality search into 20-40 KB
+ comment + write, on the same frames (1080p, 4K) with the same crop."""
import sys, pathlib
sys.path.insert(0, str(pathlib.Path(__file__).parent))
from _venv import ensure_peer, caiji
ensure_peer("pillow==11.3.0")

import io, json, os, statistics, subprocess, tempfile, time
from PIL import Image

REPS = 9
LO, HI = 20_000, 40_000


def pillow_shot(frame, crop, out, comment):
    x, y, w, h = crop["x"], crop["y"], crop["width"], crop["height"]
    img = frame.resize((480, 640), Image.LANCZOS, box=(x, y, x + w, y + h))
    # Pillow has no size target: bisect the quality in 60..95, as a script would.
    lo, hi, best = 60, 95, None
    while lo <= hi:
        q = (lo + hi) // 2
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=q, dpi=(300, 300), comment=comment, optimize=True)
        n = buf.tell()
        if LO <= n <= HI:
            best = buf.getvalue()
            lo = q + 1
        elif n > HI:
            hi = q - 1
        else:
            lo = q + 1
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(best)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, out)
    with Image.open(out) as check:
        check.load()


def main():
    exe = caiji()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        key = os.path.join(d, "station.key")
        subprocess.run([exe, "keygen", key], check=True, capture_output=True)
        for name, size in [("1080p", "1920x1080"), ("4k", "3840x2160")]:
            frame_path = os.path.join(d, f"{name}.png")
            subprocess.run([exe, "scene", "--subject", "short_hair", "--size", size, frame_path], check=True, capture_output=True)
            out = subprocess.run([exe, "capture", "--code", "CJ1|10001|张*丰|1234|2023010101", "--key", key,
                                  "--out", os.path.join(d, f"{name}.jpg"), "--timing", str(REPS), frame_path],
                                 capture_output=True, text=True, check=True)
            rep = json.loads(out.stdout)
            frame = Image.open(frame_path).convert("RGB")
            frame.load()
            times = []
            for _ in range(REPS):
                t = time.perf_counter()
                pillow_shot(frame, rep["crop"], os.path.join(d, f"{name}_pil.jpg"), b"CJSEAL1.00000000.placeholder-of-equal-length-xxxxxxxxxxxxxxxxxxxxxxxxx")
                times.append((time.perf_counter() - t) * 1000)
            rows.append((name, rep["shutter_ms"], statistics.median(times)))
    print(f"{'frame':8} {'caiji ms':>10} {'pillow ms':>10} {'pillow/caiji':>13}")
    for name, o, t in rows:
        print(f"{name:8} {o:10.2f} {t:10.2f} {t / o:13.2f}")


if __name__ == "__main__":
    main()
