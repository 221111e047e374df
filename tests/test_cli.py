from __future__ import annotations

import subprocess
import sys

import pytest

import rnncourse
from rnncourse.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"rnncourse {rnncourse.__version__}"


def test_help_lists_subcommands(capsys):
    assert main([]) == 0
    assert "usage: rnncourse" in capsys.readouterr().out


def test_console_entry_point_and_module_run():
    out = subprocess.run([sys.executable, "-m", "rnncourse", "--version"], capture_output=True,
                         text=True, check=True).stdout
    assert out.startswith("rnncourse ")


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["no-such-command"])
    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_numeric_core_imports_need_numpy_only():
    # every top-level module except the command line (the subpackages viz, grading and
    # authoring may import more), found by listing the package so new modules are covered
    import pkgutil
    core = sorted(info.name for info in pkgutil.iter_modules(rnncourse.__path__)
                  if not info.ispkg and info.name not in {"cli", "__main__"})
    # the applications package is numeric core too: one module per application
    import importlib
    apps = importlib.import_module("rnncourse.applications")
    core += ["applications"] + [f"applications.{info.name}" for info in pkgutil.iter_modules(apps.__path__)]
    assert {"rnn", "gru", "lstm", "models", "layers", "applications", "seq2seq",
            "applications.speech"} <= set(core)
    code = ("import importlib, sys; "
            f"[importlib.import_module('rnncourse.' + name) for name in {core!r}]; "
            "heavy = {'matplotlib', 'ipywidgets', 'nbformat', 'tqdm', 'IPython'} & set(sys.modules); "
            "print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_commands_skip_the_slow_optional_uri_grammar_yet_still_validate_notebooks():
    code = ("import sys; from rnncourse import cli; cli._skip_slow_optional_imports(); "
            "import nbformat; nb = nbformat.v4.new_notebook(); nbformat.validate(nb); "
            "print(sys.modules['rfc3987_syntax'] is None)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
