"""The FHIR export validates against the R4B models, and its codes are the right ones."""

from __future__ import annotations

from fhir.resources.R4B.bundle import Bundle

from ..factories import put_assessment, put_entry


def test_bundle_validates_and_codes_are_checked(patient):
    put_assessment(patient, answers=[2, 2, 1, 1, 1, 1, 1, 1, 1])
    put_assessment(patient, instrument="gad7", answers=[1] * 7)
    put_assessment(patient, instrument="pcl5", answers=[2] * 20)
    put_entry(
        patient, mood=6, anxiety=3, sleep_hours=7.5, systolic=132, diastolic=84, heart_rate=72
    )
    response = patient.get("/api/v1/export/fhir")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    body = response.get_json()
    bundle = Bundle.model_validate(body)
    assert bundle.type == "collection"
    resources = [e["resource"] for e in body["entry"]]
    kinds = [r["resourceType"] for r in resources]
    assert kinds.count("Patient") == 1
    assert kinds.count("QuestionnaireResponse") == 3
    patient_resource = next(r for r in resources if r["resourceType"] == "Patient")
    assert "name" not in patient_resource
    assert "telecom" not in patient_resource
    assert patient.user["email"] not in response.get_data(as_text=True)

    def observations(system, code):
        return [
            r
            for r in resources
            if r["resourceType"] == "Observation"
            and any(c["system"] == system and c["code"] == code for c in r["code"]["coding"])
        ]

    loinc = "http://loinc.org"
    [phq9] = observations(loinc, "44261-6")
    assert phq9["valueInteger"] == 11
    [gad7] = observations(loinc, "70274-6")
    assert gad7["valueInteger"] == 7
    [item9] = observations(loinc, "44260-8")
    assert item9["valueInteger"] == 1
    [pcl5] = observations("urn:symptom-journal:codes", "pcl5-total")
    assert pcl5["valueInteger"] == 40
    [bp] = observations(loinc, "85354-9")
    components = {c["code"]["coding"][0]["code"]: c["valueQuantity"] for c in bp["component"]}
    assert components["8480-6"]["value"] == 132
    assert components["8462-4"]["value"] == 84
    assert components["8480-6"]["code"] == "mm[Hg]"
    assert bp["category"][0]["coding"][0]["code"] == "vital-signs"
    [heart] = observations(loinc, "8867-4")
    assert heart["valueQuantity"]["value"] == 72
    [mood] = observations("urn:symptom-journal:codes", "mood")
    assert mood["valueQuantity"]["value"] == 6
    assert mood["effectiveDateTime"] == "2026-03-10T21:15:00+01:00"
    responses = [r for r in resources if r["resourceType"] == "QuestionnaireResponse"]
    phq9_response = next(r for r in responses if r["questionnaire"].endswith("44249-1"))
    assert [i["answer"][0]["valueInteger"] for i in phq9_response["item"]] == [
        2,
        2,
        1,
        1,
        1,
        1,
        1,
        1,
        1,
    ]
    # Every reference resolves inside the bundle.
    urls = {e["fullUrl"] for e in body["entry"]}
    for resource in resources:
        if "subject" in resource:
            assert resource["subject"]["reference"] in urls
