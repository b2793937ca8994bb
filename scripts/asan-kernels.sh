#!/usr/bin/env bash
# Runs the kernel tests once under AddressSanitizer (issue 15): the renderer's unsafe-pointer inner
# loops (the path-traced samples too, the runs beyond the edge), the image quality metrics, the analysis kernels and the JPEG encoder (with the studio
# routes that use it) and the EXR codecs (OpenEXR through rf_exr.c, ZIP through libdeflate in rf_zip.c: the
# C shims are instrumented too), in a separate build folder.
#   scripts/asan-kernels.sh [FILTER]   default: the renderer, image and analysis kernel suites
set -euo pipefail
cd "$(dirname "$0")/.."
filter="${1:-FastVersusReferenceTests|PhysicsTests|HostileDepthTests|ApertureAndMotionTests|ImageQualityTests|BitmapTextTests|FocusCurveTests|EffectiveStopTests|NCCTests|DepthRefinementTests|DepthModelTests|JPEGEncoderTests|StudioAPITests|LayerCoordinateTests|ColorTransferTests|GroundTruthTests|EXRTests|EXRZipCodecTests|EdgeRunTests}"
swift build --build-tests --scratch-path .build-asan -Xswiftc -sanitize=address -Xcc -fsanitize=address 2>&1 | tail -2
# SWIFT_BACKTRACE=enable=no: on a trap (a failed precondition) Swift's crash handler reads the
# stack in a way AddressSanitizer reports as a stack-buffer overflow and then hangs; without it the
# trap's own message is printed and the run ends.
SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
  swift test --skip-build --scratch-path .build-asan -Xcc -fsanitize=address --filter "$filter" 2>&1 | grep -E "✘|✔ Suite|ERROR: AddressSanitizer|Precondition failed|Fatal error|Test run" | tail -20
