"""The coordinator API (DRF): the same services as the pages, with session or token auth."""
