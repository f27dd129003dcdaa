"""The talent pool: HR search, invitations, personnel reserves, recommendations for candidates."""
