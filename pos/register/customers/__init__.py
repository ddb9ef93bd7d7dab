"""The register's collaborators for customers: members, and the service after the sale
(follow-up calls, referrals, birthday gifts, complaints, ratings, adverse reactions)."""
