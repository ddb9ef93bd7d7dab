"""The register's collaborators for the people who work it: logins, manager approvals,
cash shifts and the store's reports."""
