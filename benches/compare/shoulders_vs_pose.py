"""Shoulder tilt (左右肩膀平衡, `shoulders_level`) against an independent body-landmark model.

Caiji reads the shoulders' tilt from their outline against the backdrop, in columns paired about
the face's centre (`caiji analyze --live --json`: `shoulder_tilt_deg`, positive when the
image-right shoulder is lower). The peer is MediaPipe Pose (PyPI `mediapipe==0.10.14`,
Apache-2.0, the full landmark model): the line through its two shoulder joints (landmarks 11
and 12), a model that knows nothing of our outline. Each scene subject is rendered by
`caiji scene` on the light-grey backdrop with its shoulders turned about the neck by -9, -6, 0, +6
and +9 degrees (`--shoulder-tilt`; the head stays upright).

For every frame it prints both readings, the tilt asked, and where the peer puts the shoulders'
midpoint against the face's centre (in eye distances: how far the head sits to one side of the
body, which the outline's pairing does not know). Per subject it prints how much each reading
moves per degree asked (1.0 is a perfect follower) and the untilted difference between the two.
It exits 1 when the peer finds no shoulders in a frame or Caiji finds no face. It is a measurement, not a pass/fail
check of the rule: the peer's joints are not the outline a reviewer looks at either.

Run: python3 benches/compare/shoulders_vs_pose.py
"""
import json, pathlib, subprocess, sys, tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _venv import ensure_peer, caiji  # noqa: E402

ensure_peer("mediapipe==0.10.14", "numpy<2", "pillow==11.3.0")

import numpy as np  # noqa: E402
import mediapipe as mp  # noqa: E402
from PIL import Image  # noqa: E402

SUBJECTS = ["astronaut", "glasses", "curly", "short_hair", "marc", "ayo", "mike", "hopper"]
TILTS = [-9.0, -6.0, 0.0, 6.0, 9.0]


def main():
    exe = caiji()
    pose = mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1)
    missing = 0
    print(f"{'subject':11} {'asked':>6} {'caiji':>7} {'pose':>7} {'head off body':>14}")
    with tempfile.TemporaryDirectory() as d:
        for subject in SUBJECTS:
            rows = []
            for tilt in TILTS:
                frame = str(pathlib.Path(d) / f"{subject}_{tilt}.png")
                made = subprocess.run([exe, "scene", "--subject", subject, "--backdrop", "light_grey",
                                       "--shoulder-tilt", str(tilt), frame], capture_output=True, text=True)
                if made.returncode != 0:
                    sys.exit(f"caiji scene {subject} {tilt}: {made.stderr}")
                out = subprocess.run([exe, "analyze", "--live", "--json", frame],
                                     capture_output=True, text=True)
                answers = [json.loads(l) for l in out.stdout.splitlines() if l.startswith("{")]
                if out.returncode not in (0, 1) or not answers:
                    sys.exit(f"caiji analyze {frame}: exit {out.returncode}: {out.stderr}")
                a = answers[0]
                if "error" in a or "eye_left" not in a:
                    print(f"{subject:11} {tilt:+6.1f} no analysis: {a.get('error', 'no face')}")
                    missing += 1
                    continue
                ours = a.get("shoulder_tilt_deg")
                img = np.asarray(Image.open(frame).convert("RGB"))
                h, w = img.shape[:2]
                r = pose.process(img)
                if not r.pose_landmarks:
                    print(f"{subject:11} {tilt:+6.1f} {'':>7} no shoulders found by the peer")
                    missing += 1
                    continue
                lm = r.pose_landmarks.landmark
                # 11 is the person's left shoulder (the image's right), 12 their right.
                left, right = lm[11], lm[12]
                theirs = np.degrees(np.arctan2((left.y - right.y) * h, (left.x - right.x) * w))
                ipd = np.hypot(a["eye_right"][0] - a["eye_left"][0], a["eye_right"][1] - a["eye_left"][1])
                off = ((left.x + right.x) / 2 * w - a["face_center_x"]) / ipd
                shown = f"{ours:+7.1f}" if ours is not None else "   none"
                print(f"{subject:11} {tilt:+6.1f} {shown} {theirs:+7.1f} {off:+14.2f}")
                rows.append((tilt, ours, theirs))
            seen = [(t, o, p) for t, o, p in rows if o is not None]
            if len(seen) >= 2:
                t = np.array([s[0] for s in seen])
                follow_ours = np.polyfit(t, [s[1] for s in seen], 1)[0]
                follow_theirs = np.polyfit(t, [s[2] for s in seen], 1)[0]
                level = [s for s in seen if s[0] == 0.0]
                diff = f"{level[0][1] - level[0][2]:+.1f}°" if level else "—"
                print(f"{'':11} per degree asked: caiji {follow_ours:.2f}, pose {follow_theirs:.2f}; "
                      f"untilted caiji − pose {diff}")
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
