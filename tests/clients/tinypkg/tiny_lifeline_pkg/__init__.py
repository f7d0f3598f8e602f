"""A tiny package uploaded and installed by Lifeline's client tests."""

GREETING = "hello from lifeline"
