"""HTTP routes, one module per area. Each handler unpacks, calls a plain function, packs."""
