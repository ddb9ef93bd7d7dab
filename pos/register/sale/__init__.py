"""The register's collaborators for the sale in progress: making and editing lines, prices,
add-ons, the saved cart, receipts, returns and the pharmacy checks."""
