"""Positions for large network views, computed before the page opens, and the communities an
overview groups them into.

`force_layout` is a ForceAtlas2-style model — linear attraction along edges, repulsion
proportional to the product of (degree + 1) over distance, gravity growing with the distance from the centre — with
the repulsion of all pairs computed on a grid: node masses are binned onto a G×G mesh and
convolved (FFT, zero-padded) with the 1/r force kernel, so one iteration costs
O(nodes + edges + G² log G) instead of O(nodes²); pairs closer than a cell do not repel.
`multilevel_layout` lays each community out on its own (so the grid resolves it), lays the
communities out as weighted super-nodes, and puts each community's picture where its
super-node is, pushed apart until none overlap: groups read as groups, and the links between
them run between the groups. Seeded, so the same graph gives the same picture.

`communities` groups nodes by label propagation and merges the groups with Louvain (both
networkx, seeded).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import networkx as nx
import numpy as np

KR = 1.0  # repulsion strength (FA2's kr)
GRAVITY = 1.0  # pull towards the centre, proportional to distance (FA2's strong gravity)


@dataclass(frozen=True)
class Layout:
    """Positions (n × 2) and a community number per node (largest community 0)."""

    xy: np.ndarray
    community: np.ndarray
    seconds: float


@lru_cache(maxsize=8)
def _kernel(size: int) -> tuple[np.ndarray, np.ndarray]:
    """FFTs of the x and y components of the 1/r force kernel on a (2·size)² padded grid."""
    span = np.arange(-size, size, dtype=np.float64)
    gx, gy = np.meshgrid(span, span, indexing="ij")
    r2 = gx * gx + gy * gy
    r2[size, size] = np.inf  # no force from a node's own cell
    kx = np.fft.ifftshift(gx / r2)
    ky = np.fft.ifftshift(gy / r2)
    return np.fft.rfft2(kx), np.fft.rfft2(ky)


EXACT_UP_TO = 64  # nodes up to which the repulsion of all pairs is summed directly


def _grid_size(n: int) -> int:
    return int(min(512, max(32, 2 ** math.ceil(math.log2(max(2.0, 2.0 * math.sqrt(n)))))))


def _exact_repulsion(xy: np.ndarray, mass: np.ndarray) -> np.ndarray:
    delta = xy[:, None, :] - xy[None, :, :]
    r2 = (delta**2).sum(axis=2)
    np.fill_diagonal(r2, np.inf)
    return (delta * (mass[None, :] / r2)[:, :, None]).sum(axis=1) * mass[:, None]


def _repulsion(xy: np.ndarray, mass: np.ndarray, size: int) -> np.ndarray:
    """Σ_j m_i m_j (x_i − x_j)/|x_i − x_j|² for every node i, on a size × size mesh over the box."""
    lo = xy.min(axis=0)
    extent = float(max((xy.max(axis=0) - lo).max(), 1e-9))
    cell = extent / (size - 1)
    ij = np.minimum(((xy - lo) / cell).astype(np.int64), size - 1)
    flat = ij[:, 0] * (2 * size) + ij[:, 1]
    density = np.bincount(flat, weights=mass, minlength=(2 * size) ** 2).reshape(2 * size, 2 * size)
    fk = np.fft.rfft2(density)
    kx, ky = _kernel(size)
    fx = np.fft.irfft2(fk * kx, s=density.shape)
    fy = np.fft.irfft2(fk * ky, s=density.shape)
    # the kernel is in cells: forces fall off as 1/distance, so divide by the cell size
    out = np.empty_like(xy)
    out[:, 0] = fx.ravel()[flat]
    out[:, 1] = fy.ravel()[flat]
    return out * (mass / cell)[:, None]


def _attraction(xy: np.ndarray, src: np.ndarray, dst: np.ndarray, weight: np.ndarray, n: int) -> np.ndarray:
    d = (xy[dst] - xy[src]) * weight[:, None]
    out = np.empty_like(xy)
    for k in (0, 1):
        out[:, k] = np.bincount(src, weights=d[:, k], minlength=n) - np.bincount(
            dst, weights=d[:, k], minlength=n
        )
    return out


def force_layout(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    weight: np.ndarray | None = None,
    init: np.ndarray | None = None,
    iterations: int = 250,
    seed: int = 7,
    start_temperature: float | None = None,
    gravity: float = GRAVITY,
) -> np.ndarray:
    """Positions for n nodes joined by the edges src[k]–dst[k] (index arrays)."""
    if n == 0:
        return np.zeros((0, 2))
    rng = np.random.default_rng(seed)
    weight = np.ones(len(src)) if weight is None else weight.astype(np.float64)
    degree = np.bincount(src, weights=weight, minlength=n) + np.bincount(dst, weights=weight, minlength=n)
    mass = degree + 1.0
    spread = math.sqrt(float(mass.sum()))
    xy = init.astype(np.float64).copy() if init is not None else rng.normal(size=(n, 2)) * spread
    xy += rng.normal(scale=1e-3 * spread, size=xy.shape)  # no two nodes on the same point
    size = _grid_size(n)
    t0 = start_temperature if start_temperature is not None else spread
    for it in range(iterations):
        push = _exact_repulsion(xy, mass) if n <= EXACT_UP_TO else _repulsion(xy, mass, size)
        force = KR * push + _attraction(xy, src, dst, weight, n)
        force -= (gravity * mass)[:, None] * xy  # strong gravity: small components stay near
        step = force / mass[:, None]
        length = np.maximum(np.linalg.norm(step, axis=1), 1e-12)
        temperature = t0 * (1.0 - it / iterations) + 0.05
        xy += step * (np.minimum(length, temperature) / length)[:, None]
    return xy - xy.mean(axis=0)


def communities(n: int, src: np.ndarray, dst: np.ndarray, seed: int = 7) -> np.ndarray:
    """A community number per node, largest community first (ties by lowest member).

    Two levels: networkx's fast label propagation groups the nodes (linear time), then Louvain
    (seeded) merges those groups on their weighted quotient graph, which is small. networkx's
    Louvain on the nodes themselves gives a slightly higher modularity but took 20 s on 5,700
    nodes here; this takes well under a second.
    """
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
    first = np.empty(n, dtype=np.int64)
    for number, members in enumerate(nx.community.fast_label_propagation_communities(graph, seed=seed)):
        first[list(members)] = number
    quotient = nx.Graph()
    quotient.add_nodes_from(range(int(first.max()) + 1 if n else 0))
    for a, b in zip(first[src].tolist(), first[dst].tolist(), strict=True):
        w = quotient.get_edge_data(a, b, {"weight": 0})["weight"]
        quotient.add_edge(a, b, weight=w + 1)
    merged = nx.community.louvain_communities(quotient, weight="weight", seed=seed)
    group = np.empty(quotient.number_of_nodes(), dtype=np.int64)
    for number, members in enumerate(merged):
        group[list(members)] = number
    labels = group[first]
    parts: dict[int, list[int]] = {}
    for node, label in enumerate(labels.tolist()):
        parts.setdefault(label, []).append(node)
    ordered = sorted(parts.values(), key=lambda p: (-len(p), p[0]))
    out = np.empty(n, dtype=np.int64)
    for number, members in enumerate(ordered):
        out[members] = number
    return out


def multilevel_layout(n: int, src: np.ndarray, dst: np.ndarray, seed: int = 7) -> Layout:
    """Communities, each laid out on its own, placed where a layout of the communities as
    weighted super-nodes puts them, pushed apart until no two overlap."""
    import time

    started = time.perf_counter()
    community = communities(n, src, dst, seed)
    k = int(community.max()) + 1 if n else 0
    sizes = np.bincount(community, minlength=k)
    order = np.argsort(community, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)])
    local_index = np.empty(n, dtype=np.int64)
    local_index[order] = np.arange(n) - np.repeat(starts[:-1], sizes)
    inside = community[src] == community[dst]
    e_comm = community[src][inside]
    e_order = np.argsort(e_comm, kind="stable")
    e_src, e_dst = local_index[src[inside]][e_order], local_index[dst[inside]][e_order]
    e_starts = np.concatenate([[0], np.cumsum(np.bincount(e_comm, minlength=k))])
    local = np.zeros((n, 2))
    radius = np.ones(k)
    for c in range(k):
        members = order[starts[c] : starts[c + 1]]
        if len(members) < 2:
            continue
        a, b = e_starts[c], e_starts[c + 1]
        iterations = 100 if len(members) > 2000 else 80
        xy = force_layout(len(members), e_src[a:b], e_dst[a:b], iterations=iterations, seed=seed + c)
        local[members] = xy
        radius[c] = float(np.percentile(np.linalg.norm(xy, axis=1), 98)) + 2.0
    # the communities as super-nodes: weighted by the links between them, heavy by their size
    a, b = community[src][~inside], community[dst][~inside]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keys, counts = np.unique(lo * max(k, 1) + hi, return_counts=True)
    coarse_src = np.concatenate([keys // max(k, 1), np.arange(k)])
    coarse_dst = np.concatenate([keys % max(k, 1), np.arange(k)])
    coarse_w = np.concatenate([np.log1p(counts), sizes.astype(np.float64)])
    centres = force_layout(k, coarse_src, coarse_dst, coarse_w, iterations=200, seed=seed)
    centres = _separate(centres, radius)
    xy = centres[community] + local
    return Layout(xy - xy.mean(axis=0), community, time.perf_counter() - started)


def _separate(centres: np.ndarray, radius: np.ndarray, rounds: int = 200) -> np.ndarray:
    """Scale the super-node layout up until communities are about their own size apart, then
    push overlapping pairs apart (k is at most a few hundred: pairwise is fine)."""
    k = len(centres)
    if k < 2:
        return centres
    d = np.linalg.norm(centres[:, None, :] - centres[None, :, :], axis=2)
    need = radius[:, None] + radius[None, :]
    np.fill_diagonal(d, np.inf)
    nearest = d.min(axis=1)
    scale = float(np.median(need.min(axis=1) / np.maximum(nearest, 1e-9)))
    xy = centres * max(scale, 1e-9)
    for _ in range(rounds):
        delta = xy[:, None, :] - xy[None, :, :]
        dist = np.linalg.norm(delta, axis=2)
        np.fill_diagonal(dist, np.inf)
        overlap = need * 1.05 - dist
        if (overlap <= 0).all():
            break
        push = (
            np.where(overlap > 0, overlap / 2, 0.0)[:, :, None] * delta / np.maximum(dist, 1e-9)[:, :, None]
        )
        xy = xy + push.sum(axis=1)
    return xy
