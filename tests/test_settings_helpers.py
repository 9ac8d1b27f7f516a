import pytest
from django.core.exceptions import ImproperlyConfigured

from readerstudy.env import envbool, envint, envlist, envsecret, envstr


def test_envbool_accepts_only_true_and_false(monkeypatch):
    monkeypatch.setenv("FLAG", "True")
    assert envbool("FLAG", "False") is True
    monkeypatch.setenv("FLAG", "False")
    assert envbool("FLAG", "True") is False


@pytest.mark.parametrize("value", ["true", "1", "yes", "", " True"])
def test_envbool_refuses_anything_else(monkeypatch, value):
    monkeypatch.setenv("FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="FLAG must be 'True' or 'False'"):
        envbool("FLAG", "False")


def test_envbool_uses_default_when_unset(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)
    assert envbool("FLAG", "True") is True


def test_envint_parses_and_checks_minimum(monkeypatch):
    monkeypatch.setenv("N", "12")
    assert envint("N", 3) == 12
    monkeypatch.setenv("N", "twelve")
    with pytest.raises(ImproperlyConfigured, match="N must be a whole number"):
        envint("N", 3)
    monkeypatch.setenv("N", "0")
    with pytest.raises(ImproperlyConfigured, match="N must be at least 1"):
        envint("N", 3, minimum=1)
    monkeypatch.delenv("N")
    assert envint("N", 3) == 3


def test_envlist_splits_and_refuses_empty_items(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example")
    assert envlist("HOSTS") == ["a.example", "b.example"]
    monkeypatch.setenv("HOSTS", "a.example,,b")
    with pytest.raises(ImproperlyConfigured, match="empty item"):
        envlist("HOSTS")
    monkeypatch.setenv("HOSTS", "")
    assert envlist("HOSTS") == []


def test_envstr_treats_empty_as_unset(monkeypatch):
    monkeypatch.setenv("NAME", "")
    assert envstr("NAME", "fallback") == "fallback"


def test_envsecret_reads_a_file(monkeypatch, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("s3cret\n")
    monkeypatch.delenv("KEY", raising=False)
    monkeypatch.setenv("KEY_FILE", str(secret_file))
    assert envsecret("KEY") == "s3cret"


def test_envsecret_refuses_both_sources_and_unreadable_files(monkeypatch, tmp_path):
    monkeypatch.setenv("KEY", "a")
    monkeypatch.setenv("KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="either KEY or KEY_FILE"):
        envsecret("KEY")
    monkeypatch.delenv("KEY")
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        envsecret("KEY")


def test_settings_refuse_to_start_without_secret_key_when_not_debugging(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SECRET_KEY_FILE")}
    env.update({"DEBUG": "False", "DJANGO_SETTINGS_MODULE": "readerstudy.settings"})
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) is required when DEBUG is off" in result.stderr


def test_settings_refuse_a_misspelt_debug_flag():
    import os
    import subprocess
    import sys

    env = dict(os.environ, DEBUG="yes", DJANGO_SETTINGS_MODULE="readerstudy.settings")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "DEBUG must be 'True' or 'False'" in result.stderr
