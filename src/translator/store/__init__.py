"""State: the memory (SQLite), per-slot provenance, the three-way merge of copies, copy status, atomic file writes."""
