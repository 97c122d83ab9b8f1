"""A simulated TEM micrograph of a deposit, and intercluster spacings measured from it.

The question it answers: how much does measuring spacings *on a TEM image* shift and widen the
distribution of centre-to-centre spacings that the simulation knows exactly?

Image model (bright-field scattering contrast, lengths nm)
---------------------------------------------------------
- Only the metal cores scatter (no substrate film, no ligands). Each core is a uniform sphere of its
  core diameter (the trajectory's bead diameter) projected on the substrate plane (x, y).
- A core of ``n`` atoms of atomic number ``Z`` removes from the beam, per unit incident dose, the
  area ``w = n · σ_Au · (Z / 79)^k`` (nm²): the electrons it scatters outside the objective aperture.
  ``σ_Au`` (default 2.0e-3 nm²) is the total elastic cross-section of one Au atom for 200 keV electrons
  in the Lenz model, σ ≈ 1.5e-24 m² · (γ/β)² · Z^(4/3) (Egerton, *Electron Energy-Loss Spectroscopy in the
  Electron Microscope*, ch. 3): an upper bound on the contrast, since some of it passes a wide
  aperture. ``k`` (default 1.7) is the exponent of the Z-dependence of scattering to high angles
  (incoherent, screened-Rutherford; the Z^1.7 of Z-contrast imaging). Au8/Cu4: a Au core outweighs a
  Cu core by 2 · (79/29)^1.7 = 11.0.
- Single scattering: the transmitted intensity is ``1 − τ(x)`` with ``τ = Σ w · (projected sphere
  density)``; ``τ`` peaks near 0.04 for a Au8 core, where ``exp(−τ)`` and ``1 − τ`` differ by 2 % of
  the contrast (the peak value is reported as ``peak_scattered_fraction``).
- The point-spread function is a Gaussian of full width at half maximum = the resolution; the
  detector integrates over each pixel. The image is rendered exactly in Fourier space (sphere form
  factor × Gaussian × pixel aperture), so core positions are not snapped to pixels; it covers the
  periodic simulation box once, so chains that cross its edge are imaged whole.
- Shot noise: each pixel counts Poisson(dose × pixel area × (1 − pixel-averaged τ)) electrons.

Measurement (what a microscopist does, with the chain identification taken from the simulation)
-------------------------------------------------------------------------------------------------
1. The scattered signal of each pixel is the vacuum level (dose × pixel area, known from a
   reference image) minus its count; it is smoothed with a Gaussian of ``spot_sigma``, by default
   the width of the largest core's image, √(σ_PSF² + R²/5) (a projected uniform sphere of radius R
   has R/√5 standard deviation along each axis): the matched filter for a core's spot.
2. Spots are local maxima of the smoothed signal at least ``min_separation`` apart and above
   ``threshold_sd`` standard deviations of the smoothed vacuum shot noise (and above 5 % of the
   brightest spot, which only matters without noise).
3. Each spot is placed at the maximum of the Gaussian-smoothed signal to sub-pixel precision (a
   Gaussian-weighted centroid iterated to convergence: a mean shift).
4. Each cluster is matched to the nearest spot within ``match_radius`` of its true centre (a spot to
   at most one cluster, the nearest); unmatched clusters are missed, unmatched spots are false.
5. A bond of the simulation's chain analysis (same criterion as ``dipolewire analyze``) is measured
   on the image when both its clusters have a spot: the distance between the two spots (nearest
   periodic image). The bias compares these with the same bonds' true centre-to-centre spacings.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from ..errors import InputError

#: Atomic numbers of the metals a cluster core may be made of.
ATOMIC_NUMBER = {"Au": 79, "Ag": 47, "Cu": 29, "Cd": 48}
#: Atoms per core when the run does not name its formula (the Au8/Cu4 presets).
DEFAULT_CORE_ATOMS = {"Au": 8, "Cu": 4}
#: FWHM of the point-spread function (nm).
DEFAULT_RESOLUTION_NM = 0.3
DEFAULT_PIXEL_NM = 0.05
#: Electrons per nm² (1000 e/Å²: one HRTEM exposure of a nanocluster sample).
DEFAULT_DOSE_PER_NM2 = 1.0e5
#: Exponent of Z in the scattering cross-section.
DEFAULT_EXPONENT = 1.7
#: Cross-section (nm²) of one Au atom for scattering out of the beam (see the module docstring).
DEFAULT_AU_CROSS_SECTION_NM2 = 2.0e-3
AU_Z = 79
#: FWHM of a Gaussian in units of its standard deviation.
FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))
#: Largest image side in pixels (memory and time).
MAX_PIXELS_PER_SIDE = 4096
#: Without noise, spots dimmer than this fraction of the brightest are ignored.
RELATIVE_THRESHOLD = 0.05


@dataclass(frozen=True)
class Optics:
    """How the microscope images: resolution (FWHM, nm), pixel (nm), dose (electrons/nm²), scattering
    exponent of Z and the Au atom's cross-section (nm²)."""

    resolution_nm: float = DEFAULT_RESOLUTION_NM
    pixel_nm: float = DEFAULT_PIXEL_NM
    dose_per_nm2: float = DEFAULT_DOSE_PER_NM2
    exponent: float = DEFAULT_EXPONENT
    au_cross_section_nm2: float = DEFAULT_AU_CROSS_SECTION_NM2

    @property
    def psf_sigma_nm(self) -> float:
        """Standard deviation (nm) of the Gaussian point-spread function."""
        return self.resolution_nm / FWHM_PER_SIGMA

    def pixels(self, box) -> tuple[int, int]:
        """``(nx, ny)``: pixels that tile the box (Lx, Ly nm) with pixels as close to ``pixel_nm`` as fit."""
        return tuple(max(1, round(float(length) / self.pixel_nm)) for length in box[:2])

    def cross_section(self, metal: str) -> float:
        """Cross-section (nm²) of one atom of ``metal``: σ_Au · (Z/79)^exponent."""
        if metal not in ATOMIC_NUMBER:
            raise InputError("metal", f"no atomic number for core type {metal!r}; known: {', '.join(ATOMIC_NUMBER)}")
        return self.au_cross_section_nm2 * (ATOMIC_NUMBER[metal] / AU_Z) ** self.exponent


@dataclass(frozen=True)
class SpotSettings:
    """How spots are found and matched (nm; ``threshold_sd`` in standard deviations of the smoothed noise;
    ``spot_sigma_nm`` None: matched to the largest core's image, see :func:`matched_spot_sigma`)."""

    spot_sigma_nm: float | None = None
    threshold_sd: float = 4.0
    min_separation_nm: float = 1.0
    match_radius_nm: float = 0.5


@dataclass
class Cores:
    """Metal cores seen from above: ``positions`` (K, 2) nm, ``diameters`` (K,) nm, ``metals`` (K,) names,
    ``owner`` (K,) cluster index."""

    positions: np.ndarray
    diameters: np.ndarray
    metals: np.ndarray
    owner: np.ndarray


@dataclass
class Micrograph:
    """A rendered image: ``counts`` (ny, nx) electrons per pixel (row = y), ``expected`` the same without
    noise, ``box`` (Lx, Ly) nm, centred on 0; ``weights`` (K,) nm² of the ``cores``."""

    counts: np.ndarray
    expected: np.ndarray
    box: tuple[float, float]
    optics: Optics
    cores: Cores
    weights: np.ndarray
    seed: int | None = None

    @property
    def pixel(self) -> tuple[float, float]:
        """(px, py) nm."""
        ny, nx = self.counts.shape
        return self.box[0] / nx, self.box[1] / ny

    @property
    def vacuum_counts(self) -> float:
        """Mean counts of a pixel with nothing in it: dose × pixel area."""
        px, py = self.pixel
        return self.optics.dose_per_nm2 * px * py

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(left, right, bottom, top) nm, for ``imshow``."""
        lx, ly = self.box
        return (-lx / 2, lx / 2, -ly / 2, ly / 2)

    def peak_scattered_fraction(self) -> float:
        """Largest fraction of the beam removed in one pixel (checks the single-scattering approximation)."""
        return float(1.0 - self.expected.min() / self.vacuum_counts)


@dataclass
class SpotMeasurement:
    """Spots found on a micrograph and the bonds measured with them (nm).

    ``spots`` (M, 2); ``spot_of`` (N,) spot index of each cluster, −1 when missed; ``bonds`` (B, 2) cluster
    indices; ``true`` (B,) their centre-to-centre spacings; ``measured`` (B,) spot-to-spot spacings, NaN
    where a cluster was missed.
    """

    spots: np.ndarray
    spot_of: np.ndarray
    bonds: np.ndarray
    true: np.ndarray
    measured: np.ndarray
    settings: SpotSettings = field(default_factory=SpotSettings)

    @property
    def measured_ok(self) -> np.ndarray:
        return np.isfinite(self.measured)

    @property
    def false_spots(self) -> int:
        return int(len(self.spots) - np.count_nonzero(self.spot_of >= 0))

    def summary(self) -> dict:
        n = len(self.spot_of)
        bonds = len(self.bonds)
        return {
            **asdict(self.settings),
            "clusters": int(n),
            "spots": int(len(self.spots)),
            "clusters_missed_fraction": float(np.mean(self.spot_of < 0)) if n else float("nan"),
            "false_spots": self.false_spots,
            "bonds": int(bonds),
            "bonds_measured": int(np.count_nonzero(self.measured_ok)),
            "bonds_lost_fraction": float(np.mean(~self.measured_ok)) if bonds else float("nan"),
        }


# --- the deposit's metal cores ------------------------------------------------------------------


def cores_of_frame(frame) -> tuple[Cores, np.ndarray, tuple[float, float]]:
    """``(cores, cluster centres (N, 2) nm, box (Lx, Ly) nm)`` of a dipolewire GSD frame, seen from above."""
    from ..trajectory import centers

    p = frame.particles
    body = np.asarray(p.body) if p.body is not None else np.full(p.N, -1)
    if not np.any(body >= 0):
        raise InputError("RUN", "the frame has no rigid bodies with metal-core beads; a micrograph needs them")
    idx = centers(frame)
    beads = np.setdiff1d(np.arange(p.N), idx)
    if not len(beads):
        raise InputError("RUN", "the frame has no metal-core beads; a micrograph needs them")
    metals = np.array(p.types)[np.asarray(p.typeid)[beads]]
    unknown = sorted(set(metals) - set(ATOMIC_NUMBER))
    if unknown:
        raise InputError(
            "RUN", f"no atomic number for core type(s) {', '.join(unknown)}; known: {', '.join(ATOMIC_NUMBER)}"
        )
    position = np.asarray(p.position, dtype=np.float64)
    cores = Cores(position[beads, :2], np.asarray(p.diameter, dtype=np.float64)[beads], metals, body[beads])
    box = tuple(float(v) for v in frame.configuration.box[:2])
    return cores, position[idx, :2], box


def core_atoms_of_run(trajectory_path, metals=()) -> tuple[dict[str, int], str]:
    """Atoms per core metal and where the numbers come from: the cluster's elemental formula in the
    ``spec.toml`` beside the trajectory (each metal's count in it), else :data:`DEFAULT_CORE_ATOMS`, assumed.
    Every metal of ``metals`` (the frame's core types) must have a count."""
    from ..molar_mass import composition

    spec = Path(trajectory_path).with_name("spec.toml")
    formula = None
    if spec.is_file():
        try:
            formula = tomllib.loads(spec.read_text())["cluster"].get("elemental_formula")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError):
            formula = None
    if isinstance(formula, str) and formula:
        counts = composition(formula, field="cluster.elemental_formula")
        atoms = {metal: counts[metal] for metal in ATOMIC_NUMBER if metal in counts}
        basis = f"cluster formula {formula} ({spec})"
    else:
        atoms = dict(DEFAULT_CORE_ATOMS)
        basis = "Au8/Cu4 assumed: the run names no cluster formula (cluster.elemental_formula in spec.toml)"
    missing = sorted(set(metals) - set(atoms))
    if missing:
        raise InputError("RUN", f"no atom count for core type(s) {', '.join(missing)}: {basis}")
    return atoms, basis


def core_weights(metals, atoms: dict[str, int], optics: Optics) -> np.ndarray:
    """Scattering weight (nm²) of each core: atoms × the cross-section of one atom of its metal."""
    return np.array([atoms[m] * optics.cross_section(m) for m in metals], dtype=np.float64)


# --- rendering ----------------------------------------------------------------------------------


def sphere_form_factor(u):
    """2D Fourier transform of a projected uniform sphere of radius R at ``u`` = qR, normalised to 1 at 0."""
    u = np.asarray(u, dtype=np.float64)
    out = 1.0 - u**2 / 10.0  # series below 1e-3, where the closed form loses digits
    big = u > 1e-3
    ub = u[big]
    out[big] = 3.0 * (np.sin(ub) - ub * np.cos(ub)) / ub**3
    return out


def scattered_per_pixel(positions, diameters, weights, box, optics: Optics) -> np.ndarray:
    """(ny, nx) scattered fraction of the beam integrated over each pixel (nm²), blurred by the PSF.

    Exact for the periodic box: the Fourier coefficients of Σ weight × projected sphere are summed core by
    core (a non-uniform DFT written as one matrix product per core diameter), multiplied by the Gaussian
    PSF and the pixel's box aperture, and transformed back.
    """
    lx, ly = (float(v) for v in box[:2])
    nx, ny = optics.pixels(box)
    px, py = lx / nx, ly / ny
    kx = 2.0 * np.pi * np.fft.rfftfreq(nx, px)
    ky = 2.0 * np.pi * np.fft.fftfreq(ny, py)
    q = np.hypot(ky[:, None], kx[None, :])
    origin = (-lx / 2 + px / 2, -ly / 2 + py / 2)  # centre of pixel (0, 0)
    positions = np.asarray(positions, dtype=np.float64).reshape(-1, 2)
    diameters = np.asarray(diameters, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    spectrum = np.zeros((ny, len(kx)), dtype=np.complex128)
    for diameter in np.unique(diameters):
        sel = diameters == diameter
        ex = np.exp(-1j * np.outer(positions[sel, 0] - origin[0], kx))
        ey = np.exp(-1j * np.outer(positions[sel, 1] - origin[1], ky))
        spectrum += ((ey * weights[sel, None]).T @ ex) * sphere_form_factor(0.5 * diameter * q)
    spectrum *= np.exp(-0.5 * (optics.psf_sigma_nm * q) ** 2)
    spectrum *= np.sinc(ky * py / (2 * np.pi))[:, None] * np.sinc(kx * px / (2 * np.pi))[None, :]
    return np.fft.irfft2(spectrum, s=(ny, nx))


def render(cores: Cores, weights, box, optics: Optics, seed: int | None = None) -> Micrograph:
    """The micrograph of ``cores``: expected counts and, unless ``seed`` is None, Poisson shot noise."""
    nx, ny = optics.pixels(box)
    px, py = box[0] / nx, box[1] / ny
    scattered = scattered_per_pixel(cores.positions, cores.diameters, weights, box, optics)
    expected = optics.dose_per_nm2 * (px * py - scattered)
    counts = expected.copy() if seed is None else shot_noise(expected, seed)
    return Micrograph(counts, expected, (float(box[0]), float(box[1])), optics, cores, np.asarray(weights), seed)


def shot_noise(expected, seed: int) -> np.ndarray:
    """Poisson counts with the ``expected`` means (electrons per pixel)."""
    rng = np.random.default_rng(seed)
    return rng.poisson(np.clip(expected, 0.0, None)).astype(np.float64)


# --- measuring ----------------------------------------------------------------------------------


def _smoothing_noise_factor(sigma_px) -> float:
    """√Σk² of the Gaussian smoothing kernel: the factor by which it scales white-noise standard deviation."""
    from scipy import ndimage

    half = [int(np.ceil(4 * s)) + 1 for s in sigma_px]
    delta = np.zeros([2 * h + 1 for h in half])
    delta[tuple(half)] = 1.0
    kernel = ndimage.gaussian_filter(delta, sigma_px, mode="constant")
    return float(np.sqrt(np.sum(kernel**2)))


def _mean_shift(signal, start, sigma_px, iterations=100, tolerance=1e-6):
    """Sub-pixel (row, column) of the maximum of ``signal`` smoothed by a Gaussian of ``sigma_px`` (rows,
    columns), from ``start``: Gaussian-weighted centroids iterated to convergence, periodic."""
    ny, nx = signal.shape
    hy, hx = (int(np.ceil(4 * s)) for s in sigma_px)
    oy, ox = np.arange(-hy, hy + 1), np.arange(-hx, hx + 1)
    cy, cx = (float(v) for v in start)
    for _ in range(iterations):
        iy, ix = round(cy), round(cx)
        patch = signal[np.ix_((iy + oy) % ny, (ix + ox) % nx)]
        dy, dx = iy + oy - cy, ix + ox - cx
        weight = np.exp(-0.5 * (dy[:, None] / sigma_px[0]) ** 2 - 0.5 * (dx[None, :] / sigma_px[1]) ** 2) * patch
        total = weight.sum()
        if not total > 0:
            break
        step_y = float((weight * dy[:, None]).sum() / total)
        step_x = float((weight * dx[None, :]).sum() / total)
        cy, cx = cy + step_y, cx + step_x
        if abs(step_y) < tolerance and abs(step_x) < tolerance:
            break
    return cy, cx


def matched_spot_sigma(micrograph: Micrograph) -> float:
    """Standard deviation (nm) of the image of the largest core: √(σ_PSF² + R²/5)."""
    radius = 0.5 * float(micrograph.cores.diameters.max()) if len(micrograph.cores.diameters) else 0.0
    return float(np.sqrt(micrograph.optics.psf_sigma_nm**2 + radius**2 / 5.0))


def spot_sigma(micrograph: Micrograph, settings: SpotSettings) -> float:
    """The smoothing (nm) that ``settings`` asks for on ``micrograph``."""
    return matched_spot_sigma(micrograph) if settings.spot_sigma_nm is None else settings.spot_sigma_nm


def find_spots(micrograph: Micrograph, settings: SpotSettings = SpotSettings()) -> np.ndarray:
    """(M, 2) positions (nm) of the bright spots of the scattered signal (steps 1–3 of the module docstring)."""
    from scipy import ndimage
    from skimage.feature import peak_local_max

    px, py = micrograph.pixel
    vacuum = micrograph.vacuum_counts
    signal = vacuum - micrograph.counts
    sigma = spot_sigma(micrograph, settings)
    sigma_px = (sigma / py, sigma / px)
    smoothed = ndimage.gaussian_filter(signal, sigma_px, mode="wrap")
    noise_sd = np.sqrt(vacuum) * _smoothing_noise_factor(sigma_px) if micrograph.seed is not None else 0.0
    threshold = max(settings.threshold_sd * noise_sd, RELATIVE_THRESHOLD * float(smoothed.max()))
    distance = max(1, round(settings.min_separation_nm / min(px, py)))
    pad = distance + 1
    padded = np.pad(smoothed, pad, mode="wrap")  # the box is periodic: a spot on its edge is found once
    peaks = peak_local_max(padded, min_distance=distance, threshold_abs=threshold, exclude_border=False) - pad
    ny, nx = signal.shape
    inside = (peaks[:, 0] >= 0) & (peaks[:, 0] < ny) & (peaks[:, 1] >= 0) & (peaks[:, 1] < nx)
    peaks = peaks[inside]
    peaks = peaks[np.argsort(-smoothed[peaks[:, 0], peaks[:, 1]], kind="stable")]  # brightest first
    lx, ly = micrograph.box
    spots = []
    for start in peaks:
        row, column = _mean_shift(signal, start, sigma_px)
        spot = np.array([-lx / 2 + (column + 0.5) * px, -ly / 2 + (row + 0.5) * py])
        spot = (spot + 0.5 * np.array([lx, ly])) % np.array([lx, ly]) - 0.5 * np.array([lx, ly])
        # two maxima that climbed to the same spot are one
        if all(np.hypot(*_minimum_image(spot - s, (lx, ly))) >= 0.5 * settings.min_separation_nm for s in spots):
            spots.append(spot)
    return np.array(spots).reshape(-1, 2)


def _minimum_image(vectors, box):
    box = np.asarray(box[:2], dtype=np.float64)
    vectors = np.asarray(vectors, dtype=np.float64)
    return vectors - box * np.round(vectors / box)


def match_spots(spots, centres, box, radius: float) -> np.ndarray:
    """(N,) index of the spot matched to each cluster centre (nm), −1 when none lies within ``radius`` nm;
    a spot nearest to two clusters goes to the nearer."""
    centres = np.asarray(centres, dtype=np.float64).reshape(-1, 2)
    spot_of = np.full(len(centres), -1)
    if not len(spots) or not len(centres):
        return spot_of
    d = np.hypot(*np.moveaxis(_minimum_image(centres[:, None, :] - np.asarray(spots)[None, :, :], box), -1, 0))
    nearest = np.argmin(d, axis=1)
    near = d[np.arange(len(centres)), nearest] <= radius
    for cluster in np.argsort(d[np.arange(len(centres)), nearest], kind="stable"):  # nearer pairs first
        if near[cluster] and nearest[cluster] not in spot_of:
            spot_of[cluster] = nearest[cluster]
    return spot_of


def measure(micrograph: Micrograph, centres, bonds, true_spacings, settings: SpotSettings = SpotSettings()):
    """Spots, their matching to the clusters and the spot-to-spot spacing of each bond (a :class:`SpotMeasurement`)."""
    settings = replace(settings, spot_sigma_nm=spot_sigma(micrograph, settings))
    spots = find_spots(micrograph, settings)
    spot_of = match_spots(spots, centres, micrograph.box, settings.match_radius_nm)
    bonds = np.asarray(bonds, dtype=np.int64).reshape(-1, 2)
    measured = np.full(len(bonds), np.nan)
    ok = (spot_of[bonds[:, 0]] >= 0) & (spot_of[bonds[:, 1]] >= 0) if len(bonds) else np.zeros(0, dtype=bool)
    if ok.any():
        a, b = spots[spot_of[bonds[ok, 0]]], spots[spot_of[bonds[ok, 1]]]
        measured[ok] = np.linalg.norm(_minimum_image(b - a, micrograph.box), axis=1)
    return SpotMeasurement(spots, spot_of, bonds, np.asarray(true_spacings, dtype=np.float64), measured, settings)


def spacing_stats(values, band=None) -> dict:
    """Count, mean and standard deviation (nm) of spacings, and the fraction in ``band`` (nm) if given."""
    from .tem import TEM_BAND_NM

    band = band or TEM_BAND_NM
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    return {
        "count": int(n),
        "mean_nm": float(values.mean()) if n else float("nan"),
        "std_nm": float(values.std(ddof=1)) if n > 1 else float("nan"),
        "fraction_in_tem_band": float(np.mean((values >= band[0]) & (values <= band[1]))) if n else float("nan"),
    }


def spacing_bias(true, measured, resamples: int = 2000, seed: int = 0) -> dict:
    """How the image measurement changes the spacings of the same bonds (nm; pairs with a NaN dropped).

    Mean shift = mean(measured − true) with its standard error; the standard deviations' ratio and
    difference with bootstrap standard errors (bonds resampled in pairs, ``resamples`` times).
    """
    true, measured = np.asarray(true, dtype=np.float64), np.asarray(measured, dtype=np.float64)
    ok = np.isfinite(measured) & np.isfinite(true)
    t, m = true[ok], measured[ok]
    n = len(t)
    nan = float("nan")
    out = {"bonds": int(n)}
    if n < 3:
        keys = ("mean_shift_nm", "mean_shift_se_nm", "std_true_nm", "std_measured_nm", "std_ratio", "std_ratio_se")
        return {**out, **dict.fromkeys((*keys, "std_widening_nm", "std_widening_se_nm", "per_bond_error_sd_nm"), nan)}
    error = m - t
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, n, size=(resamples, n))
    sd_t, sd_m = t[pick].std(axis=1, ddof=1), m[pick].std(axis=1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = sd_m / sd_t
    std_t, std_m = float(t.std(ddof=1)), float(m.std(ddof=1))
    return {
        **out,
        "mean_shift_nm": float(error.mean()),
        "mean_shift_se_nm": float(error.std(ddof=1) / np.sqrt(n)),
        "std_true_nm": std_t,
        "std_measured_nm": std_m,
        "std_ratio": std_m / std_t if std_t > 0 else nan,
        "std_ratio_se": float(np.std(ratios[np.isfinite(ratios)], ddof=1)) if std_t > 0 else nan,
        "std_widening_nm": std_m - std_t,
        "std_widening_se_nm": float(np.std(sd_m - sd_t, ddof=1)),
        "per_bond_error_sd_nm": float(error.std(ddof=1)),
    }


# --- a run --------------------------------------------------------------------------------------


def _finite_or_none(value):
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_or_none(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def micrograph_run(
    target,
    out_dir=None,
    frame: int = -1,
    optics: Optics = Optics(),
    seed: int = 1,
    settings: SpotSettings = SpotSettings(),
    r_max=None,
    max_angle=None,
    dimensions="2",
) -> dict:
    """Image one frame of a run, measure its spacings and write ``micrograph.png``,
    ``micrograph_spacings.png`` and ``micrograph.json`` into ``out_dir`` (default: the run's analysis
    folder). Returns what ``micrograph.json`` holds (NaN as None)."""
    import json

    from ..trajectory import logged, open_trajectory
    from . import figures
    from .chains import DEFAULT_MAX_ANGLE_DEG, DEFAULT_R_MAX_NM
    from .run_analysis import analyze_frame, default_output, trajectory_path
    from .tem import TEM_BAND_NM

    r_max = DEFAULT_R_MAX_NM if r_max is None else r_max
    max_angle = DEFAULT_MAX_ANGLE_DEG if max_angle is None else max_angle
    path = trajectory_path(target)
    with open_trajectory(path) as trajectory:
        n = len(trajectory)
        if not -n <= frame < n:
            raise InputError("--frame", f"must be in {-n} … {n - 1} for this file, got {frame}")
        index = frame % n
        snapshot = trajectory[index]
        cores, centres, box = cores_of_frame(snapshot)
        nx, ny = optics.pixels(box)
        if max(nx, ny) > MAX_PIXELS_PER_SIDE:
            raise InputError(
                "--pixel", f"gives a {nx} × {ny} image of this box; at most {MAX_PIXELS_PER_SIDE} pixels a side"
            )
        chains = analyze_frame(snapshot, r_max, max_angle, dimensions)
        time_ns = logged(snapshot, "time", float("nan"))
    atoms, atoms_basis = core_atoms_of_run(path, set(cores.metals))
    weights = core_weights(cores.metals, atoms, optics)
    image = render(cores, weights, box, optics, seed)
    result = measure(image, centres, chains.chains.bonds, chains.chains.spacings, settings)
    bias = spacing_bias(result.true, result.measured)
    metals = sorted(set(cores.metals))
    report = {
        "trajectory": str(path),
        "frame": index,
        "time_ns": time_ns,
        "dimensions": chains.dimensions,
        "image": {
            "contrast": "bright field, scattering (amplitude) contrast of the metal cores, single scattering",
            "resolution_fwhm_nm": optics.resolution_nm,
            "psf_sigma_nm": optics.psf_sigma_nm,
            "pixel_nm": list(image.pixel),
            "pixels": [nx, ny],
            "dose_e_per_nm2": optics.dose_per_nm2,
            "dose_e_per_A2": optics.dose_per_nm2 / 100.0,
            "vacuum_counts_per_pixel": image.vacuum_counts,
            "scattering_exponent": optics.exponent,
            "au_cross_section_nm2": optics.au_cross_section_nm2,
            "atomic_numbers": {m: ATOMIC_NUMBER[m] for m in metals},
            "core_atoms": {m: atoms[m] for m in metals},
            "core_atoms_basis": atoms_basis,
            "core_weight_nm2": {m: atoms[m] * optics.cross_section(m) for m in metals},
            "peak_scattered_fraction": image.peak_scattered_fraction(),
            "seed": seed,
        },
        "measurement": result.summary(),
        "criterion": chains.chains.criterion(),
        "tem_band_nm": list(TEM_BAND_NM),
        "true": spacing_stats(result.true),
        "measured": spacing_stats(result.measured[result.measured_ok]),
        "bias": bias,
    }
    report = _finite_or_none(report)
    out = Path(out_dir) if out_dir else default_output(target)
    out.mkdir(parents=True, exist_ok=True)
    figures.save(figures.micrograph(image, result, centres, time_ns), out / "micrograph.png")
    figures.save(figures.micrograph_spacings(result, bias), out / "micrograph_spacings.png")
    (out / "micrograph.json").write_text(json.dumps(report, indent=2) + "\n")
    return report
