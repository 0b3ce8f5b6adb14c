"""Who may use the desk: users and roles, API tokens, login sessions and the audit log."""
