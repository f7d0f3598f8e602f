"""Requester pages, split by subdomain."""
