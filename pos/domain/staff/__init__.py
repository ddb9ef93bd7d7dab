"""Staff: users, PINs and the audit log."""
