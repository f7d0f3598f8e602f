"""Trusted publishing: CI systems exchange an OIDC identity token for a short-lived API token.

It lives under ``tokens`` because a publisher's only power is to mint an ordinary, scoped,
short-lived API token; everything an upload does afterwards is the token path that
``index`` already uses. See docs/publishing.md.
"""
