"""Business rules as plain functions over models; views and the CLI call these."""
