"""People, roles, login sessions and bulk import of users."""
