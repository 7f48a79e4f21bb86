#!/usr/bin/env bash
# Decode time per frame of JPEG Extended 12-bit (512x512 CT) and Baseline 8-bit (512x512 grey,
# 512x512 colour 4:2:2) frames: MedVeil's JpegDctDecoder, the TwelveMonkeys ImageIO reader (8-bit),
# and dcmtk's dcmdjpeg. Usage: bench/jpeg-dct.sh [FRAMES] [SECONDS]
# Needs: Java 17, dcmtk, python3-pydicom + python3-numpy (to make the test images), a Maven build.
# dcmdjpeg runs as a process per file, so it is timed on a FRAMES-frame file and on a 1-frame file,
# and the difference divided by FRAMES-1 is its per-frame decode (and write) time without start-up.
set -euo pipefail
cd "$(dirname "$0")/.."
FRAMES="${1:-40}"
SECONDS_PER_CASE="${2:-5}"
PY=/usr/bin/python3
for t in dcmcjpeg dcmdjpeg; do command -v $t >/dev/null || { echo "$t not found: apt-get install -y dcmtk" >&2; exit 1; }; done
$PY -c 'import pydicom, numpy' || { echo "need python3-pydicom and python3-numpy" >&2; exit 1; }

./mvnw -B -o -q -pl dicom -am compile
M2="${HOME}/.m2/repository"
CP="dicom/target/classes:$(ls "$M2"/com/twelvemonkeys/*/*/3.14.0/*.jar | tr '\n' ':')"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# Natives: a 512x512 CT (pydicom's CT_small, 128x128, enlarged smoothly), a 512x512 8-bit grey
# image (image_dfl) and a 512x512 RGB image (SC_rgb_rle enlarged); FRAMES and 1 frame(s) each.
$PY - "$WORK" "$FRAMES" <<'PY'
import sys, numpy as np, pydicom
from pydicom.uid import ExplicitVRLittleEndian
work, n = sys.argv[1], int(sys.argv[2])
d = pydicom.data.get_testdata_file
def enlarge(a, size):
    ys = np.linspace(0, a.shape[0] - 1, size); xs = np.linspace(0, a.shape[1] - 1, size)
    y0 = np.floor(ys).astype(int); x0 = np.floor(xs).astype(int)
    y1 = np.minimum(y0 + 1, a.shape[0] - 1); x1 = np.minimum(x0 + 1, a.shape[1] - 1)
    fy = (ys - y0)[:, None]; fx = (xs - x0)[None, :]
    a = a.astype(np.float64)
    out = []
    for c in range(a.shape[2] if a.ndim == 3 else 1):
        p = a[..., c] if a.ndim == 3 else a
        top = p[y0][:, x0] * (1 - fx) + p[y0][:, x1] * fx
        bot = p[y1][:, x0] * (1 - fx) + p[y1][:, x1] * fx
        out.append(top * (1 - fy) + bot * fy)
    return np.stack(out, -1) if a.ndim == 3 else out[0]
def save(ds, arr, name, frames):
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.Rows, ds.Columns = arr.shape[0], arr.shape[1]
    ds.NumberOfFrames = frames
    ds.PixelData = np.ascontiguousarray(np.stack([arr] * frames)).tobytes()
    ds.save_as(f"{work}/{name}", write_like_original=False)
ct = pydicom.dcmread(d("CT_small.dcm"))
big = np.clip(np.rint(enlarge(ct.pixel_array, 512)), -32768, 32767).astype(np.int16)
grey = pydicom.dcmread(d("image_dfl.dcm"))
rgb = pydicom.dcmread(d("SC_rgb_rle.dcm"))
rgb_arr = rgb.pixel_array
rgb.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
rgb_big = np.clip(np.rint(enlarge(rgb_arr, 512)), 0, 255).astype(np.uint8)
for name, ds, arr in (("ct12", ct, big), ("grey8", grey, grey.pixel_array), ("rgb8", rgb, rgb_big)):
    save(ds, arr, f"{name}-n.dcm", n)
    save(ds, arr, f"{name}-1.dcm", 1)
PY
for k in n 1; do
  dcmcjpeg +ee "$WORK/ct12-$k.dcm" "$WORK/ct12-$k-jpeg.dcm"
  dcmcjpeg +eb "$WORK/grey8-$k.dcm" "$WORK/grey8-$k-jpeg.dcm"
  dcmcjpeg +eb "$WORK/rgb8-$k.dcm" "$WORK/rgb8-$k-jpeg.dcm"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
java -cp "$CP" bench/JpegDctBench.java "$SECONDS_PER_CASE" "$WORK/ct12-n-jpeg.dcm" "$WORK/grey8-n-jpeg.dcm" "$WORK/rgb8-n-jpeg.dcm"
for name in ct12 grey8 rgb8; do
  best() { # best of 3 wall-clock seconds of dcmdjpeg on $1
    local b=999
    for _ in 1 2 3; do
      local s e
      s=$(date +%s.%N); dcmdjpeg "$1" "$WORK/out.dcm"; e=$(date +%s.%N)
      b=$($PY -c "print(min($b, $e - $s))")
    done
    echo "$b"
  }
  tn=$(best "$WORK/$name-n-jpeg.dcm")
  t1=$(best "$WORK/$name-1-jpeg.dcm")
  $PY -c "print('%-50s %-34s %8.3f ms/frame  (process: %.1f ms for 1 frame, %.1f ms for $FRAMES)' % ('$name-n-jpeg.dcm', 'dcmdjpeg (dcmtk)', ($tn - $t1) * 1000 / ($FRAMES - 1), $t1 * 1000, $tn * 1000))"
done
