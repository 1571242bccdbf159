"""Portable packages of materials: export a selection as one zip with a manifest, import it idempotently."""
