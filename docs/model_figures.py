"""Regenerates docs/model_pair_energy.png and prints the numbers quoted in docs/model.md.

    python docs/model_figures.py

The pair energy of two R-Au-Cu clusters in the dry film (εr = 2.0, the default) head to tail and side by side,
with each hypothesis switched on in turn, and the exact two-body distance distribution each predicts.
"""

from pathlib import Path

import numpy as np

from dipolewire import spec
from dipolewire.analysis import figures
from dipolewire.analysis.tem import TEM_BAND_NM
from dipolewire.boltzmann import exact_distance_distribution, pair_document
from dipolewire.model import Model

EPS_R = 2.0
VARIANTS = {
    "shells + dipoles (default)": None,
    "+ ligand attraction 4 kT": {"ligand_attraction": "4 kT"},
    "+ ligand attraction 8 kT": {"ligand_attraction": "8 kT"},
}


def main():
    r = np.linspace(1.5, 3.4, 761)
    z = np.array([[0.0, 0.0, 1.0]])
    curves, distributions = {}, {}
    edges = np.linspace(1.5, 3.4, 77)
    centres = 0.5 * (edges[1:] + edges[:-1])
    for label, hypotheses in VARIANTS.items():
        model = Model(spec.from_dict(pair_document("lammps", EPS_R, hypotheses=hypotheses)))
        kT = model.kT
        along = np.column_stack([np.zeros_like(r), np.zeros_like(r), r])
        across = np.column_stack([r, np.zeros_like(r), np.zeros_like(r)])
        ones = np.repeat(z, len(r), axis=0)
        head_to_tail = model.pair_energy(along, ones, ones, EPS_R) / kT
        side_by_side = model.pair_energy(across, ones, -ones, EPS_R) / kT
        curves[label] = (r, head_to_tail, side_by_side)
        probability = exact_distance_distribution(model, edges, EPS_R)
        distributions[label] = (edges, probability)
        k = np.argmin(head_to_tail)
        bonded = centres < 2.6
        mean = np.sum(probability[bonded] * centres[bonded]) / probability[bonded].sum()
        band = (centres >= TEM_BAND_NM[0]) & (centres < TEM_BAND_NM[1])
        print(
            f"{label}: head-to-tail minimum {head_to_tail[k]:.2f} kT at {r[k]:.3f} nm; side-by-side minimum "
            f"{side_by_side.min():.2f} kT at {r[np.argmin(side_by_side)]:.3f} nm; two-body mean distance below "
            f"2.6 nm {mean:.3f} nm; in the TEM band {probability[band].sum() / probability.sum():.0%} "
            f"of 1.5-3.4 nm"
        )
    figures.save(
        figures.pair_energy_landscape(curves, distributions, EPS_R), Path(__file__).parent / "model_pair_energy.png"
    )


if __name__ == "__main__":
    main()
