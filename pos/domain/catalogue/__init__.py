"""The catalogue: products, barcodes, stock levels and product search."""
