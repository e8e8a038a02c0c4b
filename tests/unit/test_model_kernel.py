"""The compiled model kernel gives numpy's ``evaluate`` bits for every sample.

numpy's :func:`mkba_mc.model.core.evaluate` is the reference; the kernel
(:mod:`mkba_mc.model.kernel_source`, compiled by
:mod:`mkba_mc.execution.model_kernel`) must equal it bit for bit (compared
as int64 bit patterns, so -0.0 against 0.0 and NaN payloads count) on the
shipped scenarios with their sampling plans, on random inputs that reach the
edges (sampled discount rate and work years, negative or zero substitution,
zero costs and NaN ratios, realisation shares) and in a whole run.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numba  # noqa: F401  (a dependency of the package: the compiled kernel is tested, never skipped)
import numpy as np
import pytest

from mkba_mc import load_scenario
from mkba_mc.execution.model_kernel import CompiledModel, chunk_evaluator
from mkba_mc.execution.montecarlo import DEFAULT_OUTPUTS, REQUIRED_OUTPUTS, run
from mkba_mc.model.core import evaluate
from mkba_mc.model.kernel_source import KERNEL_OUTPUTS, kernel_source
from mkba_mc.model.outputs import ALL_OUTPUTS
from mkba_mc.model.parameters import PARAMETERS
from mkba_mc.uncertainty.plan import SamplingPlan

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
B2 = ROOT / "scenarios" / "bijlage2_voorbeeld.toml"
RUN_OUTPUTS = tuple(dict.fromkeys((*REQUIRED_OUTPUTS, *DEFAULT_OUTPUTS)))
#: Every output the kernel computes, in the model's order.
KERNEL_ALL = tuple(o for o in ALL_OUTPUTS if o in KERNEL_OUTPUTS)


def bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.int64)


def assert_same_bits(got: dict, ref: dict, names) -> None:
    for k in names:
        assert got[k].shape == ref[k].shape, k
        diff = bits(got[k]) != bits(ref[k])
        assert not diff.any(), f"{k}: {int(diff.sum())} samples differ, e.g. {got[k][diff][:3]} vs {ref[k][diff][:3]}"


def numpy_reference(params, structure, names, x, outputs):
    return evaluate({**params, **{nm: x[j] for j, nm in enumerate(names)}}, structure, outputs)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenarios_default_outputs(path: Path) -> None:
    # each shipped scenario with its own sampling plan, the outputs a run keeps
    sc = load_scenario(path)
    plan = SamplingPlan.from_scenario(sc, 1 << 18, seed=3)
    x = np.ascontiguousarray(np.stack(list(plan.inputs(0, 5000).values())))
    model = chunk_evaluator(sc.params, sc.structure, plan.names, RUN_OUTPUTS, compiled=True)
    assert isinstance(model, CompiledModel)
    assert_same_bits(model(x), numpy_reference(sc.params, sc.structure, plan.names, x, RUN_OUTPUTS), RUN_OUTPUTS)


@pytest.mark.slow
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenarios_every_kernel_output(path: Path) -> None:
    sc = load_scenario(path)
    plan = SamplingPlan.from_scenario(sc, 1 << 18, seed=4, sampler="sobol")
    x = np.ascontiguousarray(np.stack(list(plan.inputs(0, 4096).values())))
    model = chunk_evaluator(sc.params, sc.structure, plan.names, KERNEL_ALL, compiled=True)
    assert_same_bits(model(x), numpy_reference(sc.params, sc.structure, plan.names, x, KERNEL_ALL), KERNEL_ALL)


def edge_inputs(names, n: int, seed: int) -> np.ndarray:
    """Random inputs over each parameter's plausible range, with a tenth of
    the values put on an edge: 0, -0, 1, a negative value, a huge one."""
    rng = np.random.default_rng(seed)
    x = np.empty((len(names), n))
    for j, nm in enumerate(names):
        dom = PARAMETERS[nm].domain
        hi = dom.high if np.isfinite(dom.high) else 2.0 * max(1.0, abs(dom.low)) * 1e3
        lo = dom.low if np.isfinite(dom.low) else -hi
        x[j] = lo + (hi - lo) * rng.random(n)
        edge = rng.random(n) < 0.1
        x[j, edge] = rng.choice([0.0, -0.0, 1.0, -0.4, 1e300, 3.0], size=int(edge.sum()))
    return x


#: Sampled sets for the random tests: the valuations a Sobol analysis samples
#: (discount rate, work years), substitution (negative: extra care), the
#: realisation shares, and the costs (zero: NaN ratios).
SAMPLED = {
    "valuations": ("discount_rate", "work_years", "qaly_value", "nuisance_value", "attribution"),
    "substitution": ("substitution_new", "substitution_existing", "newly_found_share", "new_care_fraction"),
    "realisation": tuple(n for n in PARAMETERS if n.startswith("realisation_share.")) + ("households",),
    "costs": ("cost_per_fte", "other_team_costs", "one_off_costs", "team_fte", "friction_share", "relapse"),
}


#: (group, team from caseload): each group once, both team sizes; the other four in the slow suite.
EDGE_CASES = [("valuations", False), ("substitution", True), ("realisation", False), ("costs", True)]


@pytest.mark.parametrize("group, caseload", [
    *EDGE_CASES,
    *(pytest.param(g, c, marks=pytest.mark.slow) for g in sorted(SAMPLED) for c in (False, True)
      if (g, c) not in EDGE_CASES)])
def test_random_inputs_at_the_edges(group: str, caseload: bool) -> None:
    sc = load_scenario(B2)
    structure = replace(sc.structure, team_from_caseload=caseload)
    names = SAMPLED[group]
    x = edge_inputs(names, 3000, seed=len(group) + caseload)
    model = chunk_evaluator(sc.params, structure, names, RUN_OUTPUTS, compiled=True)
    with np.errstate(all="ignore"):
        ref = numpy_reference(sc.params, structure, names, x, RUN_OUTPUTS)
    assert_same_bits(model(x), ref, RUN_OUTPUTS)


@pytest.mark.slow
def test_every_parameter_sampled_every_output() -> None:
    # nothing folded: every parameter is a kernel input, every kernel output computed
    sc = load_scenario(B2)
    names = tuple(PARAMETERS)
    x = edge_inputs(names, 4000, seed=7)
    model = chunk_evaluator(sc.params, sc.structure, names, KERNEL_ALL, compiled=True)
    with np.errstate(all="ignore"):
        ref = numpy_reference(sc.params, sc.structure, names, x, KERNEL_ALL)
    assert_same_bits(model(x), ref, KERNEL_ALL)


def test_zero_costs_give_nan_ratios_as_numpy() -> None:
    # fixed zero costs: cost_total is 0 for every sample, the ratios NaN (numpy's NaN, bit for bit)
    sc = load_scenario(B2)
    params = {**sc.params, **{k: 0.0 for k in ("cost_per_fte", "other_team_costs", "one_off_costs",
                                              "new_care_fraction", "substitution_new", "substitution_existing")}}
    names = ("households", "attribution", "discount_rate")
    x = edge_inputs(names, 500, seed=1)
    model = chunk_evaluator(params, sc.structure, names, RUN_OUTPUTS, compiled=True)
    got = model(x)
    assert np.isnan(got["ratio_social"]).all()
    with np.errstate(all="ignore"):
        assert_same_bits(got, numpy_reference(params, sc.structure, names, x, RUN_OUTPUTS), RUN_OUTPUTS)


def test_kernel_has_no_fused_multiply_add() -> None:
    # numpy rounds every product and sum: a contracted a * b + c (FMA) would change the last bits
    sc = load_scenario(B2)
    names = ("households", "discount_rate", "cost_per_fte")
    src = kernel_source(sc.params, sc.structure, names, RUN_OUTPUTS)
    namespace: dict = {}
    exec(compile(src.source, "<kernel>", "exec"), namespace)
    fn = numba.njit(nogil=True, error_model="numpy")(namespace["kernel"])
    fn(np.full((3, 8), 0.5), np.empty((src.rows, 8)), src.constants)
    asm = "\n".join(fn.inspect_asm().values())
    assert "mulpd" in asm  # packed (vectorised) multiplies
    assert not any(op in asm for op in ("vfmadd", "vfmsub", "vfnmadd", "vfnmsub")), "fused multiply-add in the kernel"


def test_fixed_values_are_data_not_source() -> None:
    # a scenario that differs only in fixed values shares the generated source (and so the compiled code)
    sc = load_scenario(B2)
    names = ("households", "discount_rate")
    a = kernel_source(sc.params, sc.structure, names, RUN_OUTPUTS)
    b = kernel_source({**sc.params, "cost_per_fte": 77_777.0}, sc.structure, names, RUN_OUTPUTS)
    assert a.source == b.source and not np.array_equal(a.constants, b.constants)


def test_programme_outputs_stay_numpy() -> None:
    sc = load_scenario(B2)
    model = chunk_evaluator(sc.params, sc.structure, ("households",), ("ratio_social", "payback_year"), True)
    assert not isinstance(model, CompiledModel)
    with pytest.raises(ValueError, match="numpy only"):
        kernel_source(sc.params, sc.structure, ("households",), ("payback_year",))


def test_tracer_refuses_a_branch_on_a_sampled_value() -> None:
    from mkba_mc.model.trace import Tape

    v = Tape(("a",)).input(0)
    with pytest.raises(TypeError, match="truth value"):
        bool(v * 2.0)


def test_run_with_the_kernel_equals_numpy(tmp_path: Path) -> None:
    # a run of 2^18 samples (compiled sampling and model, 2 chunk sizes) equals numpy's evaluate of its inputs
    sc = load_scenario(B2)
    n = 1 << 18
    res = run(sc, n, seed=21, chunk_size=1 << 13, keep_inputs=True, workers=1)
    assert res.plan.use_compiled
    x = np.stack([res.inputs[nm] for nm in res.plan.names])
    ref = numpy_reference(sc.params, sc.structure, res.plan.names, x, RUN_OUTPUTS)
    assert_same_bits(res.outputs, ref, RUN_OUTPUTS)
    again = run(sc, n, seed=21, chunk_size=1 << 15, workers=2)
    assert_same_bits(again.outputs, ref, RUN_OUTPUTS)


def test_job_pickles_without_the_compiled_kernel() -> None:
    # a Dask worker gets the job pickled: it rebuilds the kernel lazily, with the same bits
    from mkba_mc.execution.job import RangeJob

    sc = load_scenario(B2)
    plan = SamplingPlan.from_scenario(sc, 1 << 18, seed=5)
    job = RangeJob(sc, plan, RUN_OUTPUTS, 1 << 12, False)
    blob = pickle.dumps(job)
    assert b"CompiledModel" not in blob
    _, vals, _ = pickle.loads(blob).values((1000, 9000))
    x = np.ascontiguousarray(np.stack(list(plan.inputs(1000, 9000).values())))
    assert_same_bits(vals, numpy_reference(sc.params, sc.structure, plan.names, x, RUN_OUTPUTS), RUN_OUTPUTS)


_CHILD = """
import sys
import numpy as np
from mkba_mc import load_scenario
from mkba_mc.execution.montecarlo import run
sc = load_scenario('scenarios/bijlage2_voorbeeld.toml')
res = run(sc, {n}, seed=1, workers=1, outputs=['cost_total'])
kernels = [m for m in sys.modules if m.startswith('mkba_mc_model_kernel_')]
print('numba' in sys.modules, bool(kernels), res.outputs['cost_total'][:64].tobytes().hex())
"""


def _child(n: int, cache: Path | str) -> list[str]:
    env = {**os.environ, "MKBA_MC_KERNEL_CACHE": str(cache)}
    out = subprocess.run([sys.executable, "-c", _CHILD.format(n=n)], capture_output=True, text=True, check=True,
                         cwd=ROOT, env=env)
    return out.stdout.split()


def test_numba_only_for_large_runs(tmp_path: Path) -> None:
    small = _child(1000, tmp_path)
    assert small[:2] == ["False", "False"]
    large = _child(1 << 18, tmp_path)
    assert large[:2] == ["True", "True"]
    assert large[2] == small[2]  # the first 64 samples do not depend on n or on the path
    assert list(tmp_path.glob("mkba_model_*.py")) and list(tmp_path.glob("__pycache__/*.nbi"))


def test_cache_written_by_two_processes_at_once_and_unwritable_cache(tmp_path: Path) -> None:
    env = {**os.environ, "MKBA_MC_KERNEL_CACHE": str(tmp_path / "kernels")}
    code = _CHILD.format(n=1 << 18)
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
             for _ in range(2)]
    outs = [p.communicate()[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert outs[0] == outs[1] and outs[0][:2] == ["True", "True"]
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    unwritable = _child(1 << 18, blocker / "kernels")  # compiled in memory (no module file), same numbers
    assert unwritable[0] == "True" and unwritable[2] == outs[0][2]
