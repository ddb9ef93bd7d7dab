"""Member modals: lookup and the enrolment form."""
