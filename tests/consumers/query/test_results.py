"""The typed results: a row must fit its record, and fields a row does not have are left out of the JSON."""

from __future__ import annotations

import msgspec
import pytest

from marsad.consumers.api.openapi_parts import components
from marsad.consumers.query.results import QUERY_RESULTS, Count, Counts, plain, typed


def test_a_row_with_a_field_its_record_does_not_declare_is_refused():
    with pytest.raises(msgspec.ValidationError, match="unknown field `surprise`"):
        typed({"key": "narcotics", "articles": 3, "surprise": 1}, Count)


def test_fields_a_row_does_not_have_stay_out_of_the_answer():
    answer = typed({"by": "place", "per": None, "items": [{"key": "g1", "name": "درعا", "articles": 2}]}, Counts)
    assert plain(answer) == {"by": "place", "per": None, "items": [{"key": "g1", "name": "درعا", "articles": 2}]}


def test_the_enumerations_are_the_wire_vocabularies():
    schemas = components(QUERY_RESULTS)
    assert schemas["Alert"]["properties"]["severity"] == {"enum": ["critical", "info", "warning"]}
    assert schemas["ArticleDuplicate"]["properties"]["status"] == {"enum": ["exact", "near", "original"]}
