"""Loading alert rules: the bundled default, and bad files refused naming the rule and the field."""

from __future__ import annotations

import random

import pytest

from marsad.streams.alerts.rules import DEFAULT_PATH, PlaceMatcher, RulesError, load_rules, parse_rules
from marsad.streams.classify import Taxonomy
from marsad.streams.extract.gazetteer.model import load_gazetteer
from marsad.streams.geo import distance_km


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


def parse(text: str, taxonomy: Taxonomy):
    return parse_rules(text, "test-rules.yaml", taxonomy, load_gazetteer())


def test_default_rules_load_and_cover_the_main_concerns(taxonomy):
    rules = load_rules(None, taxonomy)
    assert rules.source == str(DEFAULT_PATH) and len(rules.version) == 16
    ids = set(rules.ids)
    assert {"captagon-large-seizure", "isis-attack", "militia-clashes", "border-smuggling", "security-raids",
            "sanctions"} <= ids
    assert rules.spikes and all(r.window_s >= 3600 for r in rules.spikes)
    captagon = next(r for r in rules.story if r.id == "captagon-large-seizure")
    assert captagon.severity == "critical" and captagon.quantities[0].min == 1_000_000


def test_version_is_the_content_hash(taxonomy):
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert parse(text, taxonomy).version == load_rules(None, taxonomy).version
    assert parse(text + "\n# a comment\n", taxonomy).version != load_rules(None, taxonomy).version


def rule(**fields) -> str:
    body = {"id": "r1", "title": "t", "severity": "warning", "topics": "[narcotics]", **fields}
    return "rules:\n  - " + "\n    ".join(f"{k}: {v}" for k, v in body.items() if v is not None) + "\n"


@pytest.mark.parametrize(("text", "expected"), [
    (rule(colour="red"), "rule 'r1': colour: unknown field"),
    (rule(quantities="[{item: captagon, unit: pill, min: -5}]"), "rule 'r1': quantities[0].min: must be a number > 0"),
    (rule(quantities="[{item: captagon, unit: pill, min: lots}]"), "rule 'r1': quantities[0].min: Expected"),
    (rule(quantities="[{item: captagon, unit: pills, min: 5}]"), "rule 'r1': quantities[0].unit: unknown unit 'pills'"),
    (rule(quantities="[{item: kaptagon, unit: pill, min: 5}]"), "rule 'r1': quantities[0].item: unknown item"),
    (rule(quantities="[{item: captagon, unit: pill, min: 5, max: 9}]"), "rule 'r1': quantities[0].max: unknown field"),
    (rule(topics="[narcotic]"), "rule 'r1': topics[0]: unknown topic id 'narcotic'"),
    (rule(topics="{all: [arms, smugling]}"), "rule 'r1': topics.all[1]: unknown topic id 'smugling'"),
    (rule(topics="{any: [arms], min_score: 2}"), "rule 'r1': topics.min_score: a topic score is between 0 and 1"),
    (rule(orgs="[isis, daesh]"), "rule 'r1': orgs[1]: unknown organisation id 'daesh'"),
    (rule(severity="urgent"), "rule 'r1': severity: must be one of critical, warning, info"),
    (rule(countries="[SY, XX]"), "rule 'r1': countries[1]: 'XX' is not an ISO 3166-1 alpha-2 country code"),
    (rule(places="[{lat: 36.2, lon: 37.1, radius_km: -3}]"), "rule 'r1': places[0].radius_km: must be > 0"),
    (rule(places="[{lat: 36.2, lon: 37.1}]"), "rule 'r1': places[0]: a circle needs lat, lon and radius_km"),
    (rule(places="[{name: أتلانتس}]"), "rule 'r1': places[0].name: 'أتلانتس' is not a place of the gazetteer"),
    (rule(places="[{name: درعا, country: SY}]"), "rule 'r1': places[0]: give exactly one of"),
    (rule(places="[{id: 1}]"), "rule 'r1': places[0].id: no place of the gazetteer has the id 1"),
    (rule(corroboration="{sources: 0}"), "rule 'r1': corroboration.sources: must be at least 1"),
    (rule(corroboration="{sources: 2, window: soon}"), "rule 'r1': corroboration.window: a duration like"),
    (rule(text="{any: ['*']}"), "rule 'r1': text.any[0]"),
    (rule(topics=None), "rule 'r1': no condition"),
    (rule(id="'Bad Id'"), "rule 'Bad Id': id: lower-case"),
    (rule(kind="burst"), "rule 'r1': kind: must be one of story, spike, incident"),
    (rule(kind="spike", topics=None, topic="narcotcs"), "rule 'r1': topic[0]: unknown topic id 'narcotcs'"),
    (rule(kind="spike", topics=None, topic="narcotics", window="7m"), "rule 'r1': window: must be at least 1m and divide a day"),
    (rule(kind="spike", topics=None, topic="narcotics", min_count=0), "rule 'r1': min_count: must be at least 1"),
    (rule(kind="spike", topics=None, topic="narcotics", max_p=3), "rule 'r1': max_p: must be a probability"),
    (rule(kind="spike", topics=None, topic="narcotics", per="city"), "rule 'r1': per: must be 'place' or 'country'"),
    (rule(kind="spike", topics=None, topic="narcotics", baseline_days=0), "rule 'r1': baseline_days: must be between"),
    ("rules:\n  - {id: r1, title: t}\n", "rule 'r1': severity: missing"),
    ("rules: [oops]\n", "rule #1: a rule must be a mapping"),
    ("rule:\n  - {}\n", "the file must be a mapping with the key `rules:`"),
    ("rules: [\n", "not valid YAML"),
], ids=lambda v: v if len(v) < 40 and "\n" not in v else None)
def test_bad_rules_name_the_rule_and_the_field(taxonomy, text, expected):
    with pytest.raises(RulesError) as err:
        parse(text, taxonomy)
    assert "test-rules.yaml" in str(err.value)
    assert expected in str(err.value)


def test_duplicate_ids_are_refused(taxonomy):
    text = rule() + "  - {id: r1, title: t2, severity: info, orgs: [isis]}\n"
    with pytest.raises(RulesError, match="rule 'r1': id: another rule has the id 'r1'"):
        parse(text, taxonomy)


def test_disabled_rules_are_checked_but_not_used(taxonomy):
    rules = parse(rule(enabled="false"), taxonomy)
    assert rules.story == ()
    with pytest.raises(RulesError, match="topics"):
        parse(rule(enabled="false", topics="[nope]"), taxonomy)


def test_places_resolve_names_ids_countries_and_circles(taxonomy):
    rules = parse(rule(places="[{name: درعا}, {name: Raqqa}, {country: JO}, {lat: 36.2, lon: 37.15, radius_km: 30}]"),
                  taxonomy)
    daraa, raqqa, jordan, circle = rules.story[0].places
    assert "170905" in daraa.keys and raqqa.keys
    assert jordan.matches("x", 31.9, 35.9, "JO") and not jordan.matches("x", 0, 0, "SY")
    assert circle.matches("x", 36.21, 37.16, "SY") and not circle.matches("x", 33.5, 36.3, "SY")


def test_a_missing_file_is_a_rules_error(tmp_path, taxonomy):
    with pytest.raises(RulesError, match="cannot read the rules"):
        load_rules(tmp_path / "none.yaml", taxonomy)


# --- extends: own rules on top of the bundled ones ------------------------------------------------
OWN_RULE = """\
  - id: own-daraa-raids
    title: مداهمات في درعا
    severity: info
    topics: [security_ops]
    places: [{name: درعا}]
"""


def test_extends_default_adds_the_own_rules_to_the_bundled_ones(tmp_path, taxonomy):
    own = tmp_path / "own.yaml"
    own.write_text("extends: default\nrules:\n" + OWN_RULE, encoding="utf-8")
    rules, default = load_rules(own, taxonomy), load_rules(None, taxonomy)
    assert rules.ids == [*default.ids[:len(default.story)], "own-daraa-raids", *default.ids[len(default.story):]]
    assert rules.source == str(own) and rules.version != default.version


def test_extends_a_path_is_read_beside_the_file_and_chains(tmp_path, taxonomy):
    (tmp_path / "team.yaml").write_text("extends: default\nrules:\n" + OWN_RULE, encoding="utf-8")
    (tmp_path / "mine.yaml").write_text("extends: team.yaml\nrules:\n" + OWN_RULE.replace("own-daraa", "my-daraa"),
                                        encoding="utf-8")
    ids = load_rules(tmp_path / "mine.yaml", taxonomy).ids
    assert {"own-daraa-raids", "my-daraa-raids", "captagon-large-seizure"} <= set(ids)


def test_extends_without_rules_is_the_base(tmp_path, taxonomy):
    (tmp_path / "same.yaml").write_text("extends: default\n", encoding="utf-8")
    assert load_rules(tmp_path / "same.yaml", taxonomy).ids == load_rules(None, taxonomy).ids


@pytest.mark.parametrize(("text", "expected"), [
    ("extends: default\nrules:\n" + OWN_RULE.replace("own-daraa-raids", "isis-attack"),
     "own.yaml: rule 'isis-attack': id: rules.yaml (extended) already has a rule 'isis-attack'; give yours another id"),
    ("extends: default\nrules:\n" + OWN_RULE + OWN_RULE,
     "own.yaml: rule 'own-daraa-raids': id: another rule has the id 'own-daraa-raids'"),
    ("extends: 3\nrules: []\n", "own.yaml: extends: must be 'default' or the path of a rules file"),
    ("extends: nowhere.yaml\nrules: []\n", "nowhere.yaml: cannot read the rules"),
    ("extends: own.yaml\nrules: []\n", "extends: more than 8 files deep (a cycle?)"),
    ("extend: default\nrules: []\n", "the file must be a mapping with the key `rules:`"),
], ids=["id-of-a-default-rule", "id-twice-in-own-file", "extends-not-a-string", "extends-missing-file",
        "extends-itself", "misspelt-key"])
def test_extends_errors_name_the_file_and_the_rule(tmp_path, taxonomy, text, expected):
    own = tmp_path / "own.yaml"
    own.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as e:
        load_rules(own, taxonomy)
    assert expected in str(e.value)


def test_a_disabled_default_rule_keeps_its_id(tmp_path, taxonomy):
    base = tmp_path / "base.yaml"
    base.write_text("rules:\n" + OWN_RULE + "    enabled: false\n", encoding="utf-8")
    (tmp_path / "own.yaml").write_text("extends: base.yaml\nrules:\n" + OWN_RULE, encoding="utf-8")
    with pytest.raises(RulesError, match=r"base.yaml \(extended\) already has a rule 'own-daraa-raids'"):
        load_rules(tmp_path / "own.yaml", taxonomy)


def test_the_ruleset_names_every_file_read_and_their_stamp_follows_an_edit_of_the_base(tmp_path, taxonomy):
    import os

    from marsad.streams.alerts.rules import files_stamp
    base, own = tmp_path / "base.yaml", tmp_path / "own.yaml"
    base.write_text("rules:\n" + OWN_RULE, encoding="utf-8")
    own.write_text("extends: base.yaml\n", encoding="utf-8")
    rules = load_rules(own, taxonomy)
    assert rules.files == (str(own), str(base))
    before = files_stamp(rules)
    os.utime(base, (1_000_000, 1_000_000))
    assert files_stamp(rules) != before
    assert load_rules(None, taxonomy).files == (str(DEFAULT_PATH),)


def test_a_disabled_rule_may_share_its_id_with_the_one_in_use_in_the_same_file(taxonomy):
    text = "rules:\n" + OWN_RULE + "    enabled: false\n" + OWN_RULE
    assert parse(text, taxonomy).ids == ["own-daraa-raids"]


def test_extending_a_file_of_the_same_name_in_another_folder(tmp_path, taxonomy):
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "rules.yaml").write_text("extends: default\nrules:\n" + OWN_RULE, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text("extends: team/rules.yaml\nrules:\n" + OWN_RULE, encoding="utf-8")
    with pytest.raises(RulesError, match=r"rules.yaml: rule 'own-daraa-raids': id: rules.yaml \(extended\)"):
        load_rules(tmp_path / "rules.yaml", taxonomy)


def test_a_radius_matches_exactly_the_points_within_it():
    """Its quick refusal of points far in latitude never refuses one the distance admits, even on the
    meridian, where the bound is tight."""
    rng = random.Random(7)
    for _ in range(20_000):
        lat, lon, radius = rng.uniform(-60, 60), rng.uniform(-180, 180), rng.choice([1, 20, 100, 1000])
        spread = rng.uniform(0, 2 * radius) / 111.2
        plat, plon = lat + rng.choice([-1, 1]) * spread, lon + rng.choice([0, rng.uniform(-spread, spread)])
        m = PlaceMatcher("circle", lat=lat, lon=lon, radius_km=radius)
        assert m.matches("k", plat, plon, "SY") == (distance_km(lat, lon, plat, plon) <= radius)
