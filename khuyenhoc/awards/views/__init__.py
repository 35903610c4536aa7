"""Pages of the awards area; thin views over the services and selectors."""
