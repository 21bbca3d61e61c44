"""XLIFF, PO and TMX for CAT tools, and the git merge driver of the memory."""
