"""Staff: users, the audit trail and its anchors."""
