#!/usr/bin/env bash
# The attacks of the last security review, measured against a release build: for each, the
# answer, the time to refuse and the service's peak memory (VmHWM) afterwards. Only ever
# targets 127.0.0.1; every request is bounded (a fixed count, curl's --max-time); stops the
# service it started and deletes what it wrote.
#
#   cargo build --release && bash benches/attacks.sh
set -uo pipefail
cd "$(dirname "$0")/.."
# curl fails (exit 55) when the service answers and closes before a body is sent: that is the
# point, so a failed curl does not stop the script; what it printed is the measure.
work="$(mktemp -d)"
db="$work/attacks.db"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "a policy password 1" | target/release/talent-subsidy officer add bench-policy --role policy \
  --database-url "$db" >/dev/null
target/release/talent-subsidy serve --policy policy --bind "127.0.0.1:$port" --database-url "$db" \
  --no-watch --limit-submissions 0 --limit-assessments 0 --limit-status 0 >/dev/null 2>&1 &
service=$!
trap 'kill $service 2>/dev/null || true; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
hwm() { grep VmHWM "/proc/$service/status" | tr -s ' ' | cut -d' ' -f2-; }
echo "service started: peak $(hwm)"

# The files the attacks send, made once.
python3 - "$work" <<'EOF'
import io, os, sys, zipfile
work = sys.argv[1]
def zipped(name, edit):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(os.listdir("policy")):
            if f.endswith(".toml"):
                text = open(os.path.join("policy", f), encoding="utf-8").read()
                z.writestr("policy/" + f, edit(f, text))
    open(os.path.join(work, name), "wb").write(buf.getvalue())
cond = 'when = "startup.founder_equity_pct >= 30"'
chain = " and ".join(["true"] * 2000)
zipped("chain.zip", lambda f, t: t.replace(cond, cond[:-1] + " and " + chain + '"', 1) if f == "jinying.toml" else t)
params = "".join('\n[[params]]\nid = "p%d"\nvalue = "1"\n' % i for i in range(8028))
zipped("valid.zip", lambda f, t: t)
zipped("params.zip", lambda f, t: t + params if f == "doubling.toml" else t)
# 40,000 empty parts with 8,000-character names (about 322 MB).
name = "n" * 8000
with open(os.path.join(work, "parts.bin"), "wb") as out:
    part = ('--b\r\nContent-Disposition: form-data; name="%s"\r\n\r\n\r\n' % name).encode()
    for _ in range(40000):
        out.write(part)
    out.write(b"--b--\r\n")
# A population CSV of 1.6 million one-column rows (16 MB, just under the upload limit).
with open(os.path.join(work, "population.csv"), "w") as out:
    out.write("姓名\n")
    out.write("张三四\n" * 1_600_000)
# Five 10 MB PDFs for a reply to a link that does not exist.
pdf = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 - 16) + b"\n%%EOF\n"
open(os.path.join(work, "ten.pdf"), "wb").write(pdf)
EOF
ls -l "$work" | awk 'NR>1 {print "  " $5 " bytes  " $9}'

jar="$work/jar"
token=$(curl -s -c "$jar" "$base/officer/login" | sed -n 's/.*name="form_token" value="\([^"]*\)".*/\1/p')
curl -s -b "$jar" -c "$jar" -o /dev/null -d "form_token=$token&name=bench-policy&password=a+policy+password+1&next=/officer/policy" "$base/officer/login"
csrf=$(curl -s -b "$jar" "$base/officer/policy/drafts" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)

echo "1. a draft whose condition is a flat chain of 2,000 'and' (console, then check):"
curl -s -b "$jar" -o /dev/null --max-time 60 -w "   %{http_code} in %{time_total} s\n" \
  -F "csrf=$csrf" -F "draft=@$work/chain.zip" -F "saved=on" "$base/officer/policy/simulate"
echo "   peak $(hwm); healthz $(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")"
mkdir "$work/chain" && (cd "$work/chain" && python3 -c "import zipfile; zipfile.ZipFile('../chain.zip').extractall('.')")
/usr/bin/time -o "$work/time" -f "%e s, %M KB" target/release/talent-subsidy check \
  --policy "$work/chain/policy" >/dev/null 2>"$work/check.err"
echo "   check: exit $? in $(tail -1 "$work/time"); $(grep -c '错误 error' "$work/check.err") error(s): $(grep -m1 -o '表达式嵌套[^：]*' "$work/check.err")"

echo "2. four 322 MB bodies of 40,000 parts with 8,000-character names, at once, to each route:"
for route in "/status/$(printf '0%.0s' $(seq 64))/reply" /applications /api/v1/applications; do
  for _ in 1 2 3 4; do
    curl -s -o /dev/null --max-time 60 -w "%{http_code} %{time_total}\n" \
      -H "Content-Type: multipart/form-data; boundary=b" \
      -H "Consent-Notice-Version: 2026-11-26" \
      --data-binary "@$work/parts.bin" "$base$route" &
  done | sed "s|^|   ${route:0:20}…: |"
done
echo "   the same body sent chunked (no Content-Length) to the API:"
curl -s -o /dev/null --max-time 60 -w "   %{http_code} in %{time_total} s\n" \
  -H "Content-Type: multipart/form-data; boundary=b" -H "Transfer-Encoding: chunked" \
  -H "Consent-Notice-Version: 2026-11-26" --data-binary "@$work/parts.bin" "$base/api/v1/applications"
echo "   peak $(hwm)"

echo "4. a draft of 8,028 three-line parameters (console, then check):"
curl -s -b "$jar" -o /dev/null --max-time 120 -w "   %{http_code} in %{time_total} s\n" \
  -F "csrf=$csrf" -F "draft=@$work/params.zip" -F "saved=on" "$base/officer/policy/simulate"
echo "   peak $(hwm)"
mkdir "$work/params" && (cd "$work/params" && python3 -c "import zipfile; zipfile.ZipFile('../params.zip').extractall('.')")
/usr/bin/time -o "$work/time" -f "%e s, %M KB" target/release/talent-subsidy check \
  --policy "$work/params/policy" >/dev/null 2>"$work/check.err"
echo "   check: exit $? in $(tail -1 "$work/time"); $(grep -c '错误 error' "$work/check.err") problems listed, the last: $(grep '错误 error' "$work/check.err" | tail -1)"

echo "5. a reply of five 10 MB files to a link that does not exist, twice:"
before=$(du -sb "$work" --exclude='*.bin' --exclude='*.pdf' --exclude='*.csv' --exclude='*.zip' --exclude=chain --exclude=params | cut -f1)
for _ in 1 2; do
  curl -s -o /dev/null --max-time 60 -w "   %{http_code} in %{time_total} s\n" \
    -F "form_token=x" -F "reply=x" \
    -F "material:degree_certificate=@$work/ten.pdf" -F "material:degree_certificate=@$work/ten.pdf" \
    -F "material:degree_certificate=@$work/ten.pdf" -F "material:degree_certificate=@$work/ten.pdf" \
    -F "material:degree_certificate=@$work/ten.pdf" \
    "$base/status/$(printf '0%.0s' $(seq 64))/reply"
done
after=$(du -sb "$work" --exclude='*.bin' --exclude='*.pdf' --exclude='*.csv' --exclude='*.zip' --exclude=chain --exclude=params | cut -f1)
echo "   database files grew by $(( after - before )) bytes"

echo "6. a 16 MB population of 1.6 million rows, three at once (console simulation):"
for _ in 1 2 3; do
  curl -s -b "$jar" -o /dev/null --max-time 120 -w "%{http_code} %{time_total}\n" \
    -F "csrf=$csrf" -F "draft=@$work/valid.zip" -F "population=@$work/population.csv" \
    "$base/officer/policy/simulate" &
done | sed 's/^/   /'
echo "   peak $(hwm); healthz $(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")"
