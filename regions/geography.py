"""Where regions sit: positions on a unit square and a network of neighbours.

The network carries agglomeration spill-overs and (for the supra-regional module) learning
links; the demo draws it. It is the minimum spanning tree of the distances plus each region's
nearest neighbour, so it is always connected and mostly local.
"""

from __future__ import annotations

import networkx as nx
import numpy as np


def region_network(n_regions: int, rng: np.random.Generator) -> nx.Graph:
    """A connected geometric graph: nodes carry `pos`, edges carry `distance`."""
    pos = rng.random((n_regions, 2))
    full = nx.Graph()
    for i in range(n_regions):
        full.add_node(i, pos=(float(pos[i, 0]), float(pos[i, 1])))
    for i in range(n_regions):
        for j in range(i + 1, n_regions):
            full.add_edge(i, j, distance=float(np.hypot(*(pos[i] - pos[j]))))
    graph = nx.minimum_spanning_tree(full, weight="distance")
    for i in range(n_regions):
        near = sorted(full[i].items(), key=lambda kv: kv[1]["distance"])[:2]
        for j, data in near:
            graph.add_edge(i, j, **data)
    return graph


def neighbour_matrix(graph: nx.Graph) -> np.ndarray:
    """Row-normalised adjacency: row r averages over r's neighbours (zeros if none)."""
    adj = nx.to_numpy_array(graph, nodelist=sorted(graph.nodes), weight=None)
    degree = adj.sum(axis=1, keepdims=True)
    return np.divide(adj, degree, out=np.zeros_like(adj), where=degree > 0)


def agglomeration_index(high_road_share: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """Density of high-road employment nearby: own region, plus half-weight neighbours.

    Cohen and Rogers (1997, §5): "As the density of advanced firms increases, cross-learning and all
    manner of efficiencies in joint production can be realized".
    """
    return (high_road_share + 0.5 * neighbours @ high_road_share) / 1.5
