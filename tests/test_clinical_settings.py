"""GET /api/v1/clinical-settings: the thresholds the clinic applies, as the app states them."""

from __future__ import annotations

from symptom_journal.clinical import from_config


def test_the_defaults_are_clinical_md(client):
    body = client.get("/api/v1/clinical-settings").get_json()
    assert body["bp_alert"] == {"systolic": 180, "diastolic": 120}
    assert body["bp_rise"] == {"systolic": 40, "diastolic": 25}
    assert body["bp_before_session"] == {"systolic": 140, "diastolic": 90}
    assert body["reliable_change"] == {"phq9": 6, "gad7": 4, "pcl5": 10}
    assert "988" in body["crisis_text"]
    assert set(body["flag_sources"]) == {
        "suicidal_ideation",
        "bp_high",
        "bp_rise",
        "bp_before_session",
        "worsening",
    }


def test_a_clinics_own_values_are_what_everything_reads(app, client):
    saved = {name: app.config[name] for name in ("BP_ALERT_SYSTOLIC", "RELIABLE_CHANGE_GAD7")}
    app.config.update(
        {"BP_ALERT_SYSTOLIC": 170, "RELIABLE_CHANGE_GAD7": 5, "CRISIS_TEXT": "Call 111."}
    )
    try:
        body = client.get("/api/v1/clinical-settings").get_json()
        instruments = client.get("/api/v1/instruments").get_json()["items"]
    finally:
        app.config.update(saved)
        app.config["CRISIS_TEXT"] = from_config({}).crisis_text
    assert body["bp_alert"]["systolic"] == 170
    assert "systolic 170 or diastolic 120" in body["flag_sources"]["bp_high"]
    assert body["crisis_text"] == "Call 111."
    gad7 = next(item for item in instruments if item["code"] == "gad7")
    assert gad7["reliable_change"] == 5
    phq9 = next(item for item in instruments if item["code"] == "phq9")
    assert phq9["crisis_text"] == "Call 111."


def test_the_rules_at_their_edges():
    settings = from_config({})
    assert settings.bp_high(180, 80)
    assert settings.bp_high(120, 120)
    assert not settings.bp_high(179, 119)
    assert settings.bp_before_session(141, None)
    assert settings.bp_before_session(None, 91)
    assert not settings.bp_before_session(140, 90)  # "above 140/90": strictly
    assert settings.bp_rise(40, None)
    assert settings.bp_rise(None, 25)
    assert not settings.bp_rise(39.5, 24.75)
