"""Sales: money, codes, the cart, pricing and tendering."""
