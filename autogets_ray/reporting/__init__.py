"""Tables and figures written next to results."""
