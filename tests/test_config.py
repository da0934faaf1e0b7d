"""The shipped .streamlit/config.toml keeps the production-safe settings of issue 6.

Reads the file with tomllib (what a deploy would ship) and also asks Streamlit itself, so a
misspelt section or option name, which Streamlit would silently ignore, fails here.
"""

import tomllib
from pathlib import Path

import pytest

CONFIG_PATH = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"

EXPECTED = {
    ("browser", "gatherUsageStats"): False,
    ("client", "showErrorDetails"): "none",
    ("client", "toolbarMode"): "viewer",
    ("client", "allowedOrigins"): [],
    ("server", "enableXsrfProtection"): True,
    ("server", "enableCORS"): True,
    ("server", "headless"): True,
    ("server", "runOnSave"): False,
    ("server", "fileWatcherType"): "none",
    ("runner", "fastReruns"): True,
    ("runner", "postScriptGC"): False,
}


@pytest.fixture(scope="module")
def config() -> dict:
    with CONFIG_PATH.open("rb") as f:
        return tomllib.load(f)


@pytest.mark.parametrize(("section", "option"), list(EXPECTED))
def test_setting_has_its_production_value(config, section, option):
    assert section in config, f"[{section}] is missing from {CONFIG_PATH.name}"
    assert option in config[section], f"{section}.{option} is not set"
    value = config[section][option]
    # `is` on bools: Streamlit would treat a string "false" as truthy.
    expected = EXPECTED[(section, option)]
    assert type(value) is type(expected) and value == expected, f"{section}.{option} = {value!r}"


def test_upload_limit_is_set_deliberately(config):
    limit = config["server"]["maxUploadSize"]
    assert isinstance(limit, int) and not isinstance(limit, bool)
    # Streamlit's default is 200 MB; the deliberate limit is tighter and still fits the
    # 200,000-row benchmark table (about 40 MB) with room to spare.
    assert 50 <= limit < 200


def test_every_option_is_one_streamlit_knows():
    from streamlit import config as st_config

    with CONFIG_PATH.open("rb") as f:
        parsed = tomllib.load(f)
    known = st_config._config_options_template  # name -> ConfigOption, e.g. "server.port"
    unknown = [f"{s}.{o}" for s, options in parsed.items() for o in options if f"{s}.{o}" not in known]
    assert not unknown, f"options Streamlit does not know (ignored silently): {unknown}"


def test_streamlit_reads_the_file_with_these_values(monkeypatch):
    from streamlit import config as st_config

    monkeypatch.chdir(CONFIG_PATH.parents[1])
    st_config.get_config_options(force_reparse=True)
    try:
        for (section, option), expected in EXPECTED.items():
            assert st_config.get_option(f"{section}.{option}") == expected, f"{section}.{option}"
        with CONFIG_PATH.open("rb") as f:
            limit = tomllib.load(f)["server"]["maxUploadSize"]
        assert st_config.get_option("server.maxUploadSize") == limit
    finally:
        monkeypatch.undo()
        st_config.get_config_options(force_reparse=True)
