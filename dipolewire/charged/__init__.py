"""Charged clusters in solution: screened Coulomb pairs and their Brownian encounter rates.

The second source paper (Lin et al., Chem. Sci. 2022, 13, 4598) mixes [Au44(SR)26]²⁻ and [Ag44(SR)30]⁴⁻
anions in DMF; metal exchange needs the two to meet. This package computes how often they do:

- :mod:`.pair`: the pair interaction (Debye–Hückel screened Coulomb plus a ligand-shell repulsion) and the
  electrolyte's Debye length;
- :mod:`.rates`: the exact Debye–Smoluchowski rate of a centrosymmetric pair and the
  Northrup–Allison–McCammon formula that turns Brownian trajectories into a rate;
- :mod:`.spec`: encounter files (TOML in lab units) → a validated :class:`~.spec.EncounterSpec`;
- :mod:`.pair_engines`: two-body Brownian dynamics on LAMMPS and HOOMD-blue;
- :mod:`.nam`: the trajectory bookkeeping of the Northrup–Allison–McCammon method;
- :mod:`.mixture`: encounter frequencies of a mixture, against feeding ratio and ionic strength;
- :mod:`.encounter_run`: what ``dipolewire encounter FILE`` computes and writes.

Units as everywhere in dipolewire: nm, ns, zJ, e, K; rate constants in nm³/ns (1 nm³/ns = 6.022e8 M⁻¹ s⁻¹).
"""
