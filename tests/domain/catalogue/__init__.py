"""The catalogue: products, the product index, pinyin, reference data."""
