"""Identity: accounts, roles, sign-in, bearer tokens and the one place for permissions."""
