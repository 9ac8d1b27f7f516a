"""Numerical brain anatomy for the synthetic phantom.

The head is built in millimetres in the DICOM patient frame (LPS: +x patient left, +y posterior,
+z superior) from a few ellipsoids and depth shells, then sampled on the voxel grid of an axial
2-D multi-slice acquisition. Everything is drawn from the generator handed in, so a case's anatomy
depends only on its seed. Pure numpy: no Django here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

FIELD_OF_VIEW_MM = 230.0
# A clinical axial brain series covers ~144 mm (24 slices of 5 mm with a 1 mm gap); more slices
# make them thinner instead of scanning air below the neck.
SLAB_COVERAGE_MM = 144.0
SLICE_GAP_FRACTION = 1.0 / 6.0
SLAB_CENTRE_Z_MM = 8.0

SCALP_MM = 4.0
SKULL_MM = 6.0


class Tissue(IntEnum):
    """Label map values; the named tissues that ROI and SNR/CNR code works with."""

    BACKGROUND = 0
    SCALP_SKULL = 1
    CSF = 2
    GRAY_MATTER = 3
    WHITE_MATTER = 4
    EDEMA = 5
    LESION = 6  # the tumour, enhancing rim and necrotic core together


class Compartment(IntEnum):
    """Finer ground truth that drives the intensities; each maps onto one `Tissue`."""

    AIR = 0
    SCALP = 1
    SKULL = 2
    VESSEL = 3  # superior sagittal sinus: flow void on T2, enhancing on T1CE
    CSF = 4  # subarachnoid spaces and the interhemispheric fissure
    VENTRICLE = 5
    GRAY_MATTER = 6  # cortical ribbon and deep gray nuclei
    WHITE_MATTER = 7
    EDEMA = 8
    ENHANCING_RIM = 9
    NECROSIS = 10


TISSUE_OF_COMPARTMENT: dict[Compartment, Tissue] = {
    Compartment.AIR: Tissue.BACKGROUND,
    Compartment.SCALP: Tissue.SCALP_SKULL,
    Compartment.SKULL: Tissue.SCALP_SKULL,
    Compartment.VESSEL: Tissue.SCALP_SKULL,
    Compartment.CSF: Tissue.CSF,
    Compartment.VENTRICLE: Tissue.CSF,
    Compartment.GRAY_MATTER: Tissue.GRAY_MATTER,
    Compartment.WHITE_MATTER: Tissue.WHITE_MATTER,
    Compartment.EDEMA: Tissue.EDEMA,
    Compartment.ENHANCING_RIM: Tissue.LESION,
    Compartment.NECROSIS: Tissue.LESION,
}
_TISSUE_LUT = np.array([TISSUE_OF_COMPARTMENT[c] for c in Compartment], dtype=np.uint8)


@dataclass(frozen=True)
class Geometry:
    """Voxel grid of one axial series; both arms of a case share it exactly."""

    matrix: int
    slices: int
    pixel_spacing_mm: float
    slice_thickness_mm: float
    slice_spacing_mm: float

    @classmethod
    def axial(cls, *, matrix: int, slices: int) -> Geometry:
        spacing = SLAB_COVERAGE_MM / slices
        return cls(
            matrix=matrix,
            slices=slices,
            pixel_spacing_mm=FIELD_OF_VIEW_MM / matrix,
            slice_thickness_mm=spacing * (1.0 - SLICE_GAP_FRACTION),
            slice_spacing_mm=spacing,
        )

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.slices, self.matrix, self.matrix)

    def slabs(self, voxels: int = 1 << 21) -> list[slice]:
        """Runs of whole slices of about `voxels` each, to bound temporary memory."""
        step = max(1, voxels // (self.matrix * self.matrix))
        return [slice(i, min(i + step, self.slices)) for i in range(0, self.slices, step)]

    def axes_mm(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Voxel-centre coordinates (x per column, y per row, z per slice), ascending."""
        inplane = (np.arange(self.matrix, dtype=np.float32) + 0.5) * self.pixel_spacing_mm
        inplane -= FIELD_OF_VIEW_MM / 2
        z = (np.arange(self.slices, dtype=np.float32) - (self.slices - 1) / 2) * np.float32(
            self.slice_spacing_mm
        ) + np.float32(SLAB_CENTRE_Z_MM)
        return inplane, inplane.copy(), z

    def first_voxel_position_mm(self) -> tuple[float, float, float]:
        """Patient position of the first voxel centre (DICOM ImagePositionPatient of slice 1)."""
        x, y, z = self.axes_mm()
        return float(x[0]), float(y[0]), float(z[0])


@dataclass(frozen=True)
class Lesion:
    centre_mm: tuple[float, float, float]
    radius_mm: float
    necrotic_fraction: float
    edema_ratio: float


@dataclass(frozen=True)
class Anatomy:
    geometry: Geometry
    compartments: np.ndarray  # uint8 Compartment values, shape (slices, rows, cols)
    lesion: Lesion

    @property
    def labels(self) -> np.ndarray:
        return _TISSUE_LUT[self.compartments]


def build_anatomy(rng: np.random.Generator, geometry: Geometry) -> Anatomy:
    """Draw one head: size, position, atrophy, ventricles and a glioma all vary with `rng`."""
    x1, y1, z1 = geometry.axes_mm()
    scale = rng.uniform(0.92, 1.06)
    centre = rng.uniform(-4.0, 4.0, size=3).astype(np.float32)
    semi = np.array([74.0, 94.0, 82.0], dtype=np.float32) * np.float32(scale)
    semi *= rng.uniform(0.97, 1.03, size=3).astype(np.float32)

    x = (x1 - centre[0]).reshape(1, 1, -1)
    y = (y1 - centre[1]).reshape(1, -1, 1)
    z = (z1 - centre[2]).reshape(-1, 1, 1)
    folds = _draw_folds(rng)

    comp = np.zeros(geometry.shape, dtype=np.uint8)
    below_table = np.empty(geometry.shape, dtype=np.float32)  # depth under the skull's inner table
    for slab in geometry.slabs():  # slab by slab keeps the float temporaries small at 512x512
        depth, direction = _ellipsoid_depth(x, y, z[slab], semi)
        part = comp[slab]
        part[depth >= 0] = Compartment.SCALP
        part[depth >= SCALP_MM] = Compartment.SKULL
        below_table[slab] = depth - np.float32(SCALP_MM + SKULL_MM)
        _paint_cortex(part, folds, below_table[slab], direction)

    # Interhemispheric fissure, then the superior sagittal sinus along the midline convexity.
    midline = np.abs(x) < 1.3
    comp[midline & (below_table >= 0) & (below_table < 28.0)] = Compartment.CSF
    comp[(np.abs(x) < 3.5) & (below_table >= 0) & (below_table < 3.5)] = Compartment.VESSEL

    _paint_deep_structures(comp, rng, x, y, z, scale)
    lesion = _paint_glioma(comp, rng, x, y, z, below_table, scale, centre)
    return Anatomy(geometry=geometry, compartments=comp, lesion=lesion)


def _ellipsoid_depth(
    x: np.ndarray, y: np.ndarray, z: np.ndarray, semi: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Approximate depth (mm) below the ellipsoid surface and the unit direction from its centre.

    With the normalised radius r, depth ~ (1 - r) / |grad r| is the first-order distance to the
    surface; it is exact on the surface and good enough for shells a few centimetres thick.
    """
    ax, ay, az = (np.float32(s) for s in semi)
    nx, ny, nz = x / ax, y / ay, z / az
    r = np.sqrt(nx * nx + ny * ny + nz * nz)
    r = np.maximum(r, np.float32(1e-3))
    grad = np.sqrt((nx / ax) ** 2 + (ny / ay) ** 2 + (nz / az) ** 2) / r
    depth = (1.0 - r) / np.maximum(grad, np.float32(1e-6))
    return depth.astype(np.float32), (nx / r, ny / r, nz / r)


@dataclass(frozen=True)
class _Folds:
    csf_width: float
    cortex: float
    sulcal_depth: float
    waves: list[tuple[np.ndarray, float]]  # wave vectors and phases
    bends: list[tuple[np.ndarray, float]]


def _draw_folds(rng: np.random.Generator) -> _Folds:
    csf_width = rng.uniform(1.2, 3.0)  # atrophy varies between patients
    cortex = rng.uniform(2.6, 3.4)
    sulcal_depth = rng.uniform(10.0, 16.0)
    waves = []
    for _ in range(6):
        k, wavenumber, phase = (
            rng.normal(size=3),
            rng.uniform(14.0, 22.0),
            rng.uniform(0, 2 * np.pi),
        )
        waves.append((k * wavenumber / np.linalg.norm(k), phase))
    bends = [(rng.normal(size=3) * 4.0, rng.uniform(0, 2 * np.pi)) for _ in range(2)]
    return _Folds(csf_width, cortex, sulcal_depth, waves, bends)


def _paint_cortex(
    comp: np.ndarray,
    folds: _Folds,
    below_table: np.ndarray,
    direction: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """Subarachnoid CSF, a folded cortical ribbon and white matter under the inner table.

    Sulci follow the zero set of a random field of plane waves over the direction from the
    head centre: a CSF cleft down to the sulcal depth, lined on both sides by cortex, with the
    white-matter core of each gyrus reaching up between them.
    """
    brain = below_table >= 0
    comp[brain] = Compartment.WHITE_MATTER
    f = folds
    shell = brain & (below_table < f.sulcal_depth + f.cortex)  # folding only exists near the top
    b = below_table[shell]
    ux, uy, uz = (np.broadcast_to(d, comp.shape)[shell] for d in direction)

    def plane_wave(k: np.ndarray, phase: float) -> np.ndarray:
        k = k.astype(np.float32)
        return k[0] * ux + k[1] * uy + k[2] * uz + np.float32(phase)

    # A slow warp of the wave phases bends the sulci so they do not run dead straight.
    warp = sum(np.sin(plane_wave(k, phase)) for k, phase in f.bends)
    field = np.zeros(b.shape, dtype=np.float32)
    for k, phase in f.waves:
        field += np.sin(plane_wave(k, phase) + warp)
    # |field| per mm across a sulcus is roughly wavenumber / brain radius (~70 mm) times the
    # field's amplitude, so these thresholds give a ~1.5 mm cleft and ~3 mm of cortex each side.
    slope = np.float32(18.0 / 70.0 * np.sqrt(len(f.waves) / 2))
    distance_mm = np.abs(field) / slope
    shell_comp = np.full(b.shape, Compartment.WHITE_MATTER, dtype=np.uint8)
    deep_enough = b < f.sulcal_depth + f.cortex
    gray = (b < f.csf_width + f.cortex) | ((distance_mm < 0.75 + f.cortex) & deep_enough)
    shell_comp[gray] = Compartment.GRAY_MATTER
    csf = (b < f.csf_width) | ((distance_mm < 0.75) & (b < f.sulcal_depth))
    shell_comp[csf] = Compartment.CSF
    comp[shell] = shell_comp


def _box(
    x: np.ndarray, y: np.ndarray, z: np.ndarray, centre: np.ndarray, radius: float
) -> tuple[slice, slice, slice]:
    """Index ranges of the voxels within `radius` of `centre` along each axis."""

    def span(axis: np.ndarray, c: float) -> slice:
        axis = axis.ravel()
        lo, hi = np.searchsorted(axis, [c - radius, c + radius])
        return slice(int(lo), int(hi))

    return span(z, centre[2]), span(y, centre[1]), span(x, centre[0])


def _ellipsoid(
    x: np.ndarray,
    y: np.ndarray,
    z: np.ndarray,
    centre: tuple[float, float, float],
    semi: tuple[float, float, float],
    yaw_deg: float = 0.0,
) -> tuple[tuple[slice, slice, slice], np.ndarray]:
    """Boolean mask of a (yawed) ellipsoid, restricted to its bounding box for speed."""
    c = np.asarray(centre, dtype=np.float32)
    box = _box(x, y, z, c, float(max(semi)))
    zz, yy, xx = z[box[0]] - c[2], y[:, box[1]] - c[1], x[..., box[2]] - c[0]
    t = np.deg2rad(yaw_deg)
    u = xx * np.float32(np.cos(t)) + yy * np.float32(np.sin(t))
    v = -xx * np.float32(np.sin(t)) + yy * np.float32(np.cos(t))
    inside = (u / semi[0]) ** 2 + (v / semi[1]) ** 2 + (zz / semi[2]) ** 2 <= 1.0
    return box, inside


def _paint_deep_structures(
    comp: np.ndarray,
    rng: np.random.Generator,
    x: np.ndarray,
    y: np.ndarray,
    z: np.ndarray,
    scale: float,
) -> None:
    """Deep gray nuclei, then lateral and third ventricles whose size varies with age/atrophy."""
    s = float(scale)
    for side in (-1.0, 1.0):
        for centre, semi in (
            ((13.0, 6.0, 2.0), (9.0, 14.0, 9.0)),  # thalamus
            ((21.0, -10.0, 4.0), (6.0, 15.0, 10.0)),  # lentiform / caudate body
        ):
            c = (side * centre[0] * s, centre[1] * s, centre[2] * s)
            box, inside = _ellipsoid(x, y, z, c, tuple(a * s for a in semi))
            comp[box][inside & (comp[box] == Compartment.WHITE_MATTER)] = Compartment.GRAY_MATTER

    v = s * rng.uniform(0.75, 1.35)
    for side in (-1.0, 1.0):
        c = (side * 7.5 * s, -4.0 * s, 14.0 * s)
        box, inside = _ellipsoid(x, y, z, c, (4.5 * v, 24.0 * s, 8.0 * v), yaw_deg=-side * 10.0)
        comp[box][inside] = Compartment.VENTRICLE
    box, inside = _ellipsoid(x, y, z, (0.0, 6.0 * s, -2.0 * s), (1.5 * v, 10.0 * s, 8.0 * s))
    comp[box][inside] = Compartment.VENTRICLE


def _paint_glioma(
    comp: np.ndarray,
    rng: np.random.Generator,
    x: np.ndarray,
    y: np.ndarray,
    z: np.ndarray,
    below_table: np.ndarray,
    scale: float,
    head_centre: np.ndarray,
) -> Lesion:
    """An irregular tumour (enhancing rim around necrosis) with vasogenic edema in white matter."""
    radius = float(rng.uniform(8.0, 20.0) * scale)
    side = rng.choice([-1.0, 1.0])
    z_axis = z.ravel()
    # Keep the tumour inside the slab so every case shows its lesion.
    z_lo = max(-15.0, float(z_axis[0]) + radius)
    z_hi = min(38.0, float(z_axis[-1]) - radius)
    centre = np.array(
        [
            side * rng.uniform(18.0, 40.0) * scale,
            rng.uniform(-45.0, 35.0) * scale,
            rng.uniform(min(z_lo, z_hi), max(z_lo, z_hi)),
        ],
        dtype=np.float32,
    )
    # Centre the tumour on a slice so even thick-slice series cut through its necrotic core.
    centre[2] = z_axis[np.abs(z_axis - centre[2]).argmin()]
    necrotic_fraction = float(rng.uniform(0.35, 0.65))
    edema_ratio = float(rng.uniform(1.6, 2.3))
    lobes = [
        (rng.normal(size=3) * rng.uniform(2.0, 4.0), rng.uniform(0, 2 * np.pi)) for _ in range(3)
    ]

    reach = radius * edema_ratio * 1.25
    box = _box(x, y, z, centre, reach)
    dz, dy, dx = z[box[0]] - centre[2], y[:, box[1]] - centre[1], x[..., box[2]] - centre[0]
    dist = np.sqrt(dx * dx + dy * dy + dz * dz)
    safe = np.maximum(dist, np.float32(1e-3))
    wobble = np.zeros(dist.shape, dtype=np.float32)
    for k, phase in lobes:
        wobble += np.sin((k[0] * dx + k[1] * dy + k[2] * dz) / safe + np.float32(phase))
    rho = dist / (np.float32(radius) * (1.0 + np.float32(0.12) * wobble))
    rho_edema = dist / (np.float32(radius * edema_ratio) * (1.0 + np.float32(0.2) * wobble))

    sub = comp[box]
    in_brain = below_table[box] >= 0
    # Vasogenic edema spreads through white matter (and deep nuclei) but spares the cortex.
    deep_gray = (sub == Compartment.GRAY_MATTER) & (below_table[box] > 12.0)
    white = (sub == Compartment.WHITE_MATTER) | deep_gray
    sub[white & (rho_edema < 1.0)] = Compartment.EDEMA
    tumour = in_brain & (rho < 1.0) & (sub != Compartment.VESSEL)
    sub[tumour] = Compartment.ENHANCING_RIM
    sub[tumour & (rho < necrotic_fraction)] = Compartment.NECROSIS
    comp[box] = sub
    world = tuple(float(c) for c in centre + head_centre)
    return Lesion(world, radius, necrotic_fraction, edema_ratio)
