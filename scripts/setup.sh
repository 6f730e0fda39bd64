#!/usr/bin/env bash
# Everything faxintake needs on a fresh Debian 12 machine (run as root): Tesseract 5 with its language data,
# the fonts the forms and samples are drawn with, uv, and the locked Python environment.
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGES="tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa tesseract-ocr-chi-tra tesseract-ocr-osd \
  fonts-dejavu-core fonts-liberation2 fonts-humor-sans fonts-dkg-handwriting fonts-wqy-zenhei poppler-utils libtiff-tools \
  fonts-freefont-ttf fonts-lato fonts-open-sans fonts-go fonts-breip \
  wamerican chromium chromium-driver"  # chromium: the review app's browser tests (headless, Debian's own driver)
missing=$(for p in $PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
command -v uv >/dev/null 2>&1 || python3 -m pip install -q uv
# Byte-compiled at install: a process that imports Prefect, OpenCV and the rest compiles ~7 s of sources otherwise
# (each time where PYTHONDONTWRITEBYTECODE is set, else on the first run), and the CLI starts several such processes.
uv sync --frozen -q --compile-bytecode
