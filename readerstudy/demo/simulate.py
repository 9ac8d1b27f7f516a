"""Simulated ratings and ROI statistics for the demo study, tests and the benchmark.

The ratings follow a latent-score model: a latent continuous score per case, sequence and
criterion (case difficulty) plus the enhanced arm's effect, a reader offset (one lenient and one
strict reader) and per-score noise (reader disagreement), cut to the integer scale.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from readerstudy.studies.vocabulary import ARMS, CONVENTIONAL, ENHANCED

__all__ = [
    "DEFAULT_CRITERIA",
    "DEFAULT_SEQUENCES",
    "ENHANCEMENT_EFFECT",
    "case_ids",
    "simulate_ratings",
    "simulate_roi_stats",
]

DEFAULT_SEQUENCES = ("T2W", "FLAIR", "T1CE")
DEFAULT_CRITERIA = (
    "overall_quality",
    "noise",
    "gray_white_differentiation",
    "truncation_artifact",
    "motion_artifact",
    "pulsation_artifact",
    "lesion_conspicuity",
)
#: Shift of the latent score (in points of a 1-5 scale) for the enhanced arm. Motion and
#: pulsation are unchanged, so they serve the non-inferiority analysis.
ENHANCEMENT_EFFECT = {
    "overall_quality": 0.8,
    "noise": 1.1,
    "gray_white_differentiation": 0.7,
    "truncation_artifact": 0.6,
    "motion_artifact": 0.0,
    "pulsation_artifact": 0.0,
    "lesion_conspicuity": 0.6,
}
#: Latent conventional-arm mean per criterion on a 1-5 scale.
BASELINE = {
    "overall_quality": 3.4,
    "noise": 3.0,
    "gray_white_differentiation": 3.3,
    "truncation_artifact": 3.5,
    "motion_artifact": 3.9,
    "pulsation_artifact": 3.7,
    "lesion_conspicuity": 3.6,
}
#: Mean and noise SD of each tissue label per sequence in the conventional arm (arbitrary units).
TISSUE = {
    "white_matter": 420.0,
    "gray_matter": 520.0,
    "lesion": 760.0,
    "csf": 1150.0,
    "background": 8.0,
}
SEQUENCE_GAIN = {"T2W": 1.0, "FLAIR": 0.8, "T1CE": 1.3}


def case_ids(n_cases: int) -> list[str]:
    """Case ids ``case-001``... shared by the ratings and ROI simulators."""
    width = max(3, len(str(n_cases)))
    return [f"case-{i:0{width}d}" for i in range(1, n_cases + 1)]


def _reader_offsets(n_readers: int, rng: np.random.Generator) -> np.ndarray:
    offsets = rng.normal(0.0, 0.15, n_readers)
    if n_readers >= 1:
        offsets[0] = 0.45  # the lenient reader
    if n_readers >= 2:
        offsets[1] = -0.45  # the strict reader
    return offsets


def simulate_ratings(
    *,
    n_cases: int,
    readers: Sequence[str],
    sites: Sequence[str],
    sequences: Sequence[str] = DEFAULT_SEQUENCES,
    criteria: Sequence[str] = DEFAULT_CRITERIA,
    seed: int,
    scale: tuple[int, int] = (1, 5),
    study: str = "simulated",
) -> pd.DataFrame:
    """Simulate a blinded paired reader study in the tidy ratings format.

    Parameters
    ----------
    n_cases : int
        Number of cases (patients), spread over the sites in equal blocks.
    readers : sequence of str
        Reader ids; the first is lenient, the second strict, the rest near neutral. Reader i
        belongs to ``sites[i % len(sites)]``.
    sites : sequence of str
        Site names.
    sequences, criteria : sequence of str
        Sequence and criterion keys. Criteria outside :data:`ENHANCEMENT_EFFECT` get no effect.
    seed : int
        Seed of the random generator; the same arguments give the same frame.
    scale : (int, int)
        Lowest and highest score.
    study : str
        Value of the ``study`` column.

    Returns
    -------
    DataFrame
        Columns ``study, site, reader, case, sequence, arm, criterion, score, reader_site, task,
        pane, position, read_order, duration_s``; one row per score.
    """
    rng = np.random.default_rng(seed)
    cases = case_ids(n_cases)
    n_r, n_c, n_s, n_k = len(readers), n_cases, len(sequences), len(criteria)
    case_site = np.array(sites)[np.arange(n_c) * len(sites) // max(n_c, 1)]
    low, high = scale
    stretch = (high - low) / 4.0  # the model is written on a 1-5 scale

    baseline = np.array([BASELINE.get(c, 3.5) for c in criteria])
    effect = np.array([ENHANCEMENT_EFFECT.get(c, 0.0) for c in criteria])
    difficulty = rng.normal(0.0, 0.7, (1, n_c, n_s, 1, 1))
    case_criterion = rng.normal(0.0, 0.45, (1, n_c, n_s, 1, n_k))
    effect_spread = rng.normal(0.0, 0.3, (1, n_c, n_s, 1, n_k)) * (effect > 0)
    arm = np.array([0.0, 1.0]).reshape(1, 1, 1, 2, 1)
    offsets = _reader_offsets(n_r, rng).reshape(n_r, 1, 1, 1, 1)
    noise = rng.normal(0.0, 0.5, (n_r, n_c, n_s, 2, n_k))
    latent = (
        baseline + difficulty + case_criterion + arm * (effect + effect_spread) + offsets + noise
    )
    scores = np.clip(np.rint(low + (latent - 1.0) * stretch), low, high).astype(np.int64)

    r, c, s, a, k = (g.ravel() for g in np.indices(scores.shape))
    reader_names = np.array(readers, dtype=object)
    reader_site = np.array([sites[i % len(sites)] for i in range(n_r)], dtype=object)
    # Each reader reads the case x sequence tasks in their own random order, with the enhanced
    # image on the left in about half of them.
    read_order = np.stack([rng.permutation(n_c * n_s) for _ in range(n_r)]).reshape(n_r, n_c, n_s)
    enhanced_left = rng.integers(0, 2, (n_r, n_c, n_s)).astype(bool)
    left = np.where(a == 1, enhanced_left[r, c, s], ~enhanced_left[r, c, s])
    duration = rng.gamma(4.0, 15.0, (n_r, n_c, n_s))
    cases_arr = np.array(cases, dtype=object)
    seq_arr = np.array(sequences, dtype=object)
    return pd.DataFrame(
        {
            "study": study,
            "site": case_site[c],
            "reader": reader_names[r],
            "case": cases_arr[c],
            "sequence": seq_arr[s],
            "arm": np.array(ARMS, dtype=object)[a],
            "criterion": np.array(criteria, dtype=object)[k],
            "score": scores.ravel(),
            "reader_site": reader_site[r],
            "task": [f"{rr}:{cc}:{ss}" for rr, cc, ss in zip(r, c, s, strict=True)],
            "pane": np.where(left, "A", "B"),
            "position": np.where(left, "left", "right"),
            "read_order": read_order[r, c, s] + 1,
            "duration_s": np.round(duration[r, c, s], 1),
        }
    )


def simulate_roi_stats(
    *,
    n_cases: int,
    sequences: Sequence[str] = DEFAULT_SEQUENCES,
    labels: Sequence[str] = tuple(TISSUE),
    seed: int,
    denoise_factor: float = 0.6,
) -> pd.DataFrame:
    """Simulate ROI statistics (one row per case x sequence x ROI label x arm).

    The enhanced arm keeps each ROI's mean (within 1%) and shrinks the noise SD by about
    ``denoise_factor``, so SNR and CNR rise by roughly its inverse. Tissue heterogeneity keeps
    some SD that denoising cannot remove.

    Parameters
    ----------
    n_cases : int
        Number of cases, with the ids of :func:`case_ids`.
    sequences : sequence of str
        Sequence keys.
    labels : sequence of str
        ROI labels; known tissues get realistic intensities, others white matter's.
    seed : int
        Seed of the random generator.
    denoise_factor : float
        Ratio of enhanced to conventional noise SD.

    Returns
    -------
    DataFrame
        Columns ``case, sequence, label, arm, mean, sd, n_pixels``.
    """
    rng = np.random.default_rng(seed)
    cases = case_ids(n_cases)
    n_c, n_s, n_l = n_cases, len(sequences), len(labels)
    gain = np.array([SEQUENCE_GAIN.get(s, 1.0) for s in sequences]).reshape(1, n_s, 1)
    tissue = np.array([TISSUE.get(lbl, TISSUE["white_matter"]) for lbl in labels])
    level = tissue.reshape(1, 1, n_l) * gain * rng.lognormal(0.0, 0.08, (n_c, n_s, n_l))
    noise_sd = 22.0 * gain * rng.lognormal(0.0, 0.2, (n_c, n_s, 1))
    texture_sd = 0.02 * level
    conv_sd = np.sqrt(noise_sd**2 + texture_sd**2)
    enh_noise = noise_sd * denoise_factor * rng.lognormal(0.0, 0.1, (n_c, n_s, n_l))
    enh_sd = np.sqrt(enh_noise**2 + texture_sd**2)
    enh_level = level * (1.0 + rng.normal(0.0, 0.01, level.shape))
    n_pixels = rng.integers(40, 400, (n_c, n_s, n_l))

    c, s, lab = (g.ravel() for g in np.indices((n_c, n_s, n_l)))
    frames = []
    for arm, mean, sd in ((CONVENTIONAL, level, conv_sd), (ENHANCED, enh_level, enh_sd)):
        frames.append(
            pd.DataFrame(
                {
                    "case": np.array(cases, dtype=object)[c],
                    "sequence": np.array(sequences, dtype=object)[s],
                    "label": np.array(labels, dtype=object)[lab],
                    "arm": arm,
                    "mean": np.round(mean.ravel(), 3),
                    "sd": np.round(sd.ravel(), 3),
                    "n_pixels": n_pixels.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
