"""The synthetic brain phantom: determinism, noise ground truth, contrast and geometry."""

import numpy as np
import pytest
from scipy import ndimage

from readerstudy.demo.phantom.cases import (
    ARMS,
    SEQUENCES,
    Compartment,
    Tissue,
    make_case,
)

SMALL = {"matrix": 64, "slices": 8}
IN_PLANE = np.ones((1, 3, 3), dtype=bool)  # morphology within slices only


@pytest.fixture(scope="module")
def case():
    return make_case(0, seed=11, **SMALL)


@pytest.fixture(scope="module")
def medium_case():
    return make_case(2, seed=11, matrix=128, slices=12, artifacts=False)


def _noise_sd(case, sequence, arm, mask):
    """SD of the noise alone: the stored image minus the same reconstruction without noise.

    Subtracting the noise-free reconstruction of the same arm removes anatomy, blur and Gibbs
    ringing exactly, so any tissue works as long as its SNR is high: there the magnitude of
    signal + complex Gaussian noise is Gaussian with the channel SD (Gudbjartsson & Patz, Magn
    Reson Med 1995). White matter (signal ~400, SNR >= 15) qualifies; rounding to integers adds
    a variance of 1/12, which is negligible.
    """
    residual = case.volumes[sequence, arm].astype(np.float64) - case.noise_free(sequence, arm)
    return residual[mask].std()


def test_the_same_seed_gives_the_same_case():
    a = make_case(3, seed=5, **SMALL)
    b = make_case(3, seed=5, **SMALL)
    assert np.array_equal(a.labels, b.labels)
    assert np.array_equal(a.compartments, b.compartments)
    for key in a.volumes:
        assert np.array_equal(a.volumes[key], b.volumes[key])
    assert a.tissue_means == b.tissue_means
    assert a.artifacts == b.artifacts


def test_a_different_seed_or_case_index_gives_a_different_case():
    base = make_case(3, seed=5, **SMALL)
    for other in (make_case(3, seed=6, **SMALL), make_case(4, seed=5, **SMALL)):
        assert not np.array_equal(base.labels, other.labels)
        assert not np.array_equal(
            base.volumes["T2W", "conventional"], other.volumes["T2W", "conventional"]
        )
        assert base.lesion != other.lesion


def test_it_returns_every_sequence_and_arm_as_unsigned_12_bit_volumes(case):
    assert set(case.volumes) == {(s, a) for s in SEQUENCES for a in ARMS}
    for volume in case.volumes.values():
        assert volume.shape == (8, 64, 64)
        assert volume.dtype == np.uint16
        assert volume.max() <= 4095
    assert case.labels.shape == (8, 64, 64)


def test_every_case_has_every_tissue_and_a_lesion_with_rim_and_necrosis():
    for index in range(8):
        c = make_case(index, seed=3, matrix=128, slices=12)
        present = set(np.unique(c.labels).tolist())
        assert present == {t.value for t in Tissue}, f"case {index} lacks a tissue"
        assert c.mask(Compartment.ENHANCING_RIM).any()
        assert c.mask(Compartment.NECROSIS).any()


def test_anatomy_varies_between_cases():
    cases = [make_case(i, seed=3, **SMALL) for i in range(5)]
    brain_volumes = {int(c.mask(Tissue.GRAY_MATTER, Tissue.WHITE_MATTER).sum()) for c in cases}
    lesion_radii = {round(c.lesion.radius_mm, 3) for c in cases}
    assert len(brain_volumes) == 5
    assert len(lesion_radii) == 5


@pytest.mark.parametrize("sigma", [25.0, 40.0])
@pytest.mark.parametrize("sequence", SEQUENCES)
def test_the_noise_sd_in_white_matter_matches_the_configured_sigma_in_both_arms(sequence, sigma):
    c = make_case(1, seed=11, noise_sigma=sigma, **SMALL)
    white = c.mask(Tissue.WHITE_MATTER)
    assert white.sum() > 3000  # enough voxels for a ~1.5% estimate of the SD
    for arm in ARMS:
        assert c.noise_sigma[arm] == pytest.approx(sigma * (1.0 if arm == "conventional" else 0.35))
        measured = _noise_sd(c, sequence, arm, white)
        assert measured == pytest.approx(c.noise_sigma[arm], rel=0.10), (sequence, arm)


def test_air_far_from_the_head_is_rayleigh_as_the_nema_background_method_assumes(medium_case):
    # NEMA MS 1 single-image method: in air the magnitude is Rayleigh, SD = 0.655 sigma and
    # mean = 1.253 sigma (Gudbjartsson & Patz 1995). Only voxels whose noise-free signal (Gibbs
    # ringing of the head) is negligible are pure air.
    for arm in ARMS:
        sigma = medium_case.noise_sigma[arm]
        air = medium_case.noise_free("T2W", arm) < 0.02 * sigma
        air &= medium_case.mask(Tissue.BACKGROUND)
        values = medium_case.volumes["T2W", arm][air].astype(np.float64)
        assert values.size > 20000
        assert values.std() / 0.655 == pytest.approx(sigma, rel=0.10)
        assert values.mean() / 1.2533 == pytest.approx(sigma, rel=0.10)


def test_the_enhanced_arm_has_less_noise_than_the_conventional_arm(medium_case):
    c = medium_case
    white = ndimage.binary_erosion(c.mask(Tissue.WHITE_MATTER), structure=IN_PLANE, iterations=2)
    for sequence in SEQUENCES:
        conventional = _noise_sd(c, sequence, "conventional", white)
        enhanced = _noise_sd(c, sequence, "enhanced", white)
        assert enhanced < 0.5 * conventional
        # The apparent SNR (mean / SD in a homogeneous ROI) an ROI tool measures improves too.
        snr = {
            arm: c.volumes[sequence, arm][white].mean() / c.volumes[sequence, arm][white].std()
            for arm in ARMS
        }
        assert snr["enhanced"] > 1.5 * snr["conventional"]


def test_the_enhanced_arm_shows_less_truncation_ringing(medium_case):
    # Gibbs ringing spills signal into the air just outside the scalp; measure it noise-free.
    # The first voxels outside the scalp hold blur, not ringing, and are left out.
    head = medium_case.labels != Tissue.BACKGROUND
    near = ndimage.binary_dilation(head, structure=IN_PLANE, iterations=2)
    band = ndimage.binary_dilation(head, structure=IN_PLANE, iterations=10) & ~near
    spill = {arm: medium_case.noise_free("T2W", arm)[band].mean() for arm in ARMS}
    assert spill["enhanced"] < 0.5 * spill["conventional"]


def test_both_arms_share_the_geometry(medium_case):
    for sequence in SEQUENCES:
        conventional = medium_case.noise_free(sequence, "conventional")
        enhanced = medium_case.noise_free(sequence, "enhanced")
        assert conventional.shape == enhanced.shape
        # Phase correlation peaks at zero shift when two images are registered.
        spectrum = np.fft.fft2(conventional) * np.conj(np.fft.fft2(enhanced))
        correlation = np.abs(np.fft.ifft2(spectrum / (np.abs(spectrum) + 1e-9))).sum(axis=0)
        assert np.unravel_index(correlation.argmax(), correlation.shape) == (0, 0)
        assert np.corrcoef(conventional.ravel(), enhanced.ravel())[0, 1] > 0.97


def test_tissue_means_are_the_noiseless_means_over_each_label(case):
    for sequence in SEQUENCES:
        noiseless = case.noiseless(sequence)
        for tissue in Tissue:
            expected = noiseless[case.mask(tissue)].mean()
            assert case.tissue_means[sequence][tissue] == pytest.approx(expected, rel=1e-5)


def _measured(c, sequence, *which):
    """Mean in the eroded mask of the conventional image (away from partial volume)."""
    mask = ndimage.binary_erosion(c.mask(*which), structure=IN_PLANE)
    return c.volumes[sequence, "conventional"][mask].mean()


def test_contrast_follows_each_sequence_in_truth_and_in_the_images(medium_case):
    c = medium_case
    for truth in (
        lambda seq, *which: (
            c.tissue_means[seq][which[0]]
            if isinstance(which[0], Tissue)
            else c.intensities[seq][which[0]]
        ),
        lambda seq, *which: _measured(c, seq, *which),
    ):
        csf, gm, wm = Compartment.VENTRICLE, Tissue.GRAY_MATTER, Tissue.WHITE_MATTER
        assert truth("T2W", csf) > truth("T2W", gm) > truth("T2W", wm)
        assert truth("T2W", Tissue.EDEMA) > truth("T2W", wm)
        assert truth("T2W", Tissue.LESION) > truth("T2W", wm)
        assert truth("FLAIR", csf) < truth("FLAIR", wm) < truth("FLAIR", gm)
        assert truth("FLAIR", Tissue.LESION) > truth("FLAIR", wm)
        assert truth("FLAIR", Tissue.EDEMA) > truth("FLAIR", wm)
        assert truth("T1CE", wm) > truth("T1CE", gm) > truth("T1CE", csf)
        rim, necrosis = Compartment.ENHANCING_RIM, Compartment.NECROSIS
        assert truth("T1CE", rim) > truth("T1CE", wm)
        assert truth("T1CE", rim) > 2 * truth("T1CE", necrosis)
        assert truth("T1CE", necrosis) < truth("T1CE", wm)


def _artifact(with_artifacts, clean, sequence, arm):
    """Mean absolute artifact signal: noise-free image with artifacts minus the one without."""
    difference = with_artifacts.noise_free(sequence, arm) - clean.noise_free(sequence, arm)
    return np.abs(difference).mean()


def test_motion_and_pulsation_appear_identically_in_both_arms():
    found = set()
    for index in range(40):
        with_artifacts = make_case(index, seed=2, **SMALL)
        for sequence, plan in with_artifacts.artifacts.items():
            if not plan.names or set(plan.names) <= found:
                continue
            found |= set(plan.names)
            clean = make_case(index, seed=2, artifacts=False, **SMALL)
            assert np.array_equal(clean.labels, with_artifacts.labels)
            artifact = {arm: _artifact(with_artifacts, clean, sequence, arm) for arm in ARMS}
            # DL reconstruction does not remove motion or pulsation: both arms show the artifact,
            # equally strong give or take what the milder truncation changes at its edges.
            assert min(artifact.values()) > 0.2, (index, sequence, plan.names)
            assert 0.5 < artifact["enhanced"] / artifact["conventional"] < 2.0
        if found == {"motion", "pulsation"}:
            break
    assert found == {"motion", "pulsation"}


def test_some_cases_have_artifacts_and_most_do_not():
    plans = [
        p for i in range(60) for p in make_case(i, seed=9, matrix=32, slices=2).artifacts.values()
    ]
    with_artifact = sum(bool(p.names) for p in plans)
    assert 0.15 * len(plans) < with_artifact < 0.7 * len(plans)


def test_a_512_matrix_works():
    big = make_case(0, seed=1, matrix=512, slices=12)
    assert big.volumes["FLAIR", "enhanced"].shape == (12, 512, 512)
    assert big.geometry.pixel_spacing_mm == pytest.approx(230.0 / 512)
    assert big.mask(Tissue.LESION).any()


def test_it_refuses_a_matrix_too_small_for_the_anatomy():
    with pytest.raises(ValueError, match="matrix must be >= 32"):
        make_case(0, seed=1, matrix=16, slices=4)
