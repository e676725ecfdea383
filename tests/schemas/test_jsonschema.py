"""The committed JSON Schema files are current and validate real encoded events."""

from __future__ import annotations

import jsonschema
import orjson
import pytest

from marsad.schemas.codec import encode
from marsad.schemas.examples import sample_events
from marsad.schemas.jsonschema import JSON_DIR, render_all


def test_committed_schema_files_are_current():
    for name, content in render_all().items():
        path = JSON_DIR / name
        assert path.exists(), f"{name} missing: run `marsad schemas export`"
        assert path.read_bytes() == content, f"{name} is stale: run `marsad schemas export`"


@pytest.mark.parametrize("event", sample_events(), ids=lambda e: type(e).__name__)
def test_encoded_events_validate_against_their_schema(event):
    schema = orjson.loads((JSON_DIR / f"{type(event).__name__}.v{type(event).VERSION}.schema.json").read_bytes())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(orjson.loads(encode(event)), schema, cls=jsonschema.Draft202012Validator)


def test_schema_refuses_a_missing_required_field():
    schema = orjson.loads((JSON_DIR / "ArticleFetched.v1.schema.json").read_bytes())
    obj = orjson.loads(encode(sample_events()[1]))
    del obj["text"]
    with pytest.raises(jsonschema.ValidationError, match="'text' is a required property"):
        jsonschema.validate(obj, schema)
