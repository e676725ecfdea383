"""Disjoint sets over the indexes 0..n-1: which items have been joined into one group (union-find).

The caller decides which root a group keeps (`attach`), so a merge rule such
as "keep the better-ranked row" or "keep the first report" stays with it.
"""

from __future__ import annotations


class DisjointSets:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        """The root of ``i``'s group (paths halved on the way)."""
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def attach(self, root: int, to: int) -> None:
        """Join the group whose root is ``root`` into the group whose root is ``to``."""
        self.parent[root] = to
