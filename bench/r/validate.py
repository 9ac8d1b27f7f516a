"""Compare our statistics with R on random datasets (driven by bench/validate_against_r.sh).

Writes random datasets as CSV, runs ``Rscript bench/r/validate.R`` on them, computes the same
statistics with readerstudy.analysis and prints the largest absolute difference per statistic,
PASS when below 0.5e-4 (equal to 4 decimals). Krippendorff's alpha, which R's Debian packages do
not provide (irr is not packaged), is checked against the ``krippendorff`` Python package.
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

from readerstudy.analysis.stats.descriptive import mean_difference, paired_t_p  # noqa: E402
from readerstudy.analysis.stats.icc import ICC_FORMS, icc  # noqa: E402
from readerstudy.analysis.stats.kappa import category_counts, weighted_kappa  # noqa: E402
from readerstudy.analysis.stats.krippendorff_alpha import kendall_w, krippendorff_alpha  # noqa: E402
from readerstudy.analysis.stats.multiplicity import adjust_pvalues  # noqa: E402
from readerstudy.analysis.stats.wilcoxon import wilcoxon_signed_rank  # noqa: E402
from readerstudy.demo.simulate import simulate_ratings  # noqa: E402

#: Agreement to 4 decimals: |ours - R| < 0.5e-4, or the same relative to |R| for numbers above 1
#: (F statistics from psych's default lme4 fit carry lme4's optimiser tolerance, ~1e-6 relative).
TOLERANCE = 0.5e-4
#: psych::ICC's default lme4 fit stops at lme4's default optimiser tolerance; against it we ask
#: for agreement to 3 decimals (the tight-lme4 rows check the same code to 4 decimals and beyond).
LME4_TOLERANCE = 0.5e-3


def _boundary_count(matrices: dict[str, np.ndarray]) -> int:
    """How many matrices have a negative ANOVA variance component (psych/lme4 boundary fit)."""
    count = 0
    for m in matrices.values():
        n, k = m.shape
        grand = m.mean()
        ss_b = k * np.sum((m.mean(axis=1) - grand) ** 2)
        ss_j = n * np.sum((m.mean(axis=0) - grand) ** 2)
        mse = (np.sum((m - grand) ** 2) - ss_b - ss_j) / ((n - 1) * (k - 1))
        count += bool(ss_b / (n - 1) < mse or ss_j / (k - 1) < mse)
    return count


def _matrices(rng: np.random.Generator, count: int) -> dict[str, np.ndarray]:
    """Cases x readers score matrices: simulated studies and pure noise (negative variances)."""
    out = {}
    for i in range(count):
        n_cases = int(rng.integers(8, 120))
        readers = [f"R{j}" for j in range(int(rng.integers(2, 5)))]
        if i % 3 == 2:
            # Independent uniform scores: judge or subject variance often estimates negative,
            # which exercises psych's lme4 boundary fit.
            out[f"matrix_{i:02d}"] = rng.integers(1, 6, (n_cases, len(readers)))
            continue
        seed = int(rng.integers(1e9))
        frame = simulate_ratings(n_cases=n_cases, readers=readers, sites=["A"],
                                 sequences=["T2W"], criteria=["noise"], seed=seed)  # fmt: skip
        frame = frame[frame["arm"] == ("enhanced" if i % 2 else "conventional")]
        out[f"matrix_{i:02d}"] = frame.pivot(
            index="case", columns="reader", values="score"
        ).to_numpy()
    return out


def _differences(rng: np.random.Generator, count: int) -> dict[str, np.ndarray]:
    """Paired differences of every kind R's wilcox.test distinguishes."""
    out = {}
    for i in range(count):
        kind = i % 4
        if kind == 0:  # Likert differences: ties and zeros, normal approximation
            d = rng.integers(-2, 4, int(rng.integers(10, 300))).astype(float)
        elif kind == 1:  # continuous, small n: exact distribution
            d = np.round(rng.normal(0.4, 1.0, int(rng.integers(5, 49))), 6)
        elif kind == 2:  # continuous, n >= 50: normal approximation without ties
            d = np.round(rng.normal(0.2, 1.0, int(rng.integers(50, 400))), 6)
        else:  # per-case means over 3 readers: float ties such as 1/3 and 2/3
            d = rng.integers(-3, 6, (int(rng.integers(10, 300)), 3)).sum(axis=1) / 3.0
        out[f"wilcox_{i:02d}"] = d
    return out


def _ours(matrices, differences, pvalues) -> dict[tuple[str, str], float]:
    values = {}
    for name, d in differences.items():
        result = wilcoxon_signed_rank(d)
        values[name, "wilcoxon V"] = result.V
        values[name, "wilcoxon p"] = result.p
        if d.size > 1 and d.std() > 0:
            values[name, "t-test p"] = paired_t_p(d)
            ci = mean_difference(d)["ci95"]
            values[name, "t CI low"], values[name, "t CI high"] = ci
    for name, p in pvalues.items():
        for method, label in (("holm", "holm"), ("bh", "BH")):
            for i, value in enumerate(adjust_pvalues(list(p), method), start=1):
                values[name, f"{label} {i:02d}"] = value
    for name, m in matrices.items():
        modes = (
            (True, "psych default, tight lme4"),
            (True, "psych default, lme4 as shipped"),
            (False, "psych lmer=FALSE"),
        )
        for reml, tag in modes:
            result = icc(m, reml=reml)
            for form in ICC_FORMS:
                r = result[form]
                for key, value in (("value", r["value"]), ("F", r["F"]), ("df1", r["df1"]),
                                   ("df2", r["df2"]), ("p", r["p"]), ("lower", r["ci95"][0]),
                                   ("upper", r["ci95"][1])):  # fmt: skip
                    values[name, f"{tag} {form} {key}"] = value
        values[name, "kendall W (friedman)"] = kendall_w(m)
        codes = m - 1
        for i in range(m.shape[1] - 1):
            for j in range(i + 1, m.shape[1]):
                for kind in ("linear", "quadratic"):
                    key = f"kappa {kind} {i + 1}-{j + 1}"
                    values[name, key] = weighted_kappa(codes[:, i], codes[:, j], 5, kind)
    return values


def _family(statistic: str) -> str:
    """Group statistics for the summary table."""
    for prefix in ("psych default, tight lme4", "psych default, lme4 as shipped",
                   "psych lmer=FALSE"):  # fmt: skip
        if statistic.startswith(prefix):
            key = statistic.rsplit(" ", 1)[1]
            key = {"lower": "CI", "upper": "CI", "df1": "df", "df2": "df"}.get(key, key)
            return f"ICC, 6 forms, {key} vs {prefix}"
    if statistic.startswith(("holm", "BH")):
        return f"p.adjust {statistic.split()[0]}"
    if statistic.startswith("kappa"):
        return f"vcd::Kappa {statistic.split()[1]}"
    if statistic.startswith("t CI"):
        return "t.test CI"
    return statistic


def _krippendorff_rows(rng: np.random.Generator, count: int) -> list[tuple]:
    import krippendorff

    diffs = defaultdict(list)
    for _ in range(count):
        data = rng.integers(1, 6, (int(rng.integers(2, 5)), int(rng.integers(5, 80)))).astype(float)
        data[rng.random(data.shape) < 0.15] = np.nan
        counts = category_counts(data.T - 1, 5)
        for level in ("ordinal", "interval"):
            ours = krippendorff_alpha(counts, np.arange(1, 6), level)
            theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
            if ours is None or not np.isfinite(theirs):
                continue
            diffs[f"Krippendorff alpha {level} (krippendorff pkg)"].append(abs(ours - theirs))
    return [(k, len(v), max(v), max(v)) for k, v in diffs.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=12, help="datasets per kind")
    parser.add_argument("--seed", type=int, default=20250101)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    matrices = _matrices(rng, args.datasets)
    differences = _differences(rng, args.datasets)
    pvalues = {f"padjust_{i:02d}": np.round(rng.random(21) ** 3, 8) for i in range(args.datasets)}

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, m in matrices.items():
            pd.DataFrame(m, columns=[f"r{j + 1}" for j in range(m.shape[1])]).to_csv(
                folder / f"{name}.csv", index=False
            )
        for name, d in differences.items():
            # repr keeps every bit, so R sees the same ties as we do.
            (folder / f"{name}.csv").write_text("d\n" + "\n".join(repr(float(x)) for x in d) + "\n")
        for name, p in pvalues.items():
            pd.DataFrame({"p": p}).to_csv(folder / f"{name}.csv", index=False)
        subprocess.run(["Rscript", str(Path(__file__).with_name("validate.R")), str(folder)],
                       check=True)  # fmt: skip
        reference = pd.read_csv(folder / "r_results.csv")

    ours = _ours(matrices, differences, pvalues)
    worst: dict[str, list[tuple[float, float]]] = defaultdict(list)
    missing = []
    for row in reference.itertuples(index=False):
        mine = ours.get((row.dataset, row.statistic))
        theirs = row.value
        family = _family(row.statistic)
        if mine is None or not np.isfinite(mine):
            if np.isfinite(theirs):
                missing.append((row.dataset, row.statistic, theirs))
            worst[family].append((0.0, 0.0))
            continue
        if not np.isfinite(theirs):
            missing.append((row.dataset, row.statistic, mine))
            continue
        diff = abs(mine - theirs)
        worst[family].append((diff, diff / max(1.0, abs(theirs))))

    rows = [
        (family, len(v), max(d for d, _ in v), max(r for _, r in v))
        for family, v in sorted(worst.items())
    ]
    rows += _krippendorff_rows(rng, args.datasets * 3)
    width = max(len(r[0]) for r in rows)
    print(
        f"{len(matrices)} score matrices ({_boundary_count(matrices)} with a negative variance "
        f"component), {len(differences)} difference vectors, {len(pvalues)} P-value families"
    )
    print(f"{'statistic':<{width}}  {'n':>5}  {'max |diff|':>10}  {'max rel':>9}  result")
    failed = False
    for family, n, diff, relative in rows:
        if relative < TOLERANCE:
            verdict = "PASS"
        elif "as shipped" in family and relative < LME4_TOLERANCE:
            verdict = "PASS at lme4's tolerance"
        else:
            verdict = "FAIL"
            failed = True
        print(f"{family:<{width}}  {n:>5}  {diff:>10.2e}  {relative:>9.2e}  {verdict}")
    for dataset, statistic, value in missing:
        failed = True
        print(f"FAIL {dataset} {statistic}: one side has no value ({value})")
    print(f"\n{'ALL PASS' if not failed else 'SOME FAILED'} (tolerance {TOLERANCE:g}, 4 decimals)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
