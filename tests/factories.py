"""Small builders for tests and benchmarks: cases with synthetic conventional/enhanced series.

Volumes go through the real storage path (``volume_save``) and display defaults through the
real rule (``display_defaults``), so reading code sees exactly what an import would give it.
With ``tells=True`` the enhanced series carry every DL giveaway we know of in the places a
careless platform would leak them (provenance headers, series UID, storage key, case
identifier), for the leak crawl.
"""

from __future__ import annotations

import hashlib
import io

import numpy as np
from django.core.files.base import ContentFile

from readerstudy.imaging.blinding import display_defaults
from readerstudy.imaging.models import PairCheck, Series, SeriesProvenance
from readerstudy.imaging.volumes import volume_save, volume_sha256, volume_storage
from readerstudy.studies.models import Case, Membership, Sequence, Site, Study
from readerstudy.studies.services import membership_grant

# Strings that would give the enhanced arm away if a reader ever saw them.
TELL_STRINGS = {
    "SeriesDescription": "AX T2 DLRecon ENHANCED",
    "ProtocolName": "t2_tse_ax_DL",
    "SoftwareVersions": ["syngo MR XA30", "SwiftMR 3.1.4 DL"],
    "ImageType": ["DERIVED", "SECONDARY", "DL_ENHANCED"],
    "DerivationDescription": "Deep learning denoising and super-resolution (SwiftMR)",
    "Manufacturer": "AIRS Medical",
    "SeriesNumber": 1203,
    "SOPClassUID": "1.2.840.10008.5.1.4.1.1.7",
    "WindowCenter": 1234.5,
    "WindowWidth": 2469.0,
}
TELL_UID_ROOT = "1.2.826.0.1.3680043.10.777"
TELL_KEY_MARK = "dl-enhanced-swiftmr"
CONVENTIONAL_DESCRIPTION = "AX T2 TSE conventional"


def phantom_volume(shape: tuple[int, int, int], *, seed: int, enhanced: bool) -> np.ndarray:
    """A cheap head-like volume: a bright ellipse with a lesion, plus noise (less when enhanced)."""
    rng = np.random.default_rng(seed)
    slices, rows, columns = shape
    y, x = np.mgrid[0:rows, 0:columns]
    inside = ((y - rows / 2) / (rows * 0.42)) ** 2 + ((x - columns / 2) / (columns * 0.36)) ** 2
    base = np.where(inside < 1, 500.0, 0.0) + np.where(inside < 0.05, 300.0, 0.0)
    noise_sd = 8.0 if enhanced else 25.0
    volume = base[None] * np.linspace(0.8, 1.0, slices)[:, None, None]
    volume = volume + rng.normal(0, noise_sd, size=(slices, rows, columns))
    return np.clip(volume, 0, 4095).astype("<i2")


def _save_with_key(volume: np.ndarray, key: str) -> str:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(volume), allow_pickle=False)
    return volume_storage().save(key, ContentFile(buffer.getvalue()))


def make_series(
    *,
    case: Case,
    sequence: Sequence,
    arm: str,
    volume: np.ndarray,
    tells: bool = False,
    number: int = 0,
) -> Series:
    """Store a volume and its Series row (plus provenance) the way an import would."""
    plant = tells and arm == "enhanced"
    if plant:
        key = _save_with_key(volume, f"v/{TELL_KEY_MARK}/{case.identifier}-{number}.npy")
    else:
        key = volume_save(volume)
    uid_root = TELL_UID_ROOT if plant else "1.2.826.0.1.3680043.10.555"
    defaults = display_defaults(volume)
    series = Series.objects.create(
        case=case,
        sequence=sequence,
        arm=arm,
        rows=volume.shape[1],
        columns=volume.shape[2],
        slices=volume.shape[0],
        dtype="uint16" if volume.dtype == np.dtype("<u2") else "int16",
        pixel_spacing_row=0.9,
        pixel_spacing_column=0.9,
        slice_spacing=5.0,
        window_center=defaults["window_center"],
        window_width=defaults["window_width"],
        intensity_low=defaults["intensity_low"],
        intensity_high=defaults["intensity_high"],
        storage_key=key,
        content_sha256=volume_sha256(volume),
        series_uid=f"{uid_root}.{case.pk}.{sequence.pk}.{number}",
    )
    headers = dict(TELL_STRINGS) if plant else {"SeriesDescription": CONVENTIONAL_DESCRIPTION}
    headers["SeriesInstanceUID"] = series.series_uid
    SeriesProvenance.objects.create(
        series=series,
        headers=headers,
        file_count=volume.shape[0],
        source=f"/import/{TELL_KEY_MARK if plant else 'conv'}/{case.identifier}",
    )
    return series


def add_cases(
    study: Study,
    count: int,
    *,
    shape: tuple[int, int, int] = (4, 16, 16),
    site: Site | None = None,
    sequences: list[Sequence] | None = None,
    tells: bool = False,
    identifier_prefix: str = "PT",
    seed: int = 0,
) -> list[Case]:
    """``count`` cases, each with both arms of every sequence and a complete pair check."""
    site = site or Site.objects.filter(study=study).first()
    if site is None:
        site = Site.objects.create(study=study, name="Site 1")
    sequences = sequences if sequences is not None else list(study.sequences.all())
    start = Case.objects.filter(study=study).count()
    cases = []
    for index in range(start, start + count):
        # A careless platform might show the identifier; with tells it names the DL product too.
        identifier = f"{identifier_prefix}-{index:04d}" + ("-SwiftMR" if tells else "")
        case = Case.objects.create(study=study, site=site, identifier=identifier)
        for s_index, sequence in enumerate(sequences):
            for a_index, arm in enumerate(("conventional", "enhanced")):
                volume_seed = int(
                    hashlib.sha256(f"{seed}:{identifier}:{sequence.key}".encode()).hexdigest()[:8],
                    16,
                )
                volume = phantom_volume(
                    shape, seed=volume_seed + a_index, enhanced=arm == "enhanced"
                )
                make_series(
                    case=case,
                    sequence=sequence,
                    arm=arm,
                    volume=volume,
                    tells=tells,
                    number=s_index * 2 + a_index,
                )
            PairCheck.objects.create(case=case, sequence=sequence, status="complete")
        cases.append(case)
    return cases


def add_reader(study: Study, username: str, *, site: Site | None = None, password: str = ""):
    """A reader of ``study`` (created if new) with a usable password when one is given."""
    site = site or Site.objects.filter(study=study).first()
    membership = membership_grant(
        study=study, username=username, role=Membership.Role.READER, site=site
    )
    user = membership.user
    if password:
        user.set_password(password)
        user.save()
    return user


def keep_sequences(study: Study, keys: list[str]) -> list[Sequence]:
    """Trim the template's sequences to ``keys`` (small studies make fast tests)."""
    study.sequences.exclude(key__in=keys).delete()
    return list(study.sequences.all())


def keep_criteria(study: Study, keys: list[str]) -> None:
    study.criteria.exclude(key__in=keys).delete()
