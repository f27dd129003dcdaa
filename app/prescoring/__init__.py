"""Essay pre-scoring (issue 5): suggestions on the 5-point scale behind the commission's review gate."""
