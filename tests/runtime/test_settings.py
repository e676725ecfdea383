"""Settings precedence (defaults < file < environment < arguments) and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from marsad.runtime.settings import OPTIONS, Settings, SettingsError, load_settings


def test_defaults_use_the_local_broker():
    s = load_settings(env={})
    assert s.uses_local_broker
    assert s.bootstrap_servers == f"127.0.0.1:{OPTIONS['kafka_port'].default}"


def test_bootstrap_from_environment_means_an_external_cluster():
    s = load_settings(env={"KAFKA_BOOTSTRAP_SERVERS": "k1:9092,k2:9092"})
    assert not s.uses_local_broker
    assert s.bootstrap_servers == "k1:9092,k2:9092"


def test_file_overrides_defaults_and_environment_overrides_file(tmp_path):
    cfg = tmp_path / "marsad.toml"
    cfg.write_text('partitions = 6\ntopic_prefix = "fromfile"\n')
    s = load_settings(str(cfg), env={"MARSAD_PARTITIONS": "8"})
    assert (s.partitions, s.topic_prefix, s.config_file) == (8, "fromfile", str(cfg))
    assert load_settings(str(cfg), env={}, partitions=2).partitions == 2


def test_config_file_from_environment(tmp_path):
    cfg = tmp_path / "other.toml"
    cfg.write_text('log_level = "debug"\n')
    assert load_settings(env={"MARSAD_CONFIG": str(cfg)}).log_level == "debug"


@pytest.mark.parametrize(("env", "file", "message"), [
    ({"MARSAD_PARTITIONS": "many"}, "", "partitions (environment MARSAD_PARTITIONS): 'many' is not a valid int"),
    ({"MARSAD_PARTITIONS": "0"}, "", "partitions (environment MARSAD_PARTITIONS): '0' must be > 0"),
    ({"MARSAD_KAFKA_PORT": "70000"}, "", "kafka_port (environment MARSAD_KAFKA_PORT): '70000' must be a TCP port"),
    ({"MARSAD_LOG_FORMAT": "xml"}, "", "log_format (environment MARSAD_LOG_FORMAT): 'xml' must be one of text, json"),
    ({}, "partitons = 3\n", "unknown setting(s) partitons"),
    ({}, "partitions = 'x'\n", "partitions (config file"),
    ({}, "partitions = [\n", "not valid TOML"),
], ids=["not-int", "zero", "bad-port", "bad-choice", "unknown-key", "mistyped-in-file", "bad-toml"])
def test_bad_values_are_refused_naming_the_setting(tmp_path, env, file, message):
    cfg = None
    if file:
        cfg = tmp_path / "marsad.toml"
        cfg.write_text(file)
    with pytest.raises(SettingsError) as err:
        load_settings(str(cfg) if cfg else None, env=env)
    assert message in str(err.value)


def test_missing_config_file_is_named(tmp_path):
    with pytest.raises(SettingsError, match=r"nope\.toml"):
        load_settings(str(tmp_path / "nope.toml"), env={})


def test_readme_carries_the_current_settings_table():
    from marsad.runtime.settings import markdown_table
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme, "README settings table is stale: paste `marsad config --markdown`"


def test_each_declared_default_is_of_its_type_and_passes_its_check():
    for name, opt in OPTIONS.items():
        assert type(opt.default) is opt.type, name
        assert not (opt.check and opt.check(opt.default)), name


def test_environment_names_are_one_per_setting():
    envs = [opt.env for opt in OPTIONS.values()]
    assert len(envs) == len(set(envs))


def test_nothing_set_gives_the_declared_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./marsad.toml
    assert load_settings(env={}) == Settings()
    assert Settings().partitions == OPTIONS["partitions"].default


def test_settings_pass_on_to_a_child_process_under_their_environment_names(tmp_path):
    from marsad.runtime.settings import CONFIG_ENV, as_environment, passed_on
    assert as_environment(data_dir=tmp_path, allow_private=True, per_host_interval=0.05, partitions=3) == {
        "MARSAD_DATA_DIR": str(tmp_path), "MARSAD_ALLOW_PRIVATE": "1", "MARSAD_PER_HOST_INTERVAL": "0.05",
        "MARSAD_PARTITIONS": "3"}
    cfg = tmp_path / "marsad.toml"
    cfg.write_text('topic_prefix = "t"\n')
    env = passed_on(load_settings(str(cfg), env={}), "topic_prefix", "log_level")
    assert env == {"MARSAD_TOPIC_PREFIX": "t", "MARSAD_LOG_LEVEL": "info", CONFIG_ENV: str(cfg.resolve())}
    assert load_settings(env=env).topic_prefix == "t"
    with pytest.raises(KeyError):
        as_environment(no_such_setting=1)


# MARSAD_* names that are not settings: the config file, a test's screenshot switch, the demo webhook's
# secret, the README's example of a webhook secret, the shared samples folder of the tests
NOT_SETTINGS = {"MARSAD_CONFIG", "MARSAD_DASHBOARD_SCREENSHOT", "MARSAD_DEMO_WEBHOOK_SECRET", "MARSAD_HOOK_OPS",
                "MARSAD_PURE_PYTHON", "MARSAD_SHARED"}


def test_every_environment_name_the_code_and_readme_cite_is_declared():
    """Help texts and error messages name settings by their variables: none may name one that is gone."""
    import re

    root = Path(__file__).resolve().parents[2]
    files = [root / "README.md", *(p for pkg in ("schemas", "runtime", "producers", "streams", "consumers", "deploy")
                                   for p in (root / pkg).rglob("*") if p.suffix in {".py", ".yaml", ".yml", ".js"})]
    declared = {opt.env for opt in OPTIONS.values()} | NOT_SETTINGS
    cited = {(name, p.relative_to(root).as_posix()) for p in files
             for name in re.findall(r"\bMARSAD_[A-Z0-9_]*[A-Z0-9]\b", p.read_text(encoding="utf-8"))}
    assert sorted((name, where) for name, where in cited if name not in declared) == []


def test_a_setting_named_like_a_secret_is_declared_secret():
    """`marsad config` masks the settings declared secret: one whose name says token, password, secret or key
    (a file holding one aside: its path is shown) must be declared so."""
    import re

    looks_secret = re.compile(r"token|password|passwd|secret|key", re.IGNORECASE)
    for name, opt in OPTIONS.items():
        if looks_secret.search(name) and not name.endswith("_file"):
            assert opt.secret, name
