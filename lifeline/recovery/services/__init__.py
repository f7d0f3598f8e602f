"""Recovery services, split by subdomain. None of them takes a request."""
