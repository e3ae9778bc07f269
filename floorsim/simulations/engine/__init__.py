"""The microsimulation engine: countries, chunks, builder, scenarios, reforms, prices, months, take-up, results, provenance, the parameter-tree walker."""
