"""ArsenalNet: an open National Industrial Digital Twin.

Layers (see ARCHITECTURE.md): model -> store -> ingest / synth / network -> cli.
"""

__version__ = "0.1.0"
