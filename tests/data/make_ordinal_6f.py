"""Write ``ordinal_6f.csv``: 18 seven-category items, six factors, N = 1,800 (seed 2026).

A well-fitting ordinal CFA (data simulated from the model itself) for the WLSMV case
``wlsmv_6f`` (``tests/data/r/15_wlsmv_6f.R``): each factor has three items with
loadings 0.65/0.75/0.80 on latent responses of unit variance, factor correlations
0.30-0.55, and six thresholds per item (skewed, as satisfaction ratings). Run from the
repository root: ``python tests/data/make_ordinal_6f.py``.
"""

from pathlib import Path

import numpy as np

SEED = 2026
N = 1800
N_FACTORS = 6
LOADINGS = (0.65, 0.75, 0.80)
THRESHOLDS = (-2.0, -1.4, -0.8, -0.2, 0.4, 1.1)


def simulate(seed: int = SEED, n: int = N):
    rng = np.random.default_rng(seed)
    phi = np.full((N_FACTORS, N_FACTORS), 0.0)
    iu = np.triu_indices(N_FACTORS, 1)
    phi[iu] = rng.uniform(0.30, 0.55, size=len(iu[0]))
    phi = phi + phi.T + np.eye(N_FACTORS)
    eta = rng.multivariate_normal(np.zeros(N_FACTORS), phi, size=n)
    cols = {}
    for f in range(N_FACTORS):
        for k, lam in enumerate(LOADINGS):
            ystar = lam * eta[:, f] + np.sqrt(1 - lam**2) * rng.normal(size=n)
            shift = rng.uniform(-0.2, 0.2)
            cols[f"q{3 * f + k + 1}"] = np.digitize(ystar, np.array(THRESHOLDS) + shift) + 1
    return cols


if __name__ == "__main__":
    import pandas as pd

    out = Path(__file__).with_name("ordinal_6f.csv")
    pd.DataFrame(simulate()).to_csv(out, index=False)
    print("wrote", out)
