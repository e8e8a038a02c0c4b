"""Data-driven tests of bad input: every file in tests/data/malformed/ must be
rejected by ``mkba-mc validate`` with exit code 2 and a short message on
stderr that names the file and the offending key path (no traceback).

Each malformed file starts with one or two comment lines
``# expect: <substring>``; every such substring must appear in the error
output. Files with two ``# expect:`` lines hold several problems and prove
that all problems of a file are reported at once.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from mkba_mc.cli import app
from mkba_mc.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
MALFORMED_DIR = ROOT / "tests" / "data" / "malformed"
MALFORMED = sorted(MALFORMED_DIR.glob("*.toml"))
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml")) + sorted((ROOT / "distributions").glob("*.toml"))
SCENARIO = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
EXPECT = "# expect:"

runner = CliRunner()


def expectations(path: Path) -> list[str]:
    """The ``# expect:`` substrings of the leading comment lines of a file."""
    out = []
    # errors="replace": encoding_not_utf8.toml is malformed on purpose below its header
    for line in path.read_bytes().decode("utf-8", errors="replace").splitlines():
        if not line.startswith(EXPECT):
            break
        out.append(line[len(EXPECT):].strip())
    return out


def error_output(result: Result) -> str:
    """stderr when the runner captures it separately, else the mixed output."""
    try:
        return result.stderr
    except ValueError:  # older Click: stderr not captured separately
        return result.output


def assert_clean_failure(result: Result, *needles: str) -> str:
    err = error_output(result)
    assert result.exit_code == 2, f"exit {result.exit_code}, exception {result.exception!r}\n{result.output}"
    assert "Traceback" not in err
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in err, f"{needle!r} not in the error output:\n{err}"
    return err


# ------------------------------------------------------------- the file set
def test_at_least_25_malformed_files() -> None:
    assert len(MALFORMED) >= 25, [p.name for p in MALFORMED]


def test_every_malformed_file_states_what_to_expect() -> None:
    for path in MALFORMED:
        first = path.read_bytes().decode("utf-8", errors="replace").splitlines()[0]
        assert first.startswith(EXPECT), f"{path.name}: first line must be '{EXPECT} <key path>'"
        assert all(expectations(path)), f"{path.name}: empty '{EXPECT}' line"
    several = [p.name for p in MALFORMED if len(expectations(p)) >= 2]
    assert len(several) >= 2, "need files with several problems to prove all are reported at once"


# ------------------------------------------------------------ each bad file
@pytest.mark.parametrize("path", MALFORMED, ids=[p.stem for p in MALFORMED])
def test_malformed_file_is_rejected_with_key(path: Path) -> None:
    result = runner.invoke(app, ["validate", str(path)])
    err = assert_clean_failure(result, path.name, *expectations(path))
    assert "error:" in err


def test_problems_of_several_files_are_reported_together() -> None:
    a = MALFORMED_DIR / "scenario_attribution_above_one.toml"
    b = MALFORMED_DIR / "dist_missing_source.toml"
    result = runner.invoke(app, ["validate", str(a), str(b)])
    assert_clean_failure(result, a.name, b.name, *expectations(a), *expectations(b))


@pytest.mark.parametrize(
    "name",
    ["scenario_households_negative.toml", "scenario_multiple_value_problems.toml", "syntax_error.toml"],
)
def test_point_rejects_malformed_scenario(name: str) -> None:
    path = MALFORMED_DIR / name
    result = runner.invoke(app, ["point", str(path)])
    assert_clean_failure(result, path.name, *expectations(path))


# ---------------------------------------------------------- the good files
def test_shipped_files_exist() -> None:
    assert SCENARIO in SHIPPED
    assert any(p.parent.name == "distributions" for p in SHIPPED)


@pytest.mark.parametrize("path", SHIPPED, ids=[f"{p.parent.name}/{p.name}" for p in SHIPPED])
def test_shipped_file_validates(path: Path) -> None:
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, error_output(result)
    assert f"ok: {path}" in result.stdout


def test_all_shipped_files_validate_together() -> None:
    result = runner.invoke(app, ["validate", *map(str, SHIPPED)])
    assert result.exit_code == 0, error_output(result)


# -------------------------------------------------------------- point --set
@pytest.mark.parametrize(
    ("option", "needles"),
    [
        ("attribution=abc", ["--set", "attribution", "'abc'", "a number"]),
        ("nosuch=1", ["--set", "nosuch", "known parameter"]),
        ("attribution=2", ["--set", "attribution", "[0, 1]"]),
        ("attribution", ["--set", "attribution", "KEY=VALUE"]),
        ("attribution=nan", ["--set", "attribution", "[0, 1]"]),
        ("team_fte=lots", ["--set", "team_fte", "a number"]),
        ("type_share.families=0.9", ["--set", "type_share", "sum to 1"]),
    ],
    ids=["not-a-number", "unknown", "outside-domain", "no-equals", "nan", "fte-text", "breaks-sum"],
)
def test_point_rejects_bad_set(option: str, needles: list[str]) -> None:
    result = runner.invoke(app, ["point", str(SCENARIO), "--set", option])
    assert_clean_failure(result, *needles)


def test_point_reports_every_bad_set_at_once() -> None:
    result = runner.invoke(app, ["point", str(SCENARIO), "--set", "attribution=abc", "--set", "relapse"])
    err = assert_clean_failure(result, "attribution", "relapse")
    assert "2 problem(s)" in err


def test_point_accepts_good_set() -> None:
    result = runner.invoke(app, ["point", str(SCENARIO), "--json", "--set", "attribution=0.4",
                                 "--set", "team_fte=from_caseload"])
    assert result.exit_code == 0, error_output(result)


# ------------------------------------------------------------------ --debug
def test_debug_lets_the_exception_through() -> None:
    path = MALFORMED_DIR / "scenario_attribution_above_one.toml"
    result = runner.invoke(app, ["--debug", "validate", str(path)])
    # With --debug the ConfigError is re-raised instead of becoming exit 2.
    assert result.exit_code != 2
    assert isinstance(result.exception, ConfigError)
    assert result.exc_info is not None and result.exc_info[2] is not None  # a traceback exists
    assert "effects.attribution" in str(result.exception)
    assert path.name in str(result.exception)


def test_debug_does_not_stick_to_later_runs() -> None:
    path = MALFORMED_DIR / "scenario_attribution_above_one.toml"
    runner.invoke(app, ["--debug", "validate", str(path)])
    result = runner.invoke(app, ["validate", str(path)])
    assert_clean_failure(result, "effects.attribution")
