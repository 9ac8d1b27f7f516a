"""Flat tables of ``results.json`` for the CSV files (one table per file)."""

from __future__ import annotations

import pandas as pd

from readerstudy.analysis.stats.icc import ICC_FORMS

__all__ = ["TABLE_NAMES", "results_tables"]

TABLE_NAMES = (
    "paired",
    "mrmc",
    "mrmc_readers",
    "agreement",
    "noninferiority",
    "pooled_model",
    "quantitative",
    "power",
    "power_cases_needed",
)
_FALLBACK_KEYS = ("method", "estimand", "working_correlation", "reason", "estimate", "ci95", "p")


def _flatten(row: dict, prefix: str = "") -> dict:
    """Nested dicts become ``a_b`` columns; ``ci95`` lists become ``..._ci_low/_ci_high``."""
    flat = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}_"))
        elif key == "ci95":
            flat[f"{prefix}ci_low"], flat[f"{prefix}ci_high"] = value
        elif isinstance(value, list):
            flat[name] = "|".join(map(str, value))
        else:
            flat[name] = value
    return flat


def _agreement_long(rows: list[dict]) -> pd.DataFrame:
    records = []
    for row in rows:
        base = {k: row[k] for k in ("sequence", "criterion", "arm", "n_cases", "n_readers")}

        def add(statistic, value, readers="", base=base, **extra):
            records.append(
                base
                | {"statistic": statistic, "readers": readers, "value": value}
                | {
                    "ci_low": extra.get("ci", [None, None])[0],
                    "ci_high": extra.get("ci", [None, None])[1],
                    "F": extra.get("F"),
                    "df1": extra.get("df1"),
                    "df2": extra.get("df2"),
                    "p": extra.get("p"),
                }
            )

        for form in ICC_FORMS:
            icc = row["icc"][form]
            add(
                form,
                icc["value"],
                ci=icc["ci95"],
                F=icc["F"],
                df1=icc["df1"],
                df2=icc["df2"],
                p=icc["p"],
            )
        for pair in row["weighted_kappa"]:
            readers = "|".join(pair["readers"])
            add("weighted_kappa_linear", pair["linear"], readers)
            add("weighted_kappa_quadratic", pair["quadratic"], readers)
        add("fleiss_kappa", row["fleiss_kappa"])
        add("kendall_w", row["kendall_w"])
        add("krippendorff_alpha_ordinal", row["krippendorff_alpha"]["ordinal"])
        add("krippendorff_alpha_interval", row["krippendorff_alpha"]["interval"])
        add("gwet_ac2_linear", row["gwet_ac2_linear"])
        add("percent_agreement", row["percent_agreement"])
    columns = [
        "sequence", "criterion", "arm", "n_cases", "n_readers", "statistic", "readers",
        "value", "ci_low", "ci_high", "F", "df1", "df2", "p",
    ]  # fmt: skip
    return pd.DataFrame.from_records(records, columns=columns)


def _mrmc_rows(rows: list[dict]) -> list[dict]:
    return [_flatten({k: v for k, v in row.items() if k != "per_reader"}) for row in rows]


def _mrmc_reader_rows(rows: list[dict]) -> list[dict]:
    return [
        {"sequence": row["sequence"], "criterion": row["criterion"]} | _flatten(reader)
        for row in rows
        for reader in row["per_reader"]
    ]


def _pooled_rows(rows: list[dict]) -> list[dict]:
    # Every row gets the fallback columns, empty when the cumulative-logit model fitted.
    empty = dict.fromkeys(_FALLBACK_KEYS) | {"ci95": [None, None]}
    return [_flatten(row | {"fallback": row["fallback"] or empty}) for row in rows]


def _power_rows(power: dict) -> list[dict]:
    return [
        {"sequence": f["sequence"], "criterion": f["criterion"]} | g
        for f in power["families"]
        for g in f["grid"]
    ]


def _power_needed_rows(power: dict) -> list[dict]:
    records = []
    for f in power["families"]:
        for target, needed in f["cases_needed"].items():
            best = f["smallest"].get(target) or {}
            for n in needed:
                records.append(
                    {"sequence": f["sequence"], "criterion": f["criterion"], "target": target}
                    | n
                    | {"smallest": best.get("readers") == n["readers"] and n["cases"] is not None}
                )
    return records


_BUILDERS = {
    "mrmc": lambda results: _mrmc_rows(results["mrmc"]),
    "mrmc_readers": lambda results: _mrmc_reader_rows(results["mrmc"]),
    "pooled_model": lambda results: _pooled_rows(results["pooled_model"]),
    "power": lambda results: _power_rows(results["power"]),
    "power_cases_needed": lambda results: _power_needed_rows(results["power"]),
}


def results_tables(results: dict) -> dict[str, pd.DataFrame]:
    """One flat DataFrame per table of ``results.json``.

    ``agreement`` is long (one row per statistic, reader pair for kappa); ``mrmc_readers`` has
    one row per family and reader, ``power`` one per family, readers and cases of the grid,
    ``power_cases_needed`` one per family, target and number of readers; the others are wide
    with nested keys joined by ``_`` (e.g. ``conventional_mean``, ``mean_difference_ci_low``,
    ``random_readers_ci_low``, ``fallback_estimate``).

    Parameters
    ----------
    results : dict
        Output of :func:`readerstudy.analysis.run_analysis`.

    Returns
    -------
    dict
        ``{name: DataFrame}`` for every name in :data:`TABLE_NAMES`.
    """
    tables = {}
    for name in TABLE_NAMES:
        if name == "agreement":
            tables[name] = _agreement_long(results[name])
        elif name in _BUILDERS:
            tables[name] = pd.DataFrame(_BUILDERS[name](results))
        else:
            tables[name] = pd.DataFrame([_flatten(row) for row in results[name]])
    return tables
