#!/usr/bin/env bash
# Load test of ingress: signed GitHub issue_comment deliveries (a real 13 KB payload from
# @octokit/webhooks-examples) against a release build of forgehand storing every delivery in
# SQLite before answering. Reports accepted deliveries/s, ack latency p50/p99, peak RSS.
#
#   bash bench/run.sh                 # 30 s, 2 wrk threads, 64 connections
#   DURATION=60s CONNECTIONS=128 bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-18080}
SECRET=bench-secret

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
cargo build --release --locked --quiet

work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

# The payload exactly as GitHub sends it: compact JSON.
python3 - "$work/body.json" <<'PY'
import json, sys
examples = json.load(open("fixtures/github/webhooks-examples.json"))
payload = next(e for e in examples if e["name"] == "issue_comment")["examples"][0]
open(sys.argv[1], "w").write(json.dumps(payload, separators=(",", ":")))
PY
signature="sha256=$(openssl dgst -sha256 -hmac "$SECRET" -r "$work/body.json" | cut -d' ' -f1)"

export GITHUB_WEBHOOK_SECRET=$SECRET
export FORGEHAND_LISTEN=127.0.0.1:$PORT
export FORGEHAND_DATABASE_URL=sqlite://$work/bench.db
export RUST_LOG=${RUST_LOG:-warn}
target/release/forgehand serve --config "${CONFIG:-config/forgehand.yml}" >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.1
done

echo "payload: $(wc -c <"$work/body.json") bytes; wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
BODY_FILE=$work/body.json SIGNATURE=$signature RUN_ID=$RANDOM$RANDOM \
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
  -s bench/github_delivery.lua "http://127.0.0.1:$PORT/" | tee "$work/wrk.txt"

accepted=$(curl -sf "http://127.0.0.1:$PORT/metrics" |
  awk -F' ' '/^forgehand_deliveries_total\{.*outcome="accepted"/ {s += $2} END {print s + 0}')
secs=$(awk '/requests: .* in / {gsub("s,", "", $4); print $4}' "$work/wrk.txt")
peak_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
echo "accepted deliveries: $accepted ($(awk -v a="$accepted" -v s="$secs" 'BEGIN {printf "%.0f", a / s}')/s)"
echo "peak RSS: $((peak_kb / 1024)) MiB"
kill "$pid"; wait "$pid" 2>/dev/null || true
