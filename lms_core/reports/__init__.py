"""Reports of a school and of a department's area: the digital-transformation self-assessment and its data."""
