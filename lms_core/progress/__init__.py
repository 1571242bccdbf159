"""Learning progress: xAPI statements of what learners do, and what is computed from them."""
