"""Courses for a subject × grade in a school year: units → lessons → activities, taught to classes."""
