"""Members: enrolment, lookup, tiers, points and data requests."""
