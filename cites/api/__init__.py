"""Read-only public REST API of the cités and the reference data (DRF)."""
