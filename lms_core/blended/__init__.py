"""Blended learning: teaching plans (which curriculum period falls in which week, in which mode) and delivery records."""
