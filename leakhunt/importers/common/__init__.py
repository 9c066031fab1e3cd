"""Input plumbing shared by the importers (transparent gzip, streamed JSON)."""
