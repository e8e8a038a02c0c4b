"""Start-up (issue 14): a command imports only what it uses.

``mkba-mc --help`` needs typer and rich only; a small ``run`` without
``--out`` needs numpy and scipy.special (inverse CDFs, CPU-independent libm),
not pandas (the console table is printed from the statistics' mapping),
scipy.stats, xarray, h5py, matplotlib, openpyxl, SALib or dask.
The wall times are measured in ``benchmarks/`` (not here: timed tests are
flaky on a shared machine); these tests keep the imports from coming back.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"

#: Packages (or subpackages) a command that does not use them must not import.
NUMERICS = ("numpy", "scipy", "pandas", "xarray", "h5py", "h5netcdf", "pydantic")
REPORT_AND_ANALYSES = ("scipy.stats", "xarray", "h5py", "h5netcdf", "matplotlib", "openpyxl", "SALib", "dask",
                       "distributed", "mkba_mc.sensitivity", "mkba_mc.report.build", "mkba_mc.report.figures")


def _loaded(code: str) -> set[str]:
    """Names of the modules loaded after running ``code`` in a fresh interpreter."""
    script = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(out.stdout.split())


def _hits(loaded: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(f for f in forbidden if any(m == f or m.startswith(f + ".") for m in loaded))


def test_help_loads_no_numerics() -> None:
    loaded = _loaded("import mkba_mc.cli\nimport mkba_mc")
    assert "mkba_mc.cli.app" in loaded  # the command-line application was really imported
    assert _hits(loaded, NUMERICS) == []


def test_public_names_still_resolve_on_first_use() -> None:
    loaded = _loaded("import mkba_mc\nassert callable(mkba_mc.run_monte_carlo) and mkba_mc.__version__\n"
                     "from mkba_mc import load_scenario, ACTORS\nassert len(ACTORS) == 9")
    assert "mkba_mc.api" in loaded and "mkba_mc.io.loading" in loaded


def test_small_run_loads_no_report_stack_or_scipy_stats() -> None:
    code = (
        "import contextlib, io\n"
        "from mkba_mc.cli import main\n"
        f"sys.argv = ['mkba-mc', 'run', {str(B2)!r}, '-n', '1000', '--seed', '1', '--workers', '1']\n"
        "buf = io.StringIO()\n"
        "try:\n"
        "    with contextlib.redirect_stdout(buf):\n"
        "        main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "assert 'Monte Carlo' in buf.getvalue() and 'P50' in buf.getvalue(), buf.getvalue()[:200]\n"
    )
    loaded = _loaded(code)
    assert "mkba_mc.execution.montecarlo" in loaded  # the run really ran
    assert _hits(loaded, REPORT_AND_ANALYSES) == []
    assert _hits(loaded, ("pandas",)) == []  # 0.2-0.3 s of import for a table rich prints from a dict


def test_run_out_streams_samples_without_xarray(tmp_path: Path) -> None:
    """``run --out`` writes samples.nc chunk by chunk through h5netcdf (issue 14): the samples never pass
    through an xarray Dataset, and the report stack's plotting and scipy.stats stay unloaded."""
    out = tmp_path / "o"
    code = (
        "import contextlib, io\n"
        "from mkba_mc.cli import main\n"
        f"sys.argv = ['mkba-mc', 'run', {str(B2)!r}, '-n', '3000', '--seed', '1', '--workers', '1', '--out', {str(out)!r}]\n"
        "try:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
    )
    loaded = _loaded(code)
    assert "mkba_mc.io.samples_file" in loaded and (out / "samples.nc").stat().st_size > 0
    assert _hits(loaded, ("xarray", "scipy.stats", "matplotlib", "SALib", "dask")) == []
