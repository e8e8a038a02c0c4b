"""Scenario discovery in the report and on the console: each PRIM box in plain words.

Reads ``discover.nc`` (written by ``mkba-mc discover --out``,
:func:`mkba_mc.io.analysis_results.write_discover`); it never evaluates the
model.  A box becomes one sentence, "De gemeente verliest vooral als
<invoer> lager is dan 23 % én <invoer> hoger is dan € 1.200 (dekking 74 %,
dichtheid 81 %)", with the labels of :mod:`mkba_mc.report.labels` and the
numbers of :mod:`mkba_mc.report.formats`; coverage and density follow
Bryant & Lempert (2010): the share of the samples with the event that lie in
the box, and the share of the samples in the box that have the event.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from ..errors import OutputError
from ..model.parameters import PARAMETERS, RATE, SHARE, SIGNED_SHARE
from .formats import count, eur, number, p_value, percent
from .html import Section, esc, html_table
from .labels import param_label

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.figure import Figure

    from .context import Context

#: The report's texts of this section, nl and en side by side.
_TEXT: Final[dict[str, tuple[str, str]]] = {
    "title": ("Wanneer slaat de conclusie om? (scenario-ontdekking)", "When does the conclusion flip? (scenario discovery)"),
    "lead.ratio_social_lt_1": ("De maatschappij verliest vooral als", "Society loses mainly when"),
    "lead.ratio_gemeente_lt_1": ("De gemeente verliest vooral als", "The municipality loses mainly when"),
    "lead.split_incentive": ("De maatschappij wint maar de gemeente verliest vooral als",
                             "Society gains but the municipality loses mainly when"),
    "name.ratio_social_lt_1": ("maatschappelijk verlies (maatschappelijke K-B-verhouding onder 1)",
                               "a loss to society (social cost-benefit ratio below 1)"),
    "name.ratio_gemeente_lt_1": ("verlies voor de gemeente (K-B-verhouding van de gemeente onder 1)",
                                 "a loss to the municipality (municipal cost-benefit ratio below 1)"),
    "name.split_incentive": ("een gesplitste prikkel (de maatschappij wint, de gemeente verliest)",
                             "a split incentive (society gains, the municipality loses)"),
    "and": ("én", "and"),
    "lower": ("{label} lager is dan {v}", "{label} is lower than {v}"),
    "higher": ("{label} hoger is dan {v}", "{label} is higher than {v}"),
    "between": ("{label} tussen {a} en {b} ligt", "{label} is between {a} and {b}"),
    "stats": ("dekking {coverage}, dichtheid {density}", "coverage {coverage}, density {density}"),
    "never": ("Geen gebied voor {name}: dat komt in geen van de {n} trekkingen voor.",
              "No box for {name}: it occurs in none of the {n} samples."),
    "always": ("Geen gebied voor {name}: dat komt in alle {n} trekkingen voor, wat de invoer ook is.",
               "No box for {name}: it occurs in all {n} samples, whatever the inputs."),
    "rare": ("Geen gebied voor {name}: dat komt in {k} van de {n} trekkingen voor, te weinig om een gebied af te bakenen.",
             "No box for {name}: it occurs in {k} of the {n} samples, too few to bound a box."),
    "rare_many": ("Geen gebied voor {name}: dat komt in {k} van de {n} trekkingen voor, bijna altijd, wat de invoer "
                  "ook is: te weinig trekkingen zonder die uitkomst om een gebied af te bakenen.",
                  "No box for {name}: it occurs in {k} of the {n} samples, almost always, whatever the inputs: too "
                  "few samples without it to bound a box."),
    "no_box": ("Geen gebied voor {name}: dat komt in {share} van de trekkingen voor, maar geen combinatie van "
               "invoerwaarden bakent het duidelijk af.",
               "No box for {name}: it occurs in {share} of the samples, but no combination of input values "
               "clearly bounds it."),
    "intro": ("Voor elke uitkomst waarbij de conclusie omslaat zoekt deze analyse het gebied van invoerwaarden waar "
              "die uitkomst zich ophoopt (PRIM, Friedman en Fisher 1999; Bryant en Lempert 2010). De dekking is het "
              "deel van de trekkingen met die uitkomst dat binnen het gebied valt, de dichtheid het deel van de "
              "trekkingen binnen het gebied dat die uitkomst heeft. Alleen grenzen die er aantoonbaar toe doen zijn "
              "genoemd. Gebaseerd op {n} trekkingen (seed {seed}).",
              "For each outcome where the conclusion flips this analysis looks for the region of input values where "
              "that outcome concentrates (PRIM, Friedman and Fisher 1999; Bryant and Lempert 2010). Coverage is the "
              "share of the samples with that outcome that fall inside the region, density the share of the samples "
              "inside the region that have it. Only limits that demonstrably matter are named. Based on {n} samples "
              "(seed {seed})."),
    "space.run": ("De trekkingen zijn die van het risico van dit plan: de hefbomen liggen op de waarden van het plan, "
                  "met hun uitvoeringsonzekerheid.",
                  "The samples are those of the risk of this plan: the levers are at the plan's values, with their "
                  "implementation uncertainty."),
    "space.levers": ("De hefbomen variëren hier over hun aannemelijke bereik: een gebied noemt dus ook de "
                     "instellingen van hefbomen waarbij de conclusie omslaat.",
                     "The levers vary here over their plausible range: a region therefore also names the lever "
                     "settings under which the conclusion flips."),
    "input": ("invoer", "input"), "from": ("van", "from"), "to": ("tot", "to"), "range": ("bereik in de trekkingen", "range in the samples"),
    "qp": ("quasi-p-waarde", "quasi-p-value"), "gain": ("winst in dichtheid", "density gain"),
    "limits": ("Grenzen van het gebied: {name}", "Limits of the box: {name}"),
    "fig_caption": ("Afweging tussen dekking en dichtheid langs het pelpad van PRIM; de stip is het gekozen gebied.",
                    "Coverage-density trade-off along PRIM's peeling trajectory; the dot is the box chosen."),
    "coverage": ("dekking", "coverage"), "density": ("dichtheid", "density"),
    "absent": ("Deze resultatenmap bevat geen scenario-ontdekking: dit rapport zegt dus niet onder welke "
               "omstandigheden de conclusie omslaat.",
               "This results folder holds no scenario discovery: this report therefore does not say under which "
               "conditions the conclusion flips."),
}
TEXT: Final[dict[str, dict[str, str]]] = {lang: {k: v[i] for k, v in _TEXT.items()} for i, lang in enumerate(("nl", "en"))}


def limit_text(parameter: str, v: float, lang: str) -> str:
    """A limit of a box in the parameter's unit: euros, a percentage for a share, else a number."""
    spec = PARAMETERS.get(parameter)
    if spec is not None and spec.is_money:  # three significant digits: € 59.400, not € 59.361
        x = float(v)
        return eur(round(x, 2 - math.floor(math.log10(abs(x)))) if x else 0.0, lang)
    if spec is not None and (spec.domain in (SHARE, SIGNED_SHARE, RATE) or spec.unit.startswith("share")):
        return f"{number(100.0 * float(v), lang, 3)} %"
    return number(v, lang, 3)


def _inline(label: str) -> str:
    """A label inside a sentence: its first letter in lower case (not for an
    abbreviation), ``Kosten per escalatie: gezinnen`` as ``kosten per escalatie (gezinnen)``."""
    label = label[0].lower() + label[1:] if len(label) > 1 and not label[1].isupper() else label
    head, sep, tail = label.partition(": ")
    return f"{head} ({tail})" if sep else label


def conditions(ds: xr.Dataset, event: str, lang: str) -> list[tuple[str, str]]:
    """(parameter, "<label> lager is dan 23 %") per restricted input of the event's box, largest density gain first."""
    T = TEXT[lang]
    s = ds.sel(event=event)
    rows = []
    for p in ds["parameter"].values:
        lo, hi = float(s["lower"].sel(parameter=p)), float(s["upper"].sel(parameter=p))
        if math.isnan(lo) and math.isnan(hi):
            continue
        lo_cut = lo > float(ds["data_min"].sel(parameter=p))
        hi_cut = hi < float(ds["data_max"].sel(parameter=p))
        label = _inline(param_label(str(p), lang))
        if lo_cut and hi_cut:
            text = T["between"].format(label=label, a=limit_text(str(p), lo, lang), b=limit_text(str(p), hi, lang))
        elif hi_cut:
            text = T["lower"].format(label=label, v=limit_text(str(p), hi, lang))
        else:
            text = T["higher"].format(label=label, v=limit_text(str(p), lo, lang))
        gain = float(s["gain"].sel(parameter=p))
        rows.append((-gain if math.isfinite(gain) else 0.0, str(p), text))
    return [(p, t) for _, p, t in sorted(rows)]


def box_sentence(ds: xr.Dataset, event: str, lang: str) -> str:
    """The event's box in one plain sentence (or why there is none)."""
    T = TEXT[lang]
    s = ds.sel(event=event)
    status = str(s["status"].values)
    name = T[f"name.{event}"]
    n = int(ds.attrs.get("n", 0))
    if status == "rare" and 2 * int(s["events"]) > n:  # "rare" is also too few samples *without* the event
        status = "rare_many"
    if status != "box":
        return T[status if status in ("never", "always", "rare", "rare_many") else "no_box"].format(
            name=name, n=count(n, lang), k=count(int(s["events"]), lang), share=percent(float(s["event_share"]), lang, 1))
    parts = [t for _, t in conditions(ds, event, lang)]
    joined = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} {T['and']} {parts[-1]}"
    stats = T["stats"].format(coverage=percent(float(s["coverage"]), lang), density=percent(float(s["density"]), lang))
    return f"{T['lead.' + event]} {joined} ({stats})."



def discover_summary(ctx: Context) -> str | None:
    """One summary line: when the municipality loses (the box of
    ``ratio_gemeente_lt_1``), or society when that is the only box; ``None``
    when discovery was not run or found no box."""
    folder = getattr(ctx.art, "discover", None)
    if folder is None:
        return None
    ds = load_discover(folder)
    events = [str(e) for e in ds["event"].values]
    for event in ("ratio_gemeente_lt_1", "ratio_social_lt_1", "split_incentive"):
        if event in events and str(ds.sel(event=event)["status"].values) == "box":
            return esc(box_sentence(ds, event, ctx.lang))
    return None


def load_discover(folder: Path) -> xr.Dataset:
    """``discover.nc`` of a discovery folder, loaded into memory."""
    import xarray as xr

    try:
        with xr.open_dataset(folder / "discover.nc", engine="h5netcdf") as ds:
            return ds.load()
    except (OSError, ValueError) as exc:
        raise OutputError(f"{folder / 'discover.nc'}: cannot read ({exc})") from exc


def fig_tradeoff(ds: xr.Dataset, lang: str) -> Figure:
    """Coverage against density along each event's peeling trajectory, the chosen box marked."""
    from .figures import new_figure
    from .formats import percent_ticks

    T = TEXT[lang]
    fig = new_figure(7.5, 4.2)
    ax = fig.subplots()
    from matplotlib.ticker import FuncFormatter

    for i, ev in enumerate(ds["event"].values):
        s = ds.sel(event=ev)
        cov, den = s["traj_coverage"].values, s["traj_density"].values
        ok = np.isfinite(cov)
        if not ok.any():
            continue
        color = ("#c62828", "#2b5d8a", "#d9822b")[i % 3]
        ax.plot(cov[ok], den[ok], "-", color=color, lw=1.5, label=T[f"lead.{ev}"].rsplit(" ", 2)[0])
        if str(s["status"].values) == "box":
            ax.plot([float(s["coverage"])], [float(s["density"])], "o", color=color, ms=8)
    ax.set_xlabel(T["coverage"])
    ax.set_ylabel(T["density"])
    ax.xaxis.set_major_formatter(FuncFormatter(percent_ticks(lang)))
    ax.yaxis.set_major_formatter(FuncFormatter(percent_ticks(lang)))
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8.5, loc="lower left")
    return fig


def section_discover(ctx: Context, folder: Path | None) -> Section:
    """The scenario-discovery section: one sentence per event, the limits, the trade-off figure."""
    T, lang = TEXT[ctx.lang], ctx.lang
    if folder is None:  # optional, so not counted among the missing analyses; said plainly all the same
        return Section("discover", T["title"], f'<p class="absent">{esc(T["absent"])}</p>', present=False)
    ds = load_discover(folder)
    seed = ds.attrs.get("seed", "?")
    body = f"<p>{esc(T['intro'].format(n=count(int(ds.attrs.get('n', 0)), lang), seed=seed))} "
    body += f"{esc(T['space.levers' if ds.attrs.get('input_space') == 'levers' else 'space.run'])}</p>"
    body += "<ul>" + "".join(f"<li>{esc(box_sentence(ds, str(ev), lang))}</li>" for ev in ds["event"].values) + "</ul>"
    if any(str(v) == "box" for v in ds["status"].values):
        body += ctx.figure("discover.png", fig_tradeoff(ds, lang), T["title"], esc(T["fig_caption"]))
    for ev in ds["event"].values:
        if str(ds["status"].sel(event=ev).values) != "box":
            continue
        s = ds.sel(event=ev)
        rows = []
        for p, _ in conditions(ds, str(ev), lang):
            ctx.code_names.add(p)
            lo, hi = float(s["lower"].sel(parameter=p)), float(s["upper"].sel(parameter=p))
            rng = f"{limit_text(p, float(ds['data_min'].sel(parameter=p)), lang)} – {limit_text(p, float(ds['data_max'].sel(parameter=p)), lang)}"
            rows.append([esc(param_label(p, lang)), esc(limit_text(p, lo, lang)), esc(limit_text(p, hi, lang)), esc(rng),
                         esc(p_value(float(s["qp"].sel(parameter=p)), lang)),
                         esc(percent(float(s["gain"].sel(parameter=p)), lang, 1))])
        body += f"<h3>{esc(T['limits'].format(name=T['name.' + str(ev)]))}</h3>"
        body += html_table([esc(T[k]) for k in ("input", "from", "to", "range", "qp", "gain")], rows)
    return Section("discover", T["title"], body)


def render_discover(ds: xr.Dataset, lang: str) -> str:
    """The console text of ``mkba-mc discover``: one line per event."""
    return "\n".join(box_sentence(ds, str(ev), lang) for ev in ds["event"].values)


def discover_json(ds: xr.Dataset) -> dict[str, Any]:
    """The ``--json`` object: per event its status, box (restricted inputs only), statistics and sentences."""
    out: dict[str, Any] = {"n": int(ds.attrs.get("n", 0)), "seed": ds.attrs.get("seed"),
                           "input_space": ds.attrs.get("input_space"), "events": {}}
    for ev in ds["event"].values:
        s = ds.sel(event=ev)
        box = {str(p): {"lower": float(s["lower"].sel(parameter=p)), "upper": float(s["upper"].sel(parameter=p)),
                        "quasi_p": float(s["qp"].sel(parameter=p)), "density_gain": float(s["gain"].sel(parameter=p))}
               for p, _ in conditions(ds, str(ev), "en")}
        stats = {k: (float(s[k]) if math.isfinite(float(s[k])) else None) for k in ("coverage", "density", "mass")}
        traj = {k: [float(v) for v in s[f"traj_{k}"].values if math.isfinite(v)]
                for k in ("coverage", "density", "mass", "res_dim")}
        out["events"][str(ev)] = {"status": str(s["status"].values), "samples_with_event": int(s["events"]),
                                  "box_number": int(s["chosen"]), **stats, "box": box, "trajectory": traj,
                                  "text": {"nl": box_sentence(ds, str(ev), "nl"), "en": box_sentence(ds, str(ev), "en")}}
    return out


__all__ = ["TEXT", "box_sentence", "conditions", "discover_json", "fig_tradeoff", "limit_text", "load_discover",
           "render_discover", "section_discover", "discover_summary"]
