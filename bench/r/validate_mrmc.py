"""MRMC, non-inferiority, classic ICC and power against R to 1e-6 (bench/validate_against_r.sh).

Builds named datasets (random designs, 2 and 5 readers, the seed study's size, negative variance
components, a ceiling in one arm, missing scores, identical readers, one reader, a negative ICC),
puts each in one ratings table as its own sequence x criterion family, and runs them through
``run_analysis``, the path that writes results.json. ``Rscript bench/r/validate_mrmc.R`` computes
the same from the raw scores:

- MRMCaov's ``mrmc`` (mean score as a user metric, jackknife, random and fixed readers) for the
  ``mrmc`` rows and the non-inferiority CI, one-sided P (``pt``) and Holm (``p.adjust``);
- ``t.test(mu = -margin, alternative = "greater")`` on per-case mean differences and the share
  of cases worse, for the secondary non-inferiority columns;
- ``psych::ICC(na.omit(x), lmer = FALSE)`` for the six ICC forms of every family and arm;
- base R's non-central F for the power of planned designs (Hillis et al. 2011, Eq. 10).

Prints the largest absolute difference per quantity and PASS/FAIL; exit status 1 on any FAIL.
Without the R package MRMCaov (not on Debian or CRAN mirrors here) its part is SKIPPED, saying so.
``None`` here matches a non-finite or huge (> 1e12) value or NaN in R; anything else missing on
one side is a failure.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from readerstudy.analysis.stats.icc import ICC_FORMS  # noqa: E402
from readerstudy.analysis.stats.mrmc import mrmc_or  # noqa: E402
from readerstudy.analysis.stats.power import PilotVariance, or_power  # noqa: E402
from readerstudy.analysis.stats.results import run_analysis  # noqa: E402

HERE = Path(__file__).resolve().parent
ARMS = ("conventional", "enhanced")
MARGIN = 0.25
#: Hillis df above this is infinite for practical purposes (R prints e.g. 1e+60 for a
#: floating-point MS(TxR) of ~1e-32 where ours is exactly 0).
HUGE = 1e12
MRMCAOV_PREFIXES = ("random.", "fixed.", "reader.", "cov.", "ni.")


def simulate(
    rng: np.random.Generator,
    n_readers: int,
    n_cases: int,
    *,
    effect: float = 0.3,
    sd_reader: float = 0.3,
    sd_reader_arm: float = 0.2,
    sd_case: float = 0.8,
    sd_case_arm: float = 0.3,
    sd_error: float = 0.6,
    base: float = 3.0,
) -> pd.DataFrame:
    """Scores 1..5 from a crossed random-effects model, rounded and clipped."""
    reader_fx = rng.normal(0, sd_reader, n_readers)
    case_fx = rng.normal(0, sd_case, n_cases)
    rows = []
    for a, arm in enumerate(ARMS):
        reader_arm = rng.normal(0, sd_reader_arm, n_readers)
        case_arm = rng.normal(0, sd_case_arm, n_cases)
        for j in range(n_readers):
            latent = (base + a * effect + reader_fx[j] + reader_arm[j] + case_fx + case_arm
                      + rng.normal(0, sd_error, n_cases))  # fmt: skip
            scores = np.clip(np.rint(latent), 1, 5)
            rows += [(f"r{j + 1}", f"c{k + 1:04d}", arm, scores[k]) for k in range(n_cases)]
    return pd.DataFrame(rows, columns=["reader", "case", "arm", "score"])


def _negative_icc(rng: np.random.Generator) -> pd.DataFrame:
    """Independent uniform scores: ICC(A,1) negative in both arms."""
    for _ in range(1000):
        frame = pd.DataFrame(
            [(f"r{j + 1}", f"c{k + 1:04d}", arm, float(rng.integers(1, 6)))
             for arm in ARMS for j in range(3) for k in range(20)],
            columns=["reader", "case", "arm", "score"],
        )  # fmt: skip
        negative = True
        for arm in ARMS:
            m = frame[frame["arm"] == arm].pivot(index="case", columns="reader", values="score")
            x = m.to_numpy()
            n, k = x.shape
            ms_b = k * x.mean(axis=1).var(ddof=1)
            resid = x - x.mean(axis=1, keepdims=True) - x.mean(axis=0) + x.mean()
            negative &= ms_b < (resid**2).sum() / ((n - 1) * (k - 1))
        if negative:
            return frame
    raise RuntimeError("no dataset with negative ICCs found")


def build_datasets(rng: np.random.Generator, n_random: int) -> dict[str, pd.DataFrame]:
    """Named datasets ``reader, case, arm, score`` (score NaN = missing)."""
    sets: dict[str, pd.DataFrame] = {}
    for i in range(n_random):
        r, c = int(rng.integers(3, 7)), int(rng.integers(15, 151))
        sets[f"random_{i:02d}"] = simulate(rng, r, c, effect=float(rng.normal(0.2, 0.3)))
    sets["two_readers"] = simulate(rng, 2, 60)
    sets["five_readers"] = simulate(rng, 5, 80)
    sets["seed_size_294x3"] = simulate(rng, 3, 294)
    for _ in range(500):
        # Readers nearly interchangeable: MS(R) and MS(TxR) fall below what the case
        # covariances imply, so var_r and var_tr estimate negative.
        frame = simulate(rng, 4, 30, sd_reader=0.0, sd_reader_arm=0.0, sd_error=0.9)
        comp = mrmc_or(frame)["covariance"]
        if comp["var_r"] < 0 and comp["var_tr"] < 0:
            sets["negative_components"] = frame
            break
    else:
        raise RuntimeError("no dataset with negative var_r and var_tr found")
    ceiling = simulate(rng, 3, 50)
    ceiling.loc[ceiling["arm"] == "enhanced", "score"] = 5.0
    sets["ceiling_enhanced_all_5"] = ceiling
    # A realistic ceiling: most enhanced scores at the top, a few below.
    sets["ceiling_mostly_5"] = simulate(rng, 3, 60, base=4.3, effect=0.8, sd_error=0.4)
    missing = simulate(rng, 4, 70)
    missing.loc[rng.random(len(missing)) < 0.05, "score"] = np.nan
    sets["missing_5pct"] = missing
    one = simulate(rng, 1, 40)
    sets["identical_readers"] = pd.concat(
        [one.assign(reader=name) for name in ("r1", "r2", "r3")], ignore_index=True
    )
    sets["single_reader"] = simulate(rng, 1, 45)
    sets["negative_icc"] = _negative_icc(rng)
    return sets


def study_frame(datasets: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every dataset as one family (sequence "S", criterion = its name) of one ratings table."""
    frames = []
    for name, frame in datasets.items():
        present = frame.dropna(subset=["score"])
        frames.append(present.assign(criterion=name, case=name + ":" + present["case"]))
    tidy = pd.concat(frames, ignore_index=True)
    return tidy.assign(study="validation", site="A", sequence="S", score=tidy["score"].astype(int))


def ours(results: dict) -> dict[tuple[str, str, str], float | None]:
    """results.json numbers keyed like the R output: (dataset, quantity, index)."""
    out: dict[tuple[str, str, str], float | None] = {}
    for row in results["mrmc"]:
        name = row["criterion"]
        out[name, "n_cases", ""] = row["n_cases"]
        for part in ("random", "fixed"):
            block = row[f"{part}_readers"]
            out[name, f"{part}.estimate", ""] = row["estimate"]
            out[name, f"{part}.se", ""] = block["se"]
            out[name, f"{part}.ci_lo", ""], out[name, f"{part}.ci_hi", ""] = block["ci95"]
            out[name, f"{part}.p", ""] = block["p"]
        out[name, "random.df", ""] = row["random_readers"]["df"]
        for reader in row["per_reader"]:
            index = str(reader["reader"])
            out[name, "reader.estimate", index] = reader["estimate"]
            out[name, "reader.se", index] = reader["se"]
            out[name, "reader.ci_lo", index], out[name, "reader.ci_hi", index] = reader["ci95"]
            out[name, "reader.p", index] = reader["p"]
        for key, value in row["covariance"].items():
            out[name, f"cov.{key}", ""] = value
    for row in results["noninferiority"]:
        name = row["criterion"]
        out[name, "ni.ci_lo", ""], out[name, "ni.ci_hi", ""] = row["ci95"]
        out[name, "ni.p", ""] = row["p_noninferiority"]
        out[name, "ni.p_holm", ""] = row["p_noninferiority_adjusted"]
        out[name, "ni.noninferior", ""] = None if row["noninferior"] is None else float(
            row["noninferior"]
        )  # fmt: skip
        out[name, "ni_case.p", ""] = row["p"]
        out[name, "ni_case.worse", ""] = row["worse_fraction"]
    for row in results["agreement"]:
        for form in ICC_FORMS:
            v = row["icc"][form]
            for key, value in (("value", v["value"]), ("F", v["F"]), ("df1", v["df1"]),
                               ("df2", v["df2"]), ("p", v["p"]), ("lower", v["ci95"][0]),
                               ("upper", v["ci95"][1])):  # fmt: skip
                out[row["criterion"], f"icc.{key}", f"{row['arm']}:{form}"] = value
    return out


def power_designs(rng: np.random.Generator, results: dict) -> pd.DataFrame:
    """Planned designs from the random datasets' variance components, for the power check."""
    rows = []
    for row in results["mrmc"]:
        if not row["criterion"].startswith("random_"):
            continue
        pilot = PilotVariance.from_mrmc(row)
        for _ in range(3):
            rows.append(
                {"name": f"{row['criterion']}:{len(rows)}", "pilot_cases": pilot.n_cases,
                 "var_error": pilot.var_error, "cov1": pilot.cov1, "cov2": pilot.cov2,
                 "cov3": pilot.cov3, "ms_tr": pilot.ms_tr, "readers": int(rng.integers(2, 21)),
                 "cases": int(rng.integers(20, 1001)), "effect": float(rng.uniform(0.05, 0.5)),
                 "alpha": 0.05}
            )  # fmt: skip
    return pd.DataFrame(rows)


def degenerate_iccs(datasets: dict[str, pd.DataFrame]) -> dict[tuple[str, str], str]:
    """(dataset, arm) whose complete-case matrix has no residual variance, with the reason.

    There the classic ICC's F, P or interval divide by a zero mean square: ours are null
    (undefined), while R's aov() returns its rounding noise (F = 1.0000000000000007 for a
    constant matrix, 7e28 for identical readers), so they are not compared.
    """
    out = {}
    for name, frame in datasets.items():
        for arm in ARMS:
            unit = frame[(frame["arm"] == arm)].dropna(subset=["score"])
            m = unit.pivot(index="case", columns="reader", values="score").dropna().to_numpy()
            if m.shape[1] < 2 or m.shape[0] < 2:
                continue
            resid = m - m.mean(axis=1, keepdims=True) - m.mean(axis=0) + m.mean()
            if np.allclose(m, m.flat[0]):
                out[name, arm] = "every score equal"
            elif np.allclose(resid, 0):
                out[name, arm] = "no residual variance (readers identical)"
    return out


def compare(mine, theirs: float) -> float:
    """Absolute difference; 0 for matching undefined values, inf for a one-sided value."""
    undefined = not np.isfinite(theirs) or abs(theirs) > HUGE
    if isinstance(mine, str):
        return float("inf")
    if mine is None:
        return 0.0 if undefined else float("inf")
    if undefined:
        return float("inf")
    return abs(float(mine) - float(theirs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=30, help="random MRMC datasets")
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--tol", type=float, default=1e-6)
    parser.add_argument("--out", type=Path, help="keep the datasets and R's numbers here")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    datasets = build_datasets(rng, args.datasets)
    frame = study_frame(datasets)
    results = run_analysis(
        frame, scale=(1, 5), margin=MARGIN, noninferiority_criteria=list(datasets),
        power_readers=(2, 3), power_cases=(50,),
    )  # fmt: skip
    mine = ours(results)
    plans = power_designs(rng, results)

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.out or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in datasets.items():
            data.to_csv(folder / f"{name}.csv", index=False)
        pd.DataFrame({"name": list(datasets), "margin": MARGIN}).to_csv(
            folder / "manifest.csv", index=False
        )
        plans.to_csv(folder / "power_cases.csv", index=False)
        subprocess.run(["Rscript", str(HERE / "validate_mrmc.R"), str(folder)], check=True)
        ref = pd.read_csv(folder / "r_results.csv", keep_default_na=False, dtype={"index": str})
    ref["value"] = pd.to_numeric(ref["value"].replace({"NA": "nan"}), errors="coerce")
    flags = ref[ref["dataset"] == "_flags"].set_index("quantity")["value"]
    have_mrmcaov = bool(flags.get("mrmcaov", 0))
    ref = ref[ref["dataset"] != "_flags"]

    worst: dict[str, float] = defaultdict(float)
    where: dict[str, str] = {}
    counts: dict[str, int] = defaultdict(int)
    plan_rows = plans.set_index("name")
    skipped = degenerate_iccs(datasets)
    for row in ref.itertuples(index=False):
        if row.quantity.startswith("icc.") and (row.dataset, row.index.split(":")[0]) in skipped:
            continue
        if row.quantity.startswith("power."):
            plan = plan_rows.loc[row.dataset]
            pilot = PilotVariance(int(plan.pilot_cases), plan.var_error, plan.cov1, plan.cov2,
                                  plan.cov3, plan.ms_tr)  # fmt: skip
            got = or_power(pilot, n_readers=int(plan.readers), n_cases=int(plan.cases),
                           effect=plan.effect)[row.quantity.split(".")[1]]  # fmt: skip
        else:
            got = mine.get((row.dataset, row.quantity, row.index), "missing")
        diff = compare(got, row.value)
        if np.isnan(diff):
            diff = float("inf")
        family = row.quantity if not row.quantity.startswith("icc.") else (
            "icc (psych lmer=FALSE) " + row.quantity[4:]
        )  # fmt: skip
        counts[family] += 1
        if diff >= worst[family]:
            worst[family] = diff
            index = f"[{row.index}]" if row.index else ""
            where[family] = f"{row.dataset}{index}"

    failed = False
    named = ", ".join(k for k in datasets if not k.startswith("random_"))
    print(f"{len(datasets)} datasets ({named} and {args.datasets} random), {len(plans)} power "
          f"designs, tolerance {args.tol:g}")  # fmt: skip
    if not have_mrmcaov:
        print("SKIPPED: the MRMC and non-inferiority checks need the R package MRMCaov, which is "
              "not installed; the ICC, per-case non-inferiority and power checks ran.")  # fmt: skip
    for (name, arm), reason in skipped.items():
        print(f"ICC not compared for {name} {arm}: {reason}; ours are null where a mean square "
              "is zero, R's aov() gives rounding noise there")  # fmt: skip
    width = max(len(k) for k in worst) if worst else 10
    print(f"{'quantity':<{width}} {'n':>5} {'max |diff|':>12}  result  (worst at)")
    for quantity in sorted(worst):
        ok = worst[quantity] <= args.tol
        failed |= not ok
        print(f"{quantity:<{width}} {counts[quantity]:>5} {worst[quantity]:>12.3e}  "
              f"{'PASS' if ok else 'FAIL'}    ({where[quantity]})")  # fmt: skip
    checked = {q.split(".")[0] + "." for q in worst}
    if have_mrmcaov and not any(q.startswith(MRMCAOV_PREFIXES) for q in checked):
        failed = True
        print("FAIL: MRMCaov is installed but R returned none of its numbers")
    print("OVERALL", "FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
