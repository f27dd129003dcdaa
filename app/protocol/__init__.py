"""The competition protocol (конкурс хаттамасы): the signed document of a competition's result."""
