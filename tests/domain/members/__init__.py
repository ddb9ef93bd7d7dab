"""Members: tiers, points, service after the sale."""
