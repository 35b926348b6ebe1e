-- wrk script: one interview step halfway through (a master's graduate who has said where she
-- studied and that she works in the park): the answers so far in, the next questions out.
-- wrk -t2 -c32 -d15s --latency -s benches/wrk/interview.lua http://127.0.0.1:8099/interview
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "lang=zh&application_date=2026-11-26&person.birth_date=1998-05-01&person.highest_degree=master"
  .. "&person.professional_title=none&answered=person.honors&person.institution_name=%E5%8D%97%E9%80%9A%E5%A4%A7%E5%AD%A6"
  .. "&person.graduation_date=2024%2F6%2F30&unsure=person.overseas_work_years&has_employment=1"
