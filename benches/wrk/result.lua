-- wrk script: submit the applicant form for a startup founder (the result page).
-- wrk -t2 -c32 -d20s --latency -s benches/wrk/result.lua http://127.0.0.1:8099/assess
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "lang=zh&application_date=2026-03-01&person.full_name=%E5%BC%A0%E4%B8%89&person.id_type=resident_id"
  .. "&person.id_number=32068219880315001X&person.birth_date=1988-03-15&person.highest_degree=doctorate"
  .. "&person.institution_tier=double_first_class&person.institution_name=%E5%8D%97%E4%BA%AC%E5%A4%A7%E5%AD%A6"
  .. "&person.graduation_date=2015-06-30&person.honors=provincial_talent_program&has_startup=1"
  .. "&startup.company_in_park=true&startup.industry=new_materials&startup.registration_date=2024-05-20"
  .. "&startup.paid_in_capital=200%E4%B8%87&startup.founder_equity_pct=25&startup.founder_cash_investment=800%2C000"
  .. "&startup.owns_core_ip=true&startup.office_area_sqm=150"
