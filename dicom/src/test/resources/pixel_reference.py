"""Reference decoder for tests: writes the frames pydicom (+ Pillow/OpenJPEG) decodes from a
DICOM file as raw little-endian samples, interleaved per pixel. Usage: pixel_reference.py IN OUT"""
import sys

import numpy as np
import pydicom

ds = pydicom.dcmread(sys.argv[1])
arr = ds.pixel_array
dtype = arr.dtype.newbyteorder("<")
with open(sys.argv[2], "wb") as f:
    f.write(np.ascontiguousarray(arr, dtype=dtype).tobytes())
