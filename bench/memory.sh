#!/usr/bin/env bash
# Peak memory of one large delivery: forgehand (debug build unless BUILD=release) stores and
# processes one signed GitHub issue_comment whose body is just under the 25 MiB body limit
# (the default `server.body_limit_bytes`, 26214400), and `/usr/bin/time -v` reports the
# server's peak RSS. The same run without the delivery gives the baseline.
#
#   bash bench/memory.sh            # SIZE_MIB=25 by default
#   EVENT=star bash bench/memory.sh # the same body as an event forgehand ignores: intake and store only
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-18181}
SECRET=bench-secret
SIZE_MIB=${SIZE_MIB:-25}
if [ "${BUILD:-debug}" = release ]; then
  cargo build --release --locked --quiet; bin=target/release/forgehand
else
  cargo build --locked --quiet; bin=target/debug/forgehand
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A comment of ordinary text with a few commands, padded to the size (compact JSON).
python3 - "$work/body.json" "$SIZE_MIB" <<'PY'
import json, sys
payload = json.load(open("fixtures/github/issue_comment.created.json"))
limit = int(float(sys.argv[2]) * 1024 * 1024) - 4096
head = "/label ~bug\n/cc " + " ".join(f"@p{i}" for i in range(200)) + "\n"
line = "Some ordinary text of a long comment, repeated to fill the body.\n"
payload["comment"]["body"] = head
skeleton = len(json.dumps(payload, separators=(",", ":")))
escaped = len(json.dumps(line)) - 2  # "\n" is two bytes in JSON
payload["comment"]["body"] = head + line * ((limit - skeleton) // escaped)
data = json.dumps(payload, separators=(",", ":"))
open(sys.argv[1], "w").write(data)
print(f"body: {len(data)} bytes ({len(data) / 1048576:.2f} MiB)")
PY
signature="sha256=$(openssl dgst -sha256 -hmac "$SECRET" -r "$work/body.json" | cut -d' ' -f1)"

run() { # $1: post the delivery (yes/no); prints the peak RSS in KiB
  rm -f "$work/bench.db"*
  GITHUB_WEBHOOK_SECRET=$SECRET FORGEHAND_LISTEN=127.0.0.1:$PORT \
  FORGEHAND_DATABASE_URL="sqlite://$work/bench.db" RUST_LOG=warn \
    /usr/bin/time -v -o "$work/time.txt" "$bin" serve --config config/forgehand.yml \
    >"$work/server.log" 2>&1 &
  local pid=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  if [ "$1" = yes ]; then
    curl -s -o /dev/null -w "delivery answered %{http_code} in %{time_total}s\n" \
      -H "Content-Type: application/json" -H "X-GitHub-Event: ${EVENT:-issue_comment}" \
      -H "X-GitHub-Delivery: big-1" -H "X-Hub-Signature-256: $signature" \
      --data-binary "@$work/body.json" "http://127.0.0.1:$PORT/webhooks/github" >&2
    # Processed once the queue is empty again.
    for _ in $(seq 600); do
      sqlite3 "$work/bench.db" "select state from deliveries" 2>/dev/null | grep -qvE "pending|running" && break
      sleep 0.1
    done
    sqlite3 "$work/bench.db" "select state, coalesce(reason, '') from deliveries" >&2 || true
  fi
  sleep 0.5
  kill -TERM "$(pgrep -P "$pid" -f "$bin serve" || echo "$pid")" 2>/dev/null || true
  wait "$pid" || true
  grep "Maximum resident set size" "$work/time.txt" | awk '{print $NF}'
}

base=$(run no)
peak=$(run yes)
size=$(stat -c %s "$work/body.json")
python3 - "$base" "$peak" "$size" <<'PY'
import sys
base, peak, size = (int(x) for x in sys.argv[1:])
print(f"peak RSS idle: {base / 1024:.1f} MiB; with the delivery: {peak / 1024:.1f} MiB; "
      f"growth {(peak - base) / 1024:.1f} MiB = {(peak - base) * 1024 / size:.2f}x the body "
      f"({size / 1048576:.2f} MiB)")
PY
