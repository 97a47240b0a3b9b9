"""Trust administration: servicer remittances validated, distributed through the waterfall and kept in a ledger."""
