"""The 2018 general-education programme (GDPT 2018) as data, its topic trees, and repository coverage."""
