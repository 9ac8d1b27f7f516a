"""ICC in six forms against R psych::ICC 2.2.9 (Shrout & Fleiss 1979, Table 2 data)."""

import numpy as np
import pytest

from readerstudy.analysis.stats.icc import ICC_FORMS, icc

# Shrout & Fleiss (1979), Table 2: 6 targets x 4 judges.
SHROUT_FLEISS = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
)

# Rscript -e 'library(psych); options(digits=15); print(ICC(sf, lmer = FALSE)$results)'
# psych prints ICC1 .17, ICC2 .29, ICC3 .71, ICC1k .44, ICC2k .62, ICC3k .91.
# form: (ICC, F, df1, df2, p, lower, upper)
PSYCH_ANOVA = {
    "ICC(1,1)": (0.165741768405476, 1.79467849223947, 5, 18, 0.164768808344639611,
                 -0.1329323248747509, 0.722560062328121),
    "ICC(A,1)": (0.289763779527559, 11.02724795640327, 5, 15, 0.000134566516484337,
                 0.0187865133747120, 0.761084369648953),
    "ICC(C,1)": (0.714840714840715, 11.02724795640327, 5, 15, 0.000134566516484337,
                 0.3424647650339254, 0.945858259955360),
    "ICC(1,k)": (0.442797133679269, 1.79467849223947, 5, 18, 0.164768808344639611,
                 -0.8844421552381190, 0.912415420340776),
    "ICC(A,k)": (0.620050547598989, 11.02724795640327, 5, 15, 0.000134566516484337,
                 0.0711368153025035, 0.927232040167722),
    "ICC(C,k)": (0.909315542377069, 11.02724795640327, 5, 15, 0.000134566516484337,
                 0.6756747138163047, 0.985891678169062),
}  # fmt: skip


@pytest.mark.parametrize("form", ICC_FORMS)
def test_it_matches_psych_on_the_shrout_fleiss_table(form):
    value, f, df1, df2, p, lower, upper = PSYCH_ANOVA[form]
    result = icc(SHROUT_FLEISS)[form]
    assert result["value"] == pytest.approx(value, abs=1e-12)
    assert result["F"] == pytest.approx(f, rel=1e-12)
    assert (result["df1"], result["df2"]) == (df1, df2)
    assert result["p"] == pytest.approx(p, rel=1e-9)
    assert result["ci95"] == pytest.approx([lower, upper], abs=1e-12)


def test_it_prints_the_published_two_decimal_values():
    # Shrout & Fleiss (1979) Table 4 / psych::ICC print: .17 .29 .71 .44 .62 .91
    result = icc(SHROUT_FLEISS)
    printed = [round(result[form]["value"], 2) for form in ICC_FORMS]
    assert printed == [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]


def test_the_reml_option_matches_psych_lmer_fit_when_the_judge_variance_is_negative():
    # Rscript: A <- matrix(c(4,3,5, 3,4,4, 5,5,4, 2,3,3, 4,4,5, 3,2,3, 5,4,4, 1,2,2), ncol = 3,
    # byrow = TRUE); ICC(A) (default lmer = TRUE; lme4 puts the judge variance at 0):
    # ICC1 = ICC2 = ICC3 = 0.699997705, ICC1k = ... = 0.8749988, F = 7.99992 (lme4's optimiser
    # tolerance); with lmer = FALSE: ICC2 = 0.699570815450644, ICC3 = 0.696581196581197.
    a = np.array([[4, 3, 5], [3, 4, 4], [5, 5, 4], [2, 3, 3], [4, 4, 5], [3, 2, 3], [5, 4, 4],
                  [1, 2, 2]])  # fmt: skip
    constrained = icc(a, reml=True)
    for form in ("ICC(1,1)", "ICC(A,1)", "ICC(C,1)"):
        assert constrained[form]["value"] == pytest.approx(0.7, abs=1e-5)
    assert constrained["ICC(A,k)"]["value"] == pytest.approx(0.875, abs=1e-5)
    assert constrained["ICC(A,1)"]["ci95"] == pytest.approx([0.330805, 0.921771], abs=1e-5)
    assert constrained["ICC(C,1)"]["ci95"] == pytest.approx([0.313012, 0.922617], abs=1e-5)
    anova = icc(a)
    assert anova["ICC(A,1)"]["value"] == pytest.approx(0.699570815450644, abs=1e-12)
    assert anova["ICC(C,1)"]["value"] == pytest.approx(0.696581196581197, abs=1e-12)
    # The constraint moves even the consistency form, which ignores reader variance.
    assert constrained["ICC(C,1)"]["value"] != pytest.approx(anova["ICC(C,1)"]["value"], abs=1e-4)


def test_the_reml_option_gives_zero_like_psych_when_every_variance_component_is_negative():
    # Rscript: B <- matrix(c(3,4,2, 4,2,3, 2,3,4, 3,3,2, 4,3,3, 2,4,3), ncol = 3, byrow = TRUE)
    # ICC(B): every ICC 0, F = 1, p (ICC1) = 0.458196699514247, CI ICC(A,1) -0.341641378018644
    # to 0.651938011010876; ICC(B, lmer = FALSE): ICC2 = -0.489361702127660.
    b = np.array([[3, 4, 2], [4, 2, 3], [2, 3, 4], [3, 3, 2], [4, 3, 3], [2, 4, 3]])
    result = icc(b, reml=True)
    assert all(result[form]["value"] == pytest.approx(0.0, abs=1e-12) for form in ICC_FORMS)
    assert result["ICC(1,1)"]["p"] == pytest.approx(0.458196699514247, rel=1e-9)
    assert result["ICC(A,1)"]["ci95"] == pytest.approx([-0.341641378018644, 0.651938011010876])
    assert icc(b)["ICC(A,1)"]["value"] == pytest.approx(-0.489361702127660)


# Rscript -e 'library(psych); options(digits = 15); print(ICC(B, lmer = FALSE)$results)' with B
# as above: every variance component negative, so every classic ICC is negative. psych's
# ICC(A,k) bounds come out reversed (8.784 > 0.037); we reproduce them rather than "fix" them.
PSYCH_ANOVA_NEGATIVE = {
    "ICC(1,1)": (-0.381578947368421, 0.171428571428571, 5, 12, 0.968287037934936,
                 -0.467670018700432, 0.03799723391724821),
    "ICC(A,1)": (-0.489361702127660, 0.148148148148148, 5, 10, 0.976022904686179,
                 -0.602964819585137, 0.01276040654319390),
    "ICC(C,1)": (-0.396551724137931, 0.148148148148148, 5, 10, 0.976022904686179,
                 -0.474221115282196, -0.00650353719741914),
    "ICC(1,k)": (-4.833333333333337, 0.171428571428571, 5, 12, 0.968287037934936,
                 -21.698281281097277, 0.10594078794955131),
    "ICC(A,k)": (-69.000000000000611, 0.148148148148148, 5, 10, 0.976022904686179,
                 8.784041316460101, 0.03732856431686773),
    "ICC(C,k)": (-5.750000000000005, 0.148148148148148, 5, 10, 0.976022904686179,
                 -27.593578260273290, -0.01976773195237924),
}  # fmt: skip


@pytest.mark.parametrize("form", ICC_FORMS)
def test_the_classic_default_keeps_negative_iccs_as_psych_lmer_false(form):
    b = np.array([[3, 4, 2], [4, 2, 3], [2, 3, 4], [3, 3, 2], [4, 3, 3], [2, 4, 3]])
    value, f, df1, df2, p, lower, upper = PSYCH_ANOVA_NEGATIVE[form]
    result = icc(b)[form]
    assert result["value"] == pytest.approx(value, rel=1e-12)
    assert result["F"] == pytest.approx(f, rel=1e-12)
    assert (result["df1"], result["df2"]) == (df1, df2)
    assert result["p"] == pytest.approx(p, rel=1e-12)
    assert result["ci95"] == pytest.approx([lower, upper], rel=1e-12)


def test_it_drops_incomplete_cases_and_needs_two_of_them():
    with_gap = np.vstack([SHROUT_FLEISS, [[5, np.nan, 4, 4]]])
    assert icc(with_gap)["n_cases"] == 6
    assert icc(with_gap)["ICC(C,1)"]["value"] == pytest.approx(0.714840714840715)
    assert icc(SHROUT_FLEISS[:1]) is None
    assert icc(SHROUT_FLEISS[:, :1]) is None


def test_perfect_agreement_gives_one():
    scores = np.repeat(np.array([[1], [2], [3], [5]]), 3, axis=1)
    result = icc(scores)
    assert all(result[form]["value"] == pytest.approx(1.0) for form in ICC_FORMS)
