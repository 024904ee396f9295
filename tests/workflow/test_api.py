"""The action endpoints over HTTP: an action's life with a photo, the attachment rules, calls logged by hand and
placed through a bridge (a local HTTP server plays the provider) with signed callbacks, and the effect report."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from govpulse.catalog.models import Attachment, Call
from govpulse.workflow.telephony.signing import SIGNATURE_HEADER, sign, signature_header, verify
from tests.ingest.api_server import ApiServer, Reply
from tests.workflow.web import web_app

SECRET = "bridge-shared-secret"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)


@pytest.fixture
def bridge():
    server = ApiServer().start()
    placed: list[dict] = []

    def calls(request):
        verify(SECRET, request.headers.get(SIGNATURE_HEADER.lower()), request.body, datetime.now(UTC), 60)
        placed.append(json.loads(request.body))
        return Reply(201, {"call_id": f"br-{len(placed)}", "status": "queued"})

    server.route("/calls", calls)
    server.placed = placed
    yield server
    server.stop()


@pytest.fixture
def web(tmp_path, bridge):
    made = web_app(tmp_path, telephony_bridge_url=bridge.base_url, telephony_secret=SECRET,
                   telephony_callback_url="https://dashboard.example/api/v1/telephony/callback",
                   attachment_max_bytes=4096)
    with made.client:
        yield made


def _open(web, role="cmo", **body) -> dict:
    payload = {"assignee_role": "talati", "indicator": "HLT_INST", "org_unit": "525001",
               "title": "Institutional deliveries fell", **body}
    response = web.client.post("/api/v1/actions", json=payload, headers=web.as_(role))
    assert response.status_code == 201, response.text
    return response.json()


def test_an_action_through_the_api(web):
    client = web.client
    opened = _open(web, description="Visit the PHC and the two sub-centres", severity="high")
    number = opened["id"]
    assert (opened["status"], opened["assignee"], opened["priority"], opened["code"]) == (
        "open", "talati", "high", f"A-{number}")
    inbox = client.get("/api/v1/actions?mine=true", headers=web.as_("talati")).json()
    assert [a["id"] for a in inbox["items"]] == [number] and inbox["items"][0]["org_unit_name"] == "Bhestan"
    assert client.get("/api/v1/actions?mine=true", headers=web.as_("tdo")).json()["total"] == 0
    assert client.post(f"/api/v1/actions/{number}/acknowledge", headers=web.as_("talati")).json()["status"] == (
        "acknowledged")
    photo = client.post(f"/api/v1/actions/{number}/attachments", headers=web.as_("talati"),
                        files={"file": ("../../etc/pump.png", PNG, "image/png")})
    assert photo.status_code == 201, photo.text
    [attached] = photo.json()["attachments"]
    assert (attached["file_name"], attached["size"], attached["sha256"]) == (
        "pump.png", len(PNG), hashlib.sha256(PNG).hexdigest())
    taken = client.post(f"/api/v1/actions/{number}/action-taken", headers=web.as_("talati"),
                        json={"report": "ANM posted at the PHC"})
    assert taken.json()["status"] == "action_taken"
    refused = client.post(f"/api/v1/actions/{number}/verify", headers=web.as_("talati"))
    assert refused.status_code == 409 and "cannot also verify" in refused.json()["detail"]
    closed = client.post(f"/api/v1/actions/{number}/verify", headers=web.as_("tdo"), json={"note": "seen"})
    assert (closed.status_code, closed.json()["status"], closed.json()["closed_by"]) == (200, "closed", "tdo")
    download = client.get(f"/api/v1/actions/{number}/attachments/{attached['id']}", headers=web.as_("cmo"))
    assert download.content == PNG and download.headers["content-type"] == "image/png"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"/api/v1/actions/{number}/attachments/{attached['id']}",
                      headers=web.as_("commissioner")).status_code == 404
    detail = client.get(f"/api/v1/actions/{number}", headers=web.as_("collector")).json()
    assert [(e["kind"], e["actor"]) for e in detail["events"]] == [
        ("opened", "cmo"), ("acknowledge", "talati"), ("attachment", "talati"), ("report", "talati"),
        ("verify", "tdo")]
    audit = client.get(f"/api/v1/audit?entity=action&code=A-{number}", headers=web.as_("auditor")).json()
    assert audit["total"] == 4  # opened, acknowledged, reported, closed: each write audited
    assert client.post(f"/api/v1/actions/{number}/reopen", headers=web.as_("collector"), json={}).status_code == 422


def test_what_cannot_be_opened(web):
    client = web.client
    body = {"assignee_role": "talati", "indicator": "HLT_INST", "org_unit": "515001"}
    assert client.post("/api/v1/actions", json=body, headers=web.as_("collector")).status_code == 404
    assert client.post("/api/v1/actions", json=body, headers=web.as_("talati")).status_code == 403
    mismatched = {"assignee_role": "collector", "assignee_org_unit": "3900", "indicator": "HLT_INST",
                  "org_unit": "525001"}
    assert client.post("/api/v1/actions", json=mismatched, headers=web.as_("cmo")).status_code == 422
    assert client.post("/api/v1/actions", json={"assignee_role": "tdo", "flag_id": 999},
                       headers=web.as_("cmo")).status_code == 404
    past = {**body, "org_unit": "525001", "due_at": "2020-01-01T00:00:00+00:00"}
    assert client.post("/api/v1/actions", json=past, headers=web.as_("cmo")).status_code == 422


def test_attachments_are_checked_before_they_are_kept(web, tmp_path):
    number = _open(web)["id"]

    def upload(name, data, kind):
        return web.client.post(f"/api/v1/actions/{number}/attachments", headers=web.as_("talati"),
                               files={"file": (name, data, kind)})

    assert upload("page.html", b"<html>", "text/html").status_code == 422
    disguised = upload("report.pdf", b"<html><script>alert(1)</script>", "application/pdf")
    assert disguised.status_code == 422 and "not application/pdf" in disguised.json()["detail"]
    assert upload("notes.txt", b"<script>alert(1)</script>", "text/plain").status_code == 422
    too_big = upload("big.png", PNG + bytes(5000), "image/png")
    assert too_big.status_code == 413 and "4096 bytes" in too_big.json()["detail"]
    assert upload("empty.png", b"", "image/png").status_code == 422
    with web.app.state.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert not [p for p in (tmp_path / "attachments").rglob("*") if p.is_file()]
    assert upload("visit.txt", "ગામની મુલાકાત".encode(), "text/plain; charset=utf-8").status_code == 201
    other = web.client.post(f"/api/v1/actions/{number}/attachments", headers=web.as_("commissioner"),
                            files={"file": ("a.png", PNG, "image/png")})
    assert other.status_code == 404  # the ULB's commissioner cannot see a village action


def test_a_call_logged_by_hand_with_its_commitments(web):
    number = _open(web)["id"]
    call = web.client.post(f"/api/v1/actions/{number}/calls", headers=web.as_("cmo"), json={
        "started_at": "2026-11-03T05:00:00+00:00", "outcome": "answered", "duration_seconds": 185,
        "notes": "Talati says the ANM was on leave",
        "commitments": [{"text": "ANM back and visiting", "due_on": "2026-11-06"}]})
    assert call.status_code == 201, call.text
    assert (call.json()["callee_name"], call.json()["callee_phone"], call.json()["duration_minutes"]) == (
        "Talati Bhestan", "+917900525001", 3.1)
    detail = web.client.get(f"/api/v1/actions/{number}", headers=web.as_("cmo")).json()
    assert detail["commitments"] == [{"text": "ANM back and visiting", "due_on": "2026-11-06",
                                      "made_by": "Talati Bhestan", "status": "open"}]
    assert detail["events"][-1]["note"].startswith("cmo called Talati Bhestan: answered, 3 min 5 s")
    assert web.client.post(f"/api/v1/actions/{number}/calls", headers=web.as_("talati"), json={
        "started_at": "2026-11-03T05:00:00+00:00", "outcome": "answered"}).status_code == 403


def _callback(web, body: dict, *, secret=SECRET, at: float | None = None, header: str | None = None):
    raw = json.dumps(body).encode()
    moment = datetime.fromtimestamp(at if at is not None else time.time(), UTC)
    signed = header if header is not None else signature_header(secret, raw, moment)
    return web.client.post("/api/v1/telephony/callback", content=raw,
                           headers={"Content-Type": "application/json", SIGNATURE_HEADER: signed})


def _call_row(web, call_id: int) -> Call:
    with web.app.state.session_factory() as session:
        return session.get(Call, call_id)


def test_click_to_call_through_the_bridge_and_its_signed_callback(web, bridge):
    number = _open(web)["id"]
    dialled = web.client.post(f"/api/v1/actions/{number}/calls/dial", headers=web.as_("cmo"), json={})
    assert dialled.status_code == 201, dialled.text
    call = dialled.json()
    assert call["outcome"] == "pending" and call["via"] == "http_bridge"
    assert bridge.placed == [{"reference": str(call["id"]), "from": "+917900000001", "to": "+917900525001",
                              "callback_url": "https://dashboard.example/api/v1/telephony/callback"}]
    report = {"call_id": "br-1", "status": "completed", "duration": 240,
              "started_at": "2026-11-02T05:00:00Z", "ended_at": "2026-11-02T05:04:00Z"}

    # Refused, and nothing recorded: wrong secret, tampered body, no header, garbage, a replay from an hour ago.
    assert _callback(web, report, secret="guess").status_code == 401
    tampered = signature_header(SECRET, json.dumps({**report, "status": "busy"}).encode(), datetime.now(UTC))
    assert _callback(web, report, header=tampered).status_code == 401
    assert _callback(web, report, header="").status_code == 401
    assert _callback(web, report, header="t=abc,v1=00").status_code == 401
    stale = _callback(web, report, at=time.time() - 3600)
    assert stale.status_code == 401 and "outside the 300 s window" in stale.json()["detail"]
    row = _call_row(web, call["id"])
    assert (row.outcome, row.duration_seconds) == ("pending", None)

    good = _callback(web, report)
    assert (good.status_code, good.json()) == (200, {"call": call["id"], "outcome": "answered"})
    row = _call_row(web, call["id"])
    assert (row.outcome, row.duration_seconds) == ("answered", 240)
    again = _callback(web, {**report, "status": "failed"})  # a repeated callback changes nothing
    assert again.json()["outcome"] == "answered"
    assert _callback(web, {**report, "call_id": "br-404"}).status_code == 404
    events = web.client.get(f"/api/v1/actions/{number}", headers=web.as_("cmo")).json()["events"]
    assert [e["actor"] for e in events if e["kind"] == "call"] == ["cmo", "telephony:http_bridge"]


def test_the_signature_is_the_documented_hmac():
    expected = hmac.new(b"k", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert sign("k", 1700000000, b"{}") == expected
    assert signature_header("k", b"{}", datetime.fromtimestamp(1700000000, UTC)) == f"t=1700000000,v1={expected}"


def test_the_bridge_refusing_a_call_is_recorded(web, bridge):
    bridge.route("/calls", lambda request: Reply(503, {"error": "no lines free"}))
    number = _open(web)["id"]
    refused = web.client.post(f"/api/v1/actions/{number}/calls/dial", headers=web.as_("cmo"))
    assert refused.status_code == 502 and "no lines free" in refused.json()["detail"]
    calls = web.client.get(f"/api/v1/actions/{number}", headers=web.as_("cmo")).json()["calls"]
    assert [c["outcome"] for c in calls] == ["failed"]


def test_the_effect_report_lists_what_the_reader_may_see(web):
    _open(web)
    _open(web, indicator="RD_DONE", org_unit="515001", assignee_role="tdo")
    report = web.client.get("/api/v1/actions/effect", headers=web.as_("cmo")).json()
    assert len(report["actions"]) == 2
    by_officer = {g["key"]: g["actions"] for g in report["groups"] if g["by"] == "officer"}
    assert by_officer == {"talati": 1, "vacant tdo@3700": 1}
    assert {g["key"] for g in report["groups"] if g["by"] == "department"} == {"HEALTH", "ROADS"}
    mine = web.client.get("/api/v1/actions/effect", headers=web.as_("collector")).json()
    assert [a["org_unit"] for a in mine["actions"]] == ["525001"]
