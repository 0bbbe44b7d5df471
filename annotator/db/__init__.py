"""Storage: the ORM schema, opening databases and their migrations."""
