"""Coordinator pages, one module per area; every view goes through ``coordinator_page``."""
