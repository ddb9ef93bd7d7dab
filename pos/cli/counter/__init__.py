"""Commands at the counter: run the register, cash shifts, the printer, reprints, quarantine."""
