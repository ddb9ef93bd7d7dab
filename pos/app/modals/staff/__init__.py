"""Staff modals: login, manager approval, cash shift, reports."""
