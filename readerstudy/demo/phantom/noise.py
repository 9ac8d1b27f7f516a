"""Acquisition and reconstruction of the phantom: k-space artifacts, truncation, Rician noise.

One acquisition per sequence (the object's k-space, with motion or pulsation if the case has them)
feeds two reconstructions: the conventional one (hard k-space truncation, full noise) and the
enhanced one that stands in for DL reconstruction (milder, tapered truncation, much less noise).
Both read the same k-space, so their geometry and their motion/pulsation ghosts are identical.
Pure numpy/scipy: no Django here.

References
----------
Gudbjartsson H, Patz S. The Rician distribution of noisy MRI data. Magn Reson Med 1995;34:910-4.
Zaitsev M, Maclaren J, Herbst M. Motion artifacts in MRI: a complex problem with many partial
solutions. J Magn Reson Imaging 2015;42:887-901.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import fft

# Phase encoding runs along the columns (x, patient left-right), as in most axial brain
# protocols; ghosts therefore repeat along x. DICOM: InPlanePhaseEncodingDirection "ROW".
PHASE_AXIS = -1
_WORKERS = -1  # scipy.fft threads: all cores


@dataclass(frozen=True)
class Reconstruction:
    """How one arm turns the shared k-space into an image."""

    k_fraction: float  # central fraction of k-space kept along each in-plane axis
    taper: float  # Tukey taper as a fraction of the kept window; 0 = hard cut (Gibbs ringing)
    noise_scale: float  # image noise SD relative to the acquisition's sigma


RECONSTRUCTIONS: dict[str, Reconstruction] = {
    "conventional": Reconstruction(k_fraction=0.65, taper=0.0, noise_scale=1.0),
    # DL reconstruction modelled as sharper (extrapolated, apodised k-space) and denoised.
    "enhanced": Reconstruction(k_fraction=0.9, taper=0.4, noise_scale=0.35),
}


@dataclass(frozen=True)
class Motion:
    """Periodic rigid in-plane shift during the scan, varying with the phase-encode line."""

    amplitude_px: tuple[float, float]  # peak shift along (x, y) in pixels
    period_lines: float
    phase: float


@dataclass(frozen=True)
class Pulsation:
    """Periodic signal modulation of a pulsatile structure (vessel or ventricular CSF)."""

    depth: float  # modulation depth; each first-order ghost carries depth / 2 of the signal
    period_lines: float
    phase: float


@dataclass(frozen=True)
class ArtifactPlan:
    """Which acquisition artifacts a sequence has; shared by both arms (DL does not undo them)."""

    motion: Motion | None = None
    pulsation: Pulsation | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(
            name for name, a in (("motion", self.motion), ("pulsation", self.pulsation)) if a
        )


def plan_artifacts(
    rng: np.random.Generator, *, motion_p: float, pulsation_p: float
) -> ArtifactPlan:
    """Draw a sequence's artifacts. Always draws the same numbers so other streams don't shift."""
    has_motion, has_pulsation = rng.random(2) < (motion_p, pulsation_p)
    amplitude = rng.uniform(0.3, 1.1, size=2) * rng.choice([-1.0, 1.0], size=2)
    motion = Motion(
        amplitude_px=(float(amplitude[0]), float(amplitude[1])),
        period_lines=float(rng.uniform(6.0, 14.0)),
        phase=float(rng.uniform(0, 2 * np.pi)),
    )
    pulsation = Pulsation(
        depth=float(rng.uniform(0.5, 0.9)),
        period_lines=float(rng.uniform(3.0, 6.0)),
        phase=float(rng.uniform(0, 2 * np.pi)),
    )
    return ArtifactPlan(
        motion=motion if has_motion else None,
        pulsation=pulsation if has_pulsation else None,
    )


def _line_order(n: int) -> np.ndarray:
    """Acquisition time (0..n-1) of each phase-encode line in FFT order; linear ordering."""
    return (np.fft.fftfreq(n) * n + n // 2).astype(np.float32)


def acquire(
    image: np.ndarray, *, plan: ArtifactPlan, pulsatile: np.ndarray | None = None
) -> np.ndarray:
    """Centred 2-D k-space (FFT order) of each slice, with the plan's artifacts applied.

    Motion: each phase-encode line sees the object shifted by d(t), a linear phase ramp
    exp(-2 pi i f.d(t)) in k-space; periodic d(t) gives ghosts along the phase direction.
    Pulsation: the pulsatile structure's k-space is modulated by m cos(2 pi t / T), which puts
    copies of it at +-n/T pixels along the phase direction and leaves the rest untouched.
    """
    kspace = fft.fft2(image.astype(np.complex64), workers=_WORKERS)
    rows, cols = image.shape[-2:]
    t = _line_order(cols)
    if plan.motion is not None:
        m = plan.motion
        wave = np.sin(np.float32(2 * np.pi / m.period_lines) * t + np.float32(m.phase))
        fx = np.fft.fftfreq(cols).astype(np.float32)[None, :]
        fy = np.fft.fftfreq(rows).astype(np.float32)[:, None]
        shift = fx * (m.amplitude_px[0] * wave)[None, :] + fy * (m.amplitude_px[1] * wave)[None, :]
        kspace *= np.exp(np.complex64(-2j * np.pi) * shift.astype(np.complex64))
    if plan.pulsation is not None and pulsatile is not None:
        p = plan.pulsation
        modulation = np.float32(p.depth) * np.cos(
            np.float32(2 * np.pi / p.period_lines) * t + np.float32(p.phase)
        )
        kspace += fft.fft2(pulsatile.astype(np.complex64), workers=_WORKERS) * modulation
    return kspace


def kspace_window(n: int, recon: Reconstruction) -> np.ndarray:
    """1-D window over FFT-ordered k-space: keeps the central k_fraction, optionally tapered."""
    k = np.abs(np.fft.fftfreq(n) * n)  # distance from the k-space centre in samples
    half = recon.k_fraction * n / 2
    window = (k < half).astype(np.float32)
    if recon.taper > 0:
        start = half * (1 - recon.taper)
        ramp = (k >= start) & (k < half)
        window[ramp] = 0.5 * (1 + np.cos(np.pi * (k[ramp] - start) / (half - start)))
    return window


def reconstruct(kspace: np.ndarray, recon: Reconstruction) -> np.ndarray:
    """Complex image from the arm's share of k-space, zero-filled to the full matrix."""
    rows, cols = kspace.shape[-2:]
    window = kspace_window(rows, recon)[:, None] * kspace_window(cols, recon)[None, :]
    return fft.ifft2(kspace * window, workers=_WORKERS)


def draw_complex_noise(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Unit-variance Gaussian noise in each of the real and imaginary channels."""
    noise = np.empty(shape, dtype=np.complex64)
    view = noise.view(np.float32)
    rng.standard_normal(view.shape, dtype=np.float32, out=view)
    return noise


def magnitude(image: np.ndarray, noise: np.ndarray | None = None, sigma: float = 0.0) -> np.ndarray:
    """Magnitude image |s + sigma * n|: Rician where noise is given (Gudbjartsson & Patz 1995)."""
    if noise is None or sigma == 0:
        return np.abs(image)
    return np.abs(image + np.float32(sigma) * noise)


def to_stored(image: np.ndarray, *, bits_stored: int) -> np.ndarray:
    """Round and clip a magnitude image to the unsigned integer range DICOM will store."""
    out = np.rint(image)
    np.clip(out, 0, (1 << bits_stored) - 1, out=out)
    return out.astype(np.uint16)
