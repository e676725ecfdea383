"""The JSON Schemas are exactly as strict as the decoder: the same payloads through
`marsad.schemas.codec.decode` and through ajv (JavaScript, installed by the set-up's npm ci)
are accepted or refused alike, so a producer in another language that passes the
schema is never dead-lettered, and one the decoder refuses fails the schema first."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from marsad.schemas.codec import SchemaError, decode, to_dict
from marsad.schemas.examples import sample_events
from marsad.schemas.jsonschema import JSON_DIR

ROOT = Path(__file__).resolve().parents[2]
CHECK = Path(__file__).with_name("ajv_check.cjs")


def _sample(type_name: str) -> dict[str, Any]:
    return next(to_dict(e) for e in sample_events() if type(e).__name__ == type_name)


def _with(type_name: str, **changes: Any) -> dict[str, Any]:
    return {**_sample(type_name), **changes}


def _without(type_name: str, *names: str) -> dict[str, Any]:
    return {k: v for k, v in _sample(type_name).items() if k not in names}


def _cases() -> dict[str, tuple[dict[str, Any], bool]]:
    """name -> (payload, valid?)"""
    cases = {f"valid-{type(e).__name__}": (to_dict(e), True) for e in sample_events()}
    processed = _sample("ArticleProcessed")
    incident = processed["incidents"][0]
    cases |= {
        "valid-extra-field-ignored": (_with("ArticleFetched", added_later=1), True),
        "valid-offset-time": (_with("ArticleFetched", occurred_at="2024-02-08T13:00:00+03:00"), True),
        "valid-null-published": (_with("ArticleFetched", published=None), True),
        "missing-event-id": (_without("ArticleFetched", "event_id"), False),
        "missing-occurred-at": (_without("AlertRaised", "occurred_at"), False),
        "missing-required-field": (_without("ArticleFetched", "text"), False),
        "naive-time": (_with("ArticleFetched", occurred_at="2024-02-08T10:00:00"), False),
        "not-a-time": (_with("ArticleFetched", published="yesterday"), False),
        "date-without-time": (_with("ArticleFetched", published="2024-02-08"), False),
        "unknown-severity": (_with("AlertRaised", severity="urgent"), False),
        "unknown-alert-kind": (_with("AlertRaised", kind="trend"), False),
        "unknown-origin": (_with("ArticleFetched", origin="ftp"), False),
        "unknown-duplicate-status": (_with("ArticleProcessed", duplicate={"status": "copy"}), False),
        "unknown-incident-type": (_with("ArticleProcessed", incidents=[{**incident, "type": "riot"}]), False),
        "unknown-incident-record-type": (_with("IncidentRecorded", incident_type="riot"), False),
        "incident-day-not-a-day": (_with("IncidentRecorded", date="07/02/2024"), False),
        "incident-negative-count": (_with("IncidentRecorded", killed=-1), False),
        "incident-revision-zero": (_with("IncidentUpdated", revision=0), False),
        "string-for-integer": (_with("AlertUpdated", revision="2"), False),
        "string-for-number": (_with("ArticleProcessed", topics=[{"id": "narcotics", "score": "high"}]), False),
        "null-for-string": (_with("ArticleFetched", text=None), False),
        "object-for-list": (_with("ArticleProcessed", countries={"SY": 1}), False),
        "bad-base64": (_with("DeadLetter", payload="%%%"), False),
        "base64-without-padding": (_with("DeadLetter", payload="//4"), False),
        "unknown-version": (_with("ArticleFetched", version=99), False),
        "unknown-type": (_with("ArticleFetched", type="ArticleDeleted"), False),
    }
    return cases


def _python_verdict(payload: dict[str, Any]) -> bool:
    try:
        decode(json.dumps(payload, ensure_ascii=False))
    except SchemaError:
        return False
    return True


@pytest.fixture(scope="module")
def ajv_verdicts() -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "ajv").is_dir():
        pytest.skip("node or ajv missing: run `make setup` (npm ci installs ajv)")
    cases = [{"name": name, "payload": payload} for name, (payload, _) in _cases().items()]
    done = subprocess.run([node, str(CHECK), str(JSON_DIR)], input=json.dumps(cases), capture_output=True,
                          text=True, timeout=60, check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("name", list(_cases()))
def test_decoder_and_ajv_agree(name: str, ajv_verdicts: dict[str, Any]) -> None:
    payload, valid = _cases()[name]
    assert _python_verdict(payload) is valid, "the decoder"
    assert (ajv_verdicts[name] is True) is valid, f"ajv: {ajv_verdicts[name]}"
