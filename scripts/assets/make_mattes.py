"""Real mattes for the scene subjects: MediaPipe Selfie Segmentation (PyPI `mediapipe==0.10.14`,
Apache-2.0) run on each source photo, written as 8-bit greyscale PNGs to `assets/mattes/`.

The scenes (`crates/scene`) cut each person out of their photo with these mattes, so the golden
scenes, the benchmarks and the demo camera show real hair edges instead of an ellipse cut inside
the hair (issue 9: "golden scenes get real mattes from real photos, so they stop flattering us").
The model knows nothing of our head-top scan. The mattes are committed (they are small and are
this project's own output); this script makes them again, and refuses a photo whose bytes are not
the ones `scripts/fetch-assets.sh` pins.

Run: python3 scripts/assets/make_mattes.py
"""
import hashlib, pathlib, sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benches" / "compare"))
from _venv import ensure_peer  # noqa: E402

ensure_peer("mediapipe==0.10.14", "numpy<2", "pillow==11.3.0")

import numpy as np  # noqa: E402
import mediapipe as mp  # noqa: E402
from PIL import Image  # noqa: E402

VENDOR = ROOT / "assets" / "vendor"
OUT = ROOT / "assets" / "mattes"
# Source photo (inside assets/vendor) -> its sha256 as fetched.
PHOTOS = {
    "astronaut.png": "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
    "trio.jpg": "889272392977114f72146e88b6775cdea9a2a421c84472972c862d7435281b7e",
    "real/marc.jpg": "7b201c81b6fa950c09575484b0ace09eafeafdd3fafe52d83486c3e8d3b11a21",
    "real/ayo-ogunseinde.jpg": "5f04576864963f14c74ae44bd4189d3144e85accd0ba50f42f7ef3d859f633e4",
    "real/mike.jpg": "4c3a982aade1ada38153fe68bd7bbd12e100aca26f99f175c0dcd1bedf68791a",
    "real/grace-hopper.jpg": "a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130",
}
# In a photo of several people the model, looking at the whole photo at once, is unsure of some
# of them: in trio.jpg it left glasses' checked shirt beside his right shoulder half transparent
# (a smudge on every scene of him). It is run again on a strip around him (source columns
# [from, to), from row `top` down: below his chin, so the head's outline stays the whole photo's;
# on the strip alone the hair's top edge takes in a sliver of the dark wall), and each pixel
# keeps the more certain answer.
STRIPS = {"trio.jpg": [(0, 240, 200)]}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    seg = mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0)
    for rel in PHOTOS:
        path = VENDOR / rel
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != PHOTOS[rel]:
            sys.exit(f"{rel}: sha256 {digest}, expected {PHOTOS[rel]} (run scripts/fetch-assets.sh)")
        rgb = np.asarray(Image.open(path).convert("RGB"))
        m = seg.process(rgb).segmentation_mask.astype(np.float32).clip(0.0, 1.0)
        for a, b, top in STRIPS.get(rel, []):
            strip = np.ascontiguousarray(rgb[:, a:b])
            s = seg.process(strip).segmentation_mask.astype(np.float32).clip(0.0, 1.0)
            m[top:, a:b] = np.maximum(m[top:, a:b], s[top:])
        out = OUT / (pathlib.Path(rel).stem + ".png")
        Image.fromarray((m * 255.0).round().astype(np.uint8)).save(out, optimize=True)
        print(f"{rel}: {digest} -> {out.relative_to(ROOT)} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
