#!/usr/bin/env bash
# How long collecting refusals takes: one comment with 100,000 unknown labels, decided once
# (parse, look-up, refusals, the capped reply), and 100,000 distinct refusals rendered.
# Runs the ignored measurement tests; debug build by default (the figure in the report), pass
# `--release` to measure an optimised build.
#   bash bench/refusals.sh [--release]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test ${1:-} --lib -- --ignored --nocapture measure_100k_unknown_labels many_refusals_measure 2>&1 \
  | grep -E "took|rendered in"
