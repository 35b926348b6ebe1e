-- wrk script: POST the example profile to the assessment API.
-- wrk -t2 -c32 -d20s --latency -s benches/wrk/assess.lua http://127.0.0.1:8080/api/v1/assessments
local f = assert(io.open("examples/profile.json", "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
