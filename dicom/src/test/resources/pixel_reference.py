"""Reference decoder for tests: writes the frames pydicom (+ Pillow/OpenJPEG) decodes from a DICOM
file as raw little-endian samples, interleaved per pixel.

  pixel_reference.py IN OUT          one file; exit status 1 if pydicom cannot decode it
  pixel_reference.py --batch LIST    LIST holds "IN<TAB>OUT" lines; prints "ok|fail<TAB>IN<TAB>detail"

Lossy JPEG in YBR_FULL(_422) is converted to RGB (pydicom leaves it in YCbCr; dcmdjpeg and
MedVeil convert). 1-bit data is packed again, 8 pixels per byte, least significant bit first."""
import sys

import numpy as np
import pydicom
from pydicom.pixel_data_handlers.util import convert_color_space

LOSSY_JPEG = {"1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51"}


def decode(src, dst):
    ds = pydicom.dcmread(src)
    arr = ds.pixel_array
    pi = str(ds.get("PhotometricInterpretation", ""))
    if ds.file_meta.TransferSyntaxUID in LOSSY_JPEG and pi.startswith("YBR_FULL") and ds.SamplesPerPixel == 3:
        arr = convert_color_space(arr, "YBR_FULL", "RGB")
        pi = "RGB"
    if ds.BitsAllocated == 1:
        data = np.packbits(arr.astype(np.uint8).ravel(), bitorder="little").tobytes()
    else:
        data = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
    with open(dst, "wb") as f:
        f.write(data)
    return pi


if sys.argv[1] == "--batch":
    with open(sys.argv[2]) as lines:
        for line in lines:
            src, dst = line.rstrip("\n").split("\t")
            try:
                print("ok\t%s\t%s" % (src, decode(src, dst)), flush=True)
            except Exception as e:  # report and go on: the test decides what a failure means
                print("fail\t%s\t%s: %s" % (src, type(e).__name__, str(e).replace("\n", " ")[:200]), flush=True)
else:
    decode(sys.argv[1], sys.argv[2])
