"""Applications (өтінім) of candidates to competitions, with the qualification check and anonymous codes."""
