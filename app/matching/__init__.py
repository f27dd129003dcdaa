"""Candidate–vacancy matching: stored embeddings, profile and vacancy texts, index snapshots, the match service."""
