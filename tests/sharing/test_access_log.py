"""The access log: one record per successful view or download, none for refused ones."""

from __future__ import annotations

from sqlalchemy import func, select

from symptom_journal.sharing.models import AccessEvent


def log_count(sql) -> int:
    return sql(lambda s: s.scalar(select(func.count()).select_from(AccessEvent)))


def test_one_record_per_successful_view(
    client, patient, share, linked_clinician, unlinked_clinician, sql
):
    token, pid = share["token"], patient.user["id"]
    successes = [
        client.get(f"/s/{token}"),
        client.get(f"/s/{token}/summary.json"),
        client.get(f"/s/{token}/entries.csv"),
        client.get(f"/s/{token}/report.pdf"),
        linked_clinician.get(f"/api/v1/clinician/patients/{pid}/summary"),
        linked_clinician.get(f"/clinician/patients/{pid}"),
        linked_clinician.get(f"/clinician/patients/{pid}/entries.csv"),
        linked_clinician.get(f"/clinician/patients/{pid}/report.pdf"),
    ]
    assert [r.status_code for r in successes] == [200] * 8
    refused = [
        client.get("/s/" + "z" * 43),
        client.get("/s/" + "z" * 43 + "/report.pdf"),
        unlinked_clinician.get(f"/api/v1/clinician/patients/{pid}/summary"),
        unlinked_clinician.get(f"/clinician/patients/{pid}"),
        linked_clinician.get(f"/api/v1/clinician/patients/{pid}/summary?from=bad"),
    ]
    assert [r.status_code for r in refused] == [404, 404, 404, 404, 422]
    assert log_count(sql) == 8
    items = patient.get("/api/v1/audit").get_json()["items"]
    assert len(items) == 8
    actions = sorted((i["actor"], i["who"], i["action"]) for i in items)
    assert actions == sorted(
        [
            ("share_link", "Dr Rivera", a)
            for a in (
                "view_summary",
                "view_summary_json",
                "download_entries_csv",
                "download_report_pdf",
            )
        ]
        + [
            ("clinician", "Dr Rivera", a)
            for a in (
                "view_summary_json",
                "view_summary",
                "download_entries_csv",
                "download_report_pdf",
            )
        ]
    )
    stamps = [i["at"] for i in items]
    assert stamps == sorted(stamps, reverse=True)


def test_audit_pages_and_belongs_to_the_patient(client, patient, other_patient, share):
    for _ in range(5):
        client.get(f"/s/{share['token']}/summary.json")
    first = patient.get("/api/v1/audit?limit=2").get_json()
    assert len(first["items"]) == 2
    seen = [i["id"] for i in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = patient.get(f"/api/v1/audit?limit=2&cursor={cursor}").get_json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 5
    assert other_patient.get("/api/v1/audit").get_json()["items"] == []
    assert patient.get("/api/v1/audit?cursor=junk").status_code == 422


def test_the_log_cannot_be_edited_through_the_api(app, patient):
    methods = {
        method
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/audit")
        for method in rule.methods
    }
    assert methods <= {"GET", "HEAD", "OPTIONS"}
    assert patient.delete("/api/v1/audit").status_code == 405
