"""The national additive-manufacturing network: qualified capacity and print-job activation
(docs/amnet.md). Pure functions of a compiled :class:`~arsenalnet.network.am.AmFleet`."""
