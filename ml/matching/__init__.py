"""Vector search for matching: the FAISS index manager, its snapshots, lexical scoring and ranking metrics."""
