#!/usr/bin/env bash
# The policy office's simulation through the console, measured: N saved applications (default
# 10,000, varied: the eval benchmark's generator), a draft raising one parameter, then the
# simulation on the saved applications (the POST that reads, decrypts, assesses twice and
# stores) and the page that shows it — each timed five times. Only ever targets 127.0.0.1;
# bounded (N submissions, then a dozen requests); stops the service it started.
#
#   cargo build --release --examples && bash benches/simulate.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
work="$(mktemp -d)"
db="$work/simulate.db"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "a policy password 1" | target/release/talent-subsidy officer add bench-policy --role policy \
  --database-url "$db" >/dev/null
target/release/talent-subsidy serve --policy policy --bind "127.0.0.1:$port" --database-url "$db" \
  --no-watch --limit-submissions 0 --limit-assessments 0 >/dev/null 2>&1 &
service=$!
trap 'kill $service 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port"
# N varied profiles, dated 2026-03-01 (submissions are dated in force), sent 32 at a time.
target/release/examples/gen_profiles "$n" | sed -E 's/"application_date":"[0-9-]+"/"application_date":"2026-03-01"/' \
  | split -l 1 -a 6 - "$work/p."
start=$(date +%s%N)
ls "$work"/p.* | xargs -P 16 -I{} curl -s -o /dev/null -w "%{http_code}\n" \
  -H "Content-Type: application/json" -H "Consent-Notice-Version: 2026-11-26" \
  --data-binary @{} "$base/api/v1/applications" | sort | uniq -c
echo "submitted in $(( ($(date +%s%N) - start) / 1000000 )) ms"
jar="$work/jar"
token=$(curl -s -c "$jar" "$base/officer/login" | sed -n 's/.*name="form_token" value="\([^"]*\)".*/\1/p')
curl -s -b "$jar" -c "$jar" -o /dev/null -d "form_token=$token&name=bench-policy&password=a+policy+password+1&next=/officer/policy" "$base/officer/login"
csrf=$(curl -s -b "$jar" "$base/officer/policy/drafts" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
draft=$(curl -s -b "$jar" -o /dev/null -w "%{redirect_url}" -d "csrf=$csrf&name=bench" "$base/officer/policy/drafts")
curl -s -b "$jar" -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "name=bench" \
  --data-urlencode "v:jinying.toml:startup_amount[C][2026]=3000000" "$draft"
echo "simulate the draft on the saved applications (POST, then GET the page: status seconds):"
for _ in 1 2 3 4 5; do
  run=$(curl -s -b "$jar" -o /dev/null -w "%{http_code} %{time_total} %{redirect_url}" \
    -F "csrf=$csrf" -F "saved=on" -F "as_of=2027-01-01" "$draft/simulate")
  echo "POST $run"
  curl -s -b "$jar" -o "$work/page.html" -w "GET  %{http_code} %{time_total}\n" "${run##* }"
done
grep -o 'id="people">[0-9]*' "$work/page.html"
grep -E "VmHWM|VmRSS" "/proc/$service/status"
