"""Synthetic glioma brain MRI: one case = T2W, FLAIR and T1CE, each in a conventional and an
enhanced (DL-like) reconstruction, with the ground truth needed to test SNR/CNR code.

The same seed always gives the same case, down to the noise. Pure numpy/scipy: no Django here;
`phantom_dicom` writes the cases out as DICOM.

Usage::

    case = make_case(0, seed=42)
    t2_conventional = case.volumes["T2W", "conventional"]  # uint16, (slices, rows, cols)
    wm = case.mask(Tissue.WHITE_MATTER)
    case.noise_sigma["enhanced"], case.tissue_means["T2W"][Tissue.WHITE_MATTER]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from readerstudy.demo.phantom.anatomy import (
    TISSUE_OF_COMPARTMENT,
    Anatomy,
    Compartment,
    Geometry,
    Lesion,
    Tissue,
    build_anatomy,
)
from readerstudy.demo.phantom.noise import (
    RECONSTRUCTIONS,
    ArtifactPlan,
    acquire,
    draw_complex_noise,
    magnitude,
    plan_artifacts,
    reconstruct,
    to_stored,
)
from readerstudy.studies.vocabulary import ARMS

__all__ = [
    "ARMS",
    "BITS_STORED",
    "DEFAULT_NOISE_SIGMA",
    "RECONSTRUCTIONS",
    "SEQUENCES",
    "ArtifactPlan",
    "Compartment",
    "Geometry",
    "Lesion",
    "PhantomCase",
    "Tissue",
    "make_case",
]

SEQUENCES: tuple[str, ...] = ("T2W", "FLAIR", "T1CE")

# Stored like a scanner's 12-bit magnitude images (values 0..4095 in uint16).
BITS_STORED = 12
# On the ~0-1000 intensity scale this gives white-matter SNR ~15-20 conventional, ~45-60 enhanced.
DEFAULT_NOISE_SIGMA = 25.0

C = Compartment
# Noiseless signal of each compartment (arbitrary units, ~0-1000) per sequence.
# T2W: CSF brightest, GM > WM, edema and necrosis bright, flowing blood void.
# FLAIR: CSF suppressed, edema and tumour bright. T1CE: WM > GM > CSF, enhancing rim and
# dural sinus bright, necrosis dark, fat in the scalp bright.
BASE_INTENSITIES: dict[str, dict[Compartment, float]] = {
    "T2W": {
        C.AIR: 0, C.SCALP: 380, C.SKULL: 40, C.VESSEL: 60, C.CSF: 950, C.VENTRICLE: 950,
        C.GRAY_MATTER: 560, C.WHITE_MATTER: 420, C.EDEMA: 800, C.ENHANCING_RIM: 640,
        C.NECROSIS: 900,
    },
    "FLAIR": {
        C.AIR: 0, C.SCALP: 420, C.SKULL: 30, C.VESSEL: 40, C.CSF: 70, C.VENTRICLE: 70,
        C.GRAY_MATTER: 500, C.WHITE_MATTER: 380, C.EDEMA: 820, C.ENHANCING_RIM: 700,
        C.NECROSIS: 460,
    },
    "T1CE": {
        C.AIR: 0, C.SCALP: 720, C.SKULL: 50, C.VESSEL: 880, C.CSF: 140, C.VENTRICLE: 140,
        C.GRAY_MATTER: 440, C.WHITE_MATTER: 580, C.EDEMA: 360, C.ENHANCING_RIM: 960,
        C.NECROSIS: 170,
    },
}  # fmt: skip

# What pulsates: the enhancing sinus on T1CE; ventricular CSF on T2W, and on FLAIR the inflow of
# non-inverted CSF, which shows bright although still CSF is dark.
_PULSATILE: dict[str, tuple[Compartment, float | None]] = {
    "T2W": (C.VENTRICLE, None),
    "FLAIR": (C.VENTRICLE, 450.0),
    "T1CE": (C.VESSEL, None),
}
_MOTION_PROBABILITY = 0.15
_PULSATION_PROBABILITY = 0.2


@dataclass(frozen=True, eq=False)
class PhantomCase:
    """One synthetic case and its ground truth.

    Attributes
    ----------
    volumes
        ``(sequence, arm) -> uint16 array (slices, rows, cols)``, values 0..4095.
    labels
        `Tissue` label per voxel; `compartments` is the finer map that drives the intensities.
    noise_sigma
        ``arm -> SD`` of the Gaussian noise in each channel before the magnitude; in tissue with
        SNR above ~5 this is the image noise SD, in air the image is Rayleigh (SD 0.655 sigma).
    intensities
        ``sequence -> compartment -> noiseless signal``.
    tissue_means
        ``sequence -> Tissue -> mean noiseless signal`` over that label (before reconstruction).
    artifacts
        ``sequence -> ArtifactPlan``; both arms of a sequence share it.
    """

    case_index: int
    seed: int
    anatomy: Anatomy
    labels: np.ndarray
    volumes: dict[tuple[str, str], np.ndarray]
    noise_sigma: dict[str, float]
    intensities: dict[str, dict[Compartment, float]]
    tissue_means: dict[str, dict[Tissue, float]]
    artifacts: dict[str, ArtifactPlan]

    @property
    def geometry(self) -> Geometry:
        return self.anatomy.geometry

    @property
    def compartments(self) -> np.ndarray:
        return self.anatomy.compartments

    @property
    def lesion(self) -> Lesion:
        return self.anatomy.lesion

    def mask(self, *which: Tissue | Compartment) -> np.ndarray:
        """Boolean mask of the union of the given tissues and/or compartments."""
        out = np.zeros(self.labels.shape, dtype=bool)
        for item in which:
            source = self.compartments if isinstance(item, Compartment) else self.labels
            out |= source == item
        return out

    def noiseless(self, sequence: str) -> np.ndarray:
        """The object itself: piecewise-constant signal, before acquisition (float32)."""
        return _lookup(self.intensities[sequence], self.compartments)

    def noise_free(self, sequence: str, arm: str) -> np.ndarray:
        """The arm's reconstruction without noise (float32): truncation, blur and artifacts only.

        ``volumes[sequence, arm] - noise_free(sequence, arm)`` is the noise (plus rounding), which
        is how the tests check the configured sigma.
        """
        out = np.empty(self.geometry.shape, dtype=np.float32)
        for slab in self.geometry.slabs():
            kspace = _acquire_slab(self, sequence, slab)
            out[slab] = magnitude(reconstruct(kspace, RECONSTRUCTIONS[arm]))
        return out


def make_case(
    case_index: int,
    *,
    seed: int,
    matrix: int = 256,
    slices: int = 24,
    noise_sigma: float = DEFAULT_NOISE_SIGMA,
    artifacts: bool = True,
) -> PhantomCase:
    """Build case number `case_index` of the phantom study drawn from `seed`.

    Anatomy, intensities, artifacts and noise come from separate random streams derived from
    ``(seed, case_index)``, so e.g. changing `noise_sigma` or `artifacts` leaves the anatomy as is.
    """
    if matrix < 32 or slices < 1:
        raise ValueError(f"matrix must be >= 32 and slices >= 1, got {matrix=} {slices=}.")
    if noise_sigma < 0:
        raise ValueError(f"noise_sigma must be >= 0, got {noise_sigma}.")
    anatomy_rng, contrast_rng, artifact_rng, noise_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence([seed, case_index]).spawn(4)
    )
    anatomy = build_anatomy(anatomy_rng, Geometry.axial(matrix=matrix, slices=slices))
    labels = anatomy.labels
    counts = np.bincount(anatomy.compartments.ravel(), minlength=len(Compartment))
    intensities = {seq: _jitter(contrast_rng, BASE_INTENSITIES[seq]) for seq in SEQUENCES}
    plans = {
        seq: plan_artifacts(
            artifact_rng, motion_p=_MOTION_PROBABILITY, pulsation_p=_PULSATION_PROBABILITY
        )
        for seq in SEQUENCES
    }
    if not artifacts:
        plans = {seq: ArtifactPlan() for seq in SEQUENCES}
    sigmas = {arm: noise_sigma * RECONSTRUCTIONS[arm].noise_scale for arm in ARMS}

    case = PhantomCase(
        case_index=case_index,
        seed=seed,
        anatomy=anatomy,
        labels=labels,
        volumes={},
        noise_sigma=sigmas,
        intensities=intensities,
        tissue_means={seq: _tissue_means(counts, intensities[seq]) for seq in SEQUENCES},
        artifacts=plans,
    )
    for seq in SEQUENCES:
        for arm in ARMS:
            case.volumes[seq, arm] = np.empty(anatomy.geometry.shape, dtype=np.uint16)
        # Slab by slab (each slice is its own 2-D acquisition) to bound memory at 512x512.
        for slab in anatomy.geometry.slabs():
            kspace = _acquire_slab(case, seq, slab)
            # One noise draw per acquisition: the enhanced arm sees the same noise, suppressed,
            # as a denoising reconstruction of the same raw data would.
            noise = draw_complex_noise(noise_rng, kspace.shape)
            for arm in ARMS:
                image = magnitude(reconstruct(kspace, RECONSTRUCTIONS[arm]), noise, sigmas[arm])
                case.volumes[seq, arm][slab] = to_stored(image, bits_stored=BITS_STORED)
    return case


def _acquire_slab(case: PhantomCase, sequence: str, slab: slice) -> np.ndarray:
    plan = case.artifacts[sequence]
    compartments = case.compartments[slab]
    pulsatile = None
    if plan.pulsation is not None:
        compartment, override = _PULSATILE[sequence]
        signal = case.intensities[sequence][compartment] if override is None else override
        pulsatile = np.where(compartments == compartment, np.float32(signal), np.float32(0))
    obj = _lookup(case.intensities[sequence], compartments)
    return acquire(obj, plan=plan, pulsatile=pulsatile)


def _jitter(rng: np.random.Generator, base: dict[Compartment, float]) -> dict[Compartment, float]:
    """Per-case receiver gain and small per-tissue variation; contrast order stays intact."""
    gain = rng.uniform(0.92, 1.08)
    factors = 1.0 + 0.02 * np.clip(rng.standard_normal(len(Compartment)), -2.0, 2.0)
    return {c: float(base[c] * gain * factors[c]) for c in Compartment}


def _lookup(values: dict[Compartment, float], compartments: np.ndarray) -> np.ndarray:
    lut = np.array([values[c] for c in Compartment], dtype=np.float32)
    return lut[compartments]


def _tissue_means(
    compartment_counts: np.ndarray, values: dict[Compartment, float]
) -> dict[Tissue, float]:
    """Mean noiseless signal per label: compartment values weighted by their voxel counts."""
    totals = dict.fromkeys(Tissue, 0.0)
    counts = dict.fromkeys(Tissue, 0)
    for c in Compartment:
        tissue = TISSUE_OF_COMPARTMENT[c]
        totals[tissue] += values[c] * int(compartment_counts[c])
        counts[tissue] += int(compartment_counts[c])
    return {t: totals[t] / counts[t] if counts[t] else float("nan") for t in Tissue}
