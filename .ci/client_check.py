"""A client generated from the API document (openapi-python-client) assesses the example
profile and reads the amounts: proof that the document is usable, not only valid.

    python client_check.py GENERATED_DIR BASE_URL PROFILE.json
"""

import json
import sys

generated, base, profile_path = sys.argv[1:4]
sys.path.insert(0, generated)

from client import Client  # noqa: E402
from client.api.assessments import assess_one  # noqa: E402
from client.api.applications import privacy_api, status_api, submit_api  # noqa: E402
from client.models import NoticeVersionDoc, ProfileDoc  # noqa: E402

client = Client(base_url=base)
with open(profile_path, encoding="utf-8") as f:
    profile = ProfileDoc.from_dict(json.load(f))

result = assess_one.sync(client=client, body=profile)
amounts = {p.id: p.amount for p in result.programs}
assert result.talent_tier == "C", result.talent_tier
assert result.total == "4434000", result.total
assert amounts["jinying_startup"] == "3000000", amounts
assert amounts["rent_subsidy"] == "72000", amounts

# An integrating system shows the applicant the privacy notice, obtains their consent, and says
# which notice it was.
notice = privacy_api.sync(client=client)
assert len(notice.parts) == 7 and notice.retention_withdrawn_days == 30, notice
saved = submit_api.sync(
    client=client,
    body=profile,
    consent_notice_version=NoticeVersionDoc(notice.version),
)
status = status_api.sync(client=client, token=saved.status_token)
assert status.reference == saved.reference and status.status == "submitted", status

print(
    f"generated client: tier {result.talent_tier}, total {result.total}, "
    f"startup funding {amounts['jinying_startup']}; notice {notice.version}; "
    f"saved {saved.reference}, {status.status}"
)
