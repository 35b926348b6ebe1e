#!/usr/bin/env bash
# Uploads, measured: one application with five 2 MB PDFs (seven times, each timed), then fifty
# such applications at once (500 MB in all), with the service's peak RSS. Only ever targets
# 127.0.0.1; bounded (57 requests); stops the service it started.
#
#   cargo build --release && bash benches/uploads.sh [DATABASE_URL]
#
# Without DATABASE_URL: a new SQLite file in a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
db="${1:-$work/uploads.db}"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
for i in 0 1 2 3 4; do
  { printf '%%PDF-1.7\n'; head -c $((2 * 1024 * 1024 - 9)) /dev/urandom; } >"$work/f$i.pdf"
done
# PostgreSQL needs its data key named (use a fresh database: one made with another key is refused).
keyargs=()
case "$db" in postgres*) keyargs=(--data-key-file "$work/bench.key") ;; esac
target/release/talent-subsidy serve --policy policy --bind "127.0.0.1:$port" --database-url "$db" \
  "${keyargs[@]}" --no-watch --limit-submissions 0 >/dev/null 2>&1 &
service=$!
trap 'kill $service 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
profile=$(cat examples/profile.json)
send() {
  curl -s -o /dev/null -w "%{http_code} %{time_total}\n" "http://127.0.0.1:$port/api/v1/applications" \
    -H "Consent-Notice-Version: 2026-11-26" -F "profile=$profile" \
    -F "material:degree_certificate=@$work/f0.pdf" -F "material:labour_contract=@$work/f1.pdf" \
    -F "material:identity=@$work/f2.pdf" -F "material:business_licence=@$work/f3.pdf" \
    -F "material:capital_proof=@$work/f4.pdf"
}
echo "one application with 5 x 2 MB (status, seconds):"
for _ in $(seq 7); do send; done
echo "50 such at once:"
start=$(date +%s%N)
pids=()
for i in $(seq 50); do send >"$work/out.$i" & pids+=($!); done
wait "${pids[@]}"
end=$(date +%s%N)
cat "$work"/out.* | awk '{print $1}' | sort | uniq -c
echo "wall: $(( (end - start) / 1000000 )) ms"
grep -E "VmHWM|VmRSS" "/proc/$service/status"
