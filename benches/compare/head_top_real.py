"""Head-top accuracy on real hair: real people cut out with a real matte, on the three backdrops.

Issue 9, point 2: the golden scenes used to cut heads out with ellipses, which flattered the
head-top scan; they now use the same model's mattes (`assets/mattes`, eight people). Here each real
portrait (17 people) is matted by MediaPipe Selfie Segmentation (PyPI `mediapipe==0.10.14`,
Apache-2.0; a model that knows nothing of our scan), composited onto light blue, white and grey
at three horizontal places and two sizes, and `caiji analyze --json` measures it. The truth is
the matte itself: the highest row, in the columns over the face, where the composite is at least
half person. Errors are reported on the 480×640 output (source px × the scale that puts the
eye-to-head-top distance at the middle of the standard's bands), median, p95 and max per person,
and the script exits 1 when the p95 over everyone exceeds the head-top budget (4 px; the budget
and the bands are read from `caiji spec --json`), a face goes unmeasured, a frame of a
hat-wearer is accepted, a bare head is refused for headwear (`bareheaded`), or a bare head is
refused for an uneven backdrop (`background_uniform`: the backdrops here are flat colours, so
only hair read as backdrop can fail it: loose curls, dreadlocks, long hair on a turned head), or
the ears rule (`ears_visible`) misjudges a frontal person whose ears show or are under the hair
in the composites. It
also prints, as a second opinion only, the eye line and face width against MediaPipe's attention
mesh on the same composites.

Run: python3 benches/compare/head_top_real.py   (CAIJI_KEEP_FRAMES=DIR keeps the composites)
"""
import json, os, pathlib, subprocess, sys, tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _venv import ROOT, ensure_peer, caiji  # noqa: E402

ensure_peer("mediapipe==0.10.14", "numpy<2", "pillow==11.3.0")

import numpy as np  # noqa: E402
import mediapipe as mp  # noqa: E402
from PIL import Image  # noqa: E402

REAL = ROOT / "assets" / "vendor" / "real"
VENDOR = ROOT / "assets" / "vendor"
# One photo a person (obama2 and franck-eyes-shut are the same people again: left out; team-1's
# matte keeps the leaves above her head, so its "head top" would be foliage: left out).
PEOPLE = {
    "marc": REAL / "marc.jpg",  # man, short dark hair, on black
    "ayo": REAL / "ayo-ogunseinde.jpg",  # man, short black hair, beard
    "card-2": REAL / "card-profile2.jpg",  # man, short black hair, head bowed
    "obama": REAL / "obama.jpg",  # man, short grey-black hair
    "franck": REAL / "franck-laughing.jpg",  # man, short dark hair, glasses, blue screen
    "astronaut": VENDOR / "astronaut.png",  # woman, short light-brown hair
    "marie": REAL / "marie.jpg",  # woman, long dark curly hair, glasses
    "mike": REAL / "mike.jpg",  # man, long dreadlocks, beard, greyscale
    "pose0-smile": REAL / "pose0-smile.jpg",  # East Asian woman, straight dark hair, on blue
    "pose0-surprise": REAL / "pose0-surprise.jpg",  # East Asian woman, dark bob, on blue
    # Heads turned 20–55° (refused for pose; the head top is still measured and must be right).
    "kendall": REAL / "kendall.jpg",  # woman, fair hair in a loose bun, flyaway strands, glasses
    "camp": REAL / "camp.jpg",  # woman, long straight auburn hair
    "card-5": REAL / "card-profile5.jpg",  # woman, dark hair tied back
    "kal": REAL / "kal-visuals.jpg",  # man, thick black hair swept up
    "pose15": REAL / "pose15.jpg",  # East Asian woman, dark bob, turned 15° (the set's label)
    "pose45": REAL / "pose45.jpg",  # East Asian man, thick black hair, turned 45°
    # Three men side by side: the analysis measures the largest face (short dark hair).
    "trio": VENDOR / "trio.jpg",
}
# The ears rule (露出双耳, `ears_visible`): people whose ears both show in their composites (read
# off the photos) must pass it in every frame, people whose hair covers an ear must fail it in
# every frame (the turned heads are left out: their far ear is hidden by the turn). Ayo's and the
# astronaut's ears are in their photos, but this script's selfie matte trims them away (ayo's
# crisp matte keeps a stub of one ear): their readings are printed, not judged.
EARS_SHOW = {"marc", "obama", "franck", "trio"}
EARS_HIDDEN = {"pose0-smile", "pose0-surprise", "mike"}
EARS_CUT = {"ayo", "astronaut"}
# The trio's largest face is 87 px wide at size 1.0: the soft matte's edge fades his small ears
# into a white or grey backdrop (one cell of ear, 0.0012, on white at -0.12; the crisp matte's
# 0.018-0.021): printed, not judged, on the soft matte; judged on the crisp one.
EARS_CUT_SOFT = {"trio"}
# Wearing a hat (not 免冠): there is no hair top to measure, and every frame must be refused.
REFUSED = {
    "kaci-hat": REAL / "kaci-baum.jpg",
    "bruce-beanie": REAL / "bruce-mars.jpg",
    "team-2-beanie": REAL / "team-2.jpg",
    "hopper-cap": REAL / "grace-hopper.jpg",  # a naval officer's cap
}
BACKDROPS = {"blue": (100, 197, 255), "white": (255, 255, 255), "grey": (240, 240, 240)}
SHIFTS = (-0.12, 0.0, 0.12)  # horizontal placement, share of the canvas width
SIZES = (1.0, 1.6)  # the photo as it is, and enlarged (a closer camera)


def spec_numbers(exe):
    """The head-top budget (output px, p95) and the output distance from the head top to the eye
    line at the middles of the standard's bands, as `caiji spec --json` gives them from crates/spec."""
    spec = json.loads(subprocess.run([exe, "spec", "--json"], capture_output=True, text=True,
                                     check=True).stdout)
    mid = lambda r: (r["min"] + r["max"]) / 2.0  # noqa: E731
    s = spec["standard"]
    return spec["tolerances"]["budget"]["head_top_px"], mid(s["eye_y"]) - mid(s["head_top"])


def mattes(seg, rgb):
    """Alpha 0–1 at the photo's size, two ways: the model's own soft mask (a ramp several pixels
    wide, like flyaway or out-of-focus hair) and the same ramp narrowed to a crisp edge."""
    m = seg.process(rgb).segmentation_mask.astype(np.float32).clip(0.0, 1.0)
    return {"soft": m, "crisp": np.clip((m - 0.3) / 0.4, 0.0, 1.0)}


def composite(rgb, alpha, backdrop, shift, size):
    h, w = alpha.shape
    if size != 1.0:
        nw, nh = round(w * size), round(h * size)
        rgb = np.asarray(Image.fromarray(rgb).resize((nw, nh), Image.LANCZOS))
        a8 = Image.fromarray((alpha * 255).astype(np.uint8)).resize((nw, nh), Image.BILINEAR)
        alpha = np.asarray(a8).astype(np.float32) / 255.0
        h, w = nh, nw
    cw, ch = 2 * w, h + h // 3
    x0 = int(round(cw / 2 - w / 2 + shift * cw))
    y0 = ch - h
    canvas = np.empty((ch, cw, 3), np.float32)
    canvas[:] = backdrop
    a_full = np.zeros((ch, cw), np.float32)
    a_full[y0:, x0 : x0 + w] = alpha
    canvas[y0:, x0 : x0 + w] = alpha[..., None] * rgb + (1 - alpha[..., None]) * canvas[y0:, x0 : x0 + w]
    return canvas.round().clip(0, 255).astype(np.uint8), a_full


def truth_top(a_full, cx, ipd):
    """Highest row of the matte at half or more, over the face's columns (cx ± 0.55 eye distances)."""
    xs = range(max(0, int(cx - 0.55 * ipd)), min(a_full.shape[1], int(cx + 0.55 * ipd) + 1))
    tops = []
    for x in xs:
        rows = np.nonzero(a_full[:, x] >= 0.5)[0]
        if len(rows):
            tops.append(rows[0])
    return float(min(tops)) if tops else None


def reference(ref, img):
    """Per face in the composite: (eye-centre x, eye-line y, cheek-to-cheek width) from the eye
    corners (33, 133, 362, 263: the eye line as the analysis defines it, the corners' midpoint)
    and the face-oval points at the cheeks (234, 454), in pixels."""
    h, w = img.shape[:2]
    res = ref.process(img)
    out = []
    for f in res.multi_face_landmarks or []:
        p = lambda i: (f.landmark[i].x * w, f.landmark[i].y * h)  # noqa: E731
        corners = [p(i) for i in (33, 133, 362, 263)]
        (ax, _), (bx, _) = p(234), p(454)
        out.append((sum(c[0] for c in corners) / 4, sum(c[1] for c in corners) / 4, abs(bx - ax)))
    return out


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(np.ceil(q * len(v))) - 1)]


def summary(errors):
    """Signed median, and p95 and max of the absolute errors."""
    a = [abs(x) for x in errors]
    return float(np.median(errors)), pct(a, 0.95), max(a)


def main():
    exe = caiji()
    budget, eye_to_top = spec_numbers(exe)
    keep = os.environ.get("CAIJI_KEEP_FRAMES")
    tmp = pathlib.Path(keep or tempfile.mkdtemp())
    tmp.mkdir(parents=True, exist_ok=True)
    seg = mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0)
    # A second opinion for the eye line and the face width (not a truth: another MediaPipe
    # model, the attention mesh, on the same composite).
    ref = mp.solutions.face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True, max_num_faces=3)
    frames = []  # (person, matte kind, file, matte on the canvas, reference faces)
    for name, path in {**PEOPLE, **REFUSED}.items():
        rgb = np.asarray(Image.open(path).convert("RGB"))
        for kind, alpha in mattes(seg, rgb).items():
            for bname, colour in BACKDROPS.items():
                for shift in SHIFTS:
                    for size in SIZES:
                        img, a_full = composite(rgb, alpha, colour, shift, size)
                        f = tmp / f"{name}-{kind}-{bname}-{shift:+.2f}-{size}.png"
                        Image.fromarray(img).save(f)
                        frames.append((name, kind, f, a_full, reference(ref, img)))
    out = subprocess.run([exe, "analyze", "--json", *[str(f) for _, _, f, _, _ in frames]],
                         capture_output=True, text=True)
    rows = {}
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            r = json.loads(line)
            rows[r["file"]] = r
    errs, missed, accepted, hatted, uneven, eyes, widths = {}, [], [], [], [], {}, {}
    ears_wrong, ears_judged, ears_least = [], 0, {}
    for name, kind, f, a_full, refs in frames:
        r = rows.get(str(f))
        if name in REFUSED:
            if not r or r.get("verdict") != "fail":
                accepted.append(f.name)
            continue
        if r and any(c["id"] == "bareheaded" and not c["pass"] for c in r.get("checks", [])):
            hatted.append(f.name)
        if r and any(c["id"] == "background_uniform" and not c["pass"] for c in r.get("checks", [])):
            uneven.append(f.name)
        if r and (name in EARS_SHOW or name in EARS_HIDDEN or name in EARS_CUT):
            rule = [c for c in r.get("checks", []) if c["id"] == "ears_visible"]
            cut = name in EARS_CUT or (kind == "soft" and name in EARS_CUT_SOFT)
            key = f"{name} ({kind})" if name in EARS_CUT_SOFT else name
            label = "cut by the matte, not judged" if cut else "show" if name in EARS_SHOW else "hidden"
            if rule:
                ears_least.setdefault(key, (label, []))[1].append(rule[0]["value"])
            if not cut:
                ears_judged += 1
                if not rule or rule[0]["pass"] != (name in EARS_SHOW):
                    ears_wrong.append(f.name)
        if not r or "eye_y" not in r:
            missed.append(f.name)
            continue
        ipd = abs(r["eye_right"][0] - r["eye_left"][0])
        t = truth_top(a_full, r["face_center_x"], ipd)
        if t is None:
            missed.append(f.name)
            continue
        scale = eye_to_top / max(1.0, r["eye_y"] - t)
        errs.setdefault(f"{name} {kind}", []).append((r["head_top_y"] - t) * scale)
        near = [q for q in refs if abs(q[0] - r["face_center_x"]) < 0.5 * ipd]
        if near:
            q = near[0]
            eyes.setdefault(name, []).append((r["eye_y"] - q[1]) * scale)
            widths.setdefault(name, []).append(100.0 * (r["face_width"] / q[2] - 1.0))
    print(f"head top error on the 480×640 output, px (+ = below the true top), {len(frames)} frames")
    print(f"{'person, matte':<16} {'n':>3} {'median':>7} {'p95':>6} {'max':>6}")
    every = [x for e in errs.values() for x in e]
    for name, e in [*errs.items(), *([("all", every)] if every else [])]:
        med, p, top = summary(e)
        print(f"{name:<16} {len(e):>3} {med:>+7.2f} {p:>6.2f} {top:>6.2f}")
    p95 = summary(every)[1] if every else float("inf")
    if missed:
        print("no face or no measurement:", ", ".join(missed))
    print("\nagainst a second opinion (MediaPipe attention mesh: eye corners, cheek points 234/454;")
    print("not a truth, reported only): eye line in output px, face width in % (+ = ours wider)")
    print(f"{'person':<16} {'n':>3} {'eye med':>8} {'eye p95':>8} {'w med':>7} {'w p95':>7}")
    all_e = [x for e in eyes.values() for x in e]
    all_w = [x for w in widths.values() for x in w]
    for name, e, wd in [*((n, eyes[n], widths[n]) for n in eyes), *([("all", all_e, all_w)] if all_e else [])]:
        (em, ep, _), (wm, wp, _) = summary(e), summary(wd)
        print(f"{name:<16} {len(e):>3} {em:>+8.2f} {ep:>8.2f} {wm:>+7.1f} {wp:>7.1f}")
    if accepted:
        print("a hat accepted (must be refused):", ", ".join(accepted))
    hats = sum(1 for n, *_ in frames if n in REFUSED)
    print(f"hat frames refused: {hats - len(accepted)} of {hats}")
    if hatted:
        print("a bare head refused for headwear (must pass):", ", ".join(hatted))
    bare = len(frames) - hats
    print(f"bare-head frames passing the headwear rule: {bare - len(hatted)} of {bare}")
    if uneven:
        print("a flat backdrop read as uneven (must pass):", ", ".join(uneven))
    print(f"bare-head frames passing the even-backdrop rule: {bare - len(uneven)} of {bare}")
    print("ears rule, the less visible ear (area over the face width squared; limit in the spec):")
    for name, (label, v) in sorted(ears_least.items()):
        print(f"  {name:<16} min {min(v):.4f} max {max(v):.4f}  {label}")
    if ears_wrong:
        print("ears rule wrong (ears that show refused, or hidden ones passed):", ", ".join(ears_wrong))
    print(f"frames judged right by the ears rule: {ears_judged - len(ears_wrong)} of {ears_judged}")
    ok = p95 <= budget and not missed and not accepted and not hatted and not uneven and not ears_wrong
    print(f"verdict: {'PASS' if ok else 'FAIL'} (p95 {p95:.2f} px, budget {budget} px)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
