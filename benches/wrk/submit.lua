-- wrk script: POST the example profile as an application (each request saves one row).
-- wrk -t2 -c32 -d20s --latency -s benches/wrk/submit.lua http://127.0.0.1:8099/api/v1/applications
local f = assert(io.open("examples/profile.json", "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
-- The privacy notice the applicant consented to (see GET /api/v1/privacy-notice).
wrk.headers["Consent-Notice-Version"] = "2026-11-26"
