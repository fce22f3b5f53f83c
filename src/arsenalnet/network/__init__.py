"""The compiled twin: dense int32 ids, CSR arrays, and tier-by-tier traversal."""

from arsenalnet.network.compile import Network, compile_network
from arsenalnet.network.index import Index
from arsenalnet.network.traverse import Tier, start_nodes, traverse

compile = compile_network

__all__ = ["Index", "Network", "Tier", "compile", "compile_network", "start_nodes", "traverse"]
