"""What governments believe about capital's response to their policy, and how they learn it.

Each government regresses the net flow of capital its location decisions bring (relocations
in less out, firms founded from other regions, exits abroad; not reinvestment, not gross
churn) on how its after-tax share of profit compares with the other regions', controlling for
how its pre-tax return compares, by recursive least squares with forgetting (Ljung and
Söderström 1983). The learned flow response times the planning horizon is the believed
elasticity of its capital stock to the net-of-tax share: the `perceived_elasticity` column.
The estimate moves in both directions: if capital does not answer to tax gaps (salience 0),
it falls toward zero.

Investors' exit threats are further observations: a threat says "raise the tax by Δ and I
leave". It counts only as far as it is credible: the capital of a threatening firm that would
gain by leaving at the higher tax, net of relocation cost (Cohen and Rogers 1997, §1: exit
"or even their threat of exit"; Hirschman 1970 on exit and voice).
"""

from __future__ import annotations

import numpy as np

N_COEF = 3  # intercept (churn, drift), tax gap, pre-tax return gap


def prior_beliefs(n_regions: int, prior_flow_slope: float, prior_weight: float,
                  tax_gap_scale: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and their covariance before any data.

    The slope on the tax gap starts at `prior_flow_slope` and is worth `prior_weight`
    quarters of data at a typical tax gap `tax_gap_scale` (5 points of the net-of-tax share);
    the intercept and the control start uninformed.
    """
    coef = np.zeros((n_regions, N_COEF))
    coef[:, 1] = prior_flow_slope
    cov = np.zeros((n_regions, N_COEF, N_COEF))
    cov[:, 0, 0] = 1.0
    cov[:, 1, 1] = 1.0 / (prior_weight * tax_gap_scale**2)
    cov[:, 2, 2] = 1.0 / (prior_weight * tax_gap_scale**2)
    return coef, cov


def regressors(tax: np.ndarray, pretax: np.ndarray) -> np.ndarray:
    """Each region's tax gap and pre-tax return gap against the mean of the others.

    Tax gap: log net-of-tax share here less the others' mean (against an untaxed world when
    there is one region). Return gap: pre-tax return here less the others' mean, over the
    scale of returns, so that both regressors are relative changes.
    """
    n = tax.size
    log_net = np.log(np.maximum(1.0 - tax, 1e-9))
    if n == 1:
        return np.array([[1.0, log_net[0], 0.0]])
    others_net = (log_net.sum() - log_net) / (n - 1)
    others_rate = (pretax.sum() - pretax) / (n - 1)
    scale = max(float(np.abs(pretax).mean()), 1e-3)
    return np.column_stack([np.ones(n), log_net - others_net, (pretax - others_rate) / scale])


def rls_update(coef: np.ndarray, cov: np.ndarray, x: np.ndarray, y: np.ndarray,
               forgetting: float, weight: np.ndarray | float = 1.0) -> None:
    """One recursive-least-squares step per region (in place), with forgetting and weights.

    `x`: (regions, coefficients), `y`: (regions,). A weight of 0 leaves a region unchanged.
    """
    weight = np.broadcast_to(np.asarray(weight, dtype=float), y.shape)
    cov /= forgetting
    px = np.einsum("rij,rj->ri", cov, x)
    denom = np.einsum("ri,ri->r", x, px) + 1.0 / np.maximum(weight, 1e-12)
    gain = px / denom[:, None]
    error = y - np.einsum("ri,ri->r", x, coef)
    use = weight > 0
    coef[use] += gain[use] * error[use, None]
    cov[use] -= np.einsum("ri,rj->rij", gain, px)[use]
    cov[~use] *= forgetting  # no observation: no forgetting either


def threat_observation(tax: np.ndarray, step: float, review_probability: float,
                       credible_capital_share: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A threat as a pseudo-observation of the tax slope alone.

    Raising the tax by `step` lowers the log net-of-tax share by d; the credibly threatening
    capital would leave at its next review, a flow of `review_probability` times its share per
    quarter. Regressors (0, d, 0): the threat speaks to the slope, not to churn or the control.
    """
    d = np.log(np.maximum(1.0 - tax - step, 1e-9)) - np.log(np.maximum(1.0 - tax, 1e-9))
    x = np.zeros((tax.size, N_COEF))
    x[:, 1] = d
    return x, -review_probability * credible_capital_share
