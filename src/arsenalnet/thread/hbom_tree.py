"""The multi-tier bill of materials of one product, with the sources that feed it, from the compiled twin.

Two things make a product's hardware bill of materials:

- its **parts**: every product reachable from it through the bill of materials,
  with every BOM line among them (child units per parent unit);
- its **sources**: the facilities that make each part *for this product*, that
  is the nodes (facility, product) of its supply tree upstream of its makers,
  as :func:`arsenalnet.network.traverse` finds them (in-house inputs included).
  A maker of a part that ships it to no one in this tree is not a source.

Both are computed level by level over CSR arrays. :class:`HbomCatalog` holds the records
(names, units, attributes, organizations) that export and check read beside the arrays.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from arsenalnet.network import Network, start_nodes, traverse
from arsenalnet.network.index import Int32Array, csr_expand
from arsenalnet.network.trace import UnknownId


@dataclass(frozen=True)
class HbomTree:
    """One product's bill of materials and sources, as indices into a :class:`Network`.

    - ``parts`` (N,): product indices, the root first, then each BOM level in product-index
      order (the product table's key order); every part once (at the shallowest level that reaches it).
    - ``line_parent``, ``line_child`` (E,) product indices and ``line_qty`` (E,) child
      units per parent unit: every BOM line whose parent is a part.
    - ``source_part``, ``source_facility`` (S,): product and facility of each source,
      sorted by (product, facility) index.
    """

    parts: Int32Array
    line_parent: Int32Array
    line_child: Int32Array
    line_qty: npt.NDArray[np.float64]
    source_part: Int32Array
    source_facility: Int32Array

    @property
    def root(self) -> int:
        """The product the tree is of."""
        return int(self.parts[0])


def hbom_tree(net: Network, product_id: str) -> HbomTree:
    """The bill of materials of ``product_id`` and the sources that feed it.

    Raises :class:`~arsenalnet.network.trace.UnknownId` when no product has that id.
    """
    root = net.products.position(product_id)
    if root < 0:
        raise UnknownId(f"unknown product {product_id!r}: no product has this id")
    seen = np.zeros(net.n_products, dtype=bool)
    seen[root] = True
    levels = [np.array([root], dtype=np.int32)]
    while len(levels[-1]):
        _, pos = csr_expand(net.bom.indptr, levels[-1])
        children = np.unique(net.bom.indices[pos])
        new = children[~seen[children]].astype(np.int32)
        seen[new] = True
        levels.append(new)
    parts = np.concatenate(levels)
    owner, pos = csr_expand(net.bom.indptr, parts)
    f0, p0 = start_nodes(net, product=root)
    tiers = traverse(net, f0, p0, up=True) if len(f0) else []
    facility = np.concatenate([t.facility for t in tiers] or [np.zeros(0, np.int32)]).astype(np.int32)
    product = np.concatenate([t.product for t in tiers] or [np.zeros(0, np.int32)]).astype(np.int32)
    order = np.lexsort((facility, product))
    return HbomTree(
        parts=parts,
        line_parent=parts[owner],
        line_child=net.bom.indices[pos].astype(np.int32),
        line_qty=np.asarray(net.bom.data[pos], dtype=np.float64),
        source_part=product[order],
        source_facility=facility[order],
    )


@dataclass(frozen=True)
class HbomCatalog:
    """The twin's records an HBOM names beside the compiled network.

    ``products``, ``organizations`` and ``attributes`` are the ``product``,
    ``organization`` and ``product_attribute`` tables, as ``Store.read_tables()`` gives them.
    """

    products: pa.Table
    organizations: pa.Table
    attributes: pa.Table

    @classmethod
    def of(cls, tables: Mapping[str, pa.Table]) -> "HbomCatalog":
        """The catalog of a twin's tables."""
        return cls(tables["product"], tables["organization"], tables["product_attribute"])


def pick(table: pa.Table, column: str, ids: list[str]) -> list[dict[str, object]]:
    """Rows of ``table`` whose ``column`` is one of ``ids``."""
    return list(table.filter(pc.is_in(table[column], pa.array(ids, pa.string()))).to_pylist())
